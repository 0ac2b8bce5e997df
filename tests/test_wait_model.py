"""One model of the wait: the benchmark's grid replays the wait with a model
(``simulate_wait``, some 60 times faster than the real wait even without HTTP);
here the plugin's real wait (``JobWait`` against the local service, through its
in-process client, on a simulated clock) and the model give the same calls, lag
and sleeps, job by job, on every family of that grid (each history, outcome and
queue, at three lengths). The replay tests in ``test_schedule_rules.py`` show the
same over HTTP and boto3.
"""

from __future__ import annotations

import dataclasses

import pytest

from benchmarks import grid
from benchmarks.schedule import commit_of, differences, wait_for_draw
from pytest_amplify.testing import FakeAmplify, SimulatedClock

FAMILIES = sorted({(cell.history, cell.outcome, cell.queue) for cell in grid.grid()})
# A build over before the wait starts, one of the goals' shortest, one of the longest.
LENGTHS = (0.5, 5, 30)
SEED = 7


def families_of(history: str) -> list[grid.Cell]:
    return [
        grid.Cell(minutes, history, outcome, queue)
        for family_history, outcome, queue in FAMILIES
        if family_history == history
        for minutes in LENGTHS
    ]


@pytest.mark.parametrize("history", grid.HISTORIES)
def test_the_model_makes_the_real_waits_calls_job_by_job(history: str) -> None:
    clock = SimulatedClock()
    fake = FakeAmplify(clock=clock)
    cells = families_of(history)
    mismatches = []
    for index, cell in enumerate(cells):
        (draw,) = grid.draw_jobs(cell, 1, SEED)
        real = wait_for_draw(fake, clock, f"family-{index}", draw, commit_of(cell, 0))
        problem = differences(real, draw)
        if problem is not None:
            mismatches.append(f"{cell.name}: {problem}")
    assert mismatches == []
    outcomes = {cell.outcome for cell in cells}
    assert grid.ON_TIME in outcomes
    assert set(grid.LATENESS) <= outcomes


def test_every_family_of_the_grid_is_checked() -> None:
    checked = {(c.history, c.outcome, c.queue) for h in grid.HISTORIES for c in families_of(h)}
    assert checked == set(FAMILIES)
    assert len(FAMILIES) > 100


def test_a_wait_that_drew_other_jitter_is_told_apart() -> None:
    # The comparison can fail: the same job, replayed with other jitter, polls at
    # other times.
    clock = SimulatedClock()
    fake = FakeAmplify(clock=clock)
    cell = grid.Cell(15, grid.REALISTIC, grid.ON_TIME)
    (draw,) = grid.draw_jobs(cell, 1, SEED)
    real = wait_for_draw(fake, clock, "jitter", draw, commit_of(cell, 0))
    assert differences(real, draw) is None
    assert differences(real, dataclasses.replace(draw, jitter_seed="another")) is not None
