"""Searching a log's lines for a pattern: exactly as a line-by-line check would, at
the speed of searching the whole text at once.

The answer is defined by the line model (``log_lines``): a line matches when
``pattern.search(line)`` does. Three ways to get there, picked per pattern:

- a plain string (the usual case) is searched in the raw bytes with ``bytes.find``:
  no decoding, no regex; only a matching line is decoded;
- a regex is searched in each decoded block at once, through its *block filter*
  (``block_filter``: the regex with ``re.MULTILINE``, loosened where a block changes
  its meaning); each line the filter finds is checked alone before it counts;
- a regex without a block filter is checked line by line.

Why the block filter never misses a line: the filter runs over the lines joined by
``\\n`` (CRLF made LF), and a match of one line at an offset is also a match of the
filter at that offset in the block: the same characters are consumed, and ``^``,
``$``, ``\\b`` and ``\\B`` see ``\\n`` around the line where the line alone sees its
ends, which they treat alike. The filter may find more (a match running across
lines, or one that the loosening let through); those lines are checked alone, and
after a match across lines (which may cost a scan of the block per line) or too many
misses, the rest of that block goes line by line. ``tests/test_log_search.py``
checks all of it against a naive reference.
"""

from __future__ import annotations

import dataclasses
import difflib
import heapq
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from .block_filter import block_filter
from .log_lines import clean_line, decode_block, line_count

Pattern = str | re.Pattern[str]


def compile_pattern(pattern: Pattern) -> re.Pattern[str]:
    """A plain string matches as it is written; pass ``re.compile(...)`` for a regex."""
    if isinstance(pattern, re.Pattern):
        if not isinstance(pattern.pattern, str):
            raise TypeError(f"the pattern is a str regex, not a bytes one: {pattern!r}")
        return pattern
    if not isinstance(pattern, str) or not pattern:
        raise TypeError(f"the pattern is a non-empty str or a compiled regex, not {pattern!r}")
    return re.compile(re.escape(pattern))


def describe_pattern(pattern: Pattern) -> str:
    return f"/{pattern.pattern}/" if isinstance(pattern, re.Pattern) else repr(pattern)


def _needle(pattern: Pattern) -> bytes | None:
    """A plain string's UTF-8 bytes, when finding them in the raw log is the same as
    finding the string in the decoded lines: UTF-8 decoding restarts at every lead
    byte, so valid bytes decode alike wherever they sit. Not for strings with a
    line break (no line holds one) or U+FFFD (what invalid bytes decode to)."""
    if isinstance(pattern, str) and not any(c in pattern for c in "\r\n\ufffd"):
        return pattern.encode()
    return None


# Lines a block filter finds that the pattern does not match, per block, before the
# rest of the block is checked line by line.
MISSES_PER_BLOCK = 64


@dataclasses.dataclass(frozen=True)
class Found:
    """A matching line: its number (from 1) and its text."""

    number: int
    text: str


class LineSearch:
    """Finds, in blocks of whole lines, the lines that ``pattern`` matches."""

    def __init__(self, pattern: Pattern) -> None:
        self.matcher = compile_pattern(pattern)
        self.needle = _needle(pattern)
        self.filter = None if self.needle is not None else block_filter(self.matcher)

    @property
    def way(self) -> str:
        """How blocks are searched: ``bytes``, ``block filter`` or ``line by line``."""
        if self.needle is not None:
            return "bytes"
        return "block filter" if self.filter is not None else "line by line"

    def matches(self, block: bytes, first: int, count: int | None = None) -> Iterator[Found]:
        """The matching lines of ``block`` (a block of whole lines whose ``count`` lines
        start at number ``first``), in order."""
        end = first + (line_count(block) if count is None else count)
        if self.needle is not None:
            yield from self._in_bytes(block, first)
            return
        text = decode_block(block)
        if self.filter is None:
            yield from self._line_by_line(text, 0, first, end)
        else:
            yield from self._filtered(text, self.filter, first, end)

    def _in_bytes(self, block: bytes, first: int) -> Iterator[Found]:
        assert self.needle is not None
        at = block.find(self.needle)
        number, counted = first, 0
        while at >= 0:
            start = block.rfind(b"\n", 0, at) + 1
            stop = block.find(b"\n", at)
            stop = len(block) if stop < 0 else stop
            number += block.count(b"\n", counted, start)
            counted = start
            yield Found(number, clean_line(block[start:stop]))
            at = block.find(self.needle, stop + 1)

    def _filtered(
        self, text: str, block_filter: re.Pattern[str], first: int, end: int
    ) -> Iterator[Found]:
        position, number, counted, misses = 0, first, 0, 0
        while position <= len(text):
            match = block_filter.search(text, position)
            if match is None:
                return
            start = text.rfind("\n", 0, match.start()) + 1
            stop = text.find("\n", match.start())
            stop = len(text) if stop < 0 else stop
            number += text.count("\n", counted, start)
            counted = start
            if number >= end:  # the empty end of a block that ends with "\n": no line
                return
            line = text[start:stop]
            if self.matcher.search(line):
                yield Found(number, line)
            else:
                misses += 1
                if match.end() > stop or misses > MISSES_PER_BLOCK:
                    # A match across lines may cost a scan of the block per line; many
                    # misses cost more than looking at each line: line by line, then.
                    yield from self._line_by_line(text, stop + 1, number + 1, end)
                    return
            position = stop + 1

    def _line_by_line(self, text: str, start: int, first: int, end: int) -> Iterator[Found]:
        search = self.matcher.search
        for offset, line in enumerate(text[start:].split("\n")):
            number = first + offset
            if number >= end:
                return
            if search(line):
                yield Found(number, line)


