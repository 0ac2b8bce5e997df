"""The JSON report (``--amplify-report PATH``): every wait of the run, for other tools.

The document is versioned (``schema_version``) and described by the JSON Schema
shipped beside this module (``amplify-report.schema.json``): a change to its
fields comes with a new version and a new schema (version 2 added each wait's
``e2e``, the job's end-to-end results; the fields of version 1 are unchanged).
Jobs are written in the report's own form, not as GetJob answers (which cross to
xdist workers whole): presigned URLs have their signing parameters redacted, like
everything shown, and titles and errors are kept on one line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._core.e2e_results import E2eResults, E2eTest
from .._core.model import AmplifyJob, JobStep
from .._core.records import ReportedWait
from .._core.redact import one_line, redact_text, redact_url

SCHEMA_VERSION = 2
SCHEMA_FILE = "amplify-report.schema.json"


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _seconds(value: dt.timedelta | None) -> float | None:
    return value.total_seconds() if value is not None else None


def _text(value: str | None) -> str | None:
    """A body of text (a commit message): redacted, its lines kept."""
    return redact_text(value) if value is not None else None


def _line(value: str | None) -> str | None:
    """A one-line field (a reason): redacted, on one line."""
    return one_line(value) if value is not None else None


def _url(value: str | None) -> str | None:
    return redact_url(value) if value else None


def step_document(step: JobStep) -> dict[str, Any]:
    return {
        "name": step.name,
        "status": step.status,
        "start_time": _time(step.start_time),
        "end_time": _time(step.end_time),
        "duration_seconds": _seconds(step.duration),
        "status_reason": _line(step.status_reason),
        "context": _line(step.context),
        "log_url": _url(step.log_url),
        "artifacts_url": _url(step.artifacts_url),
        "test_artifacts_url": _url(step.test_artifacts_url),
        "test_config_url": _url(step.test_config_url),
        "screenshots": {name: redact_url(url) for name, url in step.screenshots.items()},
    }


def job_document(job: AmplifyJob) -> dict[str, Any]:
    """The job in the report's form (version :data:`SCHEMA_VERSION`)."""
    return {
        "app_id": job.app_id,
        "branch": job.branch,
        "job_id": job.job_id,
        "status": job.status,
        "job_type": job.job_type,
        "commit_id": job.commit_id,
        "commit_message": _text(job.commit_message),
        "commit_time": _time(job.commit_time),
        "start_time": _time(job.start_time),
        "end_time": _time(job.end_time),
        "duration_seconds": _seconds(job.duration),
        "job_arn": job.job_arn,
        "region": job.region,
        "console_url": job.console_url,
        # No network at the end of the run: amplify_site_url, or the default domain.
        "site_url": redact_url(job.with_resolver(None).branch_url),
        "steps": [step_document(step) for step in job.steps],
    }


def e2e_test_document(test: E2eTest) -> dict[str, Any]:
    return {
        "spec": _line(test.spec),
        "suites": [_line(suite) for suite in test.suites],
        "title": _line(test.title),
        "kind": test.kind,
        "state": test.state,
        "duration_ms": test.duration_ms,
        "attempts": test.attempts,
        "error_line": _line(test.error_line) if test.error_line else None,
        "screenshot": _line(test.screenshot),
        "video": _line(test.video),
        "blocked_by": _line(test.blocked_by),
        "blocks": [_line(name) for name in test.blocks],
        "source": _line(test.source),
    }


def e2e_document(results: E2eResults) -> dict[str, Any]:
    """The job's end-to-end results (version 2 on)."""
    counts = results.counts
    return {
        "step": results.step,
        "step_status": results.step_status,
        "source": results.source,
        "report": _line(results.report),
        "passed": results.passed,
        "counts": {
            "tests": counts.tests,
            "passed": counts.passed,
            "failed": counts.failed,
            "pending": counts.pending,
            "skipped": counts.skipped,
            "not_run": counts.not_run,
            "failed_hooks": counts.failed_hooks,
        },
        "looked": [one_line(place) for place in results.looked],
        "notes": [one_line(note) for note in results.notes],
        "tests": [e2e_test_document(test) for test in results.tests],
    }


def wait_document(wait: ReportedWait) -> dict[str, Any]:
    record = wait.record
    error = None
    if record.error is not None:
        error = {"type": type(record.error).__name__, "message": redact_text(str(record.error))}
    return {
        "target": record.target.to_dict(),
        "outcome": record.outcome,
        "error": error,
        "job": job_document(record.job) if record.job is not None else None,
        "polls": record.polls,
        "calls": record.calls,
        "waited_seconds": round(record.waited, 3),
        "e2e": e2e_document(record.e2e) if record.e2e is not None else None,
        "tests": [
            {
                "nodeid": test.nodeid,
                "outcome": test.outcome,
                "require_success": test.require_success,
            }
            for test in wait.tests
        ],
    }


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pytest-amplify")
    except PackageNotFoundError:
        return "unknown"


def report_document(waits: Sequence[ReportedWait], created: dt.datetime) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "pytest-amplify", "version": _version()},
        "created": created.isoformat(),
        "waits": [wait_document(wait) for wait in waits],
    }


def write_report(path: Path, waits: Sequence[ReportedWait]) -> str:
    """Write the report to ``path`` (its folder made if needed), atomically; what
    happened, in a line for the terminal."""
    document = report_document(waits, dt.datetime.now(dt.timezone.utc))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)
    return f"JSON report: {len(waits)} wait{'s' if len(waits) != 1 else ''} written to {path}"
