"""The one place where tests reach into pytest_amplify's private modules. Every other
test drives the plugin through what users have (``pytest_amplify``,
``pytest_amplify.testing``, the fixtures, pytest's command line and the local
service); the few that genuinely need an internal (a wait stepped through on a
simulated clock, the settings table, the schedule's constants, a message's exact
wording) import it from here and from nowhere else, so that restructuring the
package's insides changes this one file, not forty. Ruff enforces it: importing a
private module (TID251) or touching a private attribute (SLF001) is allowed in this
file only.
"""

from __future__ import annotations

import random

from pytest_amplify import Credentials, WaitClock
from pytest_amplify._amplify_api import AmplifyApi
from pytest_amplify._aws import ClientFactory, Connection
from pytest_amplify._call_problems import MOTO_HINT, CallProblem
from pytest_amplify._durations import format_duration, parse_duration
from pytest_amplify._github_event import PullRequestEvent, closed_message
from pytest_amplify._job_listing import ListedJob
from pytest_amplify._progress import TerminalProgress, progress_line
from pytest_amplify._redact import is_signing_parameter, strip_query
from pytest_amplify._schedule import JITTER
from pytest_amplify._settings import (
    DEFAULT_MAX_POLL_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_TIMEOUT,
    OPTIONS,
    OPTIONS_BY_NAME,
)
from pytest_amplify._target import LATEST, Target
from pytest_amplify._wait_all import run_waits
from pytest_amplify._wait_endings import MANUAL_HINT, PREVIEW_CAUSES, PREVIEW_DELETED_HINT
from pytest_amplify._wait_policy import InsideJob, WaitPolicy
from pytest_amplify._waiting import MAX_UNREACHABLE, JobWait
from pytest_amplify.testing import FakeAmplify, SimulatedClock

__all__ = [
    "DEFAULT_MAX_POLL_INTERVAL",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_TIMEOUT",
    "JITTER",
    "LATEST",
    "MANUAL_HINT",
    "MAX_UNREACHABLE",
    "MOTO_HINT",
    "OPTIONS",
    "OPTIONS_BY_NAME",
    "PREVIEW_CAUSES",
    "PREVIEW_DELETED_HINT",
    "AmplifyApi",
    "CallProblem",
    "InsideJob",
    "JobWait",
    "ListedJob",
    "PullRequestEvent",
    "TerminalProgress",
    "api_for",
    "closed_message",
    "connection_to",
    "format_duration",
    "is_signing_parameter",
    "make_wait",
    "parse_duration",
    "progress_line",
    "run_waits",
    "strip_query",
]

REGION = "us-east-1"
DUMMY_CREDENTIALS = Credentials("testing", "testing")
# One factory for every wait: boto3 clients are built once per process, as in a run.
_FACTORY = ClientFactory()


def connection_to(fake: FakeAmplify, endpoint_url: str | None = None) -> Connection:
    """How the plugin connects to ``fake`` (or to ``endpoint_url`` instead), with
    dummy credentials."""
    return Connection(
        endpoint_url=endpoint_url or fake.endpoint_url,
        region=REGION,
        profile=None,
        credentials=DUMMY_CREDENTIALS,
    )


def api_for(fake: FakeAmplify, endpoint_url: str | None = None) -> AmplifyApi:
    """The plugin's Amplify calls (GetJob, ListJobs, ...) against ``fake``."""
    connection = connection_to(fake, endpoint_url)
    return AmplifyApi(lambda timeout: _FACTORY.client(connection, timeout))


def make_wait(
    fake: FakeAmplify,
    clock: SimulatedClock,
    *,
    app_id: str = "d1",
    job_id: str = LATEST,
    commit_id: str | None = None,
    branch: str = "main",
    timeout: float = 600.0,
    first: float = 5.0,
    cap: float = 30.0,
    call_timeout: float = 15.0,
    inside_job: InsideJob | None = None,
    endpoint_url: str | None = None,
    seed: int | str = 0,
    pull_request: int | None = None,
) -> JobWait:
    """The plugin's wait for one job on ``fake``, on ``clock`` (no real waiting), its
    jitter drawn from ``seed`` so that every run polls at the same times."""
    target = Target(
        app_id=app_id,
        branch=branch,
        job_id=job_id,
        commit_id=commit_id,
        endpoint_url=endpoint_url or fake.endpoint_url,
        region=REGION,
        pull_request=pull_request,
    )
    return JobWait(
        target,
        api_for(fake, endpoint_url),
        WaitPolicy(timeout, first, cap, call_timeout=call_timeout),
        clock=WaitClock(monotonic=clock, wall=clock, sleep=clock.sleep),
        inside_job=inside_job,
        rng=random.Random(seed),
    )
