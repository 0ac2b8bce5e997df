"""How the run's reports (GitHub job summary, annotations) put a wait's end in words."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .._core.records import OUTCOMES, TEST_OUTCOMES, ReportedWait, UsingTest


def ended(wait: ReportedWait) -> str:
    """``SUCCEED``, ``FAILED``: the job's status; or the failed wait in words."""
    job = wait.record.job
    return job.status if job is not None else OUTCOMES[wait.record.outcome].words


def headline(wait: ReportedWait) -> str:
    """``app d1, branch main, job 7: FAILED`` or ``app d1, branch main, latest job:
    timed out``."""
    record = wait.record
    named = record.job.describe() if record.job is not None else record.target.describe()
    return f"{named}: {ended(wait)}"


def tests_phrase(tests: Sequence[UsingTest]) -> str:
    """``3 tests: 2 passed, 1 error``; ``no test recorded`` when none is known."""
    if not tests:
        return "no test recorded"
    counts = Counter(test.outcome for test in tests)
    parts = []
    for outcome, (one, many) in TEST_OUTCOMES.items():
        if counts[outcome]:
            parts.append(f"{counts[outcome]} {one if counts[outcome] == 1 else many}")
    noun = "test" if len(tests) == 1 else "tests"
    return f"{len(tests)} {noun}: {', '.join(parts)}"


def shortened(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters, saying how many were left out."""
    if len(text) <= limit:
        return text
    keep = max(0, limit - 40)  # room for the marker
    return text[:keep] + f" [... {len(text) - keep:,} more characters]"
