"""Issue 12: three cells of the grid through the real wait (``JobWait``, boto3,
HTTP against the local service on a simulated clock), against the in-process
replay the grid uses: the calls and lags must be the same, job by job.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import statistics

from pytest_amplify._core.model import JobStatus
from pytest_amplify._jobs.end_forecast import HISTORY_SIZE
from pytest_amplify._jobs.poll_simulation import simulate_wait
from pytest_amplify.testing import FakeAmplify, SimulatedClock

from .grid import (
    BIMODAL,
    LATE,
    NO_QUEUE,
    ON_TIME,
    QUEUE_NOT_IN_HISTORY,
    REALISTIC,
    SEEDS,
    TIGHT,
    Cell,
    Draw,
    draw_jobs,
    timeout_for,
)
from .local import APP_ID, simulated_wait
from .schedule import CAP, FIRST

# Timestamps cross HTTP with microseconds.
READ_PRECISION = 1e-5
# The cells that also run through JobWait over HTTP against the local service.
HTTP_CELLS = (
    Cell(15, REALISTIC, ON_TIME),
    Cell(5, BIMODAL, LATE, NO_QUEUE),
    Cell(2, TIGHT, ON_TIME, QUEUE_NOT_IN_HISTORY),
)


@dataclasses.dataclass(frozen=True)
class HttpCheck:
    """The same draws through the real wait and through the in-process replay."""

    cell: Cell
    jobs: int
    http_calls: float
    replay_calls: float
    mismatches: list[str]

    @property
    def same(self) -> bool:
        return not self.mismatches


def _add_timeline(fake: FakeAmplify, branch: str, draw: Draw, commit_id: str) -> float:
    """Put ``draw`` on ``branch``: its history one job after another, then the job,
    started ``wait_offset`` seconds before now. Returns the job's start."""
    job_start = fake.clock() - draw.wait_offset
    gap = 2 * max((d for _, d in draw.history), default=0.0)
    for index, (status, duration) in enumerate(draw.history):
        started = job_start - (len(draw.history) - index) * gap
        fake.add_job(APP_ID, branch, status=status, started_at=started, duration=duration)
    job = draw.job
    first_status = JobStatus.PENDING if job.runs_at > 0 else JobStatus.RUNNING
    fake_job = fake.add_job(
        APP_ID, branch, commit_id=commit_id, status=first_status, started_at=job_start
    )
    if job.runs_at > 0:
        fake_job.then(JobStatus.RUNNING, after_seconds=job.runs_at)
    fake_job.then(job.final_status, after_seconds=job.ends_at - job.runs_at)
    return job_start


def http_check(cell: Cell, jobs: int, seed: int = SEEDS[0]) -> HttpCheck:
    """The first ``jobs`` draws of ``cell`` through :class:`JobWait` against the
    local service (real HTTP, real boto3, simulated clock), each on a branch of
    its own, against :func:`simulate_wait` for the same job, history and jitter."""
    draws = draw_jobs(cell, jobs, seed)
    clock = SimulatedClock()
    mismatches = []
    http_calls: list[int] = []
    replay_calls: list[int] = []
    with FakeAmplify(clock=clock) as fake:
        for index, draw in enumerate(draws):
            branch = f"check-{index}"
            commit_id = hashlib.sha1(f"{cell.key}/{index}".encode()).hexdigest()
            job_start = _add_timeline(fake, branch, draw, commit_id)
            started = clock()
            fake.reset_requests()
            wait = simulated_wait(
                fake,
                clock,
                branch,
                commit_id=commit_id,
                timeout=timeout_for(draw),
                rng=random.Random(draw.jitter_seed),
            )
            job = wait.run()
            served = fake.calls()
            lag = clock() - max(started, job_start + draw.job.ends_at)
            # Replayed with the start and durations the real wait read from
            # ListJobs (timestamps carry microseconds), checked against the draw's.
            read = wait.schedule
            durations = list(read.forecast.centres) if read.forecast else []
            drawn = sorted(draw.successful_durations[:HISTORY_SIZE]) if read.forecast else []
            read_start = job_start if read.job_start is None else read.job_start
            replay = simulate_wait(
                draw.job,
                durations,
                wait_starts_at=started - read_start,
                first=FIRST,
                cap=CAP,
                rng=random.Random(draw.jitter_seed),
                job_start=read_start,
                timeout=timeout_for(draw),
            )
            http_calls.append(served)
            replay_calls.append(replay.calls)
            if job.status != draw.job.final_status or served != wait.calls:
                mismatches.append(
                    f"job {index}: {job.status}, {served} served, {wait.calls} counted"
                )
            elif abs(read_start - job_start) > READ_PRECISION or any(
                abs(a - b) > READ_PRECISION for a, b in zip(durations, drawn, strict=True)
            ):
                mismatches.append(f"job {index}: ListJobs gave other times than the draw's")
            elif served != replay.calls or abs(lag - replay.lag) > READ_PRECISION:
                mismatches.append(
                    f"job {index}: HTTP {served} calls, lag {lag:.6f} s; "
                    f"replay {replay.calls} calls, lag {replay.lag:.6f} s"
                )
    return HttpCheck(
        cell, len(draws), statistics.fmean(http_calls), statistics.fmean(replay_calls), mismatches
    )
