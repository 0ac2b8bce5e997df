"""The poll schedule's rules, counted on a simulated clock.

Rules that hold whatever the history says: no sleep is longer than the cap (jitter
only shortens), so no job is seen later than the cap plus one call after it ends;
a wait makes no more calls than a fixed 10 s poll; a history that mispredicts
costs at most 1.3 x the fixed 30 s poll's calls + 2, and a late job (issue 24) at
most MAX_CALLS_RATIO x its calls and MAX_EFFICIENCY x its calls x mean lag. The
cells below are built here (``benchmarks/schedule.py`` measures the full grid);
the waits are replayed in-process by ``simulate_wait``, which the last tests
check against the real wait over HTTP (``test_wait_model.py``: on every family of
the grid, through the local service's in-process client).
"""

from __future__ import annotations

import dataclasses
import random
import statistics
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_amplify.testing import FakeAmplify, SimulatedClock

from .seam import (
    DEFAULT_MAX_POLL_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    JITTER,
    MAX_CALLS_RATIO,
    MAX_EFFICIENCY,
    NOT_STARTED,
    PollSchedule,
    SimulatedJob,
    WaitPolicy,
    make_wait,
    simulate_wait,
)

FIRST, CAP = DEFAULT_POLL_INTERVAL, DEFAULT_MAX_POLL_INTERVAL
CALL_TIMEOUT = WaitPolicy(0, FIRST, CAP).call_timeout
JOBS = 300

# -- cells built here ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Cell:
    name: str
    nominal: float
    history: Callable[[random.Random, float], list[float]]
    length: Callable[[random.Random, float], float]
    queue: float = 0.0
    mispredicts: bool = False
    late: bool = False


def no_history(rng: random.Random, nominal: float) -> list[float]:
    return []


def realistic(rng: random.Random, nominal: float) -> float:
    return max(0.05 * nominal, rng.gauss(nominal, 0.2 * nominal))


def tight(rng: random.Random, nominal: float) -> float:
    return nominal * rng.uniform(0.95, 1.05)


def bimodal(rng: random.Random, nominal: float) -> float:
    miss = realistic(rng, nominal)
    return miss * rng.uniform(0.3, 0.4) if rng.random() < 0.5 else miss


def history_of(draw: Callable[[random.Random, float], float]) -> Callable[..., list[float]]:
    def history(rng: random.Random, nominal: float) -> list[float]:
        return [draw(rng, nominal) for _ in range(rng.randint(5, 20))]

    return history


def with_outlier(rng: random.Random, nominal: float) -> list[float]:
    durations = history_of(realistic)(rng, nominal)
    durations[rng.randrange(len(durations))] = 3 * nominal
    return durations


CELLS = [
    Cell("15 min, realistic history, on time", 900, history_of(realistic), realistic),
    Cell(
        "15 min, tight history, 50% late",
        900,
        history_of(tight),
        lambda rng, n: 1.5 * tight(rng, n),
        mispredicts=True,
        late=True,
    ),
    Cell(
        "30 min, tight history, 20% late",
        1800,
        history_of(tight),
        lambda rng, n: 1.2 * tight(rng, n),
        mispredicts=True,
        late=True,
    ),
    Cell(
        "15 min, history sd 10%, 30% late",
        900,
        history_of(lambda rng, n: rng.gauss(n, 0.1 * n)),
        lambda rng, n: 1.3 * rng.gauss(n, 0.1 * n),
        mispredicts=True,
        late=True,
    ),
    Cell(
        "5 min, bimodal history, early failure",
        300,
        history_of(bimodal),
        lambda rng, n: n * rng.uniform(0.05, 0.3),
        mispredicts=True,
    ),
    Cell(
        "15 min, tight history, queued up to 10 min (not in the history)",
        900,
        history_of(tight),
        tight,
        queue=600,
        mispredicts=True,
    ),
    Cell("5 min, no history, on time", 300, no_history, realistic),
    Cell("2 min, one 3x outlier in the history, on time", 120, with_outlier, realistic),
]


def fixed_poll(remaining: float, interval: float) -> float:
    """Mean calls of a fixed poll at a uniform phase: the lookup, then GetJob."""
    return 2 + remaining / interval if remaining > 0 else 1.0


@dataclasses.dataclass(frozen=True)
class Counted:
    calls: float
    worst_lag: float
    longest_sleep: float
    fixed10: float
    fixed30: float
    mean_lag: float
    fixed30_lag: float

    @property
    def efficiency(self) -> float:
        """Calls x mean lag against the fixed 30 s poll's."""
        return self.calls * self.mean_lag / (self.fixed30 * self.fixed30_lag)


