"""Assertions on a job's status and steps, with failures that explain themselves.

A failure names the app, branch, job, the step, its status and ``statusReason``,
and for a failed step the last lines of its log, so that a CI log says why the
deployment failed without a trip to the console.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from .._core.durations import format_elapsed
from .._core.e2e_results import E2eResults
from .._core.errors import AmplifyAssertionError, AmplifyError, AmplifyStepNotFoundError
from .._core.model import AmplifyJob, JobStatus, JobStep
from .._core.redact import strip_query
from .._core.target import describe_job
from .step_files import LOG_TAIL_LINES, read_tail

# What a later test's error says of a story told in full before: the cause, and where.
EXPLAINED_BEFORE = "{cause} (explained in full in the error of {first})"


def _step_line(step: JobStep) -> str:
    duration = f" ({format_elapsed(step.duration)})" if step.duration is not None else ""
    reason = f": {step.status_reason}" if step.status_reason else ""
    return f"  {step.name} {step.status}{duration}{reason}"


def _job_details(
    job: AmplifyJob, failing: Iterable[JobStep], e2e: E2eResults | None = None
) -> list[str]:
    """The steps; for each of ``failing``, its end-to-end results when ``e2e`` are
    its own, then its log tail; and the console link."""
    lines = []
    if job.steps:
        lines.append("steps:")
        lines.extend(_step_line(step) for step in job.steps)
    else:
        lines.append("steps: none reported")
    for step in failing:
        if e2e is not None and e2e.step == step.name:
            lines.extend([*e2e.report_lines(), *e2e.screenshots_line()])
        where = f" ({strip_query(step.log_url)})" if step.log_url else ""
        lines.append(f"last {LOG_TAIL_LINES} lines of the {step.name} log{where}:")
        tail = read_tail(job, step)
        shown = [f"  | {line}" for line in tail.lines]
        lines.extend([f"  ({tail.problem})"] if tail.problem else shown)
    lines.append(f"console: {job.console_url}")
    return lines


def _failed_steps(job: AmplifyJob) -> list[JobStep]:
    return [step for step in job.steps if step.status == JobStatus.FAILED]


def explain_job(
    job: AmplifyJob, headline: str, failed_steps: Iterable[JobStep] | None = None
) -> list[str]:
    """An account of the job, as lines: headline, steps, and the log tail of each
    failed step."""
    failing = list(failed_steps) if failed_steps is not None else _failed_steps(job)
    return [headline, f"Amplify {job.describe()}: status {job.status}", *_job_details(job, failing)]


def stopping_step(job: AmplifyJob) -> JobStep | None:
    """The step that did not succeed: the failed one, else the first that ended
    otherwise than SUCCEED (a cancelled job's)."""
    failed = _failed_steps(job)
    if failed:
        return failed[0]
    return next((step for step in job.steps if step.finished and not step.succeeded), None)


def job_cause(job: AmplifyJob, e2e: E2eResults | None = None) -> str:
    """The first line of a failed job's error: the job, its status, the step that did
    not succeed, how many end-to-end tests failed when ``e2e`` are that step's, and
    its reason, then the app and branch (in that order, so that a line cut at the
    terminal's width still names the step)."""
    step = stopping_step(job)
    where = ""
    if step is not None:
        counted = e2e.failed_count() if e2e is not None and e2e.step == step.name else None
        said = "; ".join(part for part in (counted, step.status_reason) if part)
        where = f" in step {step.name}" + (f": {said}" if said else "")
    return f"Amplify job {job.job_id} {job.status}{where} ({describe_job(job.app_id, job.branch)})"


class Explanations:
    """Where each error was explained in full in this run: the first test that an
    error (a failed job, a failed wait, a configuration problem) stops gets the whole
    story (for a failed job its steps, reason and log tail), later tests one line
    that names the cause and points there, so that a CI log does not repeat 30 log
    lines per test. Under pytest-xdist ``claim`` is shared by the run's workers.

    ``claim(key, test)`` records ``test`` as the first for ``key`` unless one is
    recorded, and returns the first.
    """

    def __init__(self, claim: Callable[[str, str], str] | None = None) -> None:
        self._first: dict[str, str] = {}
        self._claim = claim

    def share(self, claim: Callable[[str, str], str]) -> None:
        """Claim first tests with ``claim`` from now on (the run's workers share it)."""
        self._claim = claim

    def _first_test(self, key: str, test: str) -> str:
        if key not in self._first:
            self._first[key] = self._claim(key, test) if self._claim else test
        return self._first[key]

    def once(self, lines: Sequence[str], key: str, test: str) -> list[str]:
        """``lines`` for the first test ``key`` stops; for later ones, the first line
        pointing to it. A one-line story is told whole every time."""
        if len(lines) <= 1 or self._first_test(key, test) == test:
            return list(lines)
        return [EXPLAINED_BEFORE.format(cause=lines[0], first=self._first_test(key, test))]

    def error(self, error: AmplifyError, test: str) -> AmplifyError:
        """``error`` for the first test it stops; for later ones, told in a line."""
        lines = str(error).split("\n")
        told = self.once(lines, str(error), test)
        return error if told == lines else error.told_as(*told)

    def require_success(
        self,
        job: AmplifyJob,
        required: bool,
        advice: str,
        test: str,
        e2e: E2eResults | None = None,
    ) -> None:
        """The ``require_success`` rule: a job that did not succeed stops the test
        with its cause, its steps, the failed end-to-end tests (``e2e``, when its
        TEST step failed) and log tail, and ``advice``."""
        __tracebackhide__ = True
        if not required or job.succeeded:
            return
        key = f"job {job.app_id} {job.branch} {job.job_id} {job.region}"
        cause = job_cause(job, e2e)
        if self._first_test(key, test) != test:
            raise AmplifyAssertionError(*self.once([cause, advice], key, test))
        raise AmplifyAssertionError(cause, *_job_details(job, _failed_steps(job), e2e), advice)


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