@dataclasses.dataclass(frozen=True)
class ScanResult:
    """What a scan found: up to ``limit`` matching lines, the lines read, and
    whether the whole log was read."""

    found: list[Found]
    lines: int
    complete: bool


def scan(
    blocks: Iterable[bytes],
    search: LineSearch,
    *,
    limit: int,
    on_block: Callable[[bytes, int, int], None] | None = None,
) -> ScanResult:
    """Search ``blocks`` (of whole lines, in order) until ``limit`` matching lines are
    found; ``on_block(block, first_line, line_count)`` sees each block read without
    reaching the limit."""
    found: list[Found] = []
    first = 1
    for block in blocks:
        count = line_count(block)
        for hit in search.matches(block, first, count):
            found.append(hit)
            if len(found) >= limit:
                return ScanResult(found, hit.number, complete=False)
        if on_block is not None:
            on_block(block, first, count)
        first += count
    return ScanResult(found, first - 1, complete=True)


# -- the closest lines, for the message of a pattern not found -------------------------

CLOSEST_LINES = 3
TAIL_LINES = 5
_WORDS_PER_PATTERN = 5
_HITS_PER_WORD = 3  # in each block
_POOL = 30  # lines kept for the final (difflib) ranking


def pattern_words(pattern: Pattern) -> list[bytes]:
    """The pattern's words (3+ letters, digits or underscores), longest first."""
    text = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    words = sorted({w.lower() for w in re.findall(r"[A-Za-z0-9_]{3,}", text)}, key=len)[::-1]
    return [w.encode() for w in words[:_WORDS_PER_PATTERN]] or [text.lower().encode()]


class ClosestLines:
    """The lines most like a pattern that was not found, with bounded work: in each
    block, the first few lines holding one of the pattern's words (found with
    ``bytes.find``), ranked cheaply by how many words they hold; ``difflib`` ranks
    only the best few dozen, once, at the end. Also keeps the log's last lines."""

    def __init__(self, pattern: Pattern) -> None:
        self.words = pattern_words(pattern)
        text = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
        self._needle = text.lower()
        self._pool: list[tuple[int, int, str]] = []  # a heap: (words held, -number, text)
        self.tail: deque[tuple[int, str]] = deque(maxlen=TAIL_LINES)

    def add_block(self, block: bytes, first: int, count: int) -> None:
        """Sample ``block``, whose ``count`` lines start at line number ``first``."""
        lowered = block.lower()
        starts: set[int] = set()
        for word in self.words:
            at = lowered.find(word)
            for _ in range(_HITS_PER_WORD):
                if at < 0:
                    break
                start = lowered.rfind(b"\n", 0, at) + 1
                starts.add(start)
                stop = lowered.find(b"\n", at)
                at = -1 if stop < 0 else lowered.find(word, stop + 1)
        number, counted = first, 0
        for start in sorted(starts):
            number += block.count(b"\n", counted, start)
            counted = start
            stop = block.find(b"\n", start)
            raw = lowered[start : len(block) if stop < 0 else stop]
            held = sum(1 for word in self.words if word in raw)
            self._keep(held, number, clean_line(block[start : len(block) if stop < 0 else stop]))
        self._add_tail(block, first, count)

    def _keep(self, held: int, number: int, text: str) -> None:
        entry = (held, -number, text[:500])
        if len(self._pool) < _POOL:
            heapq.heappush(self._pool, entry)
        elif entry > self._pool[0]:
            heapq.heapreplace(self._pool, entry)

    def _add_tail(self, block: bytes, first: int, count: int) -> None:
        # The last lines, found from the end (rsplit would scan the whole block).
        end = len(block) - 1 if block.endswith(b"\n") else len(block)
        lines: list[bytes] = []
        while count and len(lines) < TAIL_LINES:
            start = block.rfind(b"\n", 0, end) + 1
            lines.append(block[start:end])
            if start == 0:
                break
            end = start - 1
        lines.reverse()
        number = first + count - len(lines)
        self.tail.extend((number + i, clean_line(raw)) for i, raw in enumerate(lines))

    @property
    def candidates(self) -> int:
        """How many lines are kept for the final ranking (never more than a few dozen)."""
        return len(self._pool)

    def closest(self) -> list[tuple[int, str]]:
        """The lines most like the pattern, in log order: (number, text)."""

        def likeness(entry: tuple[int, int, str]) -> float:
            return difflib.SequenceMatcher(None, self._needle, entry[2].lower()[:300]).ratio()

        best = sorted(self._pool, key=lambda e: (likeness(e), e[1]), reverse=True)
        return sorted(((-n, text) for _, n, text in best[:CLOSEST_LINES]), key=lambda e: e[0])
