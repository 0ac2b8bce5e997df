"""Issue 5.4, many jobs at once: ``amplify_jobs.wait_all`` over 20 jobs.

A monorepo release: one push starts a job on each of 20 branches, lasting 2 to 30
minutes; the tests call ``wait_all`` 30 s later. The waits run through
:func:`pytest_amplify._jobs.wait_all.run_waits` (what ``wait_all`` uses) against the
local Amplify service on a simulated clock, with the plugin's default schedule
and no history (the schedule's most talkative case).

Measured: the simulated time ``run_waits`` takes against the slowest job's
remaining time, against the sum of all remaining times, and against a loop of
single waits (one after the other, on a fresh service); and each wait's calls
against the fixed 30 s poll's for the same job plus the 3 extra calls issue 5.3
allows without history.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import random
import statistics
import time
from collections.abc import Callable

from pytest_amplify._core.clock import WaitClock
from pytest_amplify._core.policies import WaitPolicy
from pytest_amplify._core.target import Target
from pytest_amplify._core.vocabulary import DEFAULT_MAX_POLL_INTERVAL
from pytest_amplify._http.transport import POOL_CONNECTIONS
from pytest_amplify._jobs.wait_all import SideBySide, Step, run_waits
from pytest_amplify._jobs.waiting import JobWait
from pytest_amplify.testing import FakeAmplify, SimulatedClock

from .local import APP_ID, REGION, api_for, simulated_wait

JOBS = 20
SHORTEST_MINUTES = 2.0
LONGEST_MINUTES = 30.0
WAIT_STARTS_AFTER = 30.0
# The poll that sees the slowest job end comes at most one capped interval after
# it: jitter only shortens a sleep.
MAX_OVERSHOOT = DEFAULT_MAX_POLL_INTERVAL
# Issue 5.3's bound on a wait without history: the fixed 30 s poll's calls + 3.
FIXED_INTERVAL = 30.0
EXTRA_CALLS = 3.0


def durations(jobs: int, shortest: float, longest: float) -> list[float]:
    """Evenly spread job lengths, in seconds."""
    step = (longest - shortest) / max(1, jobs - 1)
    return [60 * (shortest + index * step) for index in range(jobs)]


COMMIT = "f" * 40


@dataclasses.dataclass(frozen=True)
class Waited:
    """How one way of waiting for the release's jobs went."""

    elapsed: float  # simulated seconds from the first wait's start to the last job seen
    calls: list[int]  # each wait's calls, job by job

    @property
    def max_calls(self) -> int:
        return max(self.calls)

    @property
    def mean_calls(self) -> float:
        return statistics.fmean(self.calls)


@dataclasses.dataclass(frozen=True)
class ManyJobsResult:
    together: Waited  # run_waits, as wait_all does
    one_by_one: Waited  # a loop of single waits, for comparison
    remaining: list[float]  # each job's time left when the waits started
    allowed_calls: list[float]  # the fixed 30 s poll's calls + the allowance, job by job

    @property
    def slowest(self) -> float:
        return max(self.remaining)

    @property
    def sum_of_remaining(self) -> float:
        return sum(self.remaining)

    @property
    def calls_within_bound(self) -> bool:
        pairs = zip(self.together.calls, self.allowed_calls, strict=True)
        return all(calls <= allowed for calls, allowed in pairs)

    @property
    def met(self) -> bool:
        return self.together.elapsed <= self.slowest + MAX_OVERSHOOT and self.calls_within_bound


def _release(fake: FakeAmplify, lengths: list[float]) -> list[str]:
    """One push: a job starts now on each branch and runs ``lengths[i]`` seconds."""
    branches = [f"release-{index:02d}" for index in range(len(lengths))]
    for branch, length in zip(branches, lengths, strict=True):
        job = fake.add_job(APP_ID, branch, commit_id=COMMIT, status="RUNNING")
        job.then("SUCCEED", after_seconds=length)
    return branches


