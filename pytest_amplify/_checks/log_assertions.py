"""Assertions on a step's log: a line matches, or no line does.

Same style as the status assertions: ``AmplifyAssertionError``, frames hidden,
messages naming app, branch, job and step, every URL redacted. Lines are the line
model's (``log_lines``); the search is ``log_search``'s.
"""

from __future__ import annotations

from .._amplify.downloads import Fetcher
from .._core.errors import AmplifyAssertionError, AmplifyError
from .._core.model import AmplifyJob
from .assertions import step_or_fail
from .log_search import ClosestLines, LineSearch, Pattern, ScanResult, describe_pattern, scan
from .step_files import iter_log_blocks

# assert_log_not_contains counts matching lines up to this many, then stops reading.
MATCHES_COUNTED = 1000


def _scan(
    job: AmplifyJob,
    step: str,
    search: LineSearch,
    fetcher: Fetcher | None,
    *,
    limit: int,
    closest: ClosestLines | None = None,
) -> ScanResult:
    __tracebackhide__ = True
    try:
        return scan(
            iter_log_blocks(job, step, fetcher),
            search,
            limit=limit,
            on_block=closest.add_block if closest is not None else None,
        )
    except AmplifyError as exc:
        raise AmplifyAssertionError(
            f"the {step} log of {job.describe()} could not be read: {exc}"
        ) from None


def assert_log_contains(
    job: AmplifyJob, step: str, pattern: Pattern, fetcher: Fetcher | None = None
) -> None:
    """Some line of the step's log matches ``pattern`` (a plain string, or a compiled
    regex, searched in each line: ``^`` and ``$`` are the line's ends). The log is
    streamed: a 500 MB log costs a few MB. The failure shows the lines closest to the
    pattern, or the end of the log."""
    __tracebackhide__ = True
    found = step_or_fail(job, step)
    search = LineSearch(pattern)
    closest = ClosestLines(pattern)
    result = _scan(job, found.name, search, fetcher, limit=1, closest=closest)
    if result.found:
        return
    headline = (
        f"the {found.name} log of {job.describe()} has no line matching "
        f"{describe_pattern(pattern)} ({result.lines:,} lines searched)"
    )
    near = closest.closest()
    if near:
        body = ["closest lines:", *(f"  line {n}: {text[:300]}" for n, text in near)]
    elif closest.tail:
        body = ["the log ends with:", *(f"  line {n}: {text[:300]}" for n, text in closest.tail)]
    else:
        body = ["the log is empty"]
    raise AmplifyAssertionError(headline, *body)


def assert_log_not_contains(
    job: AmplifyJob, step: str, pattern: Pattern, fetcher: Fetcher | None = None
) -> None:
    """No line of the step's log matches ``pattern``; the failure shows the first
    matching line with its number, and how many lines match (reading stops after
    the first thousand)."""
    __tracebackhide__ = True
    found = step_or_fail(job, step)
    result = _scan(job, found.name, LineSearch(pattern), fetcher, limit=MATCHES_COUNTED)
    if not result.found:
        return
    first = result.found[0]
    count = len(result.found)
    how_many = f"{count:,} line{'s' if count != 1 else ''}"
    if not result.complete:
        how_many = f"at least {how_many} (reading stopped there)"
    raise AmplifyAssertionError(
        f"the {found.name} log of {job.describe()} has {how_many} matching "
        f"{describe_pattern(pattern)}; the first:",
        f"  line {first.number}: {first.text[:300]}",
    )
