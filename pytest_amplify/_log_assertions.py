"""Assertions on a step's log: a line matches, or no line does.

Same style as the status assertions: ``AmplifyAssertionError``, frames hidden,
messages naming app, branch, job and step, every URL redacted.
"""

from __future__ import annotations

import difflib
import heapq
import re
from collections import deque
from collections.abc import Iterable, Iterator

from ._assertions import assertion_failure, step_or_fail
from ._downloads import Fetcher, block_lines
from ._errors import AmplifyError
from ._model import AmplifyJob
from ._step_files import iter_log_blocks

Pattern = str | re.Pattern[str]
CLOSEST_LINES = 3


def _describe_pattern(pattern: Pattern) -> str:
    return f"/{pattern.pattern}/" if isinstance(pattern, re.Pattern) else repr(pattern)


def _matcher(pattern: Pattern) -> re.Pattern[str]:
    """A plain string matches as it is written; pass ``re.compile(...)`` for a regex."""
    if isinstance(pattern, re.Pattern):
        return pattern
    if not isinstance(pattern, str) or not pattern:
        raise TypeError(f"the pattern is a non-empty str or a compiled regex, not {pattern!r}")
    return re.compile(re.escape(pattern))


def _words(pattern: Pattern) -> list[str]:
    text = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    return [w.lower() for w in re.findall(r"[A-Za-z0-9_]{3,}", text)] or [text.lower()]


def _last_lines(block: str, count: int) -> list[str]:
    """The last lines of a block, without splitting the whole block."""
    body = block[:-1] if block.endswith("\n") else block
    return [line.removesuffix("\r") for line in body.rsplit("\n", count)[-count:]]


# Constructs that mean something else in a block than in one line: ``\A``/``\Z``
# (start/end of the line only line by line) and lookarounds (which see the
# neighbouring lines in a block).
_LINE_ONLY = ("\\A", "\\Z", "(?<", "(?=", "(?!")


def _block_filter(matcher: re.Pattern[str]) -> re.Pattern[str] | None:
    """A regex that finds, in a block of lines (its CRLF line ends made LF), every
    line the pattern matches (it may find more; those lines are checked one by one).
    None when no such filter is safe."""
    if any(construct in matcher.pattern for construct in _LINE_ONLY):
        return None
    try:
        return re.compile(matcher.pattern, matcher.flags | re.MULTILINE)
    except re.error:
        return None


def _matching_lines(
    blocks: Iterable[str], matcher: re.Pattern[str]
) -> Iterator[tuple[int, str | None, str]]:
    """(number of the block's first line, a matching line or None, the block)."""
    block_filter = _block_filter(matcher)
    base = 0
    for block in blocks:
        # `$` matches before "\n" but not before "\r\n": the filter sees the lines as
        # the line-by-line check does, with one trailing "\r" removed.
        if block_filter is None or block_filter.search(block.replace("\r\n", "\n")):
            for offset, line in enumerate(block_lines(block)):
                if matcher.search(line):
                    yield base + offset + 1, line, block
        yield base + 1, None, block
        base += block.count("\n") + (0 if block.endswith("\n") else 1)


def assert_log_contains(
    job: AmplifyJob, step: str, pattern: Pattern, fetcher: Fetcher | None = None
) -> None:
    """Some line of the step's log matches ``pattern`` (a plain string, or a compiled
    regex). The log is streamed: a 200 MB log costs a few MB. The failure shows the
    lines closest to the pattern, or the end of the log."""
    __tracebackhide__ = True
    found = step_or_fail(job, step)
    matcher = _matcher(pattern)
    words = _words(pattern)
    needle = (pattern.pattern if isinstance(pattern, re.Pattern) else pattern).lower()
    closest: list[tuple[float, int, str]] = []  # a small heap: (score, -number, line)
    tail: deque[tuple[int, str]] = deque(maxlen=5)
    count = 0
    try:
        for first, line, block in _matching_lines(
            iter_log_blocks(job, found.name, fetcher), matcher
        ):
            if line is not None:
                return
            size = block.count("\n") + (0 if block.endswith("\n") else 1)
            count = first + size - 1
            lowered_block = block.lower()
            if any(word in lowered_block for word in words):
                for offset, text in enumerate(block_lines(block)):
                    lowered = text.lower()
                    if not any(word in lowered for word in words):
                        continue
                    score = difflib.SequenceMatcher(None, needle, lowered[:500]).ratio()
                    entry = (score, -(first + offset), text)
                    if len(closest) < CLOSEST_LINES:
                        heapq.heappush(closest, entry)
                    elif entry > closest[0]:
                        heapq.heapreplace(closest, entry)
            last = _last_lines(block, 5)
            tail.extend((count - len(last) + 1 + offset, text) for offset, text in enumerate(last))
    except AmplifyError as exc:
        raise assertion_failure(
            f"the {found.name} log of {job.describe()} could not be read: {exc}"
        ) from None
    headline = (
        f"the {found.name} log of {job.describe()} has no line matching "
        f"{_describe_pattern(pattern)} ({count:,} lines searched)"
    )
    if closest:
        shown = sorted(closest, key=lambda entry: -entry[1])
        body = "closest lines:\n" + "\n".join(f"  line {-n}: {text[:300]}" for _, n, text in shown)
    elif tail:
        body = "the log ends with:\n" + "\n".join(f"  line {n}: {text[:300]}" for n, text in tail)
    else:
        body = "the log is empty"
    raise assertion_failure(f"{headline}\n{body}")


def assert_log_not_contains(
    job: AmplifyJob, step: str, pattern: Pattern, fetcher: Fetcher | None = None
) -> None:
    """No line of the step's log matches ``pattern``; the failure shows the first
    matching line with its number, and how many lines match."""
    __tracebackhide__ = True
    found = step_or_fail(job, step)
    matcher = _matcher(pattern)
    first: tuple[int, str] | None = None
    matches = 0
    try:
        for number, line, _ in _matching_lines(iter_log_blocks(job, found.name, fetcher), matcher):
            if line is not None:
                matches += 1
                if first is None:
                    first = (number, line)
    except AmplifyError as exc:
        raise assertion_failure(
            f"the {found.name} log of {job.describe()} could not be read: {exc}"
        ) from None
    if first is not None:
        number, line = first
        raise assertion_failure(
            f"the {found.name} log of {job.describe()} has {matches:,} line"
            f"{'s' if matches != 1 else ''} matching {_describe_pattern(pattern)}; the first:\n"
            f"  line {number}: {line[:300]}"
        )
