"""Amplify's vocabulary and the plugin's defaults: plain values that every layer
may use (the settings read them, the waits, checks and downloads default to them),
so that no work below the run imports the settings for a name or a number.
"""

from __future__ import annotations

import functools
import json
import re
from importlib.util import find_spec
from pathlib import Path

# The job id that means the branch's newest job.
LATEST = "latest"
# Amplify builds pull request N on a branch of this name (its preview).
PREVIEW_PREFIX = "pr-"
# Amplify app ids: "d" and up to 19 lower-case letters or digits.
APP_ID = re.compile(r"d[a-z0-9]{1,19}")
REGION_NAME = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
DOMAIN_PLACEHOLDER = "{domain}"
# Where a custom domain is reached by default: the host name itself, over HTTPS.
DEFAULT_DOMAIN_URL = f"https://{DOMAIN_PLACEHOLDER}"

DEFAULT_TIMEOUT = 30 * 60.0
DEFAULT_POLL_INTERVAL = 5.0
DEFAULT_MAX_POLL_INTERVAL = 30.0
DEFAULT_RETRY_TIMEOUT = 60.0  # also a Fetcher's and a RetryPolicy's
# A deploy that SUCCEEDed reaches the edge in seconds to a few minutes.
DEFAULT_SERVE_TIMEOUT = 5 * 60.0
# Where the TEST step's end-to-end report is, within its test artifacts: the file
# mochawesome-merge writes in the user guide's postTest (its configFilePath), then,
# when that merge did not run, mochawesome's report of each spec.
DEFAULT_E2E_REPORT = "**/mochawesome.json"
PER_SPEC_E2E_REPORTS = "**/mochawesome*.json"
# The name Amplify gives the step that runs the test phase.
TEST_STEP = "TEST"
# GetApp's platform of an app of static files; other platforms (WEB_COMPUTE, for
# SSR) serve the static files of their build from this folder of its artifacts.
STATIC_PLATFORM = "WEB"
COMPUTE_STATIC_FOLDER = ".amplify-hosting/static/"


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
