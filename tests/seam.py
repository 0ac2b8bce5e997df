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

from pytest_amplify import AmplifyJob, Credentials, Fetcher, WaitClock
from pytest_amplify._amplify.api import AmplifyApi
from pytest_amplify._amplify.aws import ClientFactory, Connection
from pytest_amplify._amplify.call_problems import MOTO_HINT, CallProblem
from pytest_amplify._amplify.call_retries import MAX_UNREACHABLE
from pytest_amplify._checks.assertions import EXPLAINED_BEFORE
from pytest_amplify._checks.block_filter import loosen
from pytest_amplify._checks.log_lines import MAX_LINE, LineTooLong, line_blocks
from pytest_amplify._checks.log_search import ClosestLines, LineSearch, scan
from pytest_amplify._checks.serves_build import MAX_INTERVAL as SERVE_MAX_INTERVAL
from pytest_amplify._checks.site_probe import CACHE_BUST_PARAMETER
from pytest_amplify._checks.step_files import LogTail, spooled
from pytest_amplify._core.durations import format_duration, parse_duration
from pytest_amplify._core.images import (
    DEFAULT_MAX_CHANGED,
    DEFAULT_MIN_CONTENT,
    PIXEL_TOLERANCE,
    page_content,
    pixel_change,
)
from pytest_amplify._core.policies import InsideJob, SiteChecks, WaitPolicy
from pytest_amplify._core.records import (
    OUTCOMES,
    TEST_OUTCOMES,
    ReportedWait,
    UsingTest,
    WaitRecord,
)
from pytest_amplify._core.redact import is_signing_parameter, strip_query
from pytest_amplify._core.target import Target
from pytest_amplify._core.vocabulary import (
    DEFAULT_MAX_POLL_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_SERVE_TIMEOUT,
    DEFAULT_TIMEOUT,
    LATEST,
    fill_site_url,
)
from pytest_amplify._e2e.cypress_log import log_text_lines, parse_log
from pytest_amplify._e2e.lookup import matching, screenshot_stem
from pytest_amplify._e2e.mochawesome import ReportProblem, parse_report
from pytest_amplify._http.transport import POOL_CONNECTIONS
from pytest_amplify._jobs.end_forecast import EndForecast
from pytest_amplify._jobs.listing import ListedJob
from pytest_amplify._jobs.poll_simulation import SimulatedJob, SimulatedWait, simulate_wait
from pytest_amplify._jobs.resolver import JobOrigin, JobResolver
from pytest_amplify._jobs.schedule import (
    JITTER,
    MAX_CALLS_RATIO,
    MAX_EFFICIENCY,
    NOT_STARTED,
    PollSchedule,
)
from pytest_amplify._jobs.wait_all import run_waits
from pytest_amplify._jobs.wait_endings import MANUAL_HINT, PREVIEW_CAUSES, PREVIEW_DELETED_HINT
from pytest_amplify._jobs.waiting import JobWait
from pytest_amplify._reports.github_annotations import (
    MAX_ANNOTATIONS,
    error_annotations,
    escape_data,
    escape_property,
)
from pytest_amplify._reports.github_summary import GITHUB_LIMIT, fenced, render
from pytest_amplify._run import progress as _progress
from pytest_amplify._run.progress import TerminalProgress, progress_line, terminal_progress
from pytest_amplify._run.verdicts import ServeVerdicts
from pytest_amplify._settings.github_event import PullRequestEvent, closed_message
from pytest_amplify._settings.settings import OPTIONS, OPTIONS_BY_NAME
from pytest_amplify.testing import FakeAmplify, SimulatedClock

