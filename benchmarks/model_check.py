"""Issue 24: the grid's model of the wait (``simulate_wait``) against the plugin's
real wait (``JobWait``, its schedule, tenacity, ListJobs and GetJob), draw by draw:
the same calls, lag and sleeps.

Every cell's first draws go through the real wait against the local service on a
simulated clock, through its in-process client (fast enough for the whole grid);
three cells' go over real HTTP and boto3 too, which shows that the in-process
client changes nothing the wait sees. ``tests/test_wait_model.py`` holds the same
check in the suite, for every family of the grid.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Sequence

from pytest_amplify.testing import FakeAmplify, SimulatedClock

from .grid import (
    BIMODAL,
    ON_TIME,
    QUEUE_NOT_IN_HISTORY,
    REALISTIC,
    SEEDS,
    TIGHT,
    Cell,
    draw_jobs,
)
from .schedule import commit_of, differences, wait_for_draw

# The cells that also run over HTTP against the local service.
HTTP_CELLS = (
    Cell(15, REALISTIC, ON_TIME),
    Cell(5, BIMODAL, "50% late"),
    Cell(2, TIGHT, ON_TIME, QUEUE_NOT_IN_HISTORY),
)


@dataclasses.dataclass(frozen=True)
class ModelCheck:
    """The first draws of some cells through the real wait and through the model."""

    cells: int
    jobs: int
    real_calls: float  # mean, over every job checked
    mismatches: list[str]

    @property
    def same(self) -> bool:
        return not self.mismatches


def check(cells: Sequence[Cell], jobs: int, *, over_http: bool = False) -> ModelCheck:
    """The first ``jobs`` draws (seed 1) of each cell, each on a branch of its own,
    through :class:`JobWait` against the local service, and through the model with
    what the real wait read from ListJobs."""
    clock = SimulatedClock()
    calls: list[int] = []
    mismatches = []
    with FakeAmplify(clock=clock) as fake:
        for cell in cells:
            for index, draw in enumerate(draw_jobs(cell, jobs, SEEDS[0])):
                branch = f"check-{len(calls)}"
                real = wait_for_draw(
                    fake, clock, branch, draw, commit_of(cell, index), in_process=not over_http
                )
                calls.append(real.outcome.calls)
                problem = differences(real, draw)
                if problem is not None:
                    mismatches.append(f"{cell.name}, draw {index}: {problem}")
    return ModelCheck(len(cells), len(calls), statistics.fmean(calls), mismatches)
