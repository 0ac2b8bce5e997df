"""How a wait ended, and which tests used it: for the cache, xdist, and the reports."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from . import _errors
from ._errors import AmplifyError, AmplifyWaitError
from ._model import AmplifyJob
from ._target import Target


@dataclasses.dataclass
class WaitRecord:
    """How a wait for one target ended, for the cache and the summary."""

    target: Target
    job: AmplifyJob | None = None
    error: AmplifyError | None = None
    polls: int = 0
    calls: int = 0
    waited: float = 0.0

    def result(self) -> AmplifyJob:
        if self.error is not None:
            raise self.error
        assert self.job is not None
        return self.job

    def to_dict(self) -> dict[str, Any]:
        """Plain data for other processes: the job as its GetJob answer."""
        return {
            "target": self.target.to_dict(),
            "job": self.job.to_dict() if self.job else None,
            "error": str(self.error) if self.error else None,
            "error_type": type(self.error).__name__ if self.error else None,
            "polls": self.polls,
            "calls": self.calls,
            "waited": self.waited,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WaitRecord:
        error: AmplifyError | None = None
        if data.get("error") is not None:
            error_type = getattr(_errors, str(data.get("error_type")), None)
            if not (isinstance(error_type, type) and issubclass(error_type, AmplifyError)):
                error_type = AmplifyWaitError
            error = error_type(data["error"])
        return cls(
            target=Target(**data["target"]),
            job=AmplifyJob.from_dict(data["job"]) if data.get("job") else None,
            error=error,
            polls=int(data.get("polls", 0)),
            calls=int(data.get("calls", 0)),
            waited=float(data.get("waited", 0.0)),
        )


@dataclasses.dataclass(frozen=True)
class ItemJob:
    """A job (or a failed wait) one test used: for JUnit and pytest-html."""

    target: Target
    job: AmplifyJob | None
    error: str | None = None
