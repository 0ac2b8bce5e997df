"""pytest-amplify's hooks and fixtures. The work happens in the modules they call.

Start-up cost matters (the plugin loads in every pytest run once installed), so
nothing here imports boto3, botocore, tenacity or urllib3: the fixtures do, on
first use.

PYTEST_DONT_REWRITE
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

import pytest

from ._core.errors import AmplifyConfigError, AmplifyError, AmplifyScreenshotsChangedError
from ._run.stash import (
    CURRENT_ITEM,
    REPORT_ATTRIBUTE,
    SESSION_KEY,
    SETTINGS_KEY,
    USES_KEY,
    is_xdist_worker,
    session_of,
)
from ._settings.settings import OPTIONS, Settings, marker_help
from ._settings.sources import read_settings

# Imported on first use, not here: the plugin loads in every pytest run.
if TYPE_CHECKING:
    from mypy_boto3_amplify import AmplifyClient

    from ._core.model import AmplifyJob
    from ._reports.html import HtmlExtras
    from ._run.amplify_jobs import AmplifyJobs
    from ._run.progress_relay import ProgressRelay
    from ._run.reports import RunReports
    from ._run.session import AmplifySession
    from ._run.uses import UsesLedger

# What to do about a job that did not succeed: the last line of its error, whose first
# line names the job, its status, the failed step and its reason.
NOT_SUCCEEDED = (
    "amplify_job errors the tests that use a job that did not succeed, so that they do "
    "not run against the previous deployment. To hand failed jobs to tests, set "
    "amplify_require_success = false, pass --amplify-allow-failed, or mark the test "
    "@pytest.mark.amplify(require_success=False)."
)
NOT_SUCCEEDED_SESSION = (
    "amplify_job_session errors the tests that use a job that did not succeed, so that "
    "they do not run against the previous deployment. To hand failed jobs to tests, set "
    "amplify_require_success = false or pass --amplify-allow-failed (markers do not apply "
    "to this session-scoped fixture)."
)
WORKER_RECORDS = "amplify_records"
WORKER_SHARED_DIRECTORY = "amplify_shared_directory"
HTML_EXTRAS: pytest.StashKey[HtmlExtras] = pytest.StashKey()
REPORTING: pytest.StashKey[ReportingHooks] = pytest.StashKey()


def _session(config: pytest.Config) -> AmplifySession:
    session = session_of(config)
    assert session is not None, "pytest_configure stores the settings first"
    return session


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("amplify", "AWS Amplify Hosting deployments (pytest-amplify)")
    for option in OPTIONS:
        if option.flag_sets is not None:
            group.addoption(
                option.flag, action="store_true", default=False, dest=option.dest, help=option.help
            )
        else:
            group.addoption(
                option.flag,
                dest=option.dest,
                default=None,
                metavar=option.metavar,
                help=option.help,
            )
        parser.addini(option.ini, option.ini_help or option.help, default=None)


def pytest_configure(config: pytest.Config) -> None:
    """https://docs.pytest.org/en/stable/reference/reference.html#pytest.hookspec.pytest_configure"""
    config.addinivalue_line("markers", marker_help())
    try:
        config.stash[SETTINGS_KEY] = read_settings(config)
    except AmplifyConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    # As xdist itself decides whether this process hands tests to workers.
    if config.getoption("dist", "no") != "no" and not config.getoption("collectonly"):
        config.pluginmanager.register(XdistHooks(), "amplify-xdist")
    if config.stash[SETTINGS_KEY][0].base_url.value:
        # Registered now, after every entry-point and -p plugin: its base_url
        # overrides pytest-base-url's and pytest-playwright's; a conftest's beats it.
        # The module as sys.modules has it now, not as the package last saw it (an
        # in-process pytester run drops the modules it imported, not the attribute).
        base_url = importlib.import_module(f"{__package__}._run.base_url")
        config.pluginmanager.register(base_url, "amplify-base-url")
    if not is_xdist_worker(config):
        reporting = config.stash[REPORTING] = ReportingHooks()
        config.pluginmanager.register(reporting, "amplify-reporting")


def pytest_report_header(config: pytest.Config) -> list[str]:
    from ._run.header import header_lines

    return header_lines(*config.stash[SETTINGS_KEY], os.environ)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    # A typo in a marker is an error even on tests that never use the fixture:
    # nothing configured is silently ignored.
    if item.get_closest_marker("amplify") is not None:
        from ._run.failures import or_fail
        from ._settings.keywords import apply_marker, marker_kwargs

        settings = item.config.stash[SETTINGS_KEY][0]
        or_fail(lambda: apply_marker(settings, marker_kwargs(item), item.nodeid))
    try:
        return (yield)
    finally:
        # The session-scoped job is set up once; every test that uses it gets it
        # in its report (JUnit properties, pytest-html extras) all the same.
        session = item.config.stash.get(SESSION_KEY, None)
        if session is not None:
            from ._run.uses import record_session_job_use

            record_session_job_use(item, session)


