"""Waiting for several jobs at once, in one thread."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence

from .._core.clock import WaitClock
from .._core.errors import AmplifyWaitError
from .._core.model import AmplifyJob
from .waiting import JobWait, sleep_showing_progress


def run_waits(
    waits: Sequence[JobWait],
    clock: WaitClock | None = None,
    on_done: Callable[[int, AmplifyJob | AmplifyWaitError], None] | None = None,
) -> list[AmplifyJob | AmplifyWaitError]:
    """Wait for several jobs at once in one thread: each poll happens when its own
    schedule says, so the whole takes about as long as the slowest job.
    ``on_done(index, outcome)`` is told of each wait as soon as it ends."""
    clock = clock or (waits[0].clock if waits else WaitClock())
    results: list[AmplifyJob | AmplifyWaitError | None] = [None] * len(waits)
    due: list[tuple[float, int]] = [(clock.monotonic(), index) for index in range(len(waits))]
    heapq.heapify(due)
    while due:
        when, index = heapq.heappop(due)
        delay = when - clock.monotonic()
        if delay > 0:
            waiting = [waits[index], *(waits[other] for _, other in due)]
            sleep_showing_progress(clock, waiting, delay)
        step: float | AmplifyJob | AmplifyWaitError
        try:
            step = waits[index].advance()
        except AmplifyWaitError as error:
            step = error
        if isinstance(step, AmplifyJob | AmplifyWaitError):
            results[index] = step
            if on_done is not None:
                on_done(index, step)
        else:
            heapq.heappush(due, (clock.monotonic() + step, index))
    return [result for result in results if result is not None]
