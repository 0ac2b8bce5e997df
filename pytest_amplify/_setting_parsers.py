"""Parsers of the settings' text: each takes the raw text and returns the value or
raises :class:`SettingError` saying why and what to write instead."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from ._durations import format_duration, parse_duration
from ._errors import AmplifyConfigError

# The job id that means the branch's newest job.
LATEST = "latest"
# Amplify builds pull request N on a branch of this name (its preview).
PREVIEW_PREFIX = "pr-"
MAX_TIMEOUT = 24 * 3600.0
MAX_INTERVAL = 3600.0
HTML_SCREENSHOT_MODES = ("failed", "always", "never")

# Amplify app ids: "d" and up to 19 lower-case letters or digits.
APP_ID = re.compile(r"d[a-z0-9]{1,19}")
REGION_NAME = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_SITE_PLACEHOLDERS = frozenset({"app_id", "branch"})
DOMAIN_PLACEHOLDER = "{domain}"
# Where a custom domain is reached by default: the host name itself, over HTTPS.
DEFAULT_DOMAIN_URL = f"https://{DOMAIN_PLACEHOLDER}"
# GITHUB_REF_NAME on a pull_request event: GitHub's merge ref, not a branch Amplify builds.
_GITHUB_MERGE_REF = re.compile(r"(\d+)/(merge|head)")


def preview_branch(number: int) -> str:
    return f"{PREVIEW_PREFIX}{number}"


def display_name(branch: str) -> str:
    """A branch's display name, as Amplify names its site: ``/`` made ``-``."""
    return branch.replace("/", "-")


def fill_site_url(template: str, app_id: str, branch: str) -> str:
    """``amplify_site_url`` for one branch: ``{branch}`` is its display name."""
    return template.replace("{app_id}", app_id).replace("{branch}", display_name(branch))


def fill_domain_url(template: str, host: str) -> str:
    """``amplify_domain_url`` for one custom domain's host name."""
    return template.replace(DOMAIN_PLACEHOLDER, host)


def branch_under_test(branch: str | None, pull_request: int | None) -> str | None:
    """The branch whose jobs are tested: a pull request's preview (``pr-N``) when a
    pull request is given, else ``branch``. The one rule: the session, ``base_url``,
    the header, the reports and the run inside a job's own build all ask it."""
    return preview_branch(pull_request) if pull_request is not None else branch


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
    merge_ref = _GITHUB_MERGE_REF.fullmatch(value)
    if merge_ref:
        raise SettingError(
            f"it is GitHub's ref of pull request {merge_ref[1]} (GITHUB_REF_NAME on a "
            "pull_request event), not a branch Amplify builds; test its preview with "
            f"amplify_pull_request = {merge_ref[1]}, or --amplify-github-event"
        )
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
    value = _nonblank(text)
    if Path(value).is_dir():
        raise SettingError("it is a directory; name a file such as amplify-report.json")
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


@functools.cache
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
        regions.update(name for name in endpoints if REGION_NAME.fullmatch(name))
    return frozenset(regions)


def region_problem(region: str, *, check_known: bool = True) -> str | None:
    """Why Amplify's calls cannot go to ``region`` (not a region name; with
    ``check_known``, not a region where botocore knows Amplify), or None. The one
    region rule: for ``amplify_region`` and for the region of boto3's own chain."""
    if not REGION_NAME.fullmatch(region):
        return "it is not an AWS region name such as us-east-1 or eu-west-2"
    known = _known_regions() if check_known else frozenset()
    if known and region not in known:
        close = sorted(r for r in known if r.split("-")[0] == region.split("-", maxsplit=1)[0])[:6]
        hint = f"; did you mean one of {', '.join(close)}?" if close else ""
        return (
            f"Amplify is not available in {region} as far as botocore knows{hint} (set "
            "amplify_endpoint_url for a private endpoint)"
        )
    return None


def check_region_known(region: str, source: str) -> None:
    problem = region_problem(region)
    if problem:
        raise AmplifyConfigError(f"amplify_region = {region!r} (from {source}): {problem}")