def wait_for_release(lengths: list[float], seed: int, together: bool) -> Waited:
    clock = SimulatedClock()
    with FakeAmplify(clock=clock) as fake:
        branches = _release(fake, lengths)
        clock.advance(WAIT_STARTS_AFTER)
        started = clock()

        def wait_for(branch: str) -> JobWait:
            return simulated_wait(
                fake,
                clock,
                branch,
                commit_id=COMMIT,
                timeout=2 * max(lengths),
                rng=random.Random(f"{seed}/{branch}"),
            )

        if together:
            waits = [wait_for(branch) for branch in branches]
            outcomes: list[object] = list(run_waits(waits))
        else:
            # Each wait is built when its turn comes, as a loop over wait() would.
            waits, outcomes = [], []
            for branch in branches:
                waits.append(wait_for(branch))
                outcomes.append(waits[-1].run())
        elapsed = clock() - started
    if len(outcomes) != len(lengths) or not all(getattr(o, "succeeded", False) for o in outcomes):
        raise AssertionError(f"the waits did not all end on a succeeded job: {outcomes!r}")
    return Waited(elapsed, [wait.calls for wait in waits])


def measure(
    jobs: int = JOBS,
    shortest_minutes: float = SHORTEST_MINUTES,
    longest_minutes: float = LONGEST_MINUTES,
    seed: int = 5,
) -> ManyJobsResult:
    lengths = durations(jobs, shortest_minutes, longest_minutes)
    return ManyJobsResult(
        together=wait_for_release(lengths, seed, together=True),
        one_by_one=wait_for_release(lengths, seed, together=False),
        remaining=[length - WAIT_STARTS_AFTER for length in lengths],
        allowed_calls=[calls_bound(length) for length in lengths],
    )


def calls_bound(length: float) -> float:
    """The bound of one job's calls: the fixed 30 s poll's for the same job, plus the
    extra calls issue 5.3 allows the schedule without history."""
    # One ListJobs finds the job, one GetJob at once, then one every 30 s.
    remaining = length - WAIT_STARTS_AFTER
    return 2 + max(0, math.ceil(remaining / FIXED_INTERVAL)) + EXTRA_CALLS


# -- issue 24: side by side, against a slow API ----------------------------------------

LATENCY_TARGETS = 200
LATENCY = 0.150  # seconds a call takes
# Issue 24's bound on the worst lag: the cap plus one call's timeout.
WORST_LAG_BOUND = DEFAULT_MAX_POLL_INTERVAL + WaitPolicy(0, 0, 0).call_timeout


class SimulatedLatency:
    """``run_waits``' polls on the simulated clock, each call taking ``latency``
    seconds of it, at most ``capacity`` polls at a time: a poll runs when it is
    submitted (the service answers what it holds then) and is done, for
    ``run_waits``, ``latency`` x its calls later. ``capacity=1`` is one blocking
    thread, as ``run_waits`` polled before issue 24."""

    def __init__(
        self, capacity: int, latency: float, clock: SimulatedClock, waits: list[JobWait]
    ) -> None:
        self.capacity = capacity
        self._latency = latency
        self._clock = clock
        self._waits = waits
        self._running: list[tuple[float, int, int, Step]] = []
        self._submitted = 0

    @property
    def busy(self) -> int:
        return len(self._running)

    def submit(self, index: int, poll: Callable[[], Step]) -> None:
        before = self._waits[index].calls
        step = poll()
        took = self._latency * (self._waits[index].calls - before)
        self._submitted += 1
        heapq.heappush(self._running, (self._clock() + took, self._submitted, index, step))

    def next_done(self, clock: WaitClock, until: float | None) -> tuple[int, Step] | None:
        ends, _, index, step = self._running[0]
        if until is not None and until < ends:
            clock.sleep(max(0.0, until - clock.monotonic()))
            return None
        clock.sleep(max(0.0, ends - clock.monotonic()))
        heapq.heappop(self._running)
        return index, step

    def close(self, interrupted: bool) -> None:
        self._running.clear()


@dataclasses.dataclass(frozen=True)
class LatencyResult:
    """``run_waits`` over jobs of a slow API: each job's lag (from its end to the
    moment ``run_waits`` hands it over) and calls."""

    capacity: int
    lags: list[float]
    calls: list[int]
    elapsed: float

    @property
    def worst_lag(self) -> float:
        return max(self.lags)

    @property
    def mean_lag(self) -> float:
        return statistics.fmean(self.lags)


