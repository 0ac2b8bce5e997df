"""Which tests used which jobs (or failed waits), and how those tests ended: for
JUnit, pytest-html and the run's reports.

A test's uses travel on its reports (``report.amplify_uses``, plain data), so the
process that reports (the controller under pytest-xdist) learns them from the
reports it receives, with each test's outcome.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pytest

from .._core.errors import AmplifyError
from .._core.records import ItemJob, ReportedWait, UsingTest, WaitRecord
from .._core.target import Target
from .._reports.junit import failure_facts, junit_properties, writes_testcase_properties
from .stash import REPORT_ATTRIBUTE, USES_KEY

if TYPE_CHECKING:
    from .._core.model import AmplifyJob
    from .._settings.settings import Settings
    from .session import AmplifySession

SESSION_JOB_FIXTURE = "amplify_job_session"
# The section of a failed test's report that names the jobs it used.
FACTS_SECTION = "amplify"


@dataclasses.dataclass
class SessionJobUse:
    """How the session-scoped job's fixture ended, and the fixtures through which
    tests reach it (``base_url`` too when it comes from the deployment)."""

    settings: Settings
    job: AmplifyJob | None
    error: str | None
    through: set[str] = dataclasses.field(default_factory=lambda: {SESSION_JOB_FIXTURE})


_SESSION_JOB: pytest.StashKey[SessionJobUse] = pytest.StashKey()


def record_use(
    item: pytest.Item,
    session: AmplifySession,
    settings: Settings,
    job: AmplifyJob | None,
    error: str | None = None,
) -> None:
    """Note that ``item`` used ``job`` (or a wait that failed with ``error``)."""
    try:
        target, _ = session.target(settings)
    except AmplifyError:
        return
    if any(use.target == target for use in uses_of(item)):
        return  # amplify_job and amplify_job_session in one test: one job
    family = str(item.config.getini("junit_family"))
    if writes_testcase_properties(family, settings.junit_testcase_properties.value):
        item.user_properties.extend(junit_properties(target, job))
    record = session.records.get(target)
    e2e = record.e2e if record is not None else None
    use = ItemJob(target, job, error, settings.require_success.value, e2e)
    item.stash.setdefault(USES_KEY, []).append(use)


def uses_of(item: pytest.Item) -> list[ItemJob]:
    return item.stash.get(USES_KEY, [])


def set_session_job(config: pytest.Config, use: SessionJobUse) -> None:
    config.stash[_SESSION_JOB] = use


def session_job_reached_through(config: pytest.Config, fixture_name: str) -> None:
    """Tests that use ``fixture_name`` (``base_url``) use the session's job too."""
    use = config.stash.get(_SESSION_JOB, None)
    if use is not None:
        use.through.add(fixture_name)


def record_session_job_use(item: pytest.Item, session: AmplifySession) -> None:
    """Note the session-scoped job on ``item`` when its fixtures reach it."""
    use = item.config.stash.get(_SESSION_JOB, None)
    if use is not None and use.through.intersection(getattr(item, "fixturenames", ())):
        record_use(item, session, use.settings, use.job, use.error)


def attach_uses(report: pytest.TestReport, uses: Sequence[ItemJob]) -> None:
    """Put the test's uses on its report, as plain data that xdist forwards."""
    setattr(report, REPORT_ATTRIBUTE, [use.to_report() for use in uses])


def tell_facts(report: pytest.TestReport, uses: Sequence[ItemJob]) -> None:
    """Add what a failed test ran against to its failure's text: the terminal shows it
    in the failure, and JUnit writes it in the ``<failure>``'s text, which GitLab and
    Jenkins show (they do not show testcase properties)."""
    longrepr: Any = report.longrepr
    if hasattr(longrepr, "addsection"):
        longrepr.addsection(FACTS_SECTION, failure_facts(uses))


def _phase_outcome(report: pytest.TestReport) -> str:
    xfail = hasattr(report, "wasxfail")
    if report.when != "call":
        return "error" if report.failed else ("skipped" if report.skipped else "passed")
    if report.skipped:
        return "xfailed" if xfail else "skipped"
    if report.passed:
        return "xpassed" if xfail else "passed"
    return "failed"


@dataclasses.dataclass
class _TestRun:
    outcome: str = "passed"
    uses: list[Mapping[str, Any]] = dataclasses.field(default_factory=list)


class UsesLedger:
    """The tests that used a job, with their outcomes, from the reports that carry
    their uses; kept by the process that reports."""

    def __init__(self) -> None:
        self._tests: dict[str, _TestRun] = {}

    def add(self, report: pytest.TestReport) -> None:
        uses = getattr(report, REPORT_ATTRIBUTE, None)
        if not uses:
            return
        run = self._tests.setdefault(report.nodeid, _TestRun())
        # Later phases carry every use of the earlier ones, and maybe more.
        run.uses = list(uses)
        phase = _phase_outcome(report)
        if report.when == "teardown":
            # A failed teardown makes a test that passed an error; a failure stays one.
            if phase == "error" and run.outcome in ("passed", "skipped", "xfailed"):
                run.outcome = "error"
        elif report.when == "call" or phase != "passed":
            run.outcome = phase

    def tests_of(self, target: Target) -> list[UsingTest]:
        """The tests that used ``target``, in the order they first reported."""
        found = []
        for nodeid, run in self._tests.items():
            required = [
                bool(use.get("require_success", True))
                for use in run.uses
                if Target(**use["target"]) == target
            ]
            if required:
                found.append(UsingTest(nodeid, run.outcome, any(required)))
        return found

    def join(self, records: Sequence[WaitRecord]) -> list[ReportedWait]:
        """Each wait with the tests that used it."""
        return [ReportedWait(record, tuple(self.tests_of(record.target))) for record in records]
