"""Clocks for the local service: real time, or simulated time that tests move."""

from __future__ import annotations

import threading
import time
from typing import Protocol

# 2026-01-01T00:00:00Z: a fixed start makes simulated runs repeatable.
SIMULATED_EPOCH = 1_767_225_600.0


class Clock(Protocol):
    """Anything that tells the time in epoch seconds."""

    def __call__(self) -> float: ...


def real_clock() -> float:
    return time.time()


class SimulatedClock:
    """A clock that only moves when told to.

    Pass its :meth:`sleep` wherever a sleep is injected, and waiting costs no
    real time: ``clock.sleep(30)`` moves the clock 30 s and returns at once.
    """

    def __init__(self, start: float = SIMULATED_EPOCH) -> None:
        self._now = float(start)
        self._lock = threading.Lock()
        self.slept: list[float] = []

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def now(self) -> float:
        return self()

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"a clock cannot go back: advance({seconds!r})")
        with self._lock:
            self._now += seconds

    def sleep(self, seconds: float) -> None:
        """Advance by ``seconds`` and record it (``clock.slept`` lists every sleep)."""
        self.advance(max(0.0, seconds))
        self.slept.append(seconds)

    def __repr__(self) -> str:
        return f"SimulatedClock(now={self._now!r})"
