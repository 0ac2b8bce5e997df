"""What the plugin adds to pytest's terminal output: the header line and the
``amplify`` summary section. Every URL is redacted on the way out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ._durations import format_duration, format_elapsed
from ._errors import AmplifyConfigError
from ._github_event import apply_event, read_pull_request_event
from ._model import MANUAL_JOB_TYPE, AmplifyJob, describe_job
from ._redact import redact_text, single_line
from ._setting_sources import apply_deferred
from ._settings import Settings
from ._target import Target
from ._wait_record import WaitRecord

SECTION_TITLE = "amplify"


def header_line(
    settings: Settings, deferred: dict[str, tuple[str, str]], environ: Mapping[str, str]
) -> str | None:
    """``amplify: app d1, branch main, latest job, region eu-west-1``, or None when
    no app is configured (the plugin is installed but unused)."""
    try:
        settings = apply_deferred(settings, deferred)
        if settings.github_event.value:
            settings = apply_event(settings, read_pull_request_event(environ))
    except AmplifyConfigError:
        return None  # said by the first test that uses a fixture; unused, it is no one's business
    app_id, branch = settings.app_id.value, settings.branch_to_test().value
    if not app_id and not branch:
        return None
    commit = settings.commit_id.value
    which = f"commit {commit}" if commit else Target("?", "?", settings.job_id.value).which
    parts = [describe_job(app_id or "?", branch or "?", which)]
    if settings.region.value:
        parts.append(f"region {settings.region.value}")
    elif settings.endpoint_url.value:
        # Said, not silent: requests to an endpoint with no region are signed for us-east-1.
        parts.append("region: AWS_DEFAULT_REGION or the profile's, else us-east-1")
    if settings.endpoint_url.value:
        parts.append(f"endpoint {settings.endpoint_url.value}")
    parts.append(f"timeout {format_duration(settings.timeout.value)}")
    if settings.base_url.value:
        parts.append("base_url: the deployed site unless given")
    return redact_text("amplify: " + ", ".join(parts))


def _same_job(record: WaitRecord) -> tuple[object, ...]:
    """What makes two waits the same job: reached by commit id and as ``latest``,
    one job is still one job."""
    if record.job is None:
        return ("target", record.target)
    target = record.target
    return (target.endpoint_url, target.region, target.app_id, target.branch, record.job.job_id)


def summary_lines(records: Iterable[WaitRecord]) -> list[str]:
    """One block per job (or failed wait): the job and its steps, or why the wait failed."""
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
            reason = (
                f": {single_line(step.status_reason)}"
                if step.status_reason and not step.succeeded
                else ""
            )
            lines.append(
                f"  {step.name:<10} {step.status:<10} {format_elapsed(step.duration)}{reason}"
            )
    return [redact_text(line) for line in lines]


def _origin_line(target: Target, job: AmplifyJob) -> str | None:
    """Which commit the job was matched by (a manual deployment's commit id is a
    placeholder, so none is shown for it)."""
    if job.job_type == MANUAL_JOB_TYPE:
        return "manual deployment (no git commit)"
    if target.commit_id and job.commit_id == target.commit_id:
        source = f" (from {target.commit_source})" if target.commit_source else ""
        return f"matched commit {target.commit_id}{source}"
    return None
