"""pytest-amplify's hooks and fixtures. The work happens in the modules they call.

Start-up cost matters (the plugin loads in every pytest run once installed), so
nothing here imports boto3, botocore, tenacity or urllib3: the fixtures do, on
first use.

PYTEST_DONT_REWRITE
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import pytest

from ._errors import AmplifyConfigError, AmplifyError
from ._keys import ITEM_JOBS, RUNTIME_KEY, SETTINGS_KEY
from ._report import header_line
from ._settings import OPTIONS, Settings, apply_marker, marker_kwargs, read_settings

if TYPE_CHECKING:
    from mypy_boto3_amplify import AmplifyClient

    from ._jobs import AmplifyJobs
    from ._model import AmplifyJob
    from ._runtime import AmplifyRuntime, ItemJob

MARKER_HELP = (
    "amplify(app_id=, branch=, job_id=, commit_id=, timeout=, require_success=): "
    "retarget the amplify_job fixture for this test, class or module"
)
NOT_SUCCEEDED = (
    "amplify_job: the job did not succeed ({status}), so the smoke tests would run "
    "against the previous deployment. To hand failed jobs to tests, set "
    "amplify_require_success = false, pass --amplify-allow-failed, or mark the test "
    "@pytest.mark.amplify(require_success=False)."
)
WORKER_RECORDS = "amplify_records"
WORKER_SHARED_DIRECTORY = "amplify_shared_directory"


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("amplify", "AWS Amplify Hosting deployments (pytest-amplify)")
    for option in OPTIONS:
        if option.name == "require_success":
            group.addoption(
                option.flag, action="store_true", default=False, dest=option.dest, help=option.help
            )
            parser.addini(
                option.ini,
                "true (default): a job that did not SUCCEED errors the test at setup; "
                "false: tests receive failed jobs to assert on.",
                default=None,
            )
            continue
        group.addoption(
            option.flag, dest=option.dest, default=None, metavar=option.metavar, help=option.help
        )
        parser.addini(option.ini, option.help, default=None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    try:
        config.stash[SETTINGS_KEY] = read_settings(config)
    except AmplifyConfigError as exc:
        raise pytest.UsageError(str(exc)) from None


def _runtime(config: pytest.Config) -> AmplifyRuntime:
    """The session's state; created (with boto3 and tenacity behind it) on first use."""
    from ._runtime import get_runtime

    runtime = get_runtime(config)
    assert runtime is not None, "pytest_configure stores the settings first"
    return runtime


def pytest_report_header(config: pytest.Config) -> list[str]:
    line = header_line(*config.stash[SETTINGS_KEY])
    return [line] if line else []


def pytest_runtest_setup(item: pytest.Item) -> None:
    # A typo in a marker is an error even on tests that never use the fixture:
    # nothing configured is silently ignored.
    try:
        kwargs = marker_kwargs(item)
        if kwargs:
            apply_marker(item.config.stash[SETTINGS_KEY][0], kwargs, item.nodeid)
    except AmplifyConfigError as exc:
        pytest.fail(str(exc), pytrace=False)


# -- fixtures ------------------------------------------------------------------------


def _share_across_workers(request: pytest.FixtureRequest, runtime: AmplifyRuntime) -> None:
    """Under pytest-xdist, make this worker's waits shared with the run's other workers."""
    config = request.config
    if runtime.shared is not None or not _is_worker(config):
        return
    from ._shared import SharedWaits, run_directory

    factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
    run_id = str(config.workerinput["testrunuid"])  # type: ignore[attr-defined]
    runtime.shared = SharedWaits(run_directory(factory.getbasetemp().parent, run_id))


def _record_use(
    item: pytest.Item, settings: Settings, job: AmplifyJob | None, error: str | None = None
) -> None:
    from ._report import junit_properties
    from ._runtime import ItemJob

    runtime = _runtime(item.config)
    try:
        target, _ = runtime.target(settings)
    except AmplifyError:
        return
    item.user_properties.extend(junit_properties(target, job))
    item.stash.setdefault(ITEM_JOBS, []).append(ItemJob(target, job, error))


@pytest.fixture(scope="session")
def amplify_client(request: pytest.FixtureRequest) -> AmplifyClient:
    """The boto3 Amplify client for the configured app's account and region, on its
    own boto3 session."""
    runtime = _runtime(request.config)
    try:
        return runtime.user_client(runtime.settings())
    except AmplifyConfigError as exc:
        message = str(exc)
    pytest.fail(message, pytrace=False)


