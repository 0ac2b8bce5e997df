"""The ``amplify`` section of pytest's terminal summary: each line redacted and kept
on one line on the way out."""

from __future__ import annotations

from collections.abc import Iterable

from .._core.durations import format_duration, format_elapsed
from .._core.model import MANUAL_JOB_TYPE, AmplifyJob
from .._core.records import WaitRecord
from .._core.redact import one_line
from .._core.target import Target

SECTION_TITLE = "amplify"


def _same_job(record: WaitRecord) -> tuple[object, ...]:
    """What makes two waits the same job: reached by commit id and as ``latest``,
    one job is still one job."""
    if record.job is None:
        return ("target", record.target)
    target = record.target
    return (target.endpoint_url, target.region, target.app_id, target.branch, record.job.job_id)


def summary_lines(records: Iterable[WaitRecord]) -> list[str]:
    """One block per job (or failed wait): the job, its steps and its end-to-end
    results when the run read them, or why the wait failed."""
    lines: list[str] = []
    seen: set[tuple[object, ...]] = set()
    for record in records:
        if _same_job(record) in seen:
            continue
        seen.add(_same_job(record))
        polls, job = record.polls, record.job
        wait = f"{polls} poll{'s' if polls != 1 else ''}, waited {format_duration(record.waited)}"
        if job is None:
            lines.append(f"{record.target.describe()}: wait failed ({wait}): {record.error_line}")
            continue
        lines.append(f"{job.describe()}: {job.status} in {format_elapsed(job.duration)} ({wait})")
        origin = _origin_line(record.target, job)
        if origin:
            lines.append(f"  {origin}")
        for step in job.steps:
            reason = f": {step.status_reason}" if step.status_reason and not step.succeeded else ""
            lines.append(
                f"  {step.name:<10} {step.status:<10} {format_elapsed(step.duration)}{reason}"
            )
        # A pass in one line; failures one by one, as the first test's error lists them.
        if record.e2e is not None:
            lines.extend(f"  {line}" for line in record.e2e.report_lines())
    return [one_line(line) for line in lines]


def _origin_line(target: Target, job: AmplifyJob) -> str | None:
    """Which commit the job was matched by (a manual deployment's commit id is a
    placeholder, so none is shown for it)."""
    if job.job_type == MANUAL_JOB_TYPE:
        return "manual deployment (no git commit)"
    if target.commit_id and job.commit_id == target.commit_id:
        source = f" (from {target.commit_source})" if target.commit_source else ""
        return f"matched commit {target.commit_id}{source}"
    return None
