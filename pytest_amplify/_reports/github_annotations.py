"""GitHub Actions annotations: an ``::error`` workflow command per failed wait.

A wait that failed (timed out, endpoint unreachable, denied), or a job that ended
FAILED or CANCELLED while a test needed it to succeed, gets one ``::error``, which
names the failed end-to-end tests of a failed TEST step; a failed job handed to
tests with ``require_success=False`` gets none.

Workflow commands are lines of stdout that start with ``::``. Values are escaped
as actions/toolkit escapes them (``escapeData`` and ``escapeProperty`` in
``packages/core/src/command.ts``), which GitHub's documentation does not spell
out. The escaping keeps each command on one line, so no text it quotes (a status
reason, a service's message) can start a line of its own and be read as a
command. GitHub shows at most 10 annotations of a type per step and 50 per job,
and other tools in the step may annotate too: past a few, one annotation sums up
the rest. Every text is redacted.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._core.model import JobStatus
from .._core.records import OUTCOMES, ReportedWait
from .._core.redact import redact_text
from .text import headline, shortened, tests_phrase

MAX_ANNOTATIONS = 5
MAX_MESSAGE = 1000
# Failed end-to-end tests an annotation names; the count says how many there are.
MAX_NAMED = 5


def escape_data(text: str) -> str:
    """actions/toolkit's ``escapeData``: for a command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """actions/toolkit's ``escapeProperty``: for a command's properties (``title``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(name: str, message: str, **properties: str) -> str:
    """``::name key=value,...::message``, escaped; one line."""
    listed = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{name}{' ' + listed if listed else ''}::{escape_data(message)}"


def _failed_e2e(wait: ReportedWait, step: str) -> str:
    """The failed end-to-end tests of ``step``, counted and named."""
    e2e = wait.record.e2e
    counted = e2e.failed_count() if e2e is not None and e2e.step == step else None
    if e2e is None or counted is None:
        return ""
    named = [f"{test.kind} {test.name}" for test in e2e.failures[:MAX_NAMED]]
    more = len(e2e.failures) - len(named)
    return f" ({counted}: {'; '.join(named)}{f'; and {more} more' if more else ''})"


def _message(wait: ReportedWait) -> str:
    record, job = wait.record, wait.record.job
    if job is None:
        text = str(record.error) or OUTCOMES[record.outcome].words
    else:
        failed = [
            f"step {step.name} {step.status}"
            + (f": {step.status_reason}" if step.status_reason else "")
            + _failed_e2e(wait, step.name)
            for step in job.steps
            if step.status == JobStatus.FAILED
        ]
        text = "; ".join(failed) or f"the job ended {job.status}"
        text += f". Console: {job.console_url}"
    return f"{text} ({tests_phrase(wait.tests)})"


def annotation(wait: ReportedWait) -> str:
    """The ``::error`` command for one failed wait."""
    title = redact_text(f"Amplify: {headline(wait)}")
    return workflow_command(
        "error", redact_text(shortened(_message(wait), MAX_MESSAGE)), title=title
    )


def error_annotations(waits: Sequence[ReportedWait]) -> list[str]:
    """At most :data:`MAX_ANNOTATIONS` commands: one per failed wait, the last one
    summing up the rest when there are more."""
    failed = [wait for wait in waits if wait.problem]
    if len(failed) <= MAX_ANNOTATIONS:
        return [annotation(wait) for wait in failed]
    shown, rest = failed[: MAX_ANNOTATIONS - 1], failed[MAX_ANNOTATIONS - 1 :]
    listed = "; ".join(headline(wait) for wait in rest)
    summary = workflow_command(
        "error",
        redact_text(
            shortened(f"{listed}. See the job summary or pytest's amplify section.", MAX_MESSAGE)
        ),
        title=f"Amplify: {len(rest)} more waits failed",
    )
    return [*(annotation(wait) for wait in shown), summary]
