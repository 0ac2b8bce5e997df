"""The run's reports for CI, made once at its end by the process that reports (the
controller under pytest-xdist, which has every worker's waits and every test's
reports): JUnit testsuite properties, the GitHub Actions job summary, the JSON
report, and the GitHub annotations that the terminal summary prints.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

from .._core.records import ReportedWait, WaitRecord
from .._core.redact import one_line
from .._settings.settings import Settings
from .uses import UsesLedger

GITHUB_SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY"
GITHUB_ACTIONS_VARIABLE = "GITHUB_ACTIONS"
# The log tail of a failed step is read once more for the summary, and the run is
# over: one attempt, and short timeouts.
TAIL_CONNECT_TIMEOUT = 5.0
TAIL_READ_TIMEOUT = 10.0


@dataclasses.dataclass
class RunReports:
    """What the terminal summary prints of the reports: lines about the files
    written, and the workflow commands (stdout is where GitHub reads them)."""

    notes: list[str] = dataclasses.field(default_factory=list)
    annotations: list[str] = dataclasses.field(default_factory=list)


def _github_summary(path: Path, waits: Sequence[ReportedWait]) -> str:
    from .._amplify.downloads import Fetcher
    from .._reports.github_summary import append_summary, read_tail_again, read_tails

    fetcher = Fetcher(
        attempts=1, connect_timeout=TAIL_CONNECT_TIMEOUT, read_timeout=TAIL_READ_TIMEOUT
    )
    tails = read_tails(waits, lambda job, step: read_tail_again(job, step, fetcher))
    return append_summary(path, waits, tails)


def make_reports(
    config: pytest.Config,
    settings: Settings,
    records: Sequence[WaitRecord],
    ledger: UsesLedger,
    environ: Mapping[str, str] | None = None,
) -> RunReports:
    """Write the run's report files and return what the terminal summary shows."""
    environ = os.environ if environ is None else environ
    reports = RunReports()
    waits = ledger.join(records)
    if waits:
        from .._reports.junit import add_suite_properties

        add_suite_properties(config, waits)
    summary_path = environ.get(GITHUB_SUMMARY_VARIABLE)
    writers: list[tuple[str, Path, Callable[[Path, Sequence[ReportedWait]], str]]] = []
    if waits and summary_path and settings.github_summary.value:
        writers.append(("GitHub job summary", Path(summary_path), _github_summary))
    if settings.report.value:
        from .._reports.json_report import write_report

        report_path = config.invocation_params.dir / settings.report.value
        writers.append(("JSON report", report_path, write_report))
    if settings.e2e_junit.value:
        from .._reports.e2e_junit import write_e2e_junit

        junit_path = config.invocation_params.dir / settings.e2e_junit.value
        writers.append(("end-to-end JUnit file", junit_path, write_e2e_junit))
    for what, path, write in writers:
        try:
            reports.notes.append(write(path, waits))
        except OSError as exc:
            reports.notes.append(f"could not write the {what} to {path}: {exc}")
    if (
        waits
        and environ.get(GITHUB_ACTIONS_VARIABLE) == "true"
        and settings.github_annotations.value
    ):
        from .._reports.github_annotations import error_annotations

        reports.annotations = error_annotations(waits)
    reports.notes = [one_line(note) for note in reports.notes]
    return reports
