"""The internals that tests need, in one place: tests import them from here."""

from __future__ import annotations

from pytest_amplify._github_annotations import (
    MAX_ANNOTATIONS,
    error_annotations,
    escape_data,
    escape_property,
)
from pytest_amplify._github_summary import GITHUB_LIMIT, LogTail, fenced, render
from pytest_amplify._target import Target
from pytest_amplify._test_uses import TEST_OUTCOMES
from pytest_amplify._wait_record import OUTCOMES, ReportedWait, UsingTest, WaitRecord

__all__ = [
    "GITHUB_LIMIT",
    "MAX_ANNOTATIONS",
    "OUTCOMES",
    "TEST_OUTCOMES",
    "LogTail",
    "ReportedWait",
    "Target",
    "UsingTest",
    "WaitRecord",
    "error_annotations",
    "escape_data",
    "escape_property",
    "fenced",
    "render",
]
