"""Reading a setting's value, whatever its source: what a setting's declaration says
(:class:`Option`, with :meth:`Option.value_of`, the one path from a value to a
setting), a value with its source (:class:`Setting`), and the readers and parsers
that turn text and Python values into the value or a :class:`SettingError` saying
why and what to write instead."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, NamedTuple, Protocol, TypeVar
from urllib.parse import urlsplit

from .._core.durations import format_duration, parse_duration
from .._core.errors import AmplifyConfigError
from .._core.vocabulary import APP_ID, DEFAULT_DOMAIN_URL, LATEST, region_problem

MAX_TIMEOUT = 24 * 3600.0
MAX_INTERVAL = 3600.0
HTML_SCREENSHOT_MODES = ("failed", "always", "never")

_SITE_PLACEHOLDERS = frozenset({"app_id", "branch"})
# GITHUB_REF_NAME on a pull_request event: GitHub's merge ref, not a branch Amplify builds.
_GITHUB_PULL_REQUEST_REF = re.compile(r"(\d+)/(merge|head)")


class SettingError(ValueError):
    """A value that cannot be used; the text says why and what to write instead."""


class ParsedOption(Protocol):
    """What a value is read with (a setting's ``Option``)."""

    @property
    def parse(self) -> Callable[[str], Any]: ...

    @property
    def default(self) -> Any: ...

    @property
    def none_is_default(self) -> bool: ...


# Each setting reads its value with one of these, whatever the source: the text of
# a flag, the ini or the environment is parsed; a marker's, an override's or the
# GitHub event's Python value is checked, then parsed as the same text would be.


def text_value(option: ParsedOption, value: object) -> Any:
    """Text, parsed; ``None`` means the default where the setting has no value by
    default (or says so)."""
    if value is None and (option.none_is_default or option.default is None):
        return option.default
    if not isinstance(value, str):
        raise SettingError("write it as a string")
    return option.parse(value)


def seconds_value(option: ParsedOption, value: object) -> Any:
    """A duration: its text, or a number of seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    return text_value(option, value)


def int_value(option: ParsedOption, value: object) -> Any:
    """A number: its text, or an int."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return text_value(option, value)


def bool_value(option: ParsedOption, value: object) -> Any:
    """A switch: True or False, or its text (true, false, yes, no, 1, 0)."""
    if isinstance(value, str):
        return option.parse(value)
    if not isinstance(value, bool):
        raise SettingError("write True or False")
    return value


T = TypeVar("T")

ENVIRONMENT = "environment variable "


class Setting(Generic[T]):
    """A value and where it came from (``--amplify-timeout``, ``default``, ...);
    immutable, compared by value and source.

    Written out, not a frozen dataclass: every pytest run builds this class, the
    plugin's unused runs too, and the dataclass machinery cost start-up 2.6 million
    instructions more (0.12% of benchmarks/startup.py's run).
    """

    __slots__ = ("source", "value")
    value: T
    source: str

    def __init__(self, value: T, source: str) -> None:
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "source", source)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Setting is immutable: cannot assign {name}")

    def __repr__(self) -> str:
        return f"Setting(value={self.value!r}, source={self.source!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Setting):
            return NotImplemented
        return (self.value, self.source) == (other.value, other.source)

    def __hash__(self) -> int:
        return hash((self.value, self.source))

    def __reduce__(self) -> tuple[type[Setting[T]], tuple[T, str]]:
        # copy and pickle would otherwise restore the slots through __setattr__.
        return (Setting, (self.value, self.source))


