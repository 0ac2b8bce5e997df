"""The grid of the schedule benchmark (issue 12): cells of builds, and the jobs
drawn for them from distributions that do not come from the schedule's constants.

The grid crosses:

- build lengths of 30 s, 2, 5, 15, 30 and 60 minutes (the cell's nominal length N);
- the branch's history (5 to 20 earlier jobs): none; tight (a uniform +-5% of N);
  spreads between tight and realistic (normal, sd 5%, 10% or 15% of N); realistic
  (normal, sd 20% of N); bimodal (half of the jobs cache hits at 30-40%
  of a miss, the misses realistic); realistic with one 3x outlier; only FAILED jobs
  (early failures); or from another kind of build (realistic around N times 1/5 to
  1/2 or 2 to 5, log-uniform);
- the outcome: on time (the length drawn from the build's own distribution: the
  history's when the history is of this build, else realistic), late (an on-time
  draw made 5, 10, 20, 30, 50, 100 or 150% longer: 1.05 to 2.5 times), an early
  failure (FAILED at 5-30% of N) or a cache hit (30-40% of N);
- queue time: none, or 0-10 minutes PENDING before RUNNING, counted in the history's
  durations (each earlier job queued too) or not (only this job queued). Queues are
  crossed with on-time builds only.

Every wait starts at a uniform 0-60 s after the job started and targets its commit.
"""

from __future__ import annotations

import dataclasses
import math
import random

from pytest_amplify._core.model import JobStatus
from pytest_amplify._jobs.poll_simulation import SimulatedJob

LENGTHS_MINUTES = (0.5, 2, 5, 15, 30, 60)
NONE, TIGHT, REALISTIC, BIMODAL, OUTLIER, ONLY_FAILED, OTHER_KIND = (
    "none",
    "tight",
    "realistic",
    "bimodal",
    "outlier",
    "only FAILED",
    "other kind",
)
# Normal histories narrower than the realistic one: their sd, as a share of N.
SPREADS = {"sd 5%": 0.05, "sd 10%": 0.10, "sd 15%": 0.15}
HISTORIES = (NONE, TIGHT, *SPREADS, REALISTIC, BIMODAL, OUTLIER, ONLY_FAILED, OTHER_KIND)
ON_TIME, EARLY_FAILURE, CACHE_HIT = "on time", "early failure", "cache hit"
# How much longer than an on-time draw a late job runs.
LATENESS = {f"{percent}% late": percent / 100 for percent in (5, 10, 20, 30, 50, 100, 150)}
OUTCOMES = (ON_TIME, *LATENESS, EARLY_FAILURE, CACHE_HIT)
NO_QUEUE, QUEUE_IN_HISTORY, QUEUE_NOT_IN_HISTORY = "", "queue in history", "queue not in history"

HISTORY_JOBS = (5, 20)
WAIT_START_MAX = 60.0
TIGHT_SPREAD = 0.05
REALISTIC_SD = 0.20
HIT_SHARE = (0.30, 0.40)
OUTLIER_FACTOR = 3.0
EARLY_FAILURE_SHARE = (0.05, 0.30)
OTHER_KIND_FACTOR = (2.0, 5.0)
QUEUE_MAX = 600.0
SEEDS = (1, 2, 3)

# The issues' goals (for builds of 5 minutes or more, but the first two).
GOAL_MINUTES = 5
E_TIGHT_ON_TIME = 0.6
E_REALISTIC_ON_TIME = 0.95
# Issue 24: a late job costs no more than a fixed poll at the cap, in calls x lag and
# in calls, whatever the lateness and the history.
E_LATE = 1.10
LATE_CALLS_FACTOR = 1.2
E_OTHER = 1.15
MISPREDICT_CALLS_FACTOR = 1.3
MISPREDICT_CALLS_EXTRA = 2.0


@dataclasses.dataclass(frozen=True)
class Cell:
    minutes: float
    history: str
    outcome: str
    queue: str = NO_QUEUE

    @property
    def nominal(self) -> float:
        return self.minutes * 60.0

    @property
    def length_name(self) -> str:
        return "30 s" if self.minutes < 1 else f"{self.minutes:g} min"

    @property
    def name(self) -> str:
        queue = f", {self.queue}" if self.queue else ""
        return f"{self.length_name}, {self.history} history, {self.outcome}{queue}"

    @property
    def key(self) -> str:
        return f"{self.minutes:g}/{self.history}/{self.outcome}/{self.queue or 'no queue'}"

    @property
    def mispredicts(self) -> bool:
        """The history says something else than what happens."""
        return (
            self.outcome != ON_TIME
            or self.history in (OUTLIER, OTHER_KIND, ONLY_FAILED)
            or self.queue == QUEUE_NOT_IN_HISTORY
        )

    @property
    def late(self) -> bool:
        return self.outcome in LATENESS

    @property
    def e_bound(self) -> float | None:
        if self.minutes < GOAL_MINUTES:
            return None
        if self.outcome == ON_TIME and not self.queue:
            if self.history == TIGHT:
                return E_TIGHT_ON_TIME
            if self.history == REALISTIC or self.history in SPREADS:
                return E_REALISTIC_ON_TIME
        if self.late:
            return E_LATE
        return E_OTHER


