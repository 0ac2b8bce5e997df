"""Issues 12 and 24: the default poll schedule against fixed 10 s and 30 s polls,
cell by cell of the grid (:mod:`benchmarks.grid`).

Each draw is waited for by the model of the wait
(:func:`~pytest_amplify._jobs.poll_simulation.simulate_wait`: the plugin's own
``PollSchedule``, jitter and deadline, the calls ``JobWait`` makes), some 5 us a
poll where the real wait, even without HTTP, takes some 300 us: thousands of jobs
a cell over some 700 cells. :mod:`benchmarks.model_check` runs the first draws of
every cell through the real wait and finds the same calls, lag and sleeps, job by
job (``tests/test_wait_model.py`` does it for every family of the grid). The fixed
polls are computed over the same draws.

A fixed poll of interval T starts at a uniformly random phase: after the lookup
its first GetJob comes at a uniform (0, T]. Over that phase a job ending R > 0
seconds after the lookup costs exactly 2 + R/T calls on average and a lag uniform
on [0, T); a job already over costs the lookup alone. The fixed polls' figures are
computed so, not sampled.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import hashlib
import math
import random
import statistics
from collections.abc import Callable, Sequence

from pytest_amplify._core.model import JobStatus
from pytest_amplify._core.policies import WaitPolicy
from pytest_amplify._core.vocabulary import DEFAULT_MAX_POLL_INTERVAL, DEFAULT_POLL_INTERVAL
from pytest_amplify._jobs.end_forecast import HISTORY_SIZE
from pytest_amplify._jobs.poll_simulation import simulate_wait
from pytest_amplify.testing import FakeAmplify, SimulatedClock

from .grid import (
    LATE_CALLS_FACTOR,
    MISPREDICT_CALLS_EXTRA,
    MISPREDICT_CALLS_FACTOR,
    SEEDS,
    Cell,
    Draw,
    draw_jobs,
    timeout_for,
)
from .local import APP_ID, simulated_wait

FIXED_10S = "fixed 10 s"
FIXED_30S = "fixed 30 s"
PLUGIN = "plugin"
FIXED_INTERVALS = {FIXED_10S: 10.0, FIXED_30S: 30.0}
POLLERS = (PLUGIN, FIXED_10S, FIXED_30S)

FIRST = DEFAULT_POLL_INTERVAL
CAP = DEFAULT_MAX_POLL_INTERVAL
CALL_TIMEOUT = WaitPolicy(0, FIRST, CAP).call_timeout
WORST_LAG_BOUND = CAP + CALL_TIMEOUT


# -- the pollers -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Outcome:
    calls: int
    lag: float
    longest_sleep: float


def add_timeline(fake: FakeAmplify, branch: str, draw: Draw, commit_id: str) -> float:
    """Put ``draw`` on ``branch`` of ``fake``: its history one job after another,
    then the job, started ``wait_offset`` seconds before now. Returns the job's start.
    The jobs have no steps: the wait reads none, and the service need not sign URLs."""
    job_start = fake.clock() - draw.wait_offset
    gap = 2 * max((d for _, d in draw.history), default=0.0)
    for index, (status, duration) in enumerate(draw.history):
        started = job_start - (len(draw.history) - index) * gap
        fake.add_job(APP_ID, branch, status=status, started_at=started, duration=duration, steps=[])
    job = draw.job
    first_status = JobStatus.PENDING if job.runs_at > 0 else JobStatus.RUNNING
    fake_job = fake.add_job(
        APP_ID, branch, commit_id=commit_id, status=first_status, started_at=job_start, steps=[]
    )
    if job.runs_at > 0:
        fake_job.then(JobStatus.RUNNING, after_seconds=job.runs_at)
    fake_job.then(job.final_status, after_seconds=job.ends_at - job.runs_at)
    return job_start


def commit_of(cell: Cell, index: int) -> str:
    return hashlib.sha1(f"{cell.key}/{index}".encode()).hexdigest()


@dataclasses.dataclass(frozen=True)
class RealWait:
    """How the plugin's real wait for one draw went, and what it read from ListJobs
    (the job's start and the history's durations), to replay the model with."""

    outcome: Outcome
    sleeps: tuple[float, ...]
    read_start: float
    read_durations: tuple[float, ...]


def wait_for_draw(
    fake: FakeAmplify,
    clock: SimulatedClock,
    branch: str,
    draw: Draw,
    commit_id: str,
    *,
    in_process: bool = True,
) -> RealWait:
    """The plugin's wait for ``draw`` (put on ``branch`` now), run to its end: its
    calls as the service counted them, its lag (from the job's end, or the wait's
    start if later, to the call that saw it) and its sleeps."""
    job_start = add_timeline(fake, branch, draw, commit_id)
    started = clock()
    slept_before = len(clock.slept)
    fake.reset_requests()
    wait = simulated_wait(
        fake,
        clock,
        branch,
        commit_id=commit_id,
        timeout=timeout_for(draw),
        rng=random.Random(draw.jitter_seed),
        in_process=in_process,
    )
    job = wait.run()
    if job.status != draw.job.final_status:
        raise AssertionError(f"the wait ended on {job.status}: {draw!r}")
    if fake.calls() != wait.calls:
        raise AssertionError(f"{fake.calls()} calls served, {wait.calls} counted: {draw!r}")
    lag = clock() - max(started, job_start + draw.job.ends_at)
    sleeps = tuple(clock.slept[slept_before:])
    del clock.slept[slept_before:]  # thousands of waits: keep the list short
    read = wait.schedule
    return RealWait(
        Outcome(wait.calls, lag, max(sleeps, default=0.0)),
        sleeps,
        read_start=job_start if read.job_start is None else read.job_start,
        read_durations=read.forecast.centres if read.forecast is not None else (),
    )


def model_wait(
    draw: Draw, *, job_start: float = 0.0, durations: Sequence[float] | None = None
) -> tuple[Outcome, tuple[float, ...]]:
    """The wait for ``draw`` as the in-process model replays it
    (:func:`~pytest_amplify._jobs.poll_simulation.simulate_wait`), and its sleeps;
    ``job_start`` and ``durations`` replay what a real wait read instead."""
    waited = simulate_wait(
        draw.job,
        draw.successful_durations if durations is None else durations,
        wait_starts_at=draw.wait_offset,
        first=FIRST,
        cap=CAP,
        rng=random.Random(draw.jitter_seed),
        job_start=job_start,
        timeout=timeout_for(draw),
    )
    if waited.timed_out:
        raise AssertionError(f"the simulated wait timed out: {draw!r}")
    return Outcome(waited.calls, waited.lag, waited.longest_sleep), waited.sleeps


# Timestamps cross HTTP with microseconds; in-process they are exact.
READ_PRECISION = 1e-5


def differences(real: RealWait, draw: Draw) -> str | None:
    """How the model's replay of ``draw`` differs from the real wait's, if it does:
    replayed with the start and durations the real wait read (which must be the
    draw's, to the microsecond), the same calls, lag and sleeps."""
    drawn = sorted(draw.successful_durations[:HISTORY_SIZE]) if real.read_durations else []
    if any(abs(a - b) > READ_PRECISION for a, b in zip(real.read_durations, drawn, strict=True)):
        return "ListJobs gave other durations than the draw's"
    model, sleeps = model_wait(draw, job_start=real.read_start, durations=real.read_durations)
    if model.calls != real.outcome.calls or abs(model.lag - real.outcome.lag) > READ_PRECISION:
        return (
            f"real wait {real.outcome.calls} calls, lag {real.outcome.lag:.6f} s; "
            f"model {model.calls} calls, lag {model.lag:.6f} s"
        )
    if len(sleeps) != len(real.sleeps) or any(
        abs(a - b) > READ_PRECISION for a, b in zip(sleeps, real.sleeps, strict=True)
    ):
        return "the same calls and lag, but other sleeps"
    return None


@dataclasses.dataclass(frozen=True)
class Figures:
    """One poller over one cell: mean calls and the lag's mean, median, 95th
    percentile and worst."""

    calls: float
    mean_lag: float
    median_lag: float
    p95_lag: float
    worst_lag: float

    @property
    def product(self) -> float:
        return self.calls * self.mean_lag

    @classmethod
    def sampled(cls, outcomes: Sequence[Outcome]) -> Figures:
        lags = sorted(o.lag for o in outcomes)
        return cls(
            calls=statistics.fmean(o.calls for o in outcomes),
            mean_lag=statistics.fmean(lags),
            median_lag=statistics.median(lags),
            p95_lag=_quantile(lags, 0.95),
            worst_lag=lags[-1],
        )

    @classmethod
    def fixed(cls, draws: Sequence[Draw], interval: float) -> Figures:
        """Exact over the uniform phase: see the module's docstring."""
        remaining = [d.remaining for d in draws]
        running = [r for r in remaining if r > 0]
        share_running = len(running) / len(remaining)
        calls = statistics.fmean(2 + r / interval if r > 0 else 1.0 for r in remaining)

        def quantile(q: float) -> float:
            # A point mass at 0 (jobs already over), then a uniform lag on [0, interval).
            over = 1 - share_running
            return 0.0 if q <= over else interval * (q - over) / share_running

        return cls(
            calls=calls,
            mean_lag=share_running * interval / 2,
            median_lag=quantile(0.5),
            p95_lag=quantile(0.95),
            worst_lag=interval if running else 0.0,
        )


def _quantile(ordered: Sequence[float], q: float) -> float:
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# -- goals -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Goal:
    """``value`` must be at most ``bound``."""

    measure: str
    value: float
    bound: float
    text: str

    @property
    def met(self) -> bool:
        return self.value <= self.bound


@dataclasses.dataclass(frozen=True)
class CellResult:
    cell: Cell
    figures: dict[str, Figures]
    jobs: int
    longest_sleep: float
    over_at_lookup: float  # share of the jobs over before their wait started
    running_calls: dict[str, float]  # mean calls per poller, jobs running at the lookup

    @property
    def plugin(self) -> Figures:
        return self.figures[PLUGIN]

    @property
    def efficiency(self) -> float:
        """E: the plugin's calls x lag over the fixed 30 s poll's."""
        reference = self.figures[FIXED_30S].product
        return self.plugin.product / reference if reference else 0.0

    def goals(self) -> list[Goal]:
        plugin, fixed10, fixed30 = (self.figures[name] for name in POLLERS)
        goals = [
            Goal("longest sleep", self.longest_sleep, CAP, f"<= cap {CAP:g} s"),
            Goal(
                "worst lag",
                plugin.worst_lag,
                WORST_LAG_BOUND,
                f"<= cap + call timeout {WORST_LAG_BOUND:g} s",
            ),
            Goal("calls", plugin.calls, fixed10.calls, "<= fixed 10 s"),
        ]
        bound = self.cell.e_bound
        if bound is not None:
            goals.append(Goal("E", self.efficiency, bound, f"<= {bound:g}"))
            if self.cell.late:
                goals.append(
                    Goal(
                        "calls, late",
                        plugin.calls,
                        LATE_CALLS_FACTOR * fixed30.calls,
                        f"<= {LATE_CALLS_FACTOR:g} x fixed 30 s",
                    )
                )
            elif self.cell.mispredicts:
                allowed = MISPREDICT_CALLS_FACTOR * fixed30.calls + MISPREDICT_CALLS_EXTRA
                goals.append(
                    Goal(
                        "calls, mispredicted",
                        plugin.calls,
                        allowed,
                        f"<= {MISPREDICT_CALLS_FACTOR:g} x fixed 30 s + {MISPREDICT_CALLS_EXTRA:g}",
                    )
                )
        return goals

    def missed(self) -> list[Goal]:
        return [goal for goal in self.goals() if not goal.met]

    def reason(self, goal: Goal) -> str:
        """Why a goal is missed, from the figures."""
        plugin, fixed30 = self.plugin, self.figures[FIXED_30S]
        if goal.measure == "calls" and self.over_at_lookup > 0:
            mine, fixed10 = self.running_calls[PLUGIN], self.running_calls[FIXED_10S]
            return (
                f"{self.over_at_lookup:.0%} of the jobs were over before the wait started: "
                "the plugin reads each with GetJob to hand its steps to the tests (2 calls) "
                "where a status-only poller stops at the lookup (1); over the jobs still "
                f"running, {mine:.2f} calls against {fixed10:.2f} for the fixed 10 s poll"
            )
        figures = (
            f"{plugin.calls:.1f} calls and a mean lag of {plugin.mean_lag:.1f} s, against "
            f"{fixed30.calls:.1f} and {fixed30.mean_lag:.1f} s for the fixed 30 s poll"
        )
        if goal.measure == "E" and self.cell.mispredicts:
            return f"{figures}: the history's extra polls were spent where the job did not end"
        if goal.measure == "E":
            return f"{figures}: the extra polls do not shorten the lag enough"
        return figures


def run_cell(cell: Cell, jobs: int, seeds: Sequence[int] = SEEDS) -> CellResult:
    """The plugin over ``jobs`` draws (split over ``seeds``), the fixed polls over
    the same draws."""
    per_seed = math.ceil(jobs / len(seeds))
    draws = [draw for seed in seeds for draw in draw_jobs(cell, per_seed, seed)]
    outcomes = [model_wait(draw)[0] for draw in draws]
    figures = {PLUGIN: Figures.sampled(outcomes)}
    for name, interval in FIXED_INTERVALS.items():
        figures[name] = Figures.fixed(draws, interval)
    running = [index for index, draw in enumerate(draws) if draw.remaining > 0]
    running_calls = {
        PLUGIN: statistics.fmean(outcomes[i].calls for i in running) if running else 0.0
    }
    for name, interval in FIXED_INTERVALS.items():
        running_calls[name] = (
            statistics.fmean(2 + draws[i].remaining / interval for i in running) if running else 0.0
        )
    return CellResult(
        cell,
        figures,
        len(draws),
        longest_sleep=max(outcome.longest_sleep for outcome in outcomes),
        over_at_lookup=1 - len(running) / len(draws),
        running_calls=running_calls,
    )


def run(
    cells: Sequence[Cell],
    jobs: int = 3000,
    processes: int = 1,
    on_cell: Callable[[CellResult], None] | None = None,
) -> list[CellResult]:
    """Every cell, in ``processes`` processes (time is simulated, so the figures do
    not depend on it), returned in the order of ``cells``."""
    if processes <= 1:
        done = []
        for cell in cells:
            done.append(run_cell(cell, jobs))
            if on_cell is not None:
                on_cell(done[-1])
        return done
    by_cell: dict[Cell, CellResult] = {}
    with concurrent.futures.ProcessPoolExecutor(processes) as pool:
        futures = [
            pool.submit(run_cell, cell, jobs)
            for cell in sorted(cells, key=lambda c: c.nominal, reverse=True)
        ]
        for future in concurrent.futures.as_completed(futures):
            result = future.result()
            by_cell[result.cell] = result
            if on_cell is not None:
                on_cell(result)
    return [by_cell[cell] for cell in cells]


# -- reporting ---------------------------------------------------------------------------

GOAL_MEASURES = (
    "longest sleep",
    "worst lag",
    "calls",
    "E",
    "calls, late",
    "calls, mispredicted",
)


def _three(values: Sequence[float], digits: int = 1) -> str:
    return " / ".join(f"{value:.{digits}f}" for value in values)


def grid_table(results: Sequence[CellResult]) -> str:
    """One Markdown row per cell: each figure for the plugin / fixed 10 s / fixed 30 s."""
    header = [
        "cell",
        "calls",
        "mean lag (s)",
        "median lag (s)",
        "p95 lag (s)",
        "worst lag (s)",
        "E",
        "goals",
    ]
    rows = []
    for result in results:
        figures = [result.figures[name] for name in POLLERS]
        missed = result.missed()
        rows.append(
            [
                result.cell.name,
                _three([f.calls for f in figures]),
                _three([f.mean_lag for f in figures]),
                _three([f.median_lag for f in figures]),
                _three([f.p95_lag for f in figures]),
                _three([f.worst_lag for f in figures]),
                f"{result.efficiency:.2f}",
                "missed: " + ", ".join(g.measure for g in missed) if missed else "met",
            ]
        )
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]

    def render(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([render(header), rule, *(render(row) for row in rows)])


def family_table(results: Sequence[CellResult]) -> str:
    """One Markdown row per family of cells (history, outcome, queue), one column per
    build length: E and the calls against the fixed 30 s poll's, ``E / ratio``, a
    star on a cell that misses a goal."""
    lengths = sorted({result.cell.minutes for result in results})
    families: dict[tuple[str, str, str], dict[float, CellResult]] = {}
    for result in results:
        cell = result.cell
        families.setdefault((cell.history, cell.outcome, cell.queue), {})[cell.minutes] = result
    names = [results[0].cell.__class__(minutes, "", "").length_name for minutes in lengths]
    lines = [
        "| history | outcome | " + " | ".join(names) + " |",
        "|---|---|" + "---|" * len(lengths),
    ]
    for (history, outcome, queue), by_length in families.items():
        shown = []
        for minutes in lengths:
            found = by_length.get(minutes)
            if found is None:
                shown.append("")
                continue
            ratio = found.plugin.calls / found.figures[FIXED_30S].calls
            star = "*" if found.missed() else ""
            shown.append(f"{found.efficiency:.2f} / {ratio:.2f}{star}")
        what = f"{outcome}, {queue}" if queue else outcome
        lines.append(f"| {history} | {what} | " + " | ".join(shown) + " |")
    return "\n".join(lines)


def goal_counts(results: Sequence[CellResult]) -> dict[str, tuple[int, int]]:
    """For each goal, named with its bound: (cells that meet it, cells that have it)."""
    counts: dict[str, tuple[int, int]] = {}
    for measure in GOAL_MEASURES:
        goals = [g for r in results for g in r.goals() if g.measure == measure]
        bounds = sorted({g.text for g in goals})
        counts[f"{measure} {' or '.join(bounds)}"] = (sum(g.met for g in goals), len(goals))
    return counts


def closing_note(results: Sequence[CellResult]) -> list[str]:
    """Every missed goal, cell by cell, with its reason."""
    lines = []
    for result in results:
        for goal in result.missed():
            lines.append(
                f"- {result.cell.name}: {goal.measure} {goal.value:.2f} ({goal.text}, "
                f"bound {goal.bound:.2f}): {result.reason(goal)}"
            )
    return lines
