"""Assertions on what a job's steps produced: logs, artifacts, screenshots.

Same style as the status assertions: ``AmplifyAssertionError``, frames hidden,
messages naming app, branch, job and step, every URL redacted.
"""

from __future__ import annotations

import difflib
import fnmatch
import heapq
import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence

from ._assertions import assertion_failure, step_or_fail
from ._errors import AmplifyError
from ._fetch import Fetcher, block_lines, default_fetcher
from ._files import download_artifacts, iter_log_blocks, list_test_artifacts
from ._images import NotAnImage, image_info
from ._model import AmplifyJob

Pattern = str | re.Pattern[str]
CLOSEST_LINES = 3
SAMPLE_SIZE = 15


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


def _block_filter(matcher: re.Pattern[str]) -> re.Pattern[str] | None:
    """A regex that finds, in a block of lines, every line the pattern matches (it may
    find more; those lines are checked one by one). None when no such filter is
    safe: ``\\A`` and ``\\Z`` mean "start/end of the line" only line by line."""
    if "\\A" in matcher.pattern or "\\Z" in matcher.pattern:
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
        if block_filter is None or block_filter.search(block):
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


def _check_contains(names: Sequence[str], contains: Iterable[str] | str | None, what: str) -> None:
    __tracebackhide__ = True
    if contains is None:
        return
    wanted = [contains] if isinstance(contains, str) else list(contains)
    missing = [pattern for pattern in wanted if not fnmatch.filter(names, pattern)]
    if missing:
        sample = ", ".join(sorted(names)[:SAMPLE_SIZE]) or "nothing"
        more = f" (and {len(names) - SAMPLE_SIZE} more)" if len(names) > SAMPLE_SIZE else ""
        raise assertion_failure(
            f"{what} lack {len(missing)} of {len(wanted)} expected path"
            f"{'s' if len(wanted) != 1 else ''}: {', '.join(missing)}\n"
            f"they hold {len(names)} file{'s' if len(names) != 1 else ''}: {sample}{more}"
        )


def assert_artifacts(
    job: AmplifyJob,
    step: str,
    contains: Iterable[str] | str | None = None,
    fetcher: Fetcher | None = None,
) -> None:
    """The step has an artifacts zip that downloads and, with ``contains``, holds those
    paths (glob patterns allowed: ``"assets/*.js"``)."""
    __tracebackhide__ = True
    found = step_or_fail(job, step)
    what = f"the {found.name} artifacts of {job.describe()}"
    try:
        with download_artifacts(job, found.name, fetcher) as archive:
            names = [info.filename for info in archive.infolist() if not info.is_dir()]
    except AmplifyError as exc:
        raise assertion_failure(f"{what} could not be downloaded: {exc}") from None
    _check_contains(names, contains, what)


def assert_test_artifacts(
    job: AmplifyJob, contains: Iterable[str] | str | None = None, fetcher: Fetcher | None = None
) -> None:
    """The job has end-to-end test artifacts (ListArtifacts), each matched one is served
    (GetArtifactUrl), and with ``contains`` their names match those patterns."""
    __tracebackhide__ = True
    what = f"the end-to-end test artifacts of {job.describe()}"
    fetcher = fetcher or default_fetcher()
    try:
        names = list_test_artifacts(job)
    except AmplifyError as exc:
        raise assertion_failure(f"{what} could not be listed: {exc}") from None
    if not names:
        raise assertion_failure(
            f"{what}: there are none (did the TEST phase run and upload its artifacts?)"
        )
    _check_contains(names, contains, what)
    wanted = [contains] if isinstance(contains, str) else list(contains or names[:1])
    links = job.links
    assert links is not None  # list_test_artifacts succeeded
    ids = dict(links.test_artifacts())
    for name in sorted({n for pattern in wanted for n in fnmatch.filter(names, pattern)}):
        try:
            fetcher.check_downloads(links.artifact_url(ids[name]), f"test artifact {name!r}")
        except AmplifyError as exc:
            raise assertion_failure(f"{what}: {name!r} is listed but not served: {exc}") from None


def assert_screenshots(
    job: AmplifyJob,
    step: str = "VERIFY",
    min_count: int = 1,
    names: Iterable[str] | None = None,
    fetcher: Fetcher | None = None,
) -> None:
    """The step has at least ``min_count`` screenshots, every name in ``names``, and
    each downloads as a real PNG or JPEG (signature and dimensions); the failure names
    each bad screenshot and why."""
    __tracebackhide__ = True
    found = step_or_fail(job, step)
    fetcher = fetcher or default_fetcher()
    where = f"step {found.name} of {job.describe()}"
    problems: list[str] = []
    have = list(found.screenshots)
    if len(have) < min_count:
        problems.append(
            f"expected at least {min_count} screenshot{'s' if min_count != 1 else ''}, it has {len(have)}"
        )
    missing = [name for name in (names or ()) if name not in found.screenshots]
    if missing:
        problems.append(
            f"missing: {', '.join(map(repr, missing))} (it has: {', '.join(have) or 'none'})"
        )
    from ._files import screenshot_bytes

    for name in have:
        try:
            image_info(screenshot_bytes(job, name, found.name, fetcher))
        except NotAnImage as exc:
            problems.append(f"{name!r} is not a usable image: {exc}")
        except AmplifyError as exc:
            problems.append(f"{name!r} could not be downloaded: {exc}")
    if problems:
        raise assertion_failure(
            f"the screenshots of {where} are not as expected:\n"
            + "\n".join(f"  {p}" for p in problems)
        )