def _queues(history: str) -> tuple[str, ...]:
    # Without a usable history, where the queue is counted changes nothing.
    if history in (NONE, ONLY_FAILED):
        return (QUEUE_NOT_IN_HISTORY,)
    return (QUEUE_IN_HISTORY, QUEUE_NOT_IN_HISTORY)


def grid() -> list[Cell]:
    cells: list[Cell] = []
    for minutes in LENGTHS_MINUTES:
        for history in HISTORIES:
            cells.extend(Cell(minutes, history, outcome) for outcome in OUTCOMES)
            cells.extend(Cell(minutes, history, ON_TIME, queue) for queue in _queues(history))
    return cells


# -- draws -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Draw:
    """One simulated job, as its wait sees it."""

    wait_offset: float  # seconds from the job's start to the wait's start
    job: SimulatedJob  # the job's timeline in seconds from its start
    history: tuple[tuple[str, float], ...]  # (status, duration), oldest first
    jitter_seed: str

    @property
    def remaining(self) -> float:
        """Seconds from the wait's start to the job's end (<= 0: already over)."""
        return self.job.ends_at - self.wait_offset

    @property
    def successful_durations(self) -> list[float]:
        """What the plugin reads from ListJobs: SUCCEED durations, newest first."""
        return [d for status, d in reversed(self.history) if status == JobStatus.SUCCEED]


def _realistic(rng: random.Random, nominal: float) -> float:
    return max(0.05 * nominal, rng.gauss(nominal, REALISTIC_SD * nominal))


def _bimodal(rng: random.Random, nominal: float) -> float:
    miss = _realistic(rng, nominal)
    return miss * rng.uniform(*HIT_SHARE) if rng.random() < 0.5 else miss


def _own_length(cell: Cell, rng: random.Random) -> float:
    """An on-time length: from the history's distribution when it is this build's."""
    if cell.history == TIGHT:
        return cell.nominal * rng.uniform(1 - TIGHT_SPREAD, 1 + TIGHT_SPREAD)
    if cell.history in SPREADS:
        return max(
            0.05 * cell.nominal, rng.gauss(cell.nominal, SPREADS[cell.history] * cell.nominal)
        )
    if cell.history == BIMODAL:
        return _bimodal(rng, cell.nominal)
    return _realistic(rng, cell.nominal)


def _history(cell: Cell, rng: random.Random) -> list[tuple[str, float]]:
    count = rng.randint(*HISTORY_JOBS)
    nominal = cell.nominal
    if cell.history == NONE:
        return []
    if cell.history == ONLY_FAILED:
        return [
            (JobStatus.FAILED, nominal * rng.uniform(*EARLY_FAILURE_SHARE)) for _ in range(count)
        ]
    if cell.history == OTHER_KIND:
        low, high = OTHER_KIND_FACTOR
        factor = math.exp(rng.uniform(math.log(low), math.log(high)))
        other = nominal * (factor if rng.random() < 0.5 else 1 / factor)
        return [(JobStatus.SUCCEED, _realistic(rng, other)) for _ in range(count)]
    durations = [_own_length(cell, rng) for _ in range(count)]
    if cell.history == OUTLIER:
        durations[rng.randrange(count)] = OUTLIER_FACTOR * nominal
    return [(JobStatus.SUCCEED, d) for d in durations]


def draw_job(cell: Cell, rng: random.Random, jitter_seed: str) -> Draw:
    history = _history(cell, rng)
    if cell.outcome == ON_TIME:
        length, status = _own_length(cell, rng), JobStatus.SUCCEED
    elif cell.late:
        length = (1 + LATENESS[cell.outcome]) * _own_length(cell, rng)
        status = JobStatus.SUCCEED
    elif cell.outcome == EARLY_FAILURE:
        length, status = cell.nominal * rng.uniform(*EARLY_FAILURE_SHARE), JobStatus.FAILED
    else:
        length, status = cell.nominal * rng.uniform(*HIT_SHARE), JobStatus.SUCCEED
    queued = rng.uniform(0, QUEUE_MAX) if cell.queue else 0.0
    if cell.queue == QUEUE_IN_HISTORY:
        history = [(s, d + rng.uniform(0, QUEUE_MAX)) for s, d in history]
    return Draw(
        wait_offset=rng.uniform(0, WAIT_START_MAX),
        job=SimulatedJob(ends_at=queued + length, runs_at=queued, final_status=status),
        history=tuple(history),
        jitter_seed=jitter_seed,
    )


def draw_jobs(cell: Cell, count: int, seed: int) -> list[Draw]:
    rng = random.Random(f"{seed}/{cell.key}")
    return [draw_job(cell, rng, f"{seed}/{cell.key}/{index}") for index in range(count)]


def timeout_for(draw: Draw) -> float:
    """Long enough for any drawn job, as a user would set it."""
    return max(1800.0, 2 * draw.job.ends_at)
