"""A wait replayed on a simulated job, in-process: what :class:`JobWait` does
(one ListJobs to find the job, then GetJob on the :class:`PollSchedule`), without
HTTP, so that many thousand waits can be counted in seconds.

The calls and the lag are the ones the real wait makes against the local service
for the same job, history and jitter seed; ``benchmarks/http_check.py`` checks
that on a few cells, and the counting tests use it to guard the schedule's rules.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Sequence

from .._core.model import JobStatus, is_finished
from .schedule import PollSchedule


@dataclasses.dataclass(frozen=True)
class SimulatedJob:
    """A job's timeline in seconds from its start (as ListJobs reports it): queued
    until ``runs_at``, running until ``ends_at``, then ``final_status``."""

    ends_at: float
    runs_at: float = 0.0
    final_status: str = JobStatus.SUCCEED

    def status_at(self, age: float) -> str:
        if age >= self.ends_at:
            return self.final_status
        if age < self.runs_at:
            return JobStatus.PENDING
        return JobStatus.RUNNING


@dataclasses.dataclass(frozen=True)
class SimulatedWait:
    """How one wait went: every API call counted, the lag being the time from the
    job's end (or the wait's start, if later) to the call that saw it."""

    calls: int
    lag: float
    sleeps: tuple[float, ...]
    timed_out: bool = False

    @property
    def longest_sleep(self) -> float:
        return max(self.sleeps, default=0.0)


def simulate_wait(
    job: SimulatedJob,
    history: Sequence[float],
    *,
    wait_starts_at: float,
    first: float,
    cap: float,
    rng: random.Random,
    job_start: float = 0.0,
    timeout: float = math.inf,
) -> SimulatedWait:
    """The plugin's wait for ``job`` found through ListJobs (``latest`` or a commit
    id, already listed), starting ``wait_starts_at`` seconds after the job started. ``history`` holds the branch's successful durations, newest
    first (what ``successful_durations`` reads from ListJobs); ``job_start`` is
    the job's start in epoch seconds, as the wait's clock would read it."""
    schedule = PollSchedule(first, cap, rng)
    now = job_start + wait_starts_at
    deadline = now + timeout
    status = job.status_at(wait_starts_at)
    if is_finished(status):
        # ListJobs shows it finished; one GetJob reads the whole job.
        return SimulatedWait(calls=2, lag=0.0, sleeps=())
    schedule.use_history(history, job_start, now)
    calls = 1
    sleeps = []
    ends = job_start + job.ends_at
    while True:
        delay = schedule.next_delay(now, status=status)
        delay = max(0.0, min(delay, deadline - now))
        sleeps.append(delay)
        now += delay
        calls += 1
        status = job.status_at(now - job_start)
        if is_finished(status):
            return SimulatedWait(calls=calls, lag=now - ends, sleeps=tuple(sleeps))
        if deadline - now <= 0:
            return SimulatedWait(calls=calls, lag=math.inf, sleeps=tuple(sleeps), timed_out=True)
