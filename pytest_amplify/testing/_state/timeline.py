"""Scripted jobs: a job moves through stages, per GetJob call or by the clock."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence

from ..._core.model import TERMINAL_STATUSES
from .steps import UNSUCCESSFUL, FakeStep, check_status, ended_steps, typical_step

JOB_TYPES = ("RELEASE", "RETRY", "MANUAL", "WEB_HOOK")
_NOT_STARTED = frozenset({"CREATED", "PENDING", "PROVISIONING"})


StepsArgument = Sequence[str | FakeStep] | None
StageSteps = Mapping[str, str | FakeStep] | Sequence[str | FakeStep]


def to_steps(steps: Iterable[str | FakeStep]) -> list[FakeStep]:
    result = []
    for step in steps:
        if isinstance(step, FakeStep):
            result.append(step)
        elif isinstance(step, str):
            result.append(typical_step(step))
        else:
            raise ValueError(f"a step is a name or a FakeStep, not {step!r}")
    return result


@dataclasses.dataclass
class Stage:
    status: str
    steps: list[FakeStep] | None = None  # explicit step list; None derives it
    running: str | None = None
    until_calls: int | None = None  # leave this stage after serving it this many times
    until_seconds: float | None = None  # or after this long on the clock


@dataclasses.dataclass
class StepTimes:
    start: float
    end: float | None = None


class FakeJob:
    """A job of the local service; ``then`` scripts what happens next.

    >>> job = fake.add_job(app_id="d1", branch="main", status="PENDING")  # doctest: +SKIP
    >>> job.then("RUNNING", after_calls=2, running="BUILD").then("SUCCEED", after_calls=3)
    """

    def __init__(
        self,
        *,
        app_id: str,
        branch: str,
        job_id: str,
        commit_id: str,
        commit_message: str,
        job_type: str,
        steps: list[FakeStep],
        first_stage: Stage,
        started_at: float,
        listed_after: int,
        clock: Callable[[], float],
        lock: threading.RLock,
        finished_at: float | None = None,
        deployed_after: float | None = 0.0,
    ) -> None:
        self.app_id = app_id
        self.branch = branch
        self.job_id = job_id
        self.commit_id = commit_id
        self.commit_message = commit_message
        self.job_type = job_type
        self.steps = steps
        self.started_at = started_at
        self.listed_after = listed_after
        # Seconds after it SUCCEEDs before its site serves its build; None: never.
        self.deployed_after = deployed_after
        self.list_calls_seen = 0
        self.get_calls_served = 0
        self.test_artifacts: dict[str, str] = {}  # artifact id -> file name
        self._clock = clock
        self._lock = lock
        self._stages = [first_stage]
        self._index = 0
        self._entered_at = started_at
        self._calls_in_stage = 0
        self._ended_at: float | None = None
        self._step_times: dict[str, StepTimes] = {}
        self._enter_stage(0, started_at)
        if finished_at is not None and first_stage.status in TERMINAL_STATUSES:
            self._spread_step_times(started_at, finished_at)

    def _spread_step_times(self, start: float, end: float) -> None:
        """A job added already finished ran from ``start`` to ``end``, its steps one
        after another."""
        steps = self._steps_at(0)
        share = (end - start) / max(1, len(steps))
        for index, step in enumerate(steps):
            self._step_times[step.name] = StepTimes(
                start + index * share, start + (index + 1) * share
            )
        self._ended_at = end

    def __repr__(self) -> str:
        return (
            f"FakeJob(app_id={self.app_id!r}, branch={self.branch!r}, job_id={self.job_id!r}, "
            f"status={self.status!r})"
        )

    @property
    def number(self) -> int:
        return int(self.job_id)

    @property
    def status(self) -> str:
        """The status the next answer will carry (time-based stages applied)."""
        with self._lock:
            self._advance_by_clock()
            return self._stages[self._index].status

    @property
    def ended_at(self) -> float | None:
        return self._ended_at

    def then(
        self,
        status: str,
        *,
        after_calls: int | None = None,
        after_seconds: float | None = None,
        running: str | None = None,
        steps: StageSteps | None = None,
        allow_unknown_status: bool = False,
    ) -> FakeJob:
        """Move to ``status`` after the current last stage was served ``after_calls``
        GetJob answers or lasted ``after_seconds`` on the service's clock.

        ``running`` names the step in progress (earlier steps show SUCCEED);
        ``steps`` gives the step list outright (name -> status, or FakeSteps), which
        is how tests make steps go backwards or vanish.
        """
        check_status(status, f"job {self.job_id}: then()", allow_unknown_status)
        if (after_calls is None) == (after_seconds is None):
            raise ValueError(
                f"job {self.job_id}: then({status!r}) needs exactly one of after_calls= "
                "or after_seconds="
            )
        if after_calls is not None and (not isinstance(after_calls, int) or after_calls < 1):
            raise ValueError(
                f"job {self.job_id}: after_calls must be 1 or more, not {after_calls!r}"
            )
        if after_seconds is not None and after_seconds <= 0:
            raise ValueError(
                f"job {self.job_id}: after_seconds must be positive, not {after_seconds!r}"
            )
        stage = Stage(status, self._stage_steps(steps), self._check_running(running))
        with self._lock:
            # Scripting past a terminal stage is allowed: fault tests need jobs that
            # Amplify would never serve, such as one that runs again after failing.
            last = self._stages[-1]
            last.until_calls = after_calls
            last.until_seconds = after_seconds
            self._stages.append(stage)
            self._advance_by_clock()
        return self

    def _check_running(self, running: str | None) -> str | None:
        if running is not None and running.upper() not in (s.name.upper() for s in self.steps):
            names = ", ".join(s.name for s in self.steps)
            raise ValueError(
                f"job {self.job_id}: running={running!r} is not one of its steps ({names})"
            )
        return running

    def _stage_steps(self, steps: StageSteps | None) -> list[FakeStep] | None:
        if steps is None:
            return None
        by_name = {s.name.upper(): s for s in self.steps}

        def known(name: str) -> FakeStep:
            return by_name.get(name.upper()) or FakeStep(name)

        if not isinstance(steps, Mapping):
            return [s if isinstance(s, FakeStep) else known(s) for s in steps]
        return [
            value
            if isinstance(value, FakeStep)
            else known(name).with_status(value, allow_unknown=True)
            for name, value in steps.items()
        ]

    def finish(self, status: str = "SUCCEED") -> FakeJob:
        """End the job now, whatever its script said: the next answer shows ``status``."""
        check_status(status, f"job {self.job_id}: finish()")
        with self._lock:
            self._stages = [*self._stages[: self._index + 1], Stage(status)]
            self._stages[self._index].until_calls = None
            self._stages[self._index].until_seconds = None
            self._enter_stage(self._index + 1, self._clock())
        return self

    # -- progress --------------------------------------------------------------------

    def _advance_by_clock(self) -> None:
        now = self._clock()
        while True:
            stage = self._stages[self._index]
            if self._index + 1 >= len(self._stages):
                return
            if stage.until_seconds is not None and now >= self._entered_at + stage.until_seconds:
                self._enter_stage(self._index + 1, self._entered_at + stage.until_seconds)
            elif stage.until_calls is not None and self._calls_in_stage >= stage.until_calls:
                self._enter_stage(self._index + 1, now)
            else:
                return

    def _enter_stage(self, index: int, at: float) -> None:
        self._index = index
        self._entered_at = at
        self._calls_in_stage = 0
        stage = self._stages[index]
        for step in self._steps_at(index):
            times = self._step_times.setdefault(step.name, StepTimes(at))
            if step.status in TERMINAL_STATUSES:
                if times.end is None:
                    times.end = at
            else:
                times.end = None
        self._ended_at = at if stage.status in TERMINAL_STATUSES else None

    def _steps_before(self, index: int) -> list[FakeStep]:
        """What the latest stage before ``index`` that showed steps showed."""
        for earlier in range(index - 1, -1, -1):
            stage = self._stages[earlier]
            if stage.steps is not None or stage.status not in _NOT_STARTED:
                return self._steps_at(earlier)
        return []

    def _steps_at(self, index: int) -> list[FakeStep]:
        stage = self._stages[index]
        if stage.steps is not None:
            return stage.steps
        if stage.running is not None:
            result = []
            for step in self.steps:
                if step.name.upper() == stage.running.upper():
                    result.append(step.with_status("RUNNING"))
                    break
                result.append(step.with_status("SUCCEED"))
            return result
        if stage.status in _NOT_STARTED:
            return []
        if stage.status == "RUNNING":
            return [self.steps[0].with_status("RUNNING")] if self.steps else []
        if stage.status in TERMINAL_STATUSES:
            return self._final_steps(index)
        return self._steps_before(index)  # CANCELLING, or a status nobody has seen yet

    def _final_steps(self, index: int) -> list[FakeStep]:
        status = self._stages[index].status
        if status in UNSUCCESSFUL and not any(s.status in UNSUCCESSFUL for s in self.steps):
            # The script did not say which step failed (or was cancelled): the one
            # in progress did, and none after it ran, as in Amplify's answers.
            return ended_steps(self.steps, self._steps_before(index), status)
        return list(self.steps)

    def snapshot(
        self, count_call: bool
    ) -> tuple[str, float | None, list[tuple[FakeStep, StepTimes]]]:
        """The job as the next answer shows it; a GetJob answer counts as a call."""
        with self._lock:
            self._advance_by_clock()
            stage = self._stages[self._index]
            steps = [
                (step, self._step_times.get(step.name) or StepTimes(self._entered_at))
                for step in self._steps_at(self._index)
            ]
            status, ended = stage.status, self._ended_at
            if count_call:
                self.get_calls_served += 1
                self._calls_in_stage += 1
                self._advance_by_clock()
            return status, ended, steps
