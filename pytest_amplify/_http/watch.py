"""A watch over one HTTP request: limits enforced whatever the server does.

A socket's read timeout applies to each read: a server that sends its headers and
then a byte every half second holds a request for ever. A :class:`Watch` is a thread
of the request's own that shuts the request's sockets down when a limit passes (the
whole duration; no data for a while; too little of it; no time left), so that the
read blocked on them fails at once, whoever is reading; it also counts what arrived,
for the error to say how much in how long.
"""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
import time
from collections.abc import Callable, Iterator

from .._core.durations import format_duration

_local = threading.local()


@dataclasses.dataclass(frozen=True)
class Limits:
    """When a request is cut: ``total`` seconds in all; ``stall`` seconds without a
    byte; less than ``min_rate`` bytes a second over the last ``rate_window``
    seconds; or at ``deadline`` (a ``time.monotonic()`` value). None: no such limit."""

    total: float | None = None
    stall: float | None = None
    min_rate: float | None = None
    rate_window: float = 30.0
    deadline: float | None = None


def _human(seconds: float) -> str:
    # One format for durations in every message: 0.3s, 12s, 2m 05s.
    return format_duration(round(seconds, 1))


class Watch:
    """The limits of one request, enforced by a thread of its own while it runs.

    ``stall`` and ``min_rate`` are measured on the request's *active* time: while
    the caller works on what arrived (:meth:`paused`), the server is not to blame.
    ``total`` and ``deadline`` are measured on the clock."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self.started = clock()
        self.received = 0
        self._paused_for = 0.0  # seconds paused, ended pauses
        self._paused_at: float | None = None
        # (active time, bytes received so far): the last progress, and the rate window.
        self._window: list[tuple[float, int]] = [(0.0, 0)]
        self._last_progress = 0.0
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._done = threading.Event()
        self.fired: str | None = None
        self.complete = False  # the whole body was read
        self._thread = threading.Thread(target=self._run, name="pytest-amplify-watch", daemon=True)

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._done.set()
        self._thread.join()
        with self._lock:
            self._sockets.clear()

    def add_socket(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            if self.fired:
                _shut(sock)
            else:
                self._sockets.append(sock)

    def _active(self, now: float) -> float:
        paused = self._paused_for + (now - self._paused_at if self._paused_at is not None else 0)
        return now - self.started - paused

    def progress(self, size: int) -> None:
        with self._lock:
            active = self._active(self._clock())
            self.received += size
            self._last_progress = active
            self._window.append((active, self.received))

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """While the caller works on what arrived, the server is not to blame."""
        with self._lock:
            self._paused_at = self._clock()
        try:
            yield
        finally:
            with self._lock:
                assert self._paused_at is not None
                self._paused_for += self._clock() - self._paused_at
                self._paused_at = None

    def elapsed(self) -> float:
        return self._clock() - self.started

    def describe(self) -> str:
        return f"{self.received:,} bytes received in {_human(self.elapsed())}"

    def _problem(self, now: float) -> str | None:
        limits = self.limits
        if limits.deadline is not None and now >= limits.deadline:
            return "no time was left"
        if limits.total is not None and now - self.started >= limits.total:
            return f"no complete answer within {_human(limits.total)}"
        active = self._active(now)
        if limits.stall is not None and active - self._last_progress >= limits.stall:
            return f"no data for {_human(limits.stall)}"
        if limits.min_rate is not None and active >= limits.rate_window:
            since = active - limits.rate_window
            while len(self._window) > 1 and self._window[1][0] <= since:
                self._window.pop(0)
            got = self.received - self._window[0][1]
            if got < limits.min_rate * limits.rate_window:
                return (
                    f"too slow: {got:,} bytes in the last {_human(limits.rate_window)} "
                    f"(at least {limits.min_rate:,.0f} bytes a second expected)"
                )
        return None

    def _next_check(self, now: float) -> float:
        """Seconds until a limit may pass (the watch checks again then)."""
        limits = self.limits
        ends = [limits.deadline] if limits.deadline is not None else []
        if limits.total is not None:
            ends.append(self.started + limits.total)
        if limits.stall is not None:
            ends.append(now + limits.stall - (self._active(now) - self._last_progress))
        wait = min(ends) - now if ends else 1.0
        if limits.min_rate is not None or self._paused_at is not None:
            wait = min(wait, 0.25)
        return max(0.005, wait)

    def _run(self) -> None:
        while not self._done.wait(self._next_check(self._clock())):
            with self._lock:
                problem = self._problem(self._clock())
                if problem is None:
                    continue
                self.fired = problem
                for sock in self._sockets:
                    _shut(sock)
            return


def _shut(sock: socket.socket) -> None:
    # The base class's shutdown also works on a TLS socket without touching its TLS
    # state, which the thread blocked in a read is using.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


@contextlib.contextmanager
def watching(watch: Watch) -> Iterator[None]:
    """Connections made or read in the block (in this thread) hand their socket to
    ``watch``."""
    _local.watch = watch
    try:
        yield
    finally:
        _local.watch = None


def watch_socket(sock: socket.socket | None) -> None:
    """Hand ``sock`` to the watch of the request this thread is making, if any."""
    watch: Watch | None = getattr(_local, "watch", None)
    if watch is not None:
        watch.add_socket(sock)
