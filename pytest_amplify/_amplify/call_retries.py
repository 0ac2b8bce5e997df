"""One retry policy for the calls made outside a wait (GetApp, GetBranch, GetJob again,
ListArtifacts, GetArtifactUrl) and for every download (logs, zips, screenshots,
test artifacts).

Transient failures (throttling, 5xx, dropped connections, timeouts) are retried
with exponential back-off and jitter, as long as ``amplify_retry_timeout`` (60 s by
default) has not passed since the first attempt; an endpoint that cannot be reached
at all gets three tries; permanent failures (denied, not found, bad request,
expired credentials) are raised at once. The wait itself retries on its own
schedule, within its own deadline (``_jobs.waiting``), with the same sorting of failures
(``call_problems``).

Both are tenacity's ``Retrying``, driven one attempt at a time on an injected clock
(tenacity's own ``stop_after_delay`` reads the real monotonic clock): here, so that
a download cut in the middle resumes under the same retries as its first request.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Literal, NoReturn, TypeVar

from tenacity import DoSleep, RetryCallState, Retrying
from tenacity.retry import retry_if_exception
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from .._core.durations import format_duration
from .._core.policies import RetryPolicy

T = TypeVar("T")
Verdict = Literal["transient", "unreachable", "fatal"]

# An endpoint that never answered (DNS failure, connection refused) is given this
# many tries in a row, by a wait and by a call alike: a typo in the endpoint or the
# region should not cost the whole bound.
MAX_UNREACHABLE = 3
# Each attempt may take this long at least, even when the bound is about to pass.
MIN_ATTEMPT = 1.0


class GaveUp(Exception):
    """Retries ran out: ``last`` is the last failure, after ``attempts`` attempts in
    ``elapsed`` seconds."""

    def __init__(self, last: BaseException, attempts: int, elapsed: float, why: str) -> None:
        super().__init__(f"{last} ({why})")
        self.last = last
        self.attempts = attempts
        self.elapsed = elapsed
        self.why = why


def call_with_retries(
    policy: RetryPolicy,
    attempt: Callable[[float], T],
    verdict: Callable[[Exception], Verdict | None],
) -> T:
    """``attempt(seconds_left)`` until it returns, retrying what ``verdict`` calls
    transient; raises :class:`GaveUp`, or the permanent failure itself."""
    return Retries(policy, verdict).call(attempt)


def _plural(count: int) -> str:
    return f"{count} attempt{'s' if count != 1 else ''}"


class _Stop(stop_base):
    """When to give up, and why (the first reason that applies)."""

    def __init__(self, retries: Retries) -> None:
        self._retries = retries

    def __call__(self, retry_state: RetryCallState) -> bool:
        return bool(self.why(retry_state.attempt_number))

    def why(self, attempts: int) -> str:
        retries, policy = self._retries, self._retries.policy
        if retries.unreachable >= MAX_UNREACHABLE:
            return f"{attempts} attempts, the endpoint never reached"
        if policy.max_attempts is not None and attempts >= policy.max_attempts:
            return _plural(attempts)
        if policy.limit - retries.elapsed() <= 0:
            return (
                f"{_plural(attempts)} in {format_duration(retries.elapsed())}; "
                f"{policy.limit_name} = {format_duration(policy.limit)} "
                f"(from {policy.limit_source})"
            )
        return ""


class _EqualJitter(wait_base):
    """Exponential back-off with "equal jitter": never less than half the step, so
    that retries spread out without ever bunching up at zero; never past the bound."""

    def __init__(self, retries: Retries) -> None:
        self._retries = retries

    def __call__(self, retry_state: RetryCallState) -> float:
        policy = self._retries.policy
        step = min(policy.max_delay, policy.first_delay * 2.0 ** (retry_state.attempt_number - 1))
        delay = step / 2 + policy.rng.uniform(0, step / 2)
        return max(0.0, min(delay, policy.limit - self._retries.elapsed()))


class Retries:
    """The retries of one call (or of one download, across its re-opened streams)."""

    def __init__(self, policy: RetryPolicy, verdict: Callable[[Exception], Verdict | None]) -> None:
        self.policy = policy
        self.started = policy.clock.monotonic()
        self.unreachable = 0  # failures in a row that never reached the endpoint
        self._verdict = verdict
        self._stop = _Stop(self)
        self._retrying = Retrying(
            stop=self._stop,
            wait=_EqualJitter(self),
            retry=retry_if_exception(self._retried),
            retry_error_callback=self._give_up,
            sleep=policy.clock.sleep,
        )
        self._state = RetryCallState(self._retrying, fn=None, args=(), kwargs={})
        self._retrying.begin()

    @property
    def attempts(self) -> int:
        return self._state.attempt_number

    def elapsed(self) -> float:
        return self.policy.clock.monotonic() - self.started

    def time_left(self) -> float:
        """Seconds an attempt started now may take (at least :data:`MIN_ATTEMPT`)."""
        return max(MIN_ATTEMPT, self.policy.limit - self.elapsed())

    def call(self, attempt: Callable[[float], T]) -> T:
        while True:
            try:
                return attempt(self.time_left())
            except Exception:
                self.failed()

    def failed(self) -> None:
        """After a failed attempt (call it from the ``except`` block that caught the
        failure): sleep before the next one, or raise, the failure itself when it is
        not to be retried, :class:`GaveUp` when the retries are spent."""
        self._state.set_exception(sys.exc_info())  # type: ignore[arg-type]
        action = self._retrying.iter(self._state)
        assert isinstance(action, DoSleep), action  # the other endings raise
        self._retrying.sleep(float(action))
        self._state.prepare_for_next_attempt()

    def _retried(self, exc: BaseException) -> bool:
        verdict = self._verdict(exc) if isinstance(exc, Exception) else None
        self.unreachable = self.unreachable + 1 if verdict == "unreachable" else 0
        return verdict in ("transient", "unreachable")

    def _give_up(self, retry_state: RetryCallState) -> NoReturn:
        assert retry_state.outcome is not None
        last = retry_state.outcome.exception()
        assert last is not None
        why = self._stop.why(retry_state.attempt_number)
        raise GaveUp(last, retry_state.attempt_number, self.elapsed(), why) from last
