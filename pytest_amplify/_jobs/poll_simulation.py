"""The benchmark's model of a wait, in-process: what :class:`JobWait` does (one
ListJobs to find the job, then GetJob on the :class:`PollSchedule`), without the
calls, so that the grid's hundreds of cells of thousands of jobs count in minutes
(some 5 us a poll, where the real wait takes some 300 us even without HTTP).

It must make the calls the real wait makes, with the same lag and sleeps, for the
same job, history and jitter seed: ``tests/test_wait_model.py`` holds that for
every family of the benchmark's grid (the real wait through the local service's
in-process client), ``benchmarks/model_check.py`` for the first draws of every
cell and for three cells over HTTP, and the counting tests use it to guard the
schedule's rules.
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
