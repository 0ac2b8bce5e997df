"""When to poll next: never later than the cap, and more often where the branch's
history says the job is likely to end.

Amplify throttles pollers (429), and CI pays for every second a finished job goes
unnoticed. Rules that hold whatever the history says:

- no sleep is longer than ``cap`` (amplify_max_poll_interval): jitter only
  shortens a sleep, so a job is seen at most one cap (and one call) after it ends;
- throttling (429) backs off from the first interval to the cap;
- a job that has not started running (CREATED, PENDING, PROVISIONING) cannot end on
  time, so it is polled at the cap.

Without history the interval is the job's age, between the first interval and the
cap: a young job may be a short one. With the durations of the branch's recent
successful jobs (:class:`EndForecast`) it polls at the cap, adding polls only where
an end is likely: each interval carries the same expected lag (its length times
the chance that the job ends in it), which puts short intervals at the likely ends
and the cap everywhere else. How many polls the history may add is bounded up front
(:func:`extra_poll_budget`), so a history that mispredicts (a late job, an early
failure) costs a known, small number of calls.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence

from .._core.durations import format_duration
from .._core.model import JobStatus
from .end_forecast import EndForecast, PollPlan

# A sleep is shortened by up to this share, at random, so that waits started
# together drift apart; never lengthened, so the cap holds.
JITTER = 0.10
NOT_STARTED = frozenset({JobStatus.CREATED, JobStatus.PENDING, JobStatus.PROVISIONING})
# The history may add this share of the polls a capped poll makes over a typical
# job. A job that overruns every earlier one pays all of them and is then seen as a
# capped poll would see it: each extra poll costs about half a cap of lag-seconds,
# against about half the job's length for the whole wait, so a job 50% late stays
# within about 13% of a fixed poll at the cap in calls x lag (and a job that ends
# early pays none of them).
EXTRA_POLL_SHARE = 0.2


def extra_poll_budget(typical_duration: float, cap: float) -> float:
    """Polls the history may add to a poll at the cap, over the whole wait."""
    return EXTRA_POLL_SHARE * typical_duration / cap


@dataclasses.dataclass
class PollSchedule:
    """Delays between polls. ``first`` and ``cap`` are amplify_poll_interval and
    amplify_max_poll_interval; ``rng`` is injectable so tests are repeatable."""

    first: float
    cap: float
    rng: random.Random = dataclasses.field(default_factory=random.Random)
    forecast: EndForecast | None = None
    job_start: float | None = None
    plan: PollPlan | None = None
    _growth: int = 0
    _throttled: int = 0

    def use_history(self, durations: Sequence[float], job_start: float | None, now: float) -> None:
        """Plan the polls the history adds; ``now`` and ``job_start`` are epoch
        seconds. Without a start time the history cannot be placed: it is unused."""
        self.job_start = job_start
        if job_start is None:
            return
        forecast = EndForecast.from_durations(durations, min_width=self.first)
        self.forecast = forecast
        if forecast is None:
            return
        budget = extra_poll_budget(forecast.typical_duration, self.cap)
        self.plan = forecast.plan(now - job_start, self.first, self.cap, budget)

    def describe(self, now: float) -> str:
        """What the history says, for the debug log."""
        if self.forecast is None or self.job_start is None:
            return "no usable history"
        typical = self.forecast.typical_duration
        left = max(0.0, self.job_start + typical - now)
        return (
            f"similar jobs took {format_duration(typical)}; expecting the end in "
            f"{format_duration(left)}"
        )

    def _jitter(self, delay: float) -> float:
        return delay * self.rng.uniform(1 - JITTER, 1)

    def next_delay(self, now: float, throttled: bool = False, status: str | None = None) -> float:
        """Seconds until the next poll; ``now`` is epoch seconds, ``status`` the
        job's last status seen (None before the job is found)."""
        if throttled:
            # Back off on every 429 in a row, whatever the phase.
            self._throttled += 1
            return self._jitter(min(self.cap, self.first * (2.0**self._throttled)))
        self._throttled = 0
        if status in NOT_STARTED:
            return self._jitter(self.cap)
        if self.forecast is None:
            return self._jitter(self._growing(now))
        if self.plan is None or self.job_start is None:
            return self._jitter(self.cap)
        return self._jitter(self.plan.interval(now - self.job_start))

    def _growing(self, now: float) -> float:
        """Without history: as long as the job has run, between ``first`` and the
        cap, so that a young job, which may be a short one, is polled often."""
        if self.job_start is None:
            # The start is unknown: grow with the polls instead.
            self._growth += 1
            return min(self.cap, self.first * 2.0 ** (self._growth - 1))
        return min(self.cap, max(self.first, now - self.job_start))
