"""Waiting for several jobs at once: each wait polls on its own schedule, and the
polls that fall due together run side by side.

One thread making every call in turn falls behind once targets x a call's latency
passes the cap (200 targets at 150 ms a call take 30 s a round): a job would be
seen a round late. So the calls run in a small pool of threads, as many as the
connections the transport keeps to a host (botocore's ``max_pool_connections``),
each through the wait's own ``advance`` (the one transport, the wait's own
retries). The thread that called :func:`run_waits` keeps the schedule, the sleeps,
the waits' progress lines and ``on_done``: only the polls move.
"""

from __future__ import annotations

import functools
import heapq
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from .._core.clock import WaitClock
from .._core.errors import AmplifyWaitError
from .._core.model import AmplifyJob
from .._http.transport import POOL_CONNECTIONS
from .waiting import JobWait, sleep_showing_progress

Step = float | AmplifyJob | AmplifyWaitError


class Polls(Protocol):
    """Where the waits' polls run: ``submit`` starts one (only while ``busy`` is
    below ``capacity``), ``next_done`` hands back one that ended, waiting for it
    until the clock reads ``until`` (None: for as long as it takes)."""

    capacity: int

    @property
    def busy(self) -> int: ...

    def submit(self, index: int, poll: Callable[[], Step]) -> None: ...

    def next_done(self, clock: WaitClock, until: float | None) -> tuple[int, Step] | None: ...

    def close(self, interrupted: bool) -> None: ...


class SideBySide:
    """Polls in a pool of ``capacity`` threads."""

    def __init__(self, capacity: int = POOL_CONNECTIONS) -> None:
        self.capacity = capacity
        self._pool = ThreadPoolExecutor(capacity, thread_name_prefix="pytest-amplify-poll")
        self._done: queue.Queue[tuple[int, Future[Step]]] = queue.Queue()
        self._busy = 0

    @property
    def busy(self) -> int:
        return self._busy

    def submit(self, index: int, poll: Callable[[], Step]) -> None:
        self._busy += 1
        future = self._pool.submit(poll)
        future.add_done_callback(lambda done: self._done.put((index, done)))

    def next_done(self, clock: WaitClock, until: float | None) -> tuple[int, Step] | None:
        # A call is bounded by its timeout: waiting on the real clock is waiting on
        # the calls; the clock only says until when.
        timeout = None if until is None else max(0.0, until - clock.monotonic())
        try:
            index, future = self._done.get(timeout=timeout)
        except queue.Empty:
            return None
        self._busy -= 1
        return index, future.result()

    def close(self, interrupted: bool) -> None:
        # An interrupt does not wait for the polls in flight (each ends within its
        # call's timeout, in a thread that holds nothing).
        self._pool.shutdown(wait=not interrupted, cancel_futures=True)


class _Deferred:
    """A wait's progress while its poll runs in another thread: the calls are kept
    and shown by the thread that runs the waits, which owns the terminal."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[str] = []

    def update(self, wait: Any) -> None:
        with self._lock:
            self._events.append("update")

    def finish(self, wait: Any) -> None:
        with self._lock:
            self._events.append("finish")

    def due(self) -> float | None:
        # The shown progress says when a line is due (run_waits sleeps with it).
        return None

    def replay(self, wait: JobWait, progress: Any) -> None:
        with self._lock:
            events, self._events = self._events, []
        for event in events:
            getattr(progress, event)(wait)


def _poll(wait: JobWait) -> Step:
    try:
        return wait.advance()
    except AmplifyWaitError as error:
        return error


def run_waits(
    waits: Sequence[JobWait],
    clock: WaitClock | None = None,
    on_done: Callable[[int, AmplifyJob | AmplifyWaitError], None] | None = None,
    *,
    polls: Polls | None = None,
) -> list[AmplifyJob | AmplifyWaitError]:
    """Wait for several jobs at once: each poll happens when its own schedule says,
    up to ``POOL_CONNECTIONS`` of them side by side, so the whole takes about as
    long as the slowest job. ``on_done(index, outcome)`` is told of each wait as
    soon as it ends, in the calling thread."""
    clock = clock or (waits[0].clock if waits else WaitClock())
    polls = polls or SideBySide()
    results: list[AmplifyJob | AmplifyWaitError | None] = [None] * len(waits)
    due: list[tuple[float, int]] = [(clock.monotonic(), index) for index in range(len(waits))]
    heapq.heapify(due)
    shown: list[Any] = [wait.progress for wait in waits]
    deferred = [_Deferred() for _ in waits]
    for wait, progress in zip(waits, deferred, strict=True):
        wait.progress = progress
    interrupted = True
    try:
        while due or polls.busy:
            now = clock.monotonic()
            while due and due[0][0] <= now and polls.busy < polls.capacity:
                _, index = heapq.heappop(due)
                polls.submit(index, functools.partial(_poll, waits[index]))
            if not polls.busy:
                # Nothing runs elsewhere: sleep until the next poll, showing progress.
                asleep = [index for _, index in due]
                sleep_showing_progress(
                    clock,
                    [waits[index] for index in asleep],
                    due[0][0] - now,
                    [shown[index] for index in asleep],
                )
                continue
            until = due[0][0] if due and polls.busy < polls.capacity else None
            done = polls.next_done(clock, until)
            if done is None:
                continue  # another wait fell due
            index, step = done
            deferred[index].replay(waits[index], shown[index])
            if isinstance(step, AmplifyJob | AmplifyWaitError):
                results[index] = step
                if on_done is not None:
                    on_done(index, step)
            else:
                heapq.heappush(due, (clock.monotonic() + step, index))
        interrupted = False
    finally:
        polls.close(interrupted)
        for wait, progress in zip(waits, shown, strict=True):
            wait.progress = progress
    return [result for result in results if result is not None]