class Option(NamedTuple):
    """Everything about one setting but its value (derived from its declaration).

    A NamedTuple, not a frozen dataclass: it is built in every pytest run, the
    plugin's unused ones too, and a frozen dataclass of these 15 fields takes about
    2.5 times as many instructions to build (10 million against 4, measured alone).
    """

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
    python_value: Callable[[Option, object], Any] = text_value
    # An environment variable that is set but blank counts as unset.
    blank_env_is_unset: bool = False
    # The environment's value is not used when this other setting was given on the
    # command line or in the ini (the command line beats the environment).
    env_yields_to: str | None = None

    @property
    def ini(self) -> str:
        return f"amplify_{self.name}"

    def value_of(self, raw: object, source: str) -> Setting[Any]:
        """The one path from a value to a setting, whatever the source (a flag, the
        ini, the environment, a marker, an override, the GitHub event): converted and
        checked by :attr:`python_value`, or an :class:`AmplifyConfigError` that names
        the setting, the value, its source and what to write instead."""
        try:
            return Setting(self.python_value(self, raw), source)
        except SettingError as exc:
            raise AmplifyConfigError(f"{self.ini} = {raw!r} (from {source}): {exc}") from None

    @property
    def dest(self) -> str:
        return f"amplify_{self.name}"


def declare(**spec: Any) -> Any:
    return dataclasses.field(metadata={"option": spec})


def _nonblank(text: str) -> str:
    stripped = text.strip()
    if not stripped:
        raise SettingError("it is empty")
    return stripped


def parse_app_id(text: str) -> str:
    value = _nonblank(text)
    if not APP_ID.fullmatch(value):
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
    # GitHub's N/merge is well formed: whether it may stand depends on the GitHub
    # event setting (Settings.check_consistent), which replaces it on a pull request.
    return value


def github_pull_request_ref(branch: str | None) -> int | None:
    """The pull request number of GitHub's ``N/merge`` or ``N/head`` ref
    (``GITHUB_REF_NAME`` on a pull_request event), or ``None`` for a branch."""
    match = _GITHUB_PULL_REQUEST_REF.fullmatch(branch or "")
    return int(match[1]) if match else None


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


def parse_pull_request(text: str) -> int:
    value = _nonblank(text).removeprefix("#")
    if not (value.isascii() and value.isdigit()) or int(value) == 0 or len(value) > 10:
        raise SettingError(
            "it is not a pull request number such as 42 (github.event.pull_request.number, "
            "or GitLab's $CI_MERGE_REQUEST_IID)"
        )
    return int(value)


def parse_region(text: str) -> str:
    value = _nonblank(text)
    # Whether Amplify is there is checked once the endpoint is known (read_settings).
    problem = region_problem(value, check_known=False)
    if problem:
        raise SettingError(problem)
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


def parse_domain_url(text: str) -> str:
    value = _parse_url(text, DEFAULT_DOMAIN_URL)
    names = set(re.findall(r"{([^{}]*)}", value))
    if names != {"domain"}:
        raise SettingError(
            "it must contain {domain} (the custom domain's host name, e.g. www.example.com) "
            "and no other placeholder, as in https://{domain}"
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


def parse_report_path(text: str) -> str:
    """A report file to write (the JSON report, the end-to-end JUnit file)."""
    value = _nonblank(text)
    path = Path(value)
    if path.is_dir():
        raise SettingError(f"it is a directory; name a file such as {path / 'report'}")
    # The report's folders are made when it is written: one that is a file would
    # only fail then, at the end of the run.
    for folder in path.parents:
        if folder.exists():
            if not folder.is_dir():
                raise SettingError(
                    f"{str(folder)!r} is a file, so no report can be written under it; name a "
                    f"file in a folder, such as reports/{path.name}"
                )
            break
    return value


def parse_e2e_report(text: str) -> str:
    value = _nonblank(text)
    if any(ord(ch) < 32 for ch in value):
        raise SettingError("a glob cannot contain control characters")
    if value.startswith("/") or "\\" in value:
        raise SettingError(
            "it is a path, not a glob within the test artifacts; write one such as "
            "**/mochawesome.json or cypress/report/*.json"
        )
    return value


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


def check_region_known(region: str, source: str) -> None:
    problem = region_problem(region)
    if problem:
        raise AmplifyConfigError(f"amplify_region = {region!r} (from {source}): {problem}")