@pytest.fixture
def amplify_job(request: pytest.FixtureRequest) -> AmplifyJob:
    """The configured job, once it has finished (waited for once per run).

    A job that did not SUCCEED errors the test at setup unless
    ``amplify_require_success = false`` or ``@pytest.mark.amplify(require_success=False)``.
    """
    runtime = _runtime(request.config)
    _share_across_workers(request, runtime)
    item = request.node
    try:
        settings = runtime.settings(item)
    except AmplifyConfigError as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        pytest.fail(message, pytrace=False)
    job: AmplifyJob | None = None
    try:
        job = runtime.wait(settings)
    except AmplifyConfigError as exc:
        message = str(exc)
    except AmplifyError as exc:
        message = str(exc)
        _record_use(item, settings, None, message)
    # Failing outside the except block keeps "During handling of the above
    # exception" out of the report: the message is the whole story.
    if job is None:
        pytest.fail(message, pytrace=False)
    _record_use(item, settings, job)
    if settings.require_success.value and not job.succeeded:
        from ._assertions import explain_job

        pytest.fail(explain_job(job, NOT_SUCCEEDED.format(status=job.status)), pytrace=False)
    return job


@pytest.fixture(scope="session")
def amplify_jobs(request: pytest.FixtureRequest) -> AmplifyJobs:
    """Waits for other jobs than the configured one: ``amplify_jobs.wait(...)`` and
    ``amplify_jobs.wait_all([...])``."""
    from ._jobs import AmplifyJobs

    runtime = _runtime(request.config)
    _share_across_workers(request, runtime)

    def on_job(job: AmplifyJob | None, settings: Settings, error: str | None = None) -> None:
        if runtime.current_item is not None:
            _record_use(runtime.current_item, settings, job, error)

    return AmplifyJobs(runtime, on_job)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    # Only a runtime that exists (a fixture was used) needs to know the test.
    runtime = item.config.stash.get(RUNTIME_KEY, None)
    if runtime is not None:
        runtime.current_item = item
    try:
        return (yield)
    finally:
        if runtime is not None:
            runtime.current_item = None


# -- reporting -----------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    uses = item.stash.get(ITEM_JOBS, None)
    # pytest-html may be installed without a report being written (no --html).
    if uses and item.config.getoption("htmlpath", None):
        from ._html import add_extras

        runtime = _runtime(item.config)
        mode = runtime.base_settings.html_screenshots.value
        add_extras(
            item, report, uses, mode, lambda job: runtime.screenshots(_target_of(uses, job), job)
        )
    return report


def _target_of(uses: list[ItemJob], job: AmplifyJob) -> Any:
    return next(use.target for use in uses if use.job is job)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    runtime = config.stash.get(RUNTIME_KEY, None)
    if _is_worker(config) or runtime is None:
        return
    records = runtime.all_records()
    if not records:
        return
    from ._report import SECTION_TITLE, summary_lines

    terminalreporter.write_sep("=", SECTION_TITLE)
    rows = [
        (r.target, r.job, str(r.error) if r.error else None, r.polls, r.waited) for r in records
    ]
    for line in summary_lines(rows):
        terminalreporter.write_line(line)


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    runtime = config.stash.get(RUNTIME_KEY, None)
    if runtime is None:
        return
    if _is_worker(config):
        workeroutput: dict[str, Any] = config.workeroutput  # type: ignore[attr-defined]
        workeroutput[WORKER_RECORDS] = json.dumps([r.to_dict() for r in runtime.records.values()])
        if runtime.shared is not None:
            workeroutput[WORKER_SHARED_DIRECTORY] = str(runtime.shared.directory)
        return
    # The shared results carry presigned URLs: they do not outlive the run.
    for directory in runtime.shared_directories:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """xdist: collect the jobs each worker waited for, for one summary."""
    output = getattr(node, "workeroutput", None) or {}
    if not output.get(WORKER_SHARED_DIRECTORY) and not output.get(WORKER_RECORDS):
        return  # this worker used no job
    runtime = _runtime(node.config)
    if output.get(WORKER_SHARED_DIRECTORY):
        runtime.shared_directories.add(output[WORKER_SHARED_DIRECTORY])
    raw = output.get(WORKER_RECORDS)
    if not raw:
        return
    known = {r.target for r in runtime.remote_records}
    from ._runtime import WaitRecord

    for data in json.loads(raw):
        record = WaitRecord.from_dict(data)
        if record.target not in known:
            runtime.remote_records.append(record)
            known.add(record.target)