# -- fixtures ------------------------------------------------------------------------


def _share_across_workers(request: pytest.FixtureRequest, session: AmplifySession) -> None:
    """Under pytest-xdist, share this worker's waits with the run's other workers."""
    if is_xdist_worker(request.config) and session.shared_directory is None:
        from ._run.xdist_sharing import for_worker

        factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
        workerinput = request.config.workerinput  # type: ignore[attr-defined]
        session.share_waits(for_worker(workerinput, factory.getbasetemp().parent))


def _record_use(
    item: pytest.Item, settings: Settings, job: AmplifyJob | None, error: str | None = None
) -> None:
    from ._run.uses import record_use

    record_use(item, _session(item.config), settings, job, error)


@pytest.fixture(scope="session")
def amplify_client(request: pytest.FixtureRequest) -> AmplifyClient:
    """The boto3 Amplify client for the configured app's account and region, on its
    own boto3 session."""
    from ._run.failures import or_fail

    session = _session(request.config)
    return or_fail(lambda: session.user_client(session.settings()))


def _configured_job(
    request: pytest.FixtureRequest,
    item: pytest.Item | None,
    record: Callable[[Settings, AmplifyJob | None, str | None], None],
    not_succeeded: str,
) -> AmplifyJob:
    """The job of the configured target (with ``item``'s markers), waited for once per
    run; ``record`` notes the outcome, ``not_succeeded`` ends a failed job's story.
    Each error is told in full to the first test it stops, in a line to later ones."""
    from ._run.failures import or_fail

    session = _session(request.config)
    _share_across_workers(request, session)
    # The test being set up (a session-scoped fixture's request names no test).
    current = session.current_item
    test = current.nodeid if current is not None else request.node.nodeid
    explanations = session.explanations
    settings = or_fail(lambda: session.settings(item), explanations, test)

    def wait() -> AmplifyJob:
        try:
            return session.wait(settings)
        except AmplifyConfigError:
            raise
        except AmplifyError as exc:
            record(settings, None, str(exc))
            raise

    job = or_fail(wait, explanations, test)
    record(settings, job, None)
    required = settings.require_success.value
    e2e = session.e2e_results(settings)
    or_fail(
        lambda: explanations.require_success(job, required, not_succeeded, test, e2e), test=test
    )
    return job


@pytest.fixture
def amplify_job(request: pytest.FixtureRequest) -> AmplifyJob:
    """The configured job, once it has finished (waited for once per run).

    A job that did not SUCCEED errors the test at setup unless
    ``amplify_require_success = false`` or ``@pytest.mark.amplify(require_success=False)``.
    Function-scoped, so that markers retarget it per test; fixtures of a wider scope
    use ``amplify_job_session``.
    """
    item = request.node

    def record(settings: Settings, job: AmplifyJob | None, error: str | None) -> None:
        _record_use(item, settings, job, error)

    return _configured_job(request, item, record, NOT_SUCCEEDED)


@pytest.fixture(scope="session")
def amplify_job_session(request: pytest.FixtureRequest) -> AmplifyJob:
    """The configured job for fixtures of any scope; markers do not apply to it.

    The same job, cache, errors and ``require_success`` rule as ``amplify_job``, set
    up once for the whole session from the ini, flags, environment and active
    overrides: ``@pytest.mark.amplify`` cannot retarget it.
    """

    from ._run.uses import SessionJobUse, set_session_job

    def record(settings: Settings, job: AmplifyJob | None, error: str | None) -> None:
        # Each test that uses it records it after its setup (pytest_runtest_setup).
        set_session_job(request.config, SessionJobUse(settings, job, error))

    return _configured_job(request, None, record, NOT_SUCCEEDED_SESSION)


@pytest.fixture(scope="session")
def amplify_jobs(request: pytest.FixtureRequest) -> AmplifyJobs:
    """Waits for other jobs than the configured one: ``amplify_jobs.wait(...)`` and
    ``amplify_jobs.wait_all([...])``."""
    from ._run.amplify_jobs import AmplifyJobs

    session = _session(request.config)
    _share_across_workers(request, session)

    def on_job(job: AmplifyJob | None, settings: Settings, error: str | None = None) -> None:
        if session.current_item is not None:
            _record_use(session.current_item, settings, job, error)

    return AmplifyJobs(session, on_job)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    # The session may be created during this test's setup: it reads the test from here.
    item.config.stash[CURRENT_ITEM] = item
    try:
        return (yield)
    finally:
        item.config.stash[CURRENT_ITEM] = None


