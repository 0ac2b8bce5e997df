"""Settings: declared once for ini and flag, read with their source, validated at the boundary.

Precedence: ``@pytest.mark.amplify`` > an override (the local service's fixtures) >
command line > ini > environment > default. Every value remembers where it came
from, so an error can say "amplify_timeout = 'soon' (from amplify_timeout in
pytest.ini)".
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable, Mapping
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import urlsplit

from ._durations import format_duration, parse_duration
from ._errors import AmplifyConfigError

if TYPE_CHECKING:
    import pytest

T = TypeVar("T")

DEFAULT_TIMEOUT = 30 * 60.0
DEFAULT_POLL_INTERVAL = 5.0
DEFAULT_MAX_POLL_INTERVAL = 30.0
MAX_TIMEOUT = 24 * 3600.0
MAX_INTERVAL = 3600.0
LATEST = "latest"
HTML_SCREENSHOT_MODES = ("failed", "always", "never")

_APP_ID = re.compile(r"d[a-z0-9]{1,19}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_SITE_PLACEHOLDERS = frozenset({"app_id", "branch"})


@dataclasses.dataclass(frozen=True)
class Setting(Generic[T]):
    """A value and where it came from (``--amplify-timeout``, ``default``, ...)."""

    value: T
    source: str


class SettingError(ValueError):
    """A value that cannot be used; the text says why and what to write instead."""


# -- parsers: each takes the raw text and returns the value or raises SettingError ----


def _nonblank(text: str) -> str:
    stripped = text.strip()
    if not stripped:
        raise SettingError("it is empty")
    return stripped


def parse_app_id(text: str) -> str:
    value = _nonblank(text)
    if not _APP_ID.fullmatch(value):
        raise SettingError(
            "it is not an Amplify app id: those are 'd' and up to 19 lower-case letters "
            "or digits, e.g. d1a2b3c4d5e6f7 (the Amplify console shows it under App settings)"
        )
    return value


def parse_branch(text: str) -> str:
    value = _nonblank(text)
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise SettingError("a branch name cannot contain spaces or control characters")
    if len(value) > 255:
        raise SettingError("it is longer than Amplify's 255 characters")
    return value


def parse_job_id(text: str) -> str:
    value = _nonblank(text)
    if value.lower() == LATEST:
        return LATEST
    if len(value) > 255:
        raise SettingError("it is longer than Amplify's 255 characters")
    if not (value.isascii() and value.isdigit()) or int(value) == 0:
        raise SettingError(
            "it is neither 'latest' nor a job number such as 7 (Amplify's AWS_JOB_ID, "
            "0000000007, works too)"
        )
    # The build environment pads job ids to ten digits; the API wants the number.
    return str(int(value))


def parse_commit_id(text: str) -> str:
    value = _nonblank(text)
    if any(ch.isspace() for ch in value) or len(value) > 255:
        raise SettingError("it is not a commit id (a git SHA such as $GITHUB_SHA)")
    return value


def parse_region(text: str) -> str:
    value = _nonblank(text)
    if not _REGION.fullmatch(value):
        raise SettingError("it is not an AWS region name such as us-east-1 or eu-west-2")
    return value


def parse_profile(text: str) -> str:
    return _nonblank(text)


def _parse_url(text: str, what: str) -> str:
    value = _nonblank(text)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingError(f"it is not an http(s) URL such as {what}")
    return value.rstrip("/")


def parse_endpoint_url(text: str) -> str:
    return _parse_url(text, "https://amplify.us-east-1.amazonaws.com")


def parse_site_url(text: str) -> str:
    value = _parse_url(text, "https://www.example.com")
    names = set(re.findall(r"{([^{}]*)}", value))
    unknown = names - _SITE_PLACEHOLDERS
    if unknown:
        raise SettingError(
            f"it uses {', '.join('{' + n + '}' for n in sorted(unknown))}; the only "
            "placeholders are {app_id} and {branch}"
        )
    return value


def _parse_seconds(text: str, maximum: float) -> float:
    value = text.strip()
    if value.startswith("-"):
        raise SettingError("it is negative; write a positive duration such as 90s, 15m or 1h")
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise SettingError(str(exc)) from None
    if seconds <= 0:
        raise SettingError("it is zero; write a positive duration such as 90s, 15m or 1h")
    if seconds > maximum:
        raise SettingError(f"it is longer than the {format_duration(maximum)} allowed")
    return seconds


def parse_timeout(text: str) -> float:
    return _parse_seconds(text, MAX_TIMEOUT)


def parse_interval(text: str) -> float:
    return _parse_seconds(text, MAX_INTERVAL)


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def parse_bool(text: str) -> bool:
    value = _nonblank(text).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingError("it is not a boolean: write true or false")


def parse_html_screenshots(text: str) -> str:
    value = _nonblank(text).lower()
    if value not in HTML_SCREENSHOT_MODES:
        raise SettingError(f"it is not one of {', '.join(HTML_SCREENSHOT_MODES)}")
    return value


# -- the table of settings ----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Option:
    name: str
    flag: str
    env: tuple[str, ...]
    parse: Callable[[str], Any]
    default: Any
    help: str
    metavar: str = "VALUE"

    @property
    def ini(self) -> str:
        return f"amplify_{self.name}"

    @property
    def dest(self) -> str:
        return f"amplify_{self.name}"


OPTIONS: tuple[Option, ...] = (
    Option(
        "app_id",
        "--amplify-app-id",
        ("AWS_APP_ID",),
        parse_app_id,
        None,
        "Amplify app id of the deployment to test (env AWS_APP_ID).",
        "APP_ID",
    ),
    Option(
        "branch",
        "--amplify-branch",
        ("AWS_BRANCH",),
        parse_branch,
        None,
        "Branch of the app whose job to wait for (env AWS_BRANCH).",
        "BRANCH",
    ),
    Option(
        "job_id",
        "--amplify-job-id",
        (),
        parse_job_id,
        LATEST,
        "Job to wait for: a job number or 'latest', the newest job of the branch "
        "(default: latest).",
        "JOB_ID",
    ),
    Option(
        "commit_id",
        "--amplify-commit-id",
        (),
        parse_commit_id,
        None,
        'Wait for the newest job built from this commit, e.g. "$GITHUB_SHA"; waits '
        "for it to be listed if it is not yet.",
        "SHA",
    ),
    Option(
        "region",
        "--amplify-region",
        (),
        parse_region,
        None,
        "AWS region of the app (default: boto3's own chain, e.g. AWS_DEFAULT_REGION).",
        "REGION",
    ),
    Option(
        "profile",
        "--amplify-profile",
        (),
        parse_profile,
        None,
        "AWS profile to use (default: boto3's own chain, e.g. AWS_PROFILE).",
        "PROFILE",
    ),
    Option(
        "endpoint_url",
        "--amplify-endpoint-url",
        ("AWS_ENDPOINT_URL_AMPLIFY", "AWS_ENDPOINT_URL"),
        parse_endpoint_url,
        None,
        "Amplify API endpoint (env AWS_ENDPOINT_URL_AMPLIFY, as boto3 reads it).",
        "URL",
    ),
    Option(
        "timeout",
        "--amplify-timeout",
        (),
        parse_timeout,
        DEFAULT_TIMEOUT,
        "Longest wait for a job to finish: 90, 90s, 15m, 1h (default: 30m).",
        "DURATION",
    ),
    Option(
        "poll_interval",
        "--amplify-poll-interval",
        (),
        parse_interval,
        DEFAULT_POLL_INTERVAL,
        "First wait between polls; waits grow from it (default: 5s).",
        "DURATION",
    ),
    Option(
        "max_poll_interval",
        "--amplify-max-poll-interval",
        (),
        parse_interval,
        DEFAULT_MAX_POLL_INTERVAL,
        "Cap of the growing wait between polls (default: 30s).",
        "DURATION",
    ),
    Option(
        "site_url",
        "--amplify-site-url",
        (),
        parse_site_url,
        None,
        "Where the deployed branch is served when not at Amplify's default domain; "
        "may contain {app_id} and {branch}.",
        "URL",
    ),
    Option(
        "require_success",
        "--amplify-allow-failed",
        (),
        parse_bool,
        True,
        "Hand jobs that did not SUCCEED to tests instead of erroring them at setup "
        "(ini: amplify_require_success = false).",
    ),
    Option(
        "html_screenshots",
        "--amplify-html-screenshots",
        (),
        parse_html_screenshots,
        "failed",
        "pytest-html: embed VERIFY screenshots for failed tests (failed), every test "
        "(always) or none (never).",
        "WHEN",
    ),
)
OPTIONS_BY_NAME: Mapping[str, Option] = {option.name: option for option in OPTIONS}
MARKER_KEYWORDS = ("app_id", "branch", "job_id", "commit_id", "timeout", "require_success")


@dataclasses.dataclass(frozen=True)
class Settings:
    """Every setting, with its source."""

    app_id: Setting[str | None]
    branch: Setting[str | None]
    job_id: Setting[str]
    commit_id: Setting[str | None]
    region: Setting[str | None]
    profile: Setting[str | None]
    endpoint_url: Setting[str | None]
    timeout: Setting[float]
    poll_interval: Setting[float]
    max_poll_interval: Setting[float]
    site_url: Setting[str | None]
    require_success: Setting[bool]
    html_screenshots: Setting[str]

    def replace(self, name: str, value: Any, source: str) -> Settings:
        return dataclasses.replace(self, **{name: Setting(value, source)})

    def get(self, name: str) -> Setting[Any]:
        setting: Setting[Any] = getattr(self, name)
        return setting

    def check_consistent(self) -> None:
        """Cross-setting rules; raises AmplifyConfigError naming both settings."""
        if self.max_poll_interval.value < self.poll_interval.value:
            raise AmplifyConfigError(
                f"amplify_max_poll_interval = {format_duration(self.max_poll_interval.value)} "
                f"(from {self.max_poll_interval.source}) is shorter than amplify_poll_interval = "
                f"{format_duration(self.poll_interval.value)} (from {self.poll_interval.source}); "
                "the cap must be at least the first interval"
            )
        if self.commit_id.value is not None and self.job_id.value != LATEST:
            raise AmplifyConfigError(
                f"amplify_job_id = {self.job_id.value} (from {self.job_id.source}) and "
                f"amplify_commit_id = {self.commit_id.value} (from {self.commit_id.source}) "
                "both pick the job; set only one of them"
            )


def bad_value(option_name: str, raw: object, source: str, reason: str) -> AmplifyConfigError:
    option = OPTIONS_BY_NAME.get(option_name)
    key = option.ini if option else option_name
    return AmplifyConfigError(f"{key} = {raw!r} (from {source}): {reason}")


def _ini_source(config: pytest.Config, key: str) -> str:
    for item in getattr(config.option, "override_ini", None) or ():
        if item.split("=", 1)[0].strip() == key:
            return f"-o {key}"
    inipath = getattr(config, "inipath", None)
    return f"{key} in {inipath.name}" if inipath else key


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
    values: dict[str, Setting[Any]] = {}
    deferred: dict[str, tuple[str, str]] = {}
    for option in OPTIONS:
        if option.name == "require_success":
            if config.getoption(option.dest, default=False):
                values[option.name] = Setting(False, option.flag)
                continue
            raw_flag = None
        else:
            raw_flag = config.getoption(option.dest, default=None)
        raw_ini = config.getini(option.ini)
        if raw_flag is not None:
            raw, source = str(raw_flag), option.flag
        elif raw_ini is not None:
            raw, source = str(raw_ini), _ini_source(config, option.ini)
        else:
            env_name = next((name for name in option.env if name in environ), None)
            if option.name == "endpoint_url" and _ignores_configured_endpoints(environ):
                env_name = None
            if env_name is None:
                values[option.name] = Setting(option.default, "default")
                continue
            values[option.name] = Setting(option.default, "default")
            deferred[option.name] = (environ[env_name], f"environment variable {env_name}")
            continue
        try:
            values[option.name] = Setting(option.parse(raw), source)
        except SettingError as exc:
            raise bad_value(option.name, raw, source, str(exc)) from None
    settings = Settings(**values)
    settings.check_consistent()
    if (
        settings.region.value
        and not settings.endpoint_url.value
        and not deferred.get("endpoint_url")
    ):
        check_region_known(settings.region.value, settings.region.source)
    return settings, deferred


def apply_deferred(settings: Settings, deferred: Mapping[str, tuple[str, str]]) -> Settings:
    """Check and apply values that came from the environment."""
    for name, (raw, source) in deferred.items():
        if settings.get(name).source != "default":
            continue
        try:
            settings = settings.replace(name, OPTIONS_BY_NAME[name].parse(raw), source)
        except SettingError as exc:
            raise bad_value(name, raw, source, str(exc)) from None
    return settings


def _ignores_configured_endpoints(environ: Mapping[str, str]) -> bool:
    return environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true"


def apply_marker(settings: Settings, kwargs: Mapping[str, object], where: str) -> Settings:
    """``@pytest.mark.amplify(...)`` keywords over the settings; raises on unknown ones."""
    unknown = sorted(set(kwargs) - set(MARKER_KEYWORDS))
    if unknown:
        raise AmplifyConfigError(
            f"@pytest.mark.amplify got unknown keyword{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)} ({where}); it takes {', '.join(MARKER_KEYWORDS)}"
        )
    source = "@pytest.mark.amplify"
    job_or_commit = {"job_id", "commit_id"} & set(kwargs)
    if job_or_commit == {"job_id", "commit_id"} and kwargs["job_id"] not in (None, LATEST):
        raise AmplifyConfigError(
            f"@pytest.mark.amplify(job_id=..., commit_id=...) ({where}) picks the job twice; "
            "give only one of them"
        )
    for name, value in kwargs.items():
        option = OPTIONS_BY_NAME[name]
        keyword_source = f"{source}({name}=...)"
        if name == "require_success":
            if not isinstance(value, bool):
                raise AmplifyConfigError(
                    f"@pytest.mark.amplify(require_success={value!r}) ({where}): write True or False"
                )
            settings = settings.replace(name, value, keyword_source)
            continue
        if name == "timeout" and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if value is None and name in ("commit_id", "job_id"):
            default = option.default
            settings = settings.replace(name, default, keyword_source)
            continue
        if not isinstance(value, str):
            raise AmplifyConfigError(
                f"@pytest.mark.amplify({name}={value!r}) ({where}): write it as a string"
            )
        try:
            parsed = option.parse(value)
        except SettingError as exc:
            raise AmplifyConfigError(
                f"@pytest.mark.amplify({name}={value!r}) ({where}): {exc}"
            ) from None
        settings = settings.replace(name, parsed, keyword_source)
    # The marker picks the job as a whole: a marker commit replaces a configured job id.
    if "commit_id" in kwargs and "job_id" not in kwargs:
        settings = settings.replace("job_id", LATEST, f"{source}(commit_id=...)")
    if "job_id" in kwargs and "commit_id" not in kwargs and settings.job_id.value != LATEST:
        settings = settings.replace("commit_id", None, f"{source}(job_id=...)")
    settings.check_consistent()
    return settings


def marker_kwargs(item: pytest.Item) -> dict[str, Any]:
    """``@pytest.mark.amplify`` keywords, the closest marker winning per keyword."""
    merged: dict[str, Any] = {}
    for marker in item.iter_markers("amplify"):
        if marker.args:
            raise AmplifyConfigError(
                f"@pytest.mark.amplify takes keywords only, not {marker.args!r} ({item.nodeid})"
            )
        for key, value in marker.kwargs.items():
            merged.setdefault(key, value)
    return merged


def _known_regions() -> frozenset[str]:
    """Regions botocore's endpoint data lists for Amplify, read without importing
    botocore (plugin start-up stays free of it)."""
    spec = find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "endpoints.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return frozenset()
    regions: set[str] = set()
    for partition in data.get("partitions", ()):
        endpoints = partition.get("services", {}).get("amplify", {}).get("endpoints", {})
        regions.update(name for name in endpoints if _REGION.fullmatch(name))
    return frozenset(regions)


def check_region_known(region: str, source: str) -> None:
    known = _known_regions()
    if known and region not in known:
        close = sorted(r for r in known if r.split("-")[0] == region.split("-", maxsplit=1)[0])[:6]
        hint = f"; did you mean one of {', '.join(close)}?" if close else ""
        raise AmplifyConfigError(
            f"amplify_region = {region!r} (from {source}): Amplify is not available in "
            f"{region} as far as botocore knows{hint} (set amplify_endpoint_url for a "
            "private endpoint)"
        )
