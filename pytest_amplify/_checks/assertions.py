"""Assertions on a job's status and steps, with failures that explain themselves.

A failure names the app, branch, job, the step, its status and ``statusReason``,
and for a failed step the last lines of its log, so that a CI log says why the
deployment failed without a trip to the console.
"""

from __future__ import annotations

from collections.abc import Iterable

from .._core.durations import format_elapsed
from .._core.errors import AmplifyAssertionError, AmplifyStepNotFoundError
from .._core.model import AmplifyJob, JobStatus, JobStep
from .._core.redact import strip_query
from .step_files import LOG_TAIL_LINES, read_tail


def _step_line(step: JobStep) -> str:
    duration = f" ({format_elapsed(step.duration)})" if step.duration is not None else ""
    reason = f": {step.status_reason}" if step.status_reason else ""
    return f"  {step.name} {step.status}{duration}{reason}"


def explain_job(
    job: AmplifyJob, headline: str, failed_steps: Iterable[JobStep] | None = None
) -> list[str]:
    """An account of the job, as lines: headline, steps, and the log tail of each
    failed step."""
    lines = [headline, f"Amplify {job.describe()}: status {job.status}"]
    if job.steps:
        lines.append("steps:")
        lines.extend(_step_line(step) for step in job.steps)
    else:
        lines.append("steps: none reported")
    failing = list(failed_steps) if failed_steps is not None else _failed_steps(job)
    for step in failing:
        where = f" ({strip_query(step.log_url)})" if step.log_url else ""
        lines.append(f"last {LOG_TAIL_LINES} lines of the {step.name} log{where}:")
        tail = read_tail(job, step)
        shown = [f"  | {line}" for line in tail.lines]
        lines.extend([f"  ({tail.problem})"] if tail.problem else shown)
    lines.append(f"console: {job.console_url}")
    return lines


class Explanations:
    """The ``require_success`` rule of the fixtures, and where each failed job was
    explained in this process: the first test that errors on a job gets the whole
    story (steps, reason, log tail), later ones a short message that points there, so
    that a CI log does not repeat 30 log lines per test (JUnit and HTML readers see
    the first test's error whole)."""

    def __init__(self) -> None:
        self._first: dict[tuple[str, str, str, str | None], str] = {}

    def require_success(self, job: AmplifyJob, required: bool, headline: str, test: str) -> None:
        __tracebackhide__ = True
        if not required or job.succeeded:
            return
        first = self._first.setdefault((job.app_id, job.branch, job.job_id, job.region), test)
        if first == test:
            raise AmplifyAssertionError(*explain_job(job, headline))
        raise AmplifyAssertionError(*short_explanation(job, headline, first))


def _failed_steps(job: AmplifyJob) -> list[JobStep]:
    """The steps whose log tail a job's whole story shows."""
    return [step for step in job.steps if step.status == JobStatus.FAILED]


def short_explanation(job: AmplifyJob, headline: str, first_test: str) -> list[str]:
    """The job, its failed step and reason; the rest is in ``first_test``'s error."""
    failed = _failed_steps(job)
    step = ""
    if failed:
        reason = f": {failed[0].status_reason}" if failed[0].status_reason else ""
        step = f"; step {failed[0].name} {failed[0].status}{reason}"
    # Only a failed step's log tail is shown (a CANCELLED job has none): point to
    # what the first error holds.
    shown = "The steps and the log tail are" if failed else "The steps are"
    return [
        headline,
        f"Amplify {job.describe()}: status {job.status}{step}. {shown} in the error of "
        f"{first_test}, the first test that used this job.",
    ]


def step_or_fail(job: AmplifyJob, name: str) -> JobStep:
    try:
        return job.step(name)
    except AmplifyStepNotFoundError as exc:
        raise AmplifyAssertionError(str(exc)) from None


def assert_job_succeeded(job: AmplifyJob) -> None:
    """The job ended with SUCCEED."""
    __tracebackhide__ = True
    if not job.succeeded:
        raise AmplifyAssertionError(
            *explain_job(job, f"expected the job to SUCCEED, it is {job.status}")
        )


def assert_job_status(job: AmplifyJob, *statuses: str) -> None:
    """The job's status is one of ``statuses``."""
    __tracebackhide__ = True
    if not statuses:
        raise TypeError("assert_job_status() needs at least one status")
    if job.status not in statuses:
        raise AmplifyAssertionError(
            *explain_job(
                job, f"expected the job's status to be {' or '.join(statuses)}, it is {job.status}"
            )
        )


def assert_step_succeeded(job: AmplifyJob, step: str) -> None:
    """The step called ``step`` (any case) ended with SUCCEED."""
    __tracebackhide__ = True
    found = step_or_fail(job, step)
    if not found.succeeded:
        raise AmplifyAssertionError(
            *explain_job(
                job, f"expected step {found.name} to SUCCEED, it is {found.status}", [found]
            )
        )


def assert_step_status(job: AmplifyJob, step: str, *statuses: str) -> None:
    """The step's status is one of ``statuses``."""
    __tracebackhide__ = True
    if not statuses:
        raise TypeError("assert_step_status() needs at least one status")
    found = step_or_fail(job, step)
    if found.status not in statuses:
        failed = [found] if found.status == JobStatus.FAILED else []
        raise AmplifyAssertionError(
            *explain_job(
                job,
                f"expected step {found.name} to be {' or '.join(statuses)}, it is {found.status}",
                failed,
            )
        )


def assert_steps_succeeded(job: AmplifyJob, *steps: str) -> None:
    """Every named step (every step when none are named) ended with SUCCEED; the
    failure reports all steps that did not, not just the first."""
    __tracebackhide__ = True
    chosen = [step_or_fail(job, name) for name in steps] if steps else list(job.steps)
    if not chosen:
        raise AmplifyAssertionError(
            *explain_job(job, "expected steps that SUCCEED, the job reports no steps")
        )
    failing = [step for step in chosen if not step.succeeded]
    if failing:
        names = ", ".join(f"{s.name} ({s.status})" for s in failing)
        raise AmplifyAssertionError(
            *explain_job(
                job,
                f"expected {len(chosen)} step{'s' if len(chosen) != 1 else ''} to SUCCEED; "
                f"{len(failing)} did not: {names}",
                [s for s in failing if s.status == JobStatus.FAILED],
            )
        )