# -- reporting -----------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    fixture_failure = False
    if call.excinfo is not None and report.failed:
        from ._run.failures import is_fixture_failure, summarize_by_cause, told_once

        fixture_failure = is_fixture_failure(call.excinfo)
        if fixture_failure:
            told_once(item, report, call.excinfo)
            summarize_by_cause(report)
    uses = item.stash.get(USES_KEY, None)
    if uses:
        from ._run.uses import attach_uses, tell_facts

        attach_uses(report, uses)
        # The fixtures' own failures name the job on their first line already.
        if report.failed and not fixture_failure:
            tell_facts(report, uses)
    # pytest-html may be installed without a report being written (no --html).
    if not item.config.getoption("htmlpath", None):
        return report
    changed = _screenshots_changed(call)
    if uses or changed is not None:
        from ._reports.html import HtmlExtras

        if HTML_EXTRAS not in item.config.stash:
            mode = _session(item.config).base_settings.html_screenshots.value
            item.config.stash[HTML_EXTRAS] = HtmlExtras(mode)
        item.config.stash[HTML_EXTRAS].add(report, uses or [], changed)
    return report


def _screenshots_changed(call: pytest.CallInfo[None]) -> AmplifyScreenshotsChangedError | None:
    """The test's failed ``assert_screenshots_unchanged``, whose images the report shows."""
    error = call.excinfo.value if call.excinfo is not None else None
    if isinstance(error, AmplifyScreenshotsChangedError) and error.changes:
        return error
    return None


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    session = config.stash.get(SESSION_KEY, None)
    if is_xdist_worker(config):
        return
    records = session.all_records() if session is not None else []
    if records:
        from ._reports.terminal import SECTION_TITLE, summary_lines

        terminalreporter.write_sep("=", SECTION_TITLE)
        for line in summary_lines(records):
            terminalreporter.write_line(line)
    reporting = config.stash.get(REPORTING, None)
    reports = reporting.reports if reporting is not None else None
    if reports is not None:
        for note in reports.notes:
            terminalreporter.write_sep("-", f"amplify: {note}")
        # Workflow commands for GitHub Actions, each on a line of its own.
        for command in reports.annotations:
            terminalreporter.write_line(command)


# Before junitxml's own sessionfinish, which writes the file the suite properties go in.
@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    amplify = config.stash.get(SESSION_KEY, None)
    if is_xdist_worker(config):
        if amplify is None:
            return
        workeroutput: dict[str, Any] = config.workeroutput  # type: ignore[attr-defined]
        workeroutput[WORKER_RECORDS] = json.dumps([r.to_dict() for r in amplify.records.values()])
        if amplify.shared_directory is not None:
            workeroutput[WORKER_SHARED_DIRECTORY] = amplify.shared_directory
        return
    records = amplify.all_records() if amplify is not None else []
    read = config.stash.get(SETTINGS_KEY, None)
    if read is not None and (records or read[0].report.value or read[0].e2e_junit.value):
        from ._run.reports import make_reports

        reporting = config.stash[REPORTING]
        reporting.reports = make_reports(config, read[0], records, reporting.ledger())
    if amplify is None:
        return
    # The shared results carry presigned URLs: they do not outlive the run.
    for directory in amplify.shared_directories():
        shutil.rmtree(directory, ignore_errors=True)


class ReportingHooks:
    """Hooks of the process that reports (not the xdist workers): every test's
    reports reach it, with the jobs the test used (as plain data, from workers too)."""

    def __init__(self) -> None:
        self._ledger: UsesLedger | None = None
        # What the run's reports leave for the terminal summary (notes, annotations).
        self.reports: RunReports | None = None

    def ledger(self) -> UsesLedger:
        # Created when a report first carries a use (or at the end): most runs have none.
        if self._ledger is None:
            from ._run.uses import UsesLedger

            self._ledger = UsesLedger()
        return self._ledger

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if getattr(report, REPORT_ATTRIBUTE, None):
            self.ledger().add(report)


class XdistHooks:
    """Hooks that exist only under pytest-xdist: registered from pytest_configure when
    xdist hands tests to workers (as pytest-randomly and syrupy register theirs)."""

    def __init__(self) -> None:
        self._relay: ProgressRelay | None = None

    def pytest_configure_node(self, node: Any) -> None:
        """Hand each worker the folder where it writes its progress lines, which a
        thread of this process prints as they come (workers' output is not shown)."""
        if self._relay is None:
            from ._run.progress_relay import ProgressRelay

            self._relay = ProgressRelay(node.config)
        from ._run.progress_relay import WORKERINPUT_KEY

        node.workerinput[WORKERINPUT_KEY] = str(self._relay.folder)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self) -> None:
        # Every worker is done: the last lines before pytest's summary.
        if self._relay is not None:
            self._relay.stop()
            self._relay = None

    def pytest_unconfigure(self) -> None:
        self.pytest_sessionfinish()

    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """Collect the jobs each worker waited for, for one summary."""
        output = getattr(node, "workeroutput", None) or {}
        directory = output.get(WORKER_SHARED_DIRECTORY)
        raw = output.get(WORKER_RECORDS)
        if not directory and not raw:
            return  # this worker used no job
        from ._core.records import WaitRecord

        records = [WaitRecord.from_dict(data) for data in json.loads(raw or "[]")]
        _session(node.config).add_worker_records(records, directory)
