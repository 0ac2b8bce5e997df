"""Issue 5.3, fewer calls and sooner detection: the default schedule against the
fixed-interval polls users run today, on simulated build timelines.

The scenario is fixed, so that it cannot be tuned away:

- the wait starts at a uniform 0-60 s after the job starts;
- the job ends at a uniform +-10% of its nominal duration;
- with history, the branch's 10 earlier jobs took a uniform +-5% of that nominal;
- every wait targets a commit id (what the README recommends in CI).

The anchors are simulated by arithmetic: one ListJobs finds the job, then GetJob
every ``interval`` seconds from the wait's start. The default schedule runs through
the plugin's own wait (:class:`JobWait`) against the local Amplify service over
HTTP, on a simulated clock shared by both.

"Lag" is the detection time (the poll that first sees the terminal status) minus
the job's end; "calls" count every API call of the wait, ListJobs included.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import hashlib
import math
import random
import statistics
from collections.abc import Callable, Sequence

from pytest_amplify._settings import DEFAULT_TIMEOUT
from pytest_amplify.testing import FakeAmplify, SimulatedClock

from .local import APP_ID, simulated_wait

NOMINAL_MINUTES = (1, 5, 15, 30)
HISTORY_JOBS = 10
WAIT_START_MAX = 60.0
END_SPREAD = 0.10
HISTORY_SPREAD = 0.05

DEFAULT = "default schedule"
FIXED_1S = "fixed 1 s"
FIXED_10S = "fixed 10 s"
FIXED_30S = "fixed 30 s"
ANCHOR_INTERVALS = {FIXED_1S: 1.0, FIXED_10S: 10.0, FIXED_30S: 30.0}
STRATEGIES = (DEFAULT, FIXED_1S, FIXED_10S, FIXED_30S)

# The goals hold for these builds; the 1-minute one is reported without a goal.
GOAL_MINUTES = (5, 15, 30)
# Calls are compared with the popular 30 s poll; the lag with the 10 s poll when
# the branch has a history, else with the 30 s poll.
CALLS_ANCHOR = FIXED_30S
NO_HISTORY_EXTRA_CALLS = 3.0
NO_HISTORY_EXTRA_MEDIAN_LAG = 2.0


@dataclasses.dataclass(frozen=True)
class Cell:
    """One build length, with or without a history of earlier jobs."""

    minutes: int
    history: bool

    @property
    def nominal(self) -> float:
        return self.minutes * 60.0

    @property
    def name(self) -> str:
        return f"{self.minutes} min, {'history' if self.history else 'no history'}"

    @property
    def key(self) -> str:
        """Short, and usable in a branch name."""
        return f"{self.minutes}m-{'h' if self.history else 'n'}"

    @property
    def has_goal(self) -> bool:
        return self.minutes in GOAL_MINUTES


def lag_anchor(cell: Cell) -> str:
    return FIXED_10S if cell.history else FIXED_30S


ALL_CELLS = tuple(Cell(m, h) for m in NOMINAL_MINUTES for h in (True, False))


@dataclasses.dataclass(frozen=True)
class Draw:
    """One simulated job, as seen from its wait."""

    wait_offset: float  # seconds from the job's start to the wait's start
    duration: float  # how long the job actually runs
    history: tuple[float, ...]  # earlier jobs' durations, oldest first (may be empty)

    @property
    def remaining(self) -> float:
        """Seconds from the wait's start to the job's end (negative: already over)."""
        return self.duration - self.wait_offset


def draw_jobs(cell: Cell, count: int, seed: int) -> list[Draw]:
    rng = random.Random(f"{seed}/{cell.key}")
    draws = []
    for _ in range(count):
        offset = rng.uniform(0.0, WAIT_START_MAX)
        duration = cell.nominal * rng.uniform(1 - END_SPREAD, 1 + END_SPREAD)
        history = (
            tuple(
                cell.nominal * rng.uniform(1 - HISTORY_SPREAD, 1 + HISTORY_SPREAD)
                for _ in range(HISTORY_JOBS)
            )
            if cell.history
            else ()
        )
        draws.append(Draw(offset, duration, history))
    return draws


@dataclasses.dataclass(frozen=True)
class Outcome:
    calls: int
    lag: float


def fixed_interval(draw: Draw, interval: float) -> Outcome:
    """A loop of GetJob every ``interval`` seconds from the wait's start, after one
    ListJobs to find the commit's job. A poll at the job's end sees it finished."""
    polls_after_first = max(0, math.ceil(draw.remaining / interval))
    detected = polls_after_first * interval
    return Outcome(calls=1 + 1 + polls_after_first, lag=detected - draw.remaining)


def add_timeline(fake: FakeAmplify, branch: str, draw: Draw, commit_id: str) -> float:
    """Put ``draw`` on ``branch`` (a branch of its own, so histories never mix) with
    the job started ``wait_offset`` seconds before now; returns its end time."""
    job_start = fake.clock() - draw.wait_offset
    # Earlier jobs one after another, each given twice its length, all over by then.
    slot = 2 * max(draw.history, default=0.0)
    for index, duration in enumerate(draw.history):
        started = job_start - (len(draw.history) - index) * slot
        fake.add_job(APP_ID, branch, status="SUCCEED", started_at=started, duration=duration)
    job = fake.add_job(APP_ID, branch, commit_id=commit_id, status="RUNNING", started_at=job_start)
    # The fake ends the job at exactly started_at + duration on its clock.
    job.then("SUCCEED", after_seconds=draw.duration)
    return job_start + draw.duration


def plugin_wait(
    fake: FakeAmplify, clock: SimulatedClock, branch: str, draw: Draw, seed: str
) -> Outcome:
    """The plugin's wait, default settings, for one drawn job."""
    commit_id = hashlib.sha1(branch.encode()).hexdigest()
    ends_at = add_timeline(fake, branch, draw, commit_id)
    # Builds longer than the default timeout need a longer one, as users would set.
    timeout = max(DEFAULT_TIMEOUT, 2 * draw.duration)
    fake.reset_requests()
    wait = simulated_wait(
        fake, clock, branch, commit_id=commit_id, timeout=timeout, rng=random.Random(seed)
    )
    job = wait.run()
    if not job.succeeded or job.commit_id != commit_id:
        raise AssertionError(f"{branch}: the wait ended on {job!r}, not the drawn job")
    served = fake.calls()
    if served != wait.calls:
        raise AssertionError(f"{branch}: the wait counted {wait.calls} calls, the service {served}")
    return Outcome(calls=served, lag=clock() - ends_at)


