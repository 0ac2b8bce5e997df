"""Waiting for a job: resolve the target, then poll with tenacity until it finishes.

Each wait is a tenacity ``Retrying`` driven one step at a time (``Retrying.iter``):
its stop, wait and retry strategies decide, while the clock and the sleep are
injected. Driving it step by step lets ``wait_all.run_waits`` keep many waits'
schedules at once (their polls side by side) and lets tests run whole waits in
simulated time.
"""

from __future__ import annotations

import dataclasses
import random
import sys
from collections.abc import Sequence
from typing import Any

from tenacity import DoAttempt, DoSleep, RetryCallState, Retrying
from tenacity.retry import retry_if_exception, retry_if_result
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from .._amplify.api import AmplifyApi
from .._amplify.aws import MIN_CALL_TIMEOUT
from .._amplify.call_problems import CallProblem, classify
from .._amplify.call_retries import MAX_UNREACHABLE
from .._core.api_values import job_number
from .._core.clock import WaitClock
from .._core.model import AmplifyJob, is_finished
from .._core.policies import InsideJob, NoProgress, WaitPolicy, WaitProgress
from .._core.redact import logger
from .._core.target import Target, describe_job
from .._core.vocabulary import LATEST
from .listing import BranchListing, ListedJob, successful_durations
from .schedule import PollSchedule
from .wait_endings import (
    PREVIEW_DELETED_HINT,
    fatal_error,
    inside_job_problem,
    timeout_error,
    unreachable_error,
)

MAX_HISTORY_TRIES = 3


@dataclasses.dataclass(frozen=True)
class PollOutcome:
    job: AmplifyJob | None = None
    listed: ListedJob | None = None

    @property
    def finished(self) -> bool:
        return self.job is not None and self.job.finished


class CallFailed(Exception):
    """A call failed; carries how it was sorted (retry, give up, unreachable)."""

    def __init__(self, problem: CallProblem) -> None:
        super().__init__(problem.describe())
        self.problem = problem


class _StopAtDeadline(stop_base):
    def __init__(self, wait: JobWait) -> None:
        self._wait = wait

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self._wait.time_left() <= 0


class _StopWhenUnreachable(stop_base):
    def __init__(self, wait: JobWait) -> None:
        self._wait = wait

    def __call__(self, retry_state: RetryCallState) -> bool:
        return not self._wait.reached and self._wait.unreachable_streak >= MAX_UNREACHABLE


class _ScheduledWait(wait_base):
    """The schedule's delay, never past the deadline."""

    def __init__(self, wait: JobWait) -> None:
        self._wait = wait

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None and outcome.failed else None
        throttled = isinstance(error, CallFailed) and error.problem.throttled
        delay = self._wait.schedule.next_delay(
            self._wait.clock.wall(), throttled, status=self._wait.status
        )
        return max(0.0, min(delay, self._wait.time_left()))


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, CallFailed) and exc.problem.kind != "fatal"


def _not_finished(outcome: PollOutcome) -> bool:
    return not outcome.finished


