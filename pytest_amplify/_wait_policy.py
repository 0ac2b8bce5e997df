"""How long and how often a wait polls, the Amplify job the run may be inside, and
what shows a wait's progress."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Protocol

from ._setting_parsers import branch_under_test


@dataclasses.dataclass(frozen=True)
class WaitPolicy:
    timeout: float
    poll_interval: float
    max_poll_interval: float
    timeout_source: str = "default"
    # One call's read timeout; the wait retries a call that takes longer.
    call_timeout: float = 15.0


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
        # A preview's build runs on branch pr-N; there AWS_BRANCH names the pull
        # request's source branch (aws-amplify/amplify-hosting#551).
        given = environ.get("AWS_PULL_REQUEST_ID", "").strip()
        number = int(given) if given.isascii() and given.isdigit() and int(given) else None
        branch = branch_under_test(environ.get("AWS_BRANCH", ""), number) or ""
        return cls(environ.get("AWS_APP_ID", ""), branch, job_id)


class WaitProgress(Protocol):
    """What shows a wait's progress (the progress line). ``wait`` is the
    ``_waiting.JobWait`` (typed loosely: that module builds on this one)."""

    def update(self, wait: Any) -> None: ...

    def finish(self, wait: Any) -> None: ...


class NoProgress:
    def update(self, wait: Any) -> None:
        return None

    def finish(self, wait: Any) -> None:
        return None