def count(cell: Cell, seed: int = 7) -> Counted:
    rng = random.Random(f"{seed}/{cell.name}")
    calls, lags, sleeps, fixed10, fixed30 = [], [], [], [], []
    for index in range(JOBS):
        history = cell.history(rng, cell.nominal)
        queued = rng.uniform(0, cell.queue) if cell.queue else 0.0
        job = SimulatedJob(ends_at=queued + cell.length(rng, cell.nominal), runs_at=queued)
        offset = rng.uniform(0, 60)
        waited = simulate_wait(
            job,
            history,
            wait_starts_at=offset,
            first=FIRST,
            cap=CAP,
            rng=random.Random(index),
        )
        calls.append(waited.calls)
        lags.append(waited.lag)
        sleeps.append(waited.longest_sleep)
        fixed10.append(fixed_poll(job.ends_at - offset, 10))
        fixed30.append(fixed_poll(job.ends_at - offset, 30))
    running = sum(1 for f in fixed30 if f > 1) / JOBS
    return Counted(
        statistics.fmean(calls),
        max(lags),
        max(sleeps),
        statistics.fmean(fixed10),
        statistics.fmean(fixed30),
        mean_lag=statistics.fmean(lags),
        fixed30_lag=running * 30 / 2,
    )


@pytest.mark.parametrize("cell", CELLS, ids=[cell.name for cell in CELLS])
def test_the_rules_hold_on_a_cell(cell: Cell) -> None:
    counted = count(cell)
    assert counted.longest_sleep <= CAP
    assert counted.worst_lag <= CAP + CALL_TIMEOUT
    assert counted.calls <= counted.fixed10, counted
    if cell.mispredicts:
        assert counted.calls <= 1.3 * counted.fixed30 + 2, counted
    if cell.late:
        assert counted.calls <= MAX_CALLS_RATIO * counted.fixed30, counted
        assert counted.efficiency <= MAX_EFFICIENCY, counted


# -- the schedule, rule by rule ------------------------------------------------------------


@settings(max_examples=200, deadline=None, database=None)
@given(
    durations=st.lists(st.floats(0, 7200), max_size=20),
    wait_starts_at=st.floats(0, 3600),
    steps=st.lists(
        st.tuples(st.floats(0, 200), st.booleans(), st.sampled_from([None, "RUNNING", "PENDING"])),
        min_size=1,
        max_size=40,
    ),
    seed=st.integers(0, 2**16),
)
def test_no_sleep_is_longer_than_the_cap_whatever_the_history(
    durations: list[float],
    wait_starts_at: float,
    steps: list[tuple[float, bool, str | None]],
    seed: int,
) -> None:
    job_start = 1_767_225_600.0
    now = job_start + wait_starts_at
    schedule = PollSchedule(FIRST, CAP, random.Random(seed))
    schedule.use_history(durations, job_start, now)
    for elapsed, throttled, status in steps:
        now += elapsed
        delay = schedule.next_delay(now, throttled, status=status)
        assert (1 - JITTER) * FIRST <= delay <= CAP


def test_jitter_only_shortens_a_capped_sleep() -> None:
    schedule = PollSchedule(FIRST, CAP, random.Random(1))
    schedule.use_history([], job_start=0.0, now=600.0)
    delays = [schedule.next_delay(600.0 + 30 * i) for i in range(200)]
    assert all((1 - JITTER) * CAP <= d <= CAP for d in delays)
    assert max(delays) - min(delays) > CAP * JITTER / 2, "the sleeps are jittered"


def test_without_history_the_interval_follows_the_jobs_age() -> None:
    schedule = PollSchedule(FIRST, CAP, random.Random(2))
    schedule.use_history([], job_start=0.0, now=0.0)
    for age, nominal in ((1.0, FIRST), (12.0, 12.0), (20.0, 20.0), (45.0, CAP), (900.0, CAP)):
        assert (1 - JITTER) * nominal <= schedule.next_delay(age) <= nominal


def test_throttling_backs_off_to_the_cap() -> None:
    schedule = PollSchedule(FIRST, CAP, random.Random(3))
    delays = [schedule.next_delay(float(i), throttled=True) for i in range(6)]
    nominal = [min(CAP, FIRST * 2 ** (i + 1)) for i in range(6)]
    for delay, expected in zip(delays, nominal, strict=True):
        assert (1 - JITTER) * expected <= delay <= expected
    # An answer again: the history's schedule resumes.
    assert schedule.next_delay(10.0, status="RUNNING") <= CAP


@pytest.mark.parametrize("status", sorted(NOT_STARTED))
def test_a_job_that_has_not_started_running_is_polled_at_the_cap(status: str) -> None:
    schedule = PollSchedule(FIRST, CAP, random.Random(4))
    # The history says the job ends any moment now.
    schedule.use_history([300.0] * 10, job_start=0.0, now=290.0)
    assert schedule.next_delay(295.0, status="RUNNING") < (1 - JITTER) * CAP
    assert schedule.next_delay(295.0, status=status) >= (1 - JITTER) * CAP