def wait_with_latency(
    capacity: int = POOL_CONNECTIONS,
    *,
    targets: int = LATENCY_TARGETS,
    latency: float = LATENCY,
    seed: int = 5,
) -> LatencyResult:
    """A release of ``targets`` jobs of 2-30 minutes, waited for 30 s after they
    started through ``run_waits``, every call taking ``latency`` s of the simulated
    clock, ``capacity`` polls at a time (the plugin's real waits, against the local
    service through its in-process client)."""
    clock = SimulatedClock()
    fake = FakeAmplify(clock=clock)
    lengths = durations(targets, SHORTEST_MINUTES, LONGEST_MINUTES)
    branches = [f"slow-{index:03d}" for index in range(targets)]
    ends = {}
    for branch, length in zip(branches, lengths, strict=True):
        job = fake.add_job(APP_ID, branch, commit_id=COMMIT, status="RUNNING", steps=[])
        job.then("SUCCEED", after_seconds=length)
        ends[branch] = clock() + length
    clock.advance(WAIT_STARTS_AFTER)
    started = clock()
    waits = [
        simulated_wait(
            fake,
            clock,
            branch,
            commit_id=COMMIT,
            timeout=2 * max(lengths),
            rng=random.Random(f"{seed}/{branch}"),
            in_process=True,
        )
        for branch in branches
    ]
    lags = [0.0] * targets

    def seen(index: int, outcome: object) -> None:
        if not getattr(outcome, "succeeded", False):
            raise AssertionError(f"{branches[index]}: {outcome!r}")
        lags[index] = clock() - ends[branches[index]]

    run_waits(
        waits,
        WaitClock(clock, clock, clock.sleep),
        on_done=seen,
        polls=SimulatedLatency(capacity, latency, clock, waits),
    )
    return LatencyResult(capacity, lags, [wait.calls for wait in waits], clock() - started)


REAL_TARGETS = 40
REAL_FIRST, REAL_CAP = 0.2, 1.0
REAL_CALL_TIMEOUT = 2.0


def wait_on_the_real_clock(
    capacity: int = POOL_CONNECTIONS, *, targets: int = REAL_TARGETS
) -> LatencyResult:
    """The same on the real clock, scaled down: ``targets`` jobs of 3 to 6 s, every
    GetJob and ListJobs answered 150 ms late by the local service over HTTP, polled
    every 0.2 s to 1 s, ``capacity`` polls at a time (a real pool of threads)."""
    with FakeAmplify() as fake:
        lengths = [3.0 + 3.0 * index / max(1, targets - 1) for index in range(targets)]
        branches = [f"real-{index:03d}" for index in range(targets)]
        started = time.monotonic()
        ends = {}
        for branch, length in zip(branches, lengths, strict=True):
            job = fake.add_job(APP_ID, branch, commit_id=COMMIT, status="RUNNING", steps=[])
            job.then("SUCCEED", after_seconds=length)
            ends[branch] = started + length
        for operation in ("GetJob", "ListJobs"):
            fake.delay_next(operation, LATENCY, times=1_000_000)
        waits = [real_clock_wait(fake, branch) for branch in branches]
        lags = [0.0] * targets

        def seen(index: int, outcome: object) -> None:
            if not getattr(outcome, "succeeded", False):
                raise AssertionError(f"{branches[index]}: {outcome!r}")
            lags[index] = time.monotonic() - ends[branches[index]]

        run_waits(waits, on_done=seen, polls=SideBySide(capacity))
        fake.clear_faults()
        return LatencyResult(
            capacity, lags, [wait.calls for wait in waits], time.monotonic() - started
        )


def real_clock_wait(fake: FakeAmplify, branch: str) -> JobWait:
    target = Target(APP_ID, branch, commit_id=COMMIT, endpoint_url=fake.endpoint_url, region=REGION)
    policy = WaitPolicy(60.0, REAL_FIRST, REAL_CAP, call_timeout=REAL_CALL_TIMEOUT)
    return JobWait(target, api_for(fake), policy)