__all__ = [
    "CACHE_BUST_PARAMETER",
    "DEFAULT_MAX_CHANGED",
    "DEFAULT_MAX_POLL_INTERVAL",
    "DEFAULT_MIN_CONTENT",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_SERVE_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "EXPLAINED_BEFORE",
    "GITHUB_LIMIT",
    "JITTER",
    "LATEST",
    "MANUAL_HINT",
    "MAX_ANNOTATIONS",
    "MAX_CALLS_RATIO",
    "MAX_EFFICIENCY",
    "MAX_LINE",
    "MAX_UNREACHABLE",
    "MOTO_HINT",
    "NOT_STARTED",
    "OPTIONS",
    "OPTIONS_BY_NAME",
    "OUTCOMES",
    "PIXEL_TOLERANCE",
    "POOL_CONNECTIONS",
    "PREVIEW_CAUSES",
    "PREVIEW_DELETED_HINT",
    "SERVE_MAX_INTERVAL",
    "TEST_OUTCOMES",
    "AmplifyApi",
    "CallProblem",
    "ClosestLines",
    "EndForecast",
    "InsideJob",
    "JobWait",
    "LineSearch",
    "LineTooLong",
    "ListedJob",
    "LogTail",
    "PollSchedule",
    "PullRequestEvent",
    "ReportProblem",
    "ReportedWait",
    "ServeVerdicts",
    "SimulatedJob",
    "SimulatedWait",
    "Target",
    "TerminalProgress",
    "UsingTest",
    "WaitPolicy",
    "WaitRecord",
    "api_for",
    "closed_message",
    "connection_to",
    "error_annotations",
    "escape_data",
    "escape_property",
    "fenced",
    "format_duration",
    "handed_out_job",
    "is_signing_parameter",
    "line_blocks",
    "log_text_lines",
    "loosen",
    "make_wait",
    "matching",
    "page_content",
    "parse_duration",
    "parse_log",
    "parse_report",
    "pixel_change",
    "progress_line",
    "quick_fetcher",
    "render",
    "run_waits",
    "scan",
    "screenshot_stem",
    "shorten_progress_interval",
    "simulate_wait",
    "simulated",
    "spooled",
    "strip_query",
    "terminal_progress",
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
    return AmplifyApi(lambda: _FACTORY.client(connection))


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


def handed_out_job(
    fake: FakeAmplify,
    clock: SimulatedClock | None,
    job_id: str,
    *,
    app_id: str = "d1",
    branch: str = "main",
    serve_timeout: float = DEFAULT_SERVE_TIMEOUT,
    verdicts: ServeVerdicts | None = None,
) -> AmplifyJob:
    """Job ``job_id`` of ``fake`` as the plugin hands it to a test under the
    ``amplify_fake`` fixture: with the session's resolver, the service's site and
    custom-domain URLs, and ``clock`` for the waits on its site (None: the real one);
    ``verdicts`` keeps the verdicts of its site checks, as a run does (None: none kept)."""
    connection = connection_to(fake)
    target = Target(app_id, branch, job_id, None, fake.endpoint_url, REGION)
    site_url = fill_site_url(fake.site_url_template, app_id, branch)
    answer = api_for(fake).get_job(app_id, branch, job_id)
    job = AmplifyJob.from_api(answer, app_id=app_id, branch=branch, site_url=site_url)
    wait_clock = simulated(clock) if clock is not None else WaitClock()
    checks = SiteChecks(serve_timeout, fake.domain_url_template, wait_clock, "the test", verdicts)
    resolver = JobResolver(lambda connection: AmplifyApi(lambda: _FACTORY.client(connection)))
    return resolver.attach(job, JobOrigin(target, connection, site_url, checks))


def simulated(clock: SimulatedClock) -> WaitClock:
    """A wait's clock on ``clock``: its sleeps move it and take no real time."""
    return WaitClock(monotonic=clock, wall=clock, sleep=clock.sleep)


def quick_fetcher(**kwargs: object) -> Fetcher:
    """A Fetcher whose retries sleep on a simulated clock of their own."""
    return Fetcher(clock=simulated(SimulatedClock()), **kwargs)  # type: ignore[arg-type]


def shorten_progress_interval(seconds: float) -> None:
    """Make the progress line come every ``seconds`` (not every 30 s) in this process,
    for a run on the real clock: an inner run's conftest calls it in each process."""
    _progress.LOG_LINE_INTERVAL = seconds