class JobWait:
    """One wait for one target. Call :meth:`advance` until it returns the job; it
    returns seconds to sleep in between and raises :class:`AmplifyWaitError`."""

    def __init__(
        self,
        target: Target,
        api: AmplifyApi,
        policy: WaitPolicy,
        *,
        clock: WaitClock | None = None,
        progress: WaitProgress | None = None,
        site_url: str | None = None,
        inside_job: InsideJob | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.target = target
        self.api = api
        self.policy = policy
        self.clock = clock or WaitClock()
        self.progress = progress or NoProgress()
        self.site_url = site_url
        self.inside_job = inside_job
        self.schedule = PollSchedule(
            policy.poll_interval, policy.max_poll_interval, rng or random.Random()
        )
        self.started = self.clock.monotonic()
        self.deadline = self.started + policy.timeout
        self.polls = 0
        self.reached = False
        self.unreachable_streak = 0
        self.job_id: str | None = (
            None if target.job_id == LATEST or target.commit_id else target.job_id
        )
        self.job_start: float | None = None
        self.status: str | None = None
        self.last_job: AmplifyJob | None = None
        self.last_problem: CallProblem | None = None
        self.history_checked = False
        self.history_tries = 0
        self.waiting_to_be_listed = False
        # A pull request's preview branch: seen once it answered; until then, missing.
        self.branch_seen = False
        self.waiting_for_branch = False
        self.manual_jobs_listed = False
        self.listing = BranchListing(api, target)
        self._retrying = Retrying(
            stop=_StopAtDeadline(self) | _StopWhenUnreachable(self),
            wait=_ScheduledWait(self),
            retry=retry_if_result(_not_finished) | retry_if_exception(_retryable),
            retry_error_callback=self._give_up,
            sleep=self.clock.sleep,
        )
        self._state = RetryCallState(self._retrying, fn=None, args=(), kwargs={})
        self._retrying.begin()

    # -- what progress and messages show ---------------------------------------------

    def elapsed(self) -> float:
        return max(0.0, self.clock.monotonic() - self.started)

    def time_left(self) -> float:
        return self.deadline - self.clock.monotonic()

    @property
    def current_step(self) -> str | None:
        job = self.last_job
        if job is None or not job.steps:
            return None
        running = [s for s in job.steps if not s.finished]
        step = running[0] if running else job.steps[-1]
        return f"{step.name} {step.status}"

    @property
    def calls(self) -> int:
        return sum(self.api.calls.values())

    def describe_job(self) -> str:
        if self.job_id is not None:
            return describe_job(self.target.app_id, self.target.branch, f"job {self.job_id}")
        return self.target.describe()

    # -- driving ---------------------------------------------------------------------

    def advance(self) -> float | AmplifyJob:
        """Poll when it is time; return the finished job, or the seconds to sleep."""
        __tracebackhide__ = True
        if not self._retrying.statistics:
            # tenacity keeps its statistics per thread: a wait polled from another
            # thread (wait_all's pool) starts them there.
            self._retrying.begin()
        action = self._retrying.iter(self._state)
        while isinstance(action, DoAttempt):
            try:
                self._state.set_result(self.poll())
            except Exception:
                self._state.set_exception(sys.exc_info())  # type: ignore[arg-type]
            try:
                action = self._retrying.iter(self._state)
            except CallFailed as failed:
                self.progress.finish(self)
                raise fatal_error(self, failed.problem) from None
        if isinstance(action, DoSleep):
            self._state.prepare_for_next_attempt()
            return float(action)
        outcome: PollOutcome = action
        assert outcome.job is not None
        self.progress.finish(self)
        return outcome.job

    def run(self) -> AmplifyJob:
        """Wait until the job finishes (or the wait fails), sleeping with the clock."""
        __tracebackhide__ = True
        try:
            while True:
                step = self.advance()
                if isinstance(step, AmplifyJob):
                    return step
                sleep_showing_progress(self.clock, [self], step)
        except KeyboardInterrupt:
            self.progress.finish(self)  # end the progress line before pytest's summary
            raise

    # -- one poll --------------------------------------------------------------------

    def _call_timeout(self) -> float:
        """Bounded by the time left, so that a hanging call cannot hold the wait past
        its deadline (by more than one short call)."""
        limit = self.policy.call_timeout
        return max(min(MIN_CALL_TIMEOUT, limit), min(limit, self.time_left()))

    def poll(self) -> PollOutcome:
        self.polls += 1
        try:
            outcome = self._poll()
        except CallFailed:
            raise
        except Exception as exc:
            problem = classify(exc, self.api.last_operation, self.describe_job(), self._arn())
            if problem is None:
                raise
            if problem.branch_missing and self.target.pull_request is not None:
                if not self.branch_seen:
                    return self._preview_not_created()
                problem = dataclasses.replace(problem, hint=PREVIEW_DELETED_HINT)
            self._note_problem(problem)
            logger.debug("poll %d of %s: %s", self.polls, self.describe_job(), problem.describe())
            self.progress.update(self)
            raise CallFailed(problem) from None
        self.reached = True
        self.unreachable_streak = 0
        self.branch_seen = True
        self.waiting_for_branch = False
        self.progress.update(self)
        return outcome

    def _preview_not_created(self) -> PollOutcome:
        """Amplify creates a pull request's branch (pr-N) some time after the pull
        request opens: until then the wait goes on, within its deadline."""
        self.reached = True
        self.unreachable_streak = 0
        self.waiting_for_branch = True
        logger.debug("poll %d: %s does not exist yet", self.polls, self.describe_job())
        self.progress.update(self)
        return PollOutcome()

    def _note_problem(self, problem: CallProblem) -> None:
        self.last_problem = problem
        if problem.kind == "unreachable":
            self.unreachable_streak += 1
        else:
            self.reached = True
            self.unreachable_streak = 0

    def _arn(self) -> str | None:
        region = self.target.region or "*"
        return f"arn:aws:amplify:{region}:*:apps/{self.target.app_id}/branches/{self.target.branch}/jobs/*"

    def _poll(self) -> PollOutcome:
        if self.job_id is None:
            listed = self.listing.look(timeout=self._call_timeout())
            if listed is None:
                self.waiting_to_be_listed = True
                self.manual_jobs_listed = any(job.manual for job in self.listing.recent)
                return PollOutcome()
            self.waiting_to_be_listed = False
            self.job_id = listed.job_id
            self.status = listed.status
            self.job_start = listed.start_time.timestamp() if listed.start_time else None
            self._check_not_inside(listed.status)
            if not is_finished(listed.status):
                # The summary already says it runs: no GetJob until the next poll; the
                # jobs just read are the history.
                self._learn(self.listing.recent)
                return PollOutcome(listed=listed)
        assert self.job_id is not None
        answer = self.api.get_job(
            self.target.app_id, self.target.branch, self.job_id, timeout=self._call_timeout()
        )
        job = AmplifyJob.from_api(
            answer, app_id=self.target.app_id, branch=self.target.branch, site_url=self.site_url
        )
        self.last_job = job
        self.status = job.status
        if job.start_time is not None:
            self.job_start = job.start_time.timestamp()
        self._check_not_inside(job.status)
        if not job.finished and not self.history_checked:
            self._fetch_history()
        return PollOutcome(job=job)

    def _check_not_inside(self, status: str) -> None:
        inside = self.inside_job
        if (
            inside is None
            or is_finished(status)
            or inside.app_id != self.target.app_id
            or inside.branch != self.target.branch
            or self.job_id is None
            or job_number(self.job_id) != int(inside.job_id)
        ):
            return
        raise CallFailed(inside_job_problem(self.job_id, inside))

    def _learn(self, listing: Sequence[ListedJob]) -> None:
        self.history_checked = True
        now = self.clock.wall()
        self.schedule.use_history(successful_durations(listing, self.job_id), self.job_start, now)
        if self.schedule.forecast is not None:
            logger.debug("%s: %s", self.describe_job(), self.schedule.describe(now))

    def _fetch_history(self) -> None:
        """The branch's newest jobs, for how long its jobs take (one ListJobs page
        when it lists the newest first); optional, so a failure here only costs the
        smarter schedule. A transient one is tried again at the next polls (no sleep
        of its own), up to MAX_HISTORY_TRIES."""
        self.history_tries += 1
        try:
            listing = self.listing.history(timeout=self._call_timeout())
        except Exception as exc:
            problem = classify(exc, "ListJobs", self.describe_job())
            if problem is None:
                raise
            self.history_checked = (
                problem.kind == "fatal" or self.history_tries >= MAX_HISTORY_TRIES
            )
            logger.debug("no job history for %s: %s", self.describe_job(), problem.summary)
            return
        self._learn(listing)

    # -- endings ---------------------------------------------------------------------

    def _give_up(self, retry_state: RetryCallState) -> Any:
        self.progress.finish(self)
        problem = self.last_problem
        if not self.reached and problem is not None and problem.kind == "unreachable":
            raise unreachable_error(self, problem)
        last_failed = retry_state.outcome is not None and retry_state.outcome.failed
        raise timeout_error(self, problem if last_failed else None)


def sleep_showing_progress(
    clock: WaitClock,
    waits: Sequence[JobWait],
    seconds: float,
    shown_by: Sequence[WaitProgress] | None = None,
) -> None:
    """Sleep ``seconds`` on ``clock``, waking when a wait's next progress line is due:
    a line comes at least every progress interval, however far apart the polls are
    (amplify_max_poll_interval may be an hour; a CI job that prints nothing for
    minutes may be ended). ``shown_by`` is what shows each wait's progress, when not
    its own ``progress`` (``wait_all`` keeps them while its polls run elsewhere)."""
    shows = list(shown_by) if shown_by is not None else [wait.progress for wait in waits]
    end = clock.monotonic() + seconds
    woke = False
    while True:
        due = [
            (when, wait, show)
            for wait, show in zip(waits, shows, strict=True)
            if (when := show.due()) is not None
        ]
        when, wait, show = min(due, key=lambda entry: entry[0], default=(end, None, None))
        if wait is None or show is None or when >= end:
            break
        clock.sleep(max(0.0, when - clock.monotonic()))
        woke = True
        show.update(wait)
        later = show.due()
        if later is None or later <= when:
            break  # no line was due after all: never wake in a loop
    # Without a wake-up, exactly the sleep asked for.
    clock.sleep(max(0.0, end - clock.monotonic()) if woke else seconds)