@dataclasses.dataclass(frozen=True)
class Figures:
    """One strategy over one cell's jobs."""

    mean_calls: float
    median_lag: float
    worst_lag: float
    jobs: int

    @classmethod
    def of(cls, outcomes: Sequence[Outcome]) -> Figures:
        lags = [o.lag for o in outcomes]
        return cls(
            mean_calls=statistics.fmean(o.calls for o in outcomes),
            median_lag=statistics.median(lags),
            worst_lag=max(lags),
            jobs=len(outcomes),
        )


@dataclasses.dataclass(frozen=True)
class CellResult:
    cell: Cell
    figures: dict[str, Figures]  # by strategy

    @property
    def default(self) -> Figures:
        return self.figures[DEFAULT]

    def goals(self) -> list[Goal]:
        """The issue's goals for this cell (none for the 1-minute build)."""
        if not self.cell.has_goal:
            return []
        lag_name = lag_anchor(self.cell)
        extra_calls, extra_lag = (
            (0.0, 0.0)
            if self.cell.history
            else (NO_HISTORY_EXTRA_CALLS, NO_HISTORY_EXTRA_MEDIAN_LAG)
        )
        return [
            Goal(
                "calls per wait",
                self.default.mean_calls,
                CALLS_ANCHOR,
                self.figures[CALLS_ANCHOR].mean_calls,
                extra_calls,
            ),
            Goal(
                "median lag",
                self.default.median_lag,
                lag_name,
                self.figures[lag_name].median_lag,
                extra_lag,
                unit="s",
            ),
        ]


@dataclasses.dataclass(frozen=True)
class Goal:
    """``value`` must be at most ``reference + allowance``."""

    measure: str
    value: float
    reference_name: str
    reference: float
    allowance: float
    unit: str = ""

    @property
    def met(self) -> bool:
        return self.value <= self.reference + self.allowance

    @property
    def text(self) -> str:
        if self.allowance:
            return f"<= {self.reference_name} + {self.allowance:g} {self.unit}".rstrip()
        return f"<= {self.reference_name}"


def run_cell(cell: Cell, jobs: int, seed: int) -> CellResult:
    """One cell on its own local service and simulated clock, each job on its own
    branch so that histories never mix."""
    draws = draw_jobs(cell, jobs, seed)
    outcomes: dict[str, list[Outcome]] = {name: [] for name in STRATEGIES}
    clock = SimulatedClock()
    with FakeAmplify(clock=clock) as fake:
        for index, draw in enumerate(draws):
            branch = f"{cell.key}-{index}"
            outcomes[DEFAULT].append(plugin_wait(fake, clock, branch, draw, f"{seed}/{branch}"))
    for name, interval in ANCHOR_INTERVALS.items():
        outcomes[name] = [fixed_interval(draw, interval) for draw in draws]
    return CellResult(cell, {name: Figures.of(found) for name, found in outcomes.items()})


def _cost(cell: Cell) -> float:
    """Roughly how long a cell takes: its calls grow with the build's length."""
    return cell.nominal


def run(
    cells: Sequence[Cell] = ALL_CELLS,
    jobs: int = 200,
    seed: int = 5,
    processes: int = 1,
    on_cell: Callable[[CellResult], None] | None = None,
) -> list[CellResult]:
    """Every cell, in ``processes`` processes (the figures do not depend on it:
    time is simulated), returned in the order of ``cells``."""
    if processes <= 1:
        done = []
        for cell in cells:
            done.append(run_cell(cell, jobs, seed))
            if on_cell is not None:
                on_cell(done[-1])
        return done
    by_cell: dict[Cell, CellResult] = {}
    # The longest cells first, so that the processes finish together.
    with concurrent.futures.ProcessPoolExecutor(processes) as pool:
        futures = [
            pool.submit(run_cell, cell, jobs, seed)
            for cell in sorted(cells, key=_cost, reverse=True)
        ]
        for future in concurrent.futures.as_completed(futures):
            result = future.result()
            by_cell[result.cell] = result
            if on_cell is not None:
                on_cell(result)
    return [by_cell[cell] for cell in cells]


def detail_lines(results: Sequence[CellResult]) -> list[str]:
    """Every strategy's figures, cell by cell."""
    header = (
        f"{'build':<22} {'strategy':<18} {'calls/wait':>10} {'median lag':>11} {'worst lag':>10}"
    )
    lines = [header, "-" * len(header)]
    for result in results:
        for name in STRATEGIES:
            figures = result.figures[name]
            lines.append(
                f"{result.cell.name:<22} {name:<18} {figures.mean_calls:>10.1f} "
                f"{figures.median_lag:>10.1f}s {figures.worst_lag:>9.1f}s"
            )
    return lines
