"""One retry policy for the calls made outside a wait (GetApp, GetBranch, GetJob again,
ListArtifacts, GetArtifactUrl) and for every download (logs, zips, screenshots,
test artifacts).

Transient failures (throttling, 5xx, dropped connections, timeouts) are retried
with exponential back-off and jitter, as long as ``amplify_retry_timeout`` (60 s by
default) has not passed since the first attempt; an endpoint that cannot be reached
at all gets three tries; permanent failures (denied, not found, bad request,
expired credentials) are raised at once. The wait itself retries on its own
schedule, within its own deadline (``_waiting``), with the same sorting of failures
(``_call_problems``).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from typing import Literal, TypeVar

from ._clock import WaitClock
from ._durations import format_duration
from ._settings import DEFAULT_RETRY_TIMEOUT

T = TypeVar("T")
Verdict = Literal["transient", "unreachable", "fatal"]

FIRST_DELAY = 0.5
MAX_DELAY = 10.0
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


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How long and how often to retry. ``limit`` is ``amplify_retry_timeout``: no
    attempt starts after it; ``max_attempts`` caps the attempts too (None: no cap)."""

    limit: float = DEFAULT_RETRY_TIMEOUT
    limit_source: str = "default"
    limit_name: str = "amplify_retry_timeout"
    clock: WaitClock = dataclasses.field(default_factory=WaitClock)
    first_delay: float = FIRST_DELAY
    max_delay: float = MAX_DELAY
    max_attempts: int | None = None
    rng: random.Random = dataclasses.field(default_factory=random.Random, compare=False)

    def start(self) -> Retries:
        return Retries(self)

    def call(
        self, attempt: Callable[[float], T], verdict: Callable[[Exception], Verdict | None]
    ) -> T:
        """``attempt(seconds_left)`` until it returns, retrying what ``verdict`` calls
        transient; raises :class:`GaveUp`, or the permanent failure itself."""
        return self.start().call(attempt, verdict)


class Retries:
    """The retries of one call (or of one download, across its re-opened streams)."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.started = policy.clock.monotonic()
        self.attempts = 0
        self._unreachable = 0

    def elapsed(self) -> float:
        return self.policy.clock.monotonic() - self.started

    def time_left(self) -> float:
        """Seconds an attempt started now may take (at least :data:`MIN_ATTEMPT`)."""
        return max(MIN_ATTEMPT, self.policy.limit - self.elapsed())

    def call(
        self, attempt: Callable[[float], T], verdict: Callable[[Exception], Verdict | None]
    ) -> T:
        while True:
            self.attempts += 1
            try:
                return attempt(self.time_left())
            except Exception as exc:
                self.failed(exc, verdict(exc))

    def failed(self, exc: Exception, verdict: Verdict | None) -> None:
        """After a failed attempt: sleep before the next one, or raise (the failure
        itself when it is not to be retried, :class:`GaveUp` when time is out).
        Call it from the ``except`` block that caught ``exc``."""
        if verdict is None or verdict == "fatal":
            raise exc
        self._unreachable = self._unreachable + 1 if verdict == "unreachable" else 0
        policy = self.policy
        left = policy.limit - self.elapsed()
        why = ""
        if self._unreachable >= MAX_UNREACHABLE:
            why = f"{self.attempts} attempts, the endpoint never reached"
        elif policy.max_attempts is not None and self.attempts >= policy.max_attempts:
            why = f"{self.attempts} attempt{'s' if self.attempts != 1 else ''}"
        elif left <= 0:
            why = (
                f"{self.attempts} attempt{'s' if self.attempts != 1 else ''} in "
                f"{format_duration(self.elapsed())}; {policy.limit_name} = "
                f"{format_duration(policy.limit)} (from {policy.limit_source})"
            )
        if why:
            raise GaveUp(exc, self.attempts, self.elapsed(), why) from exc
        # Exponential back-off with "equal jitter": never less than half the step,
        # so that retries spread out without ever bunching up at zero.
        step = min(policy.max_delay, policy.first_delay * 2 ** (self.attempts - 1))
        delay = step / 2 + policy.rng.uniform(0, step / 2)
        policy.clock.sleep(min(delay, left))
