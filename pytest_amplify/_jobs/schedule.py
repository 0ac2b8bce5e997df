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
and the cap everywhere else.

What a history that mispredicts may cost is held against a fixed poll at the cap
over the same job (issue 24; docs/polling.md has the arithmetic):

- the extra polls are planned up front (:func:`extra_poll_budget`), as many as
  keep the calls within MAX_CALLS_RATIO of the fixed poll's for a job that
  overruns the whole forecast;
- at every poll, the next sleep is at least what keeps the calls within that ratio
  should the job end during it (the allowance), so that no spending pattern can
  pass it;
- and at most what keeps calls x lag within MAX_EFFICIENCY of the fixed poll's
  (the guard): once the job has overrun the extra polls, the sleeps shorten until
  the fixed poll's calls have caught up, so a late job is seen sooner instead of
  paying for polls it did not end in.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence

from .._core.durations import format_duration
from .._core.model import JobStatus
from .end_forecast import EndForecast, PollPlan

# A sleep is shortened by up to this share, at random, so that waits started
# together drift apart; never lengthened, so the cap holds. On average a sleep is
# then (1 - JITTER / 2) of its nominal length: at the cap, 1 / 0.95 as many polls
# as a fixed poll at the cap makes.
JITTER = 0.10
NOT_STARTED = frozenset({JobStatus.CREATED, JobStatus.PENDING, JobStatus.PROVISIONING})
# What a history that mispredicts may cost at most, against a fixed poll at the cap
# over the same job (issue 24): its calls, and its calls x mean lag ("E").
MAX_CALLS_RATIO = 1.2
MAX_EFFICIENCY = 1.10
# Room under each goal for what the arithmetic below leaves out: polls come whole,
# and the forecast's last percent still draws a few.
CALLS_MARGIN = 0.02
EFFICIENCY_MARGIN = 0.05
# The age by which the forecast has the job over (its 99th percentile): a job that
# overruns it has spent every extra poll.
FORECAST_END = 0.99
# A fixed poll at the cap makes F = 2 + R / cap calls for a job that ends R seconds
# into the wait; the wait makes 2 + (R / cap + X) / (1 - JITTER / 2) with X extra
# polls, so calls <= (MAX_CALLS_RATIO - CALLS_MARGIN) x F for every job that ends
# after the forecast's end holds when X <= EXTRA_POLL_SHARE x F(forecast's end).
EXTRA_POLL_SHARE = (1 - JITTER / 2) * (MAX_CALLS_RATIO - CALLS_MARGIN) - 1


def extra_poll_budget(end_age: float, age: float, cap: float) -> float:
    """Polls the history may add to a poll at the cap, over the whole wait, for a
    wait at ``age`` whose forecast has the job over by ``end_age``."""
    return EXTRA_POLL_SHARE * (2 + max(0.0, end_age - age) / cap)


def fixed_poll_calls(waited: float, cap: float) -> float:
    """The calls of a fixed poll at the cap (a lookup, then GetJob at a uniform phase)
    for a job that ends ``waited`` seconds into the wait."""
    return 2 + waited / cap


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
    _polls: int = 0
    _started: float | None = None

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
        age = now - job_start
        budget = extra_poll_budget(forecast.quantile(FORECAST_END), age, self.cap)
        self.plan = forecast.plan(age, self.first, self.cap, budget)

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
        if self._started is None:
            self._started = now
        self._polls += 1
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
            interval = self.cap
        else:
            interval = self.plan.interval(now - self.job_start)
        delay = self._jitter(min(interval, self._guard(now)))
        return min(self.cap, max(delay, self._allowance(now)))

    def _allowance(self, now: float) -> float:
        """The shortest sleep after which the next poll keeps the wait's calls within
        MAX_CALLS_RATIO - CALLS_MARGIN times a fixed poll's at the cap for a job that
        ended during the sleep (in its middle, on average): should the job end then,
        it has cost no more than that. The cap still wins."""
        assert self._started is not None
        ratio = MAX_CALLS_RATIO - CALLS_MARGIN
        waited = now - self._started
        return 2 * (self.cap * ((self._polls + 1) / ratio - 2) - waited)

    def _guard(self, now: float) -> float:
        """The longest nominal interval after which a job that ended during it would
        have cost, in calls x lag, at most MAX_EFFICIENCY - EFFICIENCY_MARGIN times
        what a fixed poll at the cap costs: its calls so far and the next, against
        the fixed poll's; a lag of half the sleep against half the cap.

        Extra polls that the job did not end in (it overran the forecast) raise the
        calls so far: the sleeps shorten, so that a late job is seen sooner, until
        the fixed poll's calls have caught up."""
        assert self._started is not None
        fixed = fixed_poll_calls(now - self._started, self.cap)
        target = MAX_EFFICIENCY - EFFICIENCY_MARGIN
        sleep = target * fixed * self.cap / (self._polls + 1)
        return max(self.first, sleep / (1 - JITTER / 2))

    def _growing(self, now: float) -> float:
        """Without history: as long as the job has run, between ``first`` and the
        cap, so that a young job, which may be a short one, is polled often."""
        if self.job_start is None:
            # The start is unknown: grow with the polls instead.
            self._growth += 1
            return min(self.cap, self.first * 2.0 ** (self._growth - 1))
        return min(self.cap, max(self.first, now - self.job_start))
