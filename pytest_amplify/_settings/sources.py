"""Reading the settings: command line, ini and environment, each value with its source.

Values from the command line and the ini are checked at start-up; the
environment's are checked when a fixture first needs them (:func:`apply_deferred`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._core.errors import AmplifyConfigError
from .settings import OPTIONS, OPTIONS_BY_NAME, Settings, closest_name, given_here
from .values import ENVIRONMENT, Option, Setting, check_region_known

if TYPE_CHECKING:
    import pytest


def check_ini_keys(config: pytest.Config) -> None:
    """An ``amplify_*`` key of the ini file or of ``-o`` that names no setting is an
    error (pytest itself only warns, and the run would go on without it). The
    environment is not checked: its variables are not ours."""
    # pytest 9 keeps the ini file's values in _inicfg (inicfg is deprecated there).
    found = vars(config).get("_inicfg")
    ini: Mapping[str, Any] = found if found is not None else vars(config).get("inicfg") or {}
    overrides = getattr(config.option, "override_ini", None) or ()
    keys = [*ini, *(item.partition("=")[0].strip() for item in overrides)]
    unknown = [key for key in keys if key.startswith("amplify_") and key[8:] not in OPTIONS_BY_NAME]
    if unknown:
        raise _unknown_keys_error(config, ini, sorted(set(unknown)))


def _unknown_keys_error(
    config: pytest.Config, ini: Mapping[str, Any], keys: list[str]
) -> AmplifyConfigError:
    overrides = dict(
        (key.strip(), value)
        for key, _, value in (
            item.partition("=") for item in getattr(config.option, "override_ini", None) or ()
        )
    )
    lines = []
    for key in keys:
        raw = overrides[key] if key in overrides else getattr(ini[key], "value", ini[key])
        # Every key shares the prefix: matched on the rest, "amplify_zzz" is near nothing.
        match = closest_name(key.removeprefix("amplify_"), OPTIONS_BY_NAME)
        fix = (
            f"did you mean amplify_{match}?"
            if match
            else "pytest --help lists the amplify_ ini keys"
        )
        lines.append(f"{key} = {raw!r} (from {_ini_source(config, key)}): no such setting; {fix}")
    return AmplifyConfigError(*lines)


def _ini_source(config: pytest.Config, key: str) -> str:
    for item in getattr(config.option, "override_ini", None) or ():
        if item.split("=", 1)[0].strip() == key:
            return f"-o {key}"
    inipath = getattr(config, "inipath", None)
    return f"{key} in {inipath.name}" if inipath else key


def _raw_value(
    option: Option, config: pytest.Config, environ: Mapping[str, str]
) -> tuple[Setting[Any], bool]:
    """The first source that has a value, and whether it is still to be read: a
    flag's or the ini's value, the environment's (read later), or the default."""
    flag = config.getoption(option.dest, default=None)
    if option.flag_sets is not None and flag:
        return Setting(option.flag_sets, option.flag), True
    if option.flag_sets is None and flag is not None:
        return Setting(str(flag), option.flag), True
    ini = config.getini(option.ini)
    if ini is not None:
        return Setting(str(ini), _ini_source(config, option.ini)), True
    names = () if _ignores_configured_endpoints(option, environ) else option.env
    env_name = next(
        (
            name
            for name in names
            if name in environ and (environ[name].strip() or not option.blank_env_is_unset)
        ),
        None,
    )
    if env_name is not None:
        return Setting(environ[env_name], f"{ENVIRONMENT}{env_name}"), True
    return Setting(option.default, "default"), False


def read_settings(
    config: pytest.Config, environ: Mapping[str, str] | None = None
) -> tuple[Settings, dict[str, tuple[str, str]]]:
    """The settings from command line, ini and environment.

    Values from the command line and the ini are checked here (a bad one is a
    usage error at start-up). Values from the environment are returned raw in the
    second result and checked only when a fixture needs them: an unrelated
    ``AWS_APP_ID`` must not break runs that never use the plugin.
    """
    environ = os.environ if environ is None else environ
    check_ini_keys(config)
    values: dict[str, Setting[Any]] = {}
    deferred: dict[str, tuple[str, str]] = {}
    for option in OPTIONS:
        raw, unread = _raw_value(option, config, environ)
        if raw.source.startswith(ENVIRONMENT):
            deferred[option.name] = (raw.value, raw.source)
            raw, unread = Setting(option.default, "default"), False
        values[option.name] = option.value_of(raw.value, raw.source) if unread else raw
    settings = Settings(**values)
    settings.check_consistent()
    if settings.region.value and not settings.endpoint_url.value and "endpoint_url" not in deferred:
        check_region_known(settings.region.value, settings.region.source)
    return settings, deferred


def apply_deferred(settings: Settings, deferred: Mapping[str, tuple[str, str]]) -> Settings:
    """Check and apply values that came from the environment."""
    for name, (raw, source) in deferred.items():
        if settings.get(name).source != "default":
            continue
        rival = OPTIONS_BY_NAME[name].env_yields_to
        if rival is not None and given_here(settings.get(rival)):
            continue
        settings = dataclasses.replace(
            settings, **{name: OPTIONS_BY_NAME[name].value_of(raw, source)}
        )
    if deferred:
        settings.check_consistent()
    return settings


def _ignores_configured_endpoints(option: Option, environ: Mapping[str, str]) -> bool:
    return (
        option.name == "endpoint_url"
        and environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true"
    )
