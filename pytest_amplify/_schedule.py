"""When to poll next: a growing wait, or, with a branch's history, sparse early and
dense near the job's expected end.

Amplify throttles pollers (429), and CI pays for every second a finished job goes
unnoticed. Without history the wait grows from the first interval to the cap, like
tenacity's exponential wait with jitter. With the durations of the branch's recent
successful jobs the schedule knows roughly when the job will end: it halves the
distance to that window while it is far, polls at the first interval inside it,
and grows again when the job overruns it.
"""

from __future__ import annotations

import dataclasses
import random
import statistics
from collections.abc import Sequence

# Builds vary from run to run by about a tenth of their length (cache hits, runner
# load); the window around the expected end is at least that wide.
RELATIVE_SPREAD = 0.10
MIN_HISTORY = 3
HISTORY_SIZE = 10
JITTER = 0.10
SPARSE_JUMP = 4
SPARSE_MAX = 10


@dataclasses.dataclass(frozen=True)
class ExpectedEnd:
    """The window (epoch seconds) in which the job is expected to end."""

    start: float
    end: float
    typical_duration: float

    @classmethod
    def from_history(
        cls, durations: Sequence[float], job_start: float, min_margin: float
    ) -> ExpectedEnd | None:
        usable = [d for d in durations if d > 0][:HISTORY_SIZE]
        if len(usable) < MIN_HISTORY:
            return None
        typical = statistics.median(usable)
        observed = max(typical - min(usable), max(usable) - typical)
        margin = max(RELATIVE_SPREAD * typical, 2 * observed, min_margin)
        return cls(job_start + typical - margin, job_start + typical + margin, typical)


@dataclasses.dataclass
class PollSchedule:
    """Delays between polls. ``first`` and ``cap`` are amplify_poll_interval and
    amplify_max_poll_interval; ``rng`` is injectable so tests are repeatable."""

    first: float
    cap: float
    rng: random.Random = dataclasses.field(default_factory=random.Random)
    expected: ExpectedEnd | None = None
    _growth: int = 0
    _throttled: int = 0

    def use_history(self, durations: Sequence[float], job_start: float | None) -> None:
        if job_start is None:
            return
        self.expected = ExpectedEnd.from_history(durations, job_start, min_margin=3 * self.first)
        self._growth = 0

    def _jitter(self, delay: float) -> float:
        return delay * self.rng.uniform(1 - JITTER, 1 + JITTER)

    def _growing(self, base: float) -> float:
        delay = min(self.cap, base * (2**self._growth))
        self._growth += 1
        return self._jitter(delay)

    def next_delay(self, now: float, throttled: bool = False) -> float:
        """Seconds until the next poll, ``now`` being epoch seconds."""
        if throttled:
            # Back off on every 429 in a row, whatever the phase.
            self._throttled += 1
            return self._jitter(min(self.cap, self.first * (2**self._throttled)))
        self._throttled = 0
        window = self.expected
        if window is None:
            return self._growing(self.first)
        if now < window.start:
            # Halve the distance while it is long (an early failure still shows up),
            # and go straight to the window once it is a few capped polls away.
            remaining = window.start - now
            if remaining <= SPARSE_JUMP * self.cap:
                return remaining
            return min(remaining / 2, SPARSE_MAX * self.cap)
        if now <= window.end:
            return self._jitter(self.first)
        # Overrunning the usual duration: back off as if there were no history.
        return self._growing(self.first)