def test_the_history_polls_often_near_the_expected_end_and_at_the_cap_elsewhere() -> None:
    job = SimulatedJob(ends_at=605.0)
    waited = simulate_wait(
        job,
        [590.0, 600.0, 610.0, 595.0, 605.0],
        wait_starts_at=10,
        first=FIRST,
        cap=CAP,
        rng=random.Random(5),
    )
    assert all(s >= (1 - JITTER) * CAP for s in waited.sleeps[:10]), "far from the end: the cap"
    assert min(waited.sleeps) < CAP / 2, "near the end: shorter intervals"
    assert waited.lag < CAP / 2


@pytest.mark.parametrize("lateness", [0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 1.5])
def test_a_late_job_costs_at_most_the_calls_goal_whatever_its_lateness(lateness: float) -> None:
    """Whatever age a late job ends at, its calls stay within MAX_CALLS_RATIO times a
    fixed poll's at the cap, to a poll (the one that sees it may come a sleep later)."""
    history = [900.0 * (1 + d / 100) for d in (-4, -2, 0, 1, 3, 4, -1, 2)]
    for seed in range(20):
        offset = 30.0
        ends = 900.0 * (1 + lateness) * (0.97 + 0.003 * seed)
        late = simulate_wait(
            SimulatedJob(ends_at=ends),
            history,
            wait_starts_at=offset,
            first=FIRST,
            cap=CAP,
            rng=random.Random(seed),
        )
        assert late.calls <= MAX_CALLS_RATIO * fixed_poll(ends - offset, CAP) + 1, seed


def test_an_overrun_forecast_shortens_the_sleeps_until_the_fixed_poll_catches_up() -> None:
    """A job that overran every extra poll is seen sooner than at the cap for a while:
    calls x lag stays near a fixed poll's instead of the extra polls' cost on top."""
    history = [900.0 * (1 + d / 100) for d in (-4, -2, 0, 1, 3, 4, -1, 2)]
    waited = simulate_wait(
        SimulatedJob(ends_at=9000.0),
        history,
        wait_starts_at=30,
        first=FIRST,
        cap=CAP,
        rng=random.Random(11),
    )
    ages = [30 + sum(waited.sleeps[: i + 1]) for i in range(len(waited.sleeps))]
    after = [s for a, s in zip(ages, waited.sleeps, strict=True) if 1100 < a < 1400]
    much_later = [s for a, s in zip(ages, waited.sleeps, strict=True) if a > 8000]
    capped_mean = (1 - JITTER / 2) * CAP
    assert statistics.fmean(after) < 0.97 * capped_mean
    assert statistics.fmean(much_later) > 0.97 * capped_mean


# -- the replay against the real wait ------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "length", "queued"),
    [
        ([600.0 + 7 * i for i in range(10)], 640.0, 0.0),
        ([200.0, 700.0, 210.0, 690.0, 650.0, 230.0], 215.0, 0.0),
        ([300.0, 320.0, 310.0], 280.0, 90.0),
        ([], 400.0, 0.0),
    ],
    ids=["realistic", "bimodal", "queued", "no-history"],
)
def test_the_replay_counts_what_the_real_wait_does(
    fake: FakeAmplify,
    clock: SimulatedClock,
    history: list[float],
    length: float,
    queued: float,
) -> None:
    offset = 20.0
    job_start = clock() - offset
    for index, duration in enumerate(history):
        started = job_start - (len(history) - index) * 1000
        fake.add_job(
            app_id="d1", branch="main", status="SUCCEED", started_at=started, duration=duration
        )
    commit = "c" * 40
    job = fake.add_job(
        app_id="d1",
        branch="main",
        commit_id=commit,
        status="PENDING" if queued else "RUNNING",
        started_at=job_start,
    )
    if queued:
        job.then("RUNNING", after_seconds=queued)
    job.then("SUCCEED", after_seconds=length)
    wait = make_wait(fake, clock, commit_id=commit, timeout=3600, seed=9)
    started = clock()
    assert wait.run().succeeded
    lag = clock() - (job_start + queued + length)
    # Replayed with the start and durations the wait read (timestamps carry
    # microseconds), which match the history's.
    read = wait.schedule
    durations = list(read.forecast.centres) if read.forecast else []
    assert durations == pytest.approx(sorted(history))
    assert read.job_start == pytest.approx(job_start)
    replay = simulate_wait(
        SimulatedJob(ends_at=queued + length, runs_at=queued),
        durations,
        wait_starts_at=started - read.job_start,
        first=5.0,
        cap=30.0,
        rng=random.Random(9),
        job_start=read.job_start,
        timeout=3600,
    )
    assert fake.calls() == wait.calls == replay.calls
    assert replay.lag == pytest.approx(lag, abs=1e-4)
    assert clock.slept == pytest.approx(list(replay.sleeps), abs=1e-4)
