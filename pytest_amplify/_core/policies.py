"""The plain values that tell work how to behave, as the run hands them down: how long
and how often a wait polls (and what shows its progress), the Amplify job the run may
be inside, how a job's site is checked, and how calls and downloads are retried."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from .clock import WaitClock
from .vocabulary import (
    DEFAULT_DOMAIN_URL,
    DEFAULT_E2E_REPORT,
    DEFAULT_RETRY_TIMEOUT,
    branch_under_test,
)


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
    ``_jobs.waiting.JobWait`` (typed loosely: that module builds on this one); ``due()`` is
    when, on the wait's clock, the next line is due (None: at the next poll), for the
    wait to wake then if no poll comes sooner."""

    def due(self) -> float | None: ...

    def update(self, wait: Any) -> None: ...

    def finish(self, wait: Any) -> None: ...


class NoProgress:
    def due(self) -> float | None:
        return None

    def update(self, wait: Any) -> None:
        return None

    def finish(self, wait: Any) -> None:
        return None


class SiteVerdicts(Protocol):
    """The run's verdicts of site checks, one per check: ``once`` returns the verdict
    for ``key`` (plain data), deciding it with ``decide`` the first time in the run,
    and where that first time was (a test's id) when it was not this call. A
    ``shareable`` key means the same in every process of the run (xdist workers)."""

    def once(
        self, key: str, shareable: bool, decide: Callable[[], dict[str, Any]]
    ) -> tuple[dict[str, Any], str | None]: ...


@dataclasses.dataclass(frozen=True)
class SiteChecks:
    """How a job's site is checked (``assert_serves_build``): the bound of the wait,
    where custom domains are reached (``{domain}`` is the host name), the clock, and
    the run's verdicts (None: every check asks the site)."""

    timeout: float
    domain_url: str = DEFAULT_DOMAIN_URL
    clock: WaitClock = dataclasses.field(default_factory=WaitClock)
    timeout_source: str = "default"
    verdicts: SiteVerdicts | None = dataclasses.field(default=None, compare=False, repr=False)


@dataclasses.dataclass(frozen=True)
class E2eReports:
    """Where a job's end-to-end report is looked for in its test artifacts: a glob
    (``amplify_e2e_report``), and where that glob came from."""

    pattern: str = DEFAULT_E2E_REPORT
    source: str = "default"


# The back-off of a call's retries: from half a second, doubling, to ten seconds.
FIRST_DELAY = 0.5
MAX_DELAY = 10.0


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How long and how often to retry. ``limit`` is ``amplify_retry_timeout``: no
    attempt starts after it; ``max_attempts`` caps the attempts too (None: no cap)."""

    limit: float = DEFAULT_RETRY_TIMEOUT
    limit_source: str = "default"
    limit_name: str = "amplify_retry_timeout"
    clock: WaitClock = dataclasses.field(default_factory=WaitClock)
    first_delay: float = FIRST_DELAY
    max_delay: float = MAX_DELAY
    max_attempts: int | None = None
    rng: random.Random = dataclasses.field(default_factory=random.Random, compare=False)
