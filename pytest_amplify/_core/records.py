"""How a wait ended, and which tests used it: for the cache, xdist, and the reports."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, NamedTuple, Protocol

from . import errors as _errors
from .e2e_results import E2eResults
from .errors import (
    AmplifyError,
    AmplifyServiceError,
    AmplifyTimeoutError,
    AmplifyUnreachableError,
    AmplifyWaitError,
)
from .model import AmplifyJob, JobStatus
from .target import Target


class Outcome(NamedTuple):
    """How the reports put one way a wait can end."""

    words: str
    icon: str


# Every way a wait can end: its name (the JSON report's ``outcome``), then how the
# reports show it (the annotations and the job summary in words, the summary's icon).
OUTCOMES: Mapping[str, Outcome] = {
    "succeeded": Outcome("succeeded", "✅"),
    "failed": Outcome("failed", "❌"),
    "cancelled": Outcome("cancelled", "⛔"),
    "timed_out": Outcome("timed out", "⏱️"),
    "unreachable": Outcome("endpoint unreachable", "🔌"),
    "service_error": Outcome("wait failed", "🚫"),
    "wait_failed": Outcome("wait failed", "❌"),
}
# Every way a test can end (the JSON report's test ``outcome``), in words for one
# test and for several.
TEST_OUTCOMES: Mapping[str, tuple[str, str]] = {
    "passed": ("passed", "passed"),
    "failed": ("failed", "failed"),
    "error": ("error", "errors"),
    "skipped": ("skipped", "skipped"),
    "xfailed": ("xfailed", "xfailed"),
    "xpassed": ("xpassed", "xpassed"),
}
_ERROR_OUTCOMES: tuple[tuple[type[AmplifyError], str], ...] = (
    (AmplifyTimeoutError, "timed_out"),
    (AmplifyUnreachableError, "unreachable"),
    (AmplifyServiceError, "service_error"),
)


class EndedWait(Protocol):
    """What a record keeps of a wait (``_jobs.waiting.JobWait``, which builds on this module)."""

    @property
    def target(self) -> Target: ...

    @property
    def polls(self) -> int: ...

    @property
    def calls(self) -> int: ...

    def elapsed(self) -> float: ...


@dataclasses.dataclass
class WaitRecord:
    """How a wait for one target ended, for the cache and the summary; ``e2e``, the
    job's end-to-end results when the run read them (once, for every report)."""

    target: Target
    job: AmplifyJob | None = None
    error: AmplifyError | None = None
    polls: int = 0
    calls: int = 0
    waited: float = 0.0
    e2e: E2eResults | None = None

    @classmethod
    def of(cls, wait: EndedWait, outcome: AmplifyJob | AmplifyWaitError) -> WaitRecord:
        """How ``wait`` ended: with ``outcome``, after its polls, calls and time."""
        record = cls(wait.target, polls=wait.polls, calls=wait.calls, waited=wait.elapsed())
        if isinstance(outcome, AmplifyJob):
            record.job = outcome
        else:
            record.error = outcome
        return record

    def result(self) -> AmplifyJob:
        if self.error is not None:
            raise self.error
        assert self.job is not None
        return self.job

    @property
    def outcome(self) -> str:
        """One of :data:`OUTCOMES`: the job's end, or why there is no job."""
        if self.job is not None:
            if self.job.succeeded:
                return "succeeded"
            return "cancelled" if self.job.status == JobStatus.CANCELLED else "failed"
        for error_type, outcome in _ERROR_OUTCOMES:
            if isinstance(self.error, error_type):
                return outcome
        return "wait_failed"

    @property
    def error_line(self) -> str:
        """The error's first line (its gist), or ``""`` when the wait did not fail."""
        if self.error is None:
            return ""
        return (str(self.error) or "wait failed").splitlines()[0]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for other processes: the job as its GetJob answer."""
        return {
            "target": self.target.to_dict(),
            "job": self.job.to_dict() if self.job else None,
            "error": str(self.error) if self.error else None,
            "error_type": type(self.error).__name__ if self.error else None,
            "polls": self.polls,
            "calls": self.calls,
            "waited": self.waited,
            "e2e": self.e2e.to_dict() if self.e2e is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WaitRecord:
        error: AmplifyError | None = None
        if data.get("error") is not None:
            error_type = getattr(_errors, str(data.get("error_type")), None)
            if not (isinstance(error_type, type) and issubclass(error_type, AmplifyError)):
                error_type = AmplifyWaitError
            error = error_type(*str(data["error"]).split("\n"))
        return cls(
            target=Target(**data["target"]),
            job=AmplifyJob.from_dict(data["job"]) if data.get("job") else None,
            error=error,
            polls=int(data.get("polls", 0)),
            calls=int(data.get("calls", 0)),
            waited=float(data.get("waited", 0.0)),
            e2e=E2eResults.from_dict(data["e2e"]) if data.get("e2e") else None,
        )


@dataclasses.dataclass(frozen=True)
class ItemJob:
    """A job (or a failed wait) one test used: for JUnit, pytest-html and the run's
    reports (which need to know whether the test required the job to succeed)."""

    target: Target
    job: AmplifyJob | None
    error: str | None = None
    require_success: bool = True
    e2e: E2eResults | None = None

    def to_report(self) -> dict[str, Any]:
        """What the reporting process needs of this use, as plain data (it crosses
        from xdist workers on the test's reports)."""
        return {"target": self.target.to_dict(), "require_success": self.require_success}


@dataclasses.dataclass(frozen=True)
class UsingTest:
    """One test that used a wait, and how the test ended."""

    nodeid: str
    outcome: str
    require_success: bool


@dataclasses.dataclass(frozen=True)
class ReportedWait:
    """A wait and the tests that used it: what the run's reports show."""

    record: WaitRecord
    tests: tuple[UsingTest, ...] = ()

    @property
    def required(self) -> bool:
        """Whether a test needed the job to succeed (the default, when no test is
        known to have used it)."""
        return not self.tests or any(test.require_success for test in self.tests)

    @property
    def problem(self) -> bool:
        """A failed wait, or a job that did not succeed though a test needed it to."""
        if self.record.job is None:
            return True
        return self.required and not self.record.job.succeeded
