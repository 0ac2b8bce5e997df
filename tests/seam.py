"""The internals tests need (the poll schedule and its in-process replay), imported from here only."""

from __future__ import annotations

from pytest_amplify._end_forecast import EndForecast
from pytest_amplify._poll_simulation import SimulatedJob, SimulatedWait, simulate_wait
from pytest_amplify._schedule import JITTER, NOT_STARTED, PollSchedule, extra_poll_budget
from pytest_amplify._settings import DEFAULT_MAX_POLL_INTERVAL, DEFAULT_POLL_INTERVAL
from pytest_amplify._wait_policy import WaitPolicy

__all__ = [
    "DEFAULT_MAX_POLL_INTERVAL",
    "DEFAULT_POLL_INTERVAL",
    "JITTER",
    "NOT_STARTED",
    "EndForecast",
    "PollSchedule",
    "SimulatedJob",
    "SimulatedWait",
    "WaitPolicy",
    "extra_poll_budget",
    "simulate_wait",
]
