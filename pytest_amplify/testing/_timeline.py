"""Scripted jobs: a job moves through stages, per GetJob call or by the clock."""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence

from .._model import KNOWN_STATUSES, TERMINAL_STATUSES
from ._content import (
    TYPICAL_SITE_FILES,
    TYPICAL_TEST_ARTIFACTS,
    TYPICAL_TEST_CONFIG,
    FileBody,
    build_log,
    typical_screenshots,
)

GIT_STEPS = ("BUILD", "TEST", "DEPLOY", "VERIFY")
MANUAL_STEPS = ("DEPLOY", "VERIFY")
JOB_TYPES = ("RELEASE", "RETRY", "MANUAL", "WEB_HOOK")
_NOT_STARTED = frozenset({"CREATED", "PENDING", "PROVISIONING"})
APP_ID_PATTERN = re.compile(r"d[a-z0-9]+")


def check_status(status: object, where: str, allow_unknown: bool = False) -> str:
    if not isinstance(status, str) or not status:
        raise ValueError(f"{where}: a status is a non-empty string, not {status!r}")
    if status not in KNOWN_STATUSES and not allow_unknown:
        raise ValueError(
            f"{where}: unknown status {status!r}; Amplify's statuses are "
            f"{', '.join(KNOWN_STATUSES)} (pass allow_unknown_status=True to serve a new one)"
        )
    return status


@dataclasses.dataclass
class FakeStep:
    """A step as the local service serves it.

    ``log=None`` serves a generated log; ``with_log=False`` serves no ``logUrl``.
    ``artifacts``, ``test_artifacts`` (file name -> content) and ``screenshots``
    (device name -> image bytes) are served as files behind presigned-style URLs.
    """

    name: str
    status: str = "SUCCEED"
    reason: str | None = None
    context: str | None = None
    log: FileBody | None = None
    with_log: bool = True
    artifacts: Mapping[str, bytes | str] | None = None
    test_artifacts: Mapping[str, bytes | str] | None = None
    test_config: str | None = None
    screenshots: Mapping[str, bytes] | None = None
    allow_unknown_status: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"a step needs a name, not {self.name!r}")
        check_status(self.status, f"step {self.name}", self.allow_unknown_status)

    def log_body(self) -> FileBody:
        if self.log is not None:
            return self.log
        return build_log(self.name, self.status, self.reason)

    def with_status(self, status: str, allow_unknown: bool = False) -> FakeStep:
        check_status(status, f"step {self.name}", allow_unknown)
        return dataclasses.replace(self, status=status, allow_unknown_status=True)


def typical_step(name: str) -> FakeStep:
    """A succeeded step with what Amplify's step of that name produces."""
    upper = name.upper()
    if upper == "BUILD":
        return FakeStep(name, artifacts=dict(TYPICAL_SITE_FILES))
    if upper == "TEST":
        return FakeStep(
            name, test_artifacts=dict(TYPICAL_TEST_ARTIFACTS), test_config=TYPICAL_TEST_CONFIG
        )
    if upper == "VERIFY":
        return FakeStep(name, screenshots=typical_screenshots())
    return FakeStep(name)


def typical_steps(manual: bool = False) -> list[FakeStep]:
    """BUILD, TEST, DEPLOY, VERIFY for a git-connected app; DEPLOY, VERIFY for a
    manual (zip) deployment."""
    return [typical_step(name) for name in (MANUAL_STEPS if manual else GIT_STEPS)]


def failed_build_step(
    reason: str = "Build failed: npm ERR! missing script: build", log: str | None = None
) -> FakeStep:
    return FakeStep(
        "BUILD",
        status="FAILED",
        reason=reason,
        log=log if log is not None else build_log("BUILD", "FAILED", reason),
    )


def verify_step(
    screenshots: Mapping[str, bytes] | None = None, status: str = "SUCCEED"
) -> FakeStep:
    return FakeStep(
        "VERIFY",
        status=status,
        screenshots=dict(screenshots) if screenshots else typical_screenshots(),
    )


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
        steps = self._steps_for(self._stages[0])
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
        for step in self._steps_for(stage):
            times = self._step_times.setdefault(step.name, StepTimes(at))
            if step.status in TERMINAL_STATUSES:
                if times.end is None:
                    times.end = at
            else:
                times.end = None
        self._ended_at = at if stage.status in TERMINAL_STATUSES else None

    def _previous_steps(self) -> list[FakeStep]:
        for stage in reversed(self._stages[: self._index]):
            if stage.steps is not None or stage.status not in _NOT_STARTED:
                return self._steps_for(stage)
        return []

    def _steps_for(self, stage: Stage) -> list[FakeStep]:
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
            return list(self.steps)
        return self._previous_steps()  # CANCELLING, or a status nobody has seen yet

    def snapshot(
        self, count_call: bool
    ) -> tuple[str, float | None, list[tuple[FakeStep, StepTimes]]]:
        """The job as the next answer shows it; a GetJob answer counts as a call."""
        with self._lock:
            self._advance_by_clock()
            stage = self._stages[self._index]
            steps = [
                (step, self._step_times.get(step.name) or StepTimes(self._entered_at))
                for step in self._steps_for(stage)
            ]
            status, ended = stage.status, self._ended_at
            if count_call:
                self.get_calls_served += 1
                self._calls_in_stage += 1
                self._advance_by_clock()
            return status, ended, steps
