"""Log search: exactly the lines a line-by-line check finds, whatever the shortcuts.

The differential property test runs the search (bytes search, block filter, line by
line) against a naive reference that applies the line model to the whole log at
once. The ``ci`` profile (``--hypothesis-profile=ci``, as ``.ci/run`` runs it) runs many more cases.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
import sys
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from pytest_amplify import (
    AmplifyAssertionError,
    AmplifyJob,
    assert_log_contains,
    assert_log_not_contains,
    iter_log_lines,
)
from pytest_amplify.testing import FakeAmplify, FakeStep

from .seam import (
    MAX_LINE,
    ClosestLines,
    LineSearch,
    LineTooLong,
    api_for,
    line_blocks,
    loosen,
    quick_fetcher,
    scan,
)

QUICK = quick_fetcher()
PROPERTIES = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


# -- the reference: the line model applied to the whole log at once -------------------


def reference_lines(log: bytes) -> list[str]:
    """A line ends at \\n, one \\r at its end is removed, a lone \\r is no break,
    invalid UTF-8 is replaced."""
    lines = log.decode("utf-8", "replace").split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def reference_matches(log: bytes, pattern: str | re.Pattern[str]) -> list[tuple[int, str]]:
    def matches(line: str) -> bool:
        if isinstance(pattern, str):
            return pattern in line
        return pattern.search(line) is not None

    return [(n, line) for n, line in enumerate(reference_lines(log), 1) if matches(line)]


def searched(
    chunks: list[bytes],
    pattern: str | re.Pattern[str],
    block_size: int,
    limit: int = 10**9,
    closest: ClosestLines | None = None,
) -> tuple[list[tuple[int, str]], int, bool]:
    result = scan(
        line_blocks(chunks, block_size=block_size),
        LineSearch(pattern),
        limit=limit,
        on_block=closest.add_block if closest else None,
    )
    return [(f.number, f.text) for f in result.found], result.lines, result.complete


# -- what logs and patterns look like ------------------------------------------------------

PIECES = [
    b"a",
    b"b",
    b"A",
    b" ",
    b"ab",
    b"\r",
    b"\t",
    b"1",
    b"_",
    b"-",
    "é".encode(),
    "\ufffd".encode(),
    b"\xff",  # invalid UTF-8: a byte that never starts a character
    b"\xc3",  # a lead byte without its continuation
    b"\xe2\x82",  # a truncated three-byte character
    b"\x85",  # NEL: a line break for str.splitlines, not for the line model
    b"deprecated",
    b"Deployment complete",
    b"x" * 40,  # longer than many of the blocks drawn below
]
line_ends = st.sampled_from([b"\n", b"\r\n", b"\r\r\n"])


@st.composite
def logs(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.lists(st.sampled_from(PIECES), max_size=8), max_size=12))
    log = b"".join(b"".join(line) + draw(line_ends) for line in lines)
    if lines and draw(st.booleans()):
        log = log.rstrip(b"\n")  # no final newline (perhaps a final lone \r)
    return log


@st.composite
def chunked(draw: st.DrawFn, log: bytes) -> list[bytes]:
    """The log cut anywhere, as the network delivers it."""
    cuts = sorted(draw(st.lists(st.integers(0, len(log)), max_size=6)))
    edges = [0, *cuts, len(log)]
    return [log[a:b] for a, b in itertools.pairwise(edges)]


ATOMS = [
    "a",
    "b",
    "A",
    "é",
    " ",
    "-",
    ".",
    r"\w",
    r"\W",
    r"\s",
    r"\S",
    r"\d",
    r"\b",
    r"\B",
    "^",
    "$",
    r"\A",
    r"\Z",
    "(?=a)",
    "(?!b)",
    "(?<=a)",
    "(?<!b)",
    "(?<!\\s)",
    "[^a]",
    r"[\s\S]",
    "a*",
    "b+?",
    "(a|b)",
    "(?:ab)?",
    "x{2,}",
    "(?>a+)",
    "a*+",
    "[^a]*+",
    r"(a)\1",
    r"\r",
    r"\n",
    "\ufffd",
    "(?s:.)",
    "(?i:a)",
    "(?i-m:^a)",
    "(?-i:A)",
    "(?m:$)",
    "#",
    "deprecated$",
    "^Deployment complete$",
]
FLAGS = [re.IGNORECASE, re.MULTILINE, re.DOTALL, re.VERBOSE]


@st.composite
def regexes(draw: st.DrawFn) -> re.Pattern[str]:
    source = "".join(draw(st.lists(st.sampled_from(ATOMS), min_size=1, max_size=4)))
    flags = functools.reduce(operator.or_, draw(st.sets(st.sampled_from(FLAGS))), 0)
    try:
        return re.compile(source, flags)
    except re.error:
        assume(False)
        raise  # pragma: no cover


plain_strings = st.lists(
    st.sampled_from(["a", "b", "A", " ", "é", "\ufffd", "\r", "\n", "\x85", "x", "deprecated"]),
    min_size=1,
    max_size=3,
).map("".join)


# -- the property ------------------------------------------------------------------------


@PROPERTIES
@given(data=st.data(), log=logs(), pattern=regexes() | plain_strings, block_size=st.integers(1, 80))
@example(
    data=None,
    log=b"Building\r\nDeployment complete\r\nuse of deprecated\r\n",
    pattern=re.compile(r"^Deployment complete$"),
    block_size=4096,
)
@example(
    data=None,
    log=b"ok\r\nuse of deprecated\r\nok\r\n",
    pattern=re.compile(r"deprecated$"),
    block_size=4096,
)
def test_the_search_finds_what_a_line_by_line_check_finds(
    data: st.DataObject | None,
    log: bytes,
    pattern: str | re.Pattern[str],
    block_size: int,
) -> None:
    chunks = [log] if data is None else data.draw(chunked(log))
    lines = reference_lines(log)
    expected = reference_matches(log, pattern)
    found, count, complete = searched(chunks, pattern, block_size)
    assert found == expected, LineSearch(pattern).way
    assert (count, complete) == (len(lines), True)
    # Stopping at the first match (assert_log_contains) finds the same first line;
    # what a failure shows is real lines with their real numbers.
    closest = ClosestLines(pattern)
    first, _, _ = searched(chunks, pattern, block_size, limit=1, closest=closest)
    assert first == expected[:1]
    if not expected:
        assert list(closest.tail) == list(enumerate(lines, 1))[-5:]
        assert all(lines[n - 1][:500] == text for n, text in closest.closest())


@PROPERTIES
@given(data=st.data(), log=logs(), block_size=st.integers(1, 80))
def test_blocks_are_whole_lines_and_nothing_else(
    data: st.DataObject, log: bytes, block_size: int
) -> None:
    blocks = list(line_blocks(data.draw(chunked(log)), block_size=block_size))
    assert b"".join(blocks) == log
    assert all(blocks) and all(block.endswith(b"\n") for block in blocks[:-1])


@pytest.mark.parametrize(
    ("pattern", "way"),
    [
        ("Compiled successfully", "bytes"),
        ("line\nbreak", "block filter"),
        (re.compile(r"^Deployment complete$"), "block filter"),
        (re.compile(r"error TS\d+|npm ERR!", re.IGNORECASE), "block filter"),
        (re.compile(r"\Aerror"), "block filter"),
        (re.compile(r"(?<!no )errors?"), "block filter"),
        (re.compile(r"(?<=(a))b"), "line by line"),  # dropping it would renumber groups
    ],
)
def test_each_way_of_searching_is_used(pattern: str | re.Pattern[str], way: str) -> None:
    assert LineSearch(pattern).way == way


@pytest.mark.parametrize(
    ("source", "verbose", "loosened"),
    [
        (r"\Aerror: .*\Z", False, r"^error: .*$"),
        (r"\\Aliteral", False, r"\\Aliteral"),  # an escaped backslash, then "A"
        (r"(?<!no )errors?(?=:)", False, r"(?:)errors?(?:)"),
        (r"(?>a+)b", False, r"(?:a+)b"),
        (r"a*+b++c?+d{2,3}+\++", False, r"a*b+c?d{2,3}\++"),  # "\+" then a plain "+"
        (r"x{a}+", False, r"x{a}+"),  # "{a}" is no quantifier: "+" quantifies "}"
        (r"(?i-m:^a)(?-m:$)(?s-im:.)", False, r"(?i:^a)(?:$)(?s-i:.)"),
        (r"[(?<=]\(?=x", False, r"[(?<=]\(?=x"),  # in a class, escaped: not a group
        (r"a # (?=comment", True, r"a # (?=comment"),
        (r"(?P<word>\w+)(?=(?P=word))", False, None),  # a group inside: no filter
        (r"(?<=(a))b", False, None),
    ],
)
def test_loosening_keeps_what_a_line_match_needs(
    source: str, verbose: bool, loosened: str | None
) -> None:
    assert loosen(source, verbose) == loosened


def test_what_differs_in_a_block_is_checked_line_by_line() -> None:
    """Cases where the same regex over the whole text gives another answer."""
    log = b"first\nsecond\n  indented\nno errors\nend"
    cases: list[tuple[re.Pattern[str], list[int]]] = [
        (re.compile(r"\Asecond"), [2]),  # \A: the start of the line, not of the log
        (re.compile(r"first\Z"), [1]),
        (re.compile(r"(?<!\s)second"), [2]),  # the line alone has nothing before it
        (re.compile(r"second(?!\s)"), [2]),
        (re.compile(r"(?i-m:^SECOND)"), [2]),
        (re.compile(r"first.second", re.DOTALL), []),  # no line holds both
        (re.compile(r"(?<!no )errors"), []),
    ]
    # The loosened filter finds every "no error" line: after 64 misses, line by line.
    many_misses = b"no error\n" * 200 + b"a real error\n"
    found, _, _ = searched([many_misses], re.compile(r"(?<!no )error"), 1 << 20)
    assert found == [(201, "a real error")]
    if sys.version_info >= (3, 11):  # possessive quantifiers: no second chance
        cases.append((re.compile(r"[^x]*+$"), [1, 2, 3, 4, 5]))
    for pattern, numbers in cases:
        found, _, _ = searched([log], pattern, 8)
        assert [n for n, _ in found] == numbers, pattern


# -- through the public API, with the local service ------------------------------------------


def job_with_log(fake: FakeAmplify, log: bytes | Callable[[], Iterator[bytes]]) -> AmplifyJob:
    fake.add_job(app_id="d1", branch="main", job_id="1", steps=[FakeStep("BUILD", log=log)])
    answer = api_for(fake).get_job("d1", "main", "1")
    return AmplifyJob.from_api(answer, app_id="d1", branch="main")


CRLF_LOG = (
    b"[INFO]: Starting deployment\r\n"
    b"[WARNING]: use of a deprecated\r\n"
    b"[INFO]: Uploading\r\n"
    b"Deployment complete\r\n"
)


def test_crlf_logs_match_anchored_patterns(fake: FakeAmplify) -> None:
    job = job_with_log(fake, CRLF_LOG)
    assert_log_contains(job, "BUILD", re.compile(r"^Deployment complete$"), QUICK)
    with pytest.raises(AmplifyAssertionError) as raised:
        assert_log_not_contains(job, "BUILD", re.compile(r"deprecated$"), QUICK)
    assert str(raised.value) == (
        "the BUILD log of app d1, branch main, job 1 has 1 line matching /deprecated$/; "
        "the first:\n  line 2: [WARNING]: use of a deprecated"
    )
    assert list(iter_log_lines(job, "BUILD", QUICK))[1] == "[WARNING]: use of a deprecated"


def test_a_lone_carriage_return_is_not_a_line_break(fake: FakeAmplify) -> None:
    job = job_with_log(fake, b"progress 10%\rprogress 100%\nDone\n")
    assert list(iter_log_lines(job, "BUILD", QUICK)) == ["progress 10%\rprogress 100%", "Done"]
    assert_log_contains(job, "BUILD", re.compile(r"^progress 10%.*100%$"), QUICK)
    assert_log_not_contains(job, "BUILD", re.compile(r"^progress 100%"), QUICK)


def test_invalid_utf8_is_replaced(fake: FakeAmplify) -> None:
    job = job_with_log(fake, b"caf\xc3\xa9 \xff ok\n")
    assert list(iter_log_lines(job, "BUILD", QUICK)) == ["café \ufffd ok"]
    assert_log_contains(job, "BUILD", "café \ufffd ok", QUICK)


def test_counting_matches_stops_after_a_thousand(fake: FakeAmplify) -> None:
    job = job_with_log(fake, b"warning: x\n" * 5000)
    with pytest.raises(AmplifyAssertionError) as raised:
        assert_log_not_contains(job, "BUILD", "warning", QUICK)
    assert str(raised.value).startswith(
        "the BUILD log of app d1, branch main, job 1 has at least 1,000 lines (reading "
        "stopped there) matching 'warning'; the first:\n  line 1: warning: x"
    )


def test_a_line_too_long_to_search_is_an_error_not_a_cut() -> None:
    with pytest.raises(LineTooLong, match="longer than 8 MiB"):
        list(line_blocks([b"x" * (1024 * 1024)] * 9 + [b"\n"]))
    # Up to the limit, a long line stays whole, whatever the block size.
    long_line = b"y" * (MAX_LINE - 1)
    assert [len(b) for b in line_blocks([b"a\n", long_line[:5], long_line[5:] + b"\nb"], 4)] == [
        2,
        MAX_LINE,
        1,
    ]


def test_the_closest_lines_take_bounded_work() -> None:
    """Every line shares a word with the pattern: only a few per block are ranked."""
    closest = ClosestLines("Compiled successfully")
    block = b"compiled module %d\n"
    first = 1
    for _ in range(200):
        data = b"".join(block % n for n in range(100))
        closest.add_block(data, first, 100)
        first += 100
    closest.add_block(b"Not compiled successfully: 3 errors\n", first, 1)
    assert closest.candidates <= 30
    assert closest.closest()[-1] == (first, "Not compiled successfully: 3 errors")
    assert list(closest.tail)[-1] == (first, "Not compiled successfully: 3 errors")
