"""Settings: each declared once, read with their source, validated at the boundary.

Each setting is one field of :class:`Settings`, and the field's declaration says
everything else about it: ini key, flag, environment variables, parser, default,
help, and whether ``@pytest.mark.amplify`` and ``override_settings`` may set it.
Every other list of names is derived from those declarations.

Precedence: ``@pytest.mark.amplify`` > an override (the local service's fixtures) >
command line > ini > environment > default. Every value remembers where it came
from, so an error can say "amplify_timeout = 'soon' (from amplify_timeout in
pytest.ini)".
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._call_retries import DEFAULT_RETRY_TIMEOUT
from ._durations import format_duration
from ._errors import AmplifyConfigError
from ._setting_parsers import (
    SettingError,
    check_region_known,
    parse_app_id,
    parse_bool,
    parse_branch,
    parse_commit_id,
    parse_endpoint_url,
    parse_html_screenshots,
    parse_interval,
    parse_job_id,
    parse_profile,
    parse_region,
    parse_site_url,
    parse_timeout,
)
from ._target import LATEST

if TYPE_CHECKING:
    import pytest

T = TypeVar("T")

DEFAULT_TIMEOUT = 30 * 60.0
DEFAULT_POLL_INTERVAL = 5.0
DEFAULT_MAX_POLL_INTERVAL = 30.0
ENVIRONMENT = "environment variable "


@dataclasses.dataclass(frozen=True)
class Setting(Generic[T]):
    """A value and where it came from (``--amplify-timeout``, ``default``, ...)."""

    value: T
    source: str


def _text_value(option: Option, value: object) -> Any:
    """A marker's or an override's value: text, parsed like the ini's; ``None``
    where the option allows it means the default."""
    if value is None and option.none_is_default:
        return option.default
    if not isinstance(value, str):
        raise SettingError("write it as a string")
    return option.parse(value)


def _seconds_value(option: Option, value: object) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    return _text_value(option, value)


def _bool_value(option: Option, value: object) -> Any:
    if not isinstance(value, bool):
        raise SettingError("write True or False")
    return value


@dataclasses.dataclass(frozen=True)
class Option:
    """Everything about one setting but its value (derived from its declaration)."""

    name: str
    flag: str
    parse: Callable[[str], Any]
    default: Any
    help: str
    metavar: str = "VALUE"
    env: tuple[str, ...] = ()
    # A flag that takes no value and sets this one (--amplify-allow-failed).
    flag_sets: Any = None
    ini_help: str | None = None
    marker: bool = False
    overridable: bool = False
    none_is_default: bool = False
    python_value: Callable[[Option, object], Any] = _text_value

    @property
    def ini(self) -> str:
        return f"amplify_{self.name}"

    @property
    def dest(self) -> str:
        return f"amplify_{self.name}"


def _declare(**spec: Any) -> Any:
    return dataclasses.field(metadata={"option": spec})


@dataclasses.dataclass(frozen=True)
class Settings:
    """Every setting, with its source; each field declares its setting."""

    app_id: Setting[str | None] = _declare(
        flag="--amplify-app-id",
        env=("AWS_APP_ID",),
        parse=parse_app_id,
        default=None,
        help="Amplify app id of the deployment to test (env AWS_APP_ID).",
        metavar="APP_ID",
        marker=True,
        overridable=True,
    )
    branch: Setting[str | None] = _declare(
        flag="--amplify-branch",
        env=("AWS_BRANCH",),
        parse=parse_branch,
        default=None,
        help="Branch of the app whose job to wait for (env AWS_BRANCH).",
        metavar="BRANCH",
        marker=True,
        overridable=True,
    )
    job_id: Setting[str] = _declare(
        flag="--amplify-job-id",
        parse=parse_job_id,
        default=LATEST,
        help="Job to wait for: a job number or 'latest', the newest job of the branch "
        "(default: latest).",
        metavar="JOB_ID",
        marker=True,
        overridable=True,
        none_is_default=True,
    )
    commit_id: Setting[str | None] = _declare(
        flag="--amplify-commit-id",
        parse=parse_commit_id,
        default=None,
        help='Wait for the newest job built from this commit, e.g. "$GITHUB_SHA"; waits '
        "for it to be listed if it is not yet.",
        metavar="SHA",
        marker=True,
        overridable=True,
        none_is_default=True,
    )
    region: Setting[str | None] = _declare(
        flag="--amplify-region",
        parse=parse_region,
        default=None,
        help="AWS region of the app (default: boto3's own chain, e.g. AWS_DEFAULT_REGION).",
        metavar="REGION",
        overridable=True,
    )
    profile: Setting[str | None] = _declare(
        flag="--amplify-profile",
        parse=parse_profile,
        default=None,
        help="AWS profile to use (default: boto3's own chain, e.g. AWS_PROFILE).",
        metavar="PROFILE",
    )
    endpoint_url: Setting[str | None] = _declare(
        flag="--amplify-endpoint-url",
        env=("AWS_ENDPOINT_URL_AMPLIFY", "AWS_ENDPOINT_URL"),
        parse=parse_endpoint_url,
        default=None,
        help="Amplify API endpoint (env AWS_ENDPOINT_URL_AMPLIFY, as boto3 reads it).",
        metavar="URL",
        overridable=True,
    )
    timeout: Setting[float] = _declare(
        flag="--amplify-timeout",
        parse=parse_timeout,
        default=DEFAULT_TIMEOUT,
        help="Longest wait for a job to finish: 90, 90s, 15m, 1h (default: 30m).",
        metavar="DURATION",
        marker=True,
        overridable=True,
        python_value=_seconds_value,
    )
    poll_interval: Setting[float] = _declare(
        flag="--amplify-poll-interval",
        parse=parse_interval,
        default=DEFAULT_POLL_INTERVAL,
        help="First wait between polls; waits grow from it (default: 5s).",
        metavar="DURATION",
        overridable=True,
    )
    max_poll_interval: Setting[float] = _declare(
        flag="--amplify-max-poll-interval",
        parse=parse_interval,
        default=DEFAULT_MAX_POLL_INTERVAL,
        help="Cap of the growing wait between polls (default: 30s).",
        metavar="DURATION",
        overridable=True,
    )
    retry_timeout: Setting[float] = _declare(
        flag="--amplify-retry-timeout",
        parse=parse_interval,
        default=DEFAULT_RETRY_TIMEOUT,
        help="How long a call outside the wait (GetApp, GetBranch, test artifacts, a log, "
        "a zip, a screenshot) keeps retrying throttling, 5xx and network failures "
        "(default: 1m).",
        metavar="DURATION",
        marker=True,
        overridable=True,
        python_value=_seconds_value,
    )
    site_url: Setting[str | None] = _declare(
        flag="--amplify-site-url",
        parse=parse_site_url,
        default=None,
        help="Where the deployed branch is served when not at Amplify's default domain; "
        "may contain {app_id} and {branch}.",
        metavar="URL",
        overridable=True,
    )
    require_success: Setting[bool] = _declare(
        flag="--amplify-allow-failed",
        flag_sets=False,
        parse=parse_bool,
        default=True,
        help="Hand jobs that did not SUCCEED to tests instead of erroring them at setup "
        "(ini: amplify_require_success = false).",
        ini_help="true (default): a job that did not SUCCEED errors the test at setup; "
        "false: tests receive failed jobs to assert on.",
        marker=True,
        python_value=_bool_value,
    )
    html_screenshots: Setting[str] = _declare(
        flag="--amplify-html-screenshots",
        parse=parse_html_screenshots,
        default="failed",
        help="pytest-html: embed VERIFY screenshots for failed tests (failed), every test "
        "(always) or none (never).",
        metavar="WHEN",
    )

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

    def pick_job(self, given: Collection[str], source: str) -> Settings:
        """Job id and commit id pick the job together: giving one (a marker, an
        override) sets the other aside, so a commit retargets a configured job id."""
        settings = self
        if "commit_id" in given and "job_id" not in given:
            settings = settings.replace("job_id", LATEST, source)
        if "job_id" in given and "commit_id" not in given and settings.job_id.value != LATEST:
            settings = settings.replace("commit_id", None, source)
        return settings


OPTIONS: tuple[Option, ...] = tuple(
    Option(name=field.name, **field.metadata["option"]) for field in dataclasses.fields(Settings)
)
OPTIONS_BY_NAME: Mapping[str, Option] = {option.name: option for option in OPTIONS}
MARKER_KEYWORDS = tuple(option.name for option in OPTIONS if option.marker)
OVERRIDABLE = tuple(option.name for option in OPTIONS if option.overridable)


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


def _raw_value(
    option: Option, config: pytest.Config, environ: Mapping[str, str]
) -> tuple[Setting[Any], bool]:
    """The first source that has a value, and whether it is text still to parse: a
    flag's or the ini's text, the environment's (checked later), or the default."""
    flag = config.getoption(option.dest, default=None)
    if option.flag_sets is not None and flag:
        return Setting(option.flag_sets, option.flag), False
    if option.flag_sets is None and flag is not None:
        return Setting(str(flag), option.flag), True
    ini = config.getini(option.ini)
    if ini is not None:
        return Setting(str(ini), _ini_source(config, option.ini)), True
    names = () if _ignores_configured_endpoints(option, environ) else option.env
    env_name = next((name for name in names if name in environ), None)
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
    values: dict[str, Setting[Any]] = {}
    deferred: dict[str, tuple[str, str]] = {}
    for option in OPTIONS:
        raw, is_text = _raw_value(option, config, environ)
        if raw.source.startswith(ENVIRONMENT):
            deferred[option.name] = (raw.value, raw.source)
            raw, is_text = Setting(option.default, "default"), False
        try:
            values[option.name] = Setting(option.parse(raw.value), raw.source) if is_text else raw
        except SettingError as exc:
            raise bad_value(option.name, raw.value, raw.source, str(exc)) from None
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
        try:
            settings = settings.replace(name, OPTIONS_BY_NAME[name].parse(raw), source)
        except SettingError as exc:
            raise bad_value(name, raw, source, str(exc)) from None
    return settings


def _ignores_configured_endpoints(option: Option, environ: Mapping[str, str]) -> bool:
    return (
        option.name == "endpoint_url"
        and environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true"
    )
