"""What a wait is for, and the clocks it runs on: light, so start-up stays free of
tenacity and boto3."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping

from ._settings import LATEST


@dataclasses.dataclass(frozen=True)
class Target:
    """What to wait for; also the key of the session's cache of waits."""

    app_id: str
    branch: str
    job_id: str = LATEST
    commit_id: str | None = None
    endpoint_url: str | None = None
    region: str | None = None

    def describe(self) -> str:
        if self.commit_id:
            which = f"newest job of commit {self.commit_id[:12]}"
        elif self.job_id == LATEST:
            which = "latest job"
        else:
            which = f"job {self.job_id}"
        return f"app {self.app_id}, branch {self.branch}, {which}"

    @property
    def endpoint(self) -> str:
        return self.endpoint_url or f"https://amplify.{self.region or '<region>'}.amazonaws.com"

    def to_dict(self) -> dict[str, str | None]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class InsideJob:
    """The Amplify job this run is part of (AWS_APP_ID, AWS_BRANCH, AWS_JOB_ID set)."""

    app_id: str
    branch: str
    job_id: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> InsideJob | None:
        job_id = environ.get("AWS_JOB_ID", "")
        if not (job_id.isascii() and job_id.isdigit()):
            return None
        return cls(environ.get("AWS_APP_ID", ""), environ.get("AWS_BRANCH", ""), job_id)


@dataclasses.dataclass
class WaitClock:
    """The clocks and the sleep of a wait; tests inject simulated ones."""

    monotonic: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep


@dataclasses.dataclass(frozen=True)
class WaitPolicy:
    timeout: float
    poll_interval: float
    max_poll_interval: float
    timeout_source: str = "default"
    # One call's read timeout; the wait retries a call that takes longer.
    call_timeout: float = 15.0
