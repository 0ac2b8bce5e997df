"""What the plugin adds to pytest's own output: the header line, the ``amplify``
summary section and JUnit properties. Every URL is redacted on the way out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ._durations import format_duration, format_elapsed
from ._errors import AmplifyConfigError
from ._redact import redact_text
from ._settings import LATEST, Settings, apply_deferred

if TYPE_CHECKING:
    from ._model import AmplifyJob
    from ._target import Target

SECTION_TITLE = "amplify"


def header_line(settings: Settings, deferred: dict[str, tuple[str, str]]) -> str | None:
    """``amplify: app d1, branch main, latest job, region eu-west-1``, or None when
    no app is configured (the plugin is installed but unused)."""
    try:
        settings = apply_deferred(settings, deferred)
    except AmplifyConfigError:
        return None  # said by the first test that uses a fixture; unused, it is no one's business
    app_id, branch = settings.app_id.value, settings.branch.value
    if not app_id and not branch:
        return None
    parts = [f"app {app_id or '?'}", f"branch {branch or '?'}"]
    if settings.commit_id.value:
        parts.append(f"commit {settings.commit_id.value}")
    elif settings.job_id.value == LATEST:
        parts.append("latest job")
    else:
        parts.append(f"job {settings.job_id.value}")
    if settings.region.value:
        parts.append(f"region {settings.region.value}")
    if settings.endpoint_url.value:
        parts.append(f"endpoint {settings.endpoint_url.value}")
    parts.append(f"timeout {format_duration(settings.timeout.value)}")
    return redact_text("amplify: " + ", ".join(parts))


def summary_lines(
    records: Iterable[tuple[Target, AmplifyJob | None, str | None, int, float]],
) -> list[str]:
    """One block per target: the job and its steps, or why the wait failed."""
    lines: list[str] = []
    for target, job, error, polls, waited in records:
        wait = f"{polls} poll{'s' if polls != 1 else ''}, waited {format_duration(waited)}"
        if job is None:
            first_line = (error or "wait failed").splitlines()[0]
            lines.append(f"{target.describe()}: wait failed ({wait}): {first_line}")
            continue
        lines.append(f"{job.describe()}: {job.status} in {format_elapsed(job.duration)} ({wait})")
        for step in job.steps:
            reason = f": {step.status_reason}" if step.status_reason and not step.succeeded else ""
            lines.append(
                f"  {step.name:<10} {step.status:<10} {format_elapsed(step.duration)}{reason}"
            )
    return [redact_text(line) for line in lines]


def junit_properties(target: Target, job: AmplifyJob | None) -> list[tuple[str, str]]:
    return [
        ("amplify_app_id", target.app_id),
        ("amplify_branch", target.branch),
        ("amplify_job_id", job.job_id if job else target.job_id),
        ("amplify_job_status", job.status if job else "WAIT_FAILED"),
    ]
