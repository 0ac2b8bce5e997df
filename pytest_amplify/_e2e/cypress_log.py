"""Reading a TEST step's log when there is no report: what `cypress run` printed.

Cypress prints, for each spec, ``Running:  cart.cy.js  (1 of 2)``, then mocha's list
of the spec's tests (``✓ title`` passed, ``1) title`` failed, ``- title`` pending,
``(Attempt 1 of 2) title`` a retried attempt, ``1) "before all" hook for "title"``
a failed hook), the numbered failures with their errors, and a ``(Results)`` box
with the spec's counts; at the end a ``(Run Finished)`` table. Amplify puts
``<time> [INFO]: `` before the first line of each piece of output and indents the
lines after it to match. The shapes come from Cypress's own system tests and logs
that users posted (tests/data/e2e/README.md).

What the log cannot say: the names of all the tests a failed hook kept from running
(mocha names only the first; Cypress's table counts the rest as skipped), durations
and the full titles of passed tests' suites beyond their indentation.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator

from .._core.e2e_results import HOOK, E2eState, E2eTest, bounded, first_line

_AMPLIFY_PREFIX = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z \[[A-Z]+\]: ?")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_RUNNING = re.compile(r"^\s*Running:\s+(.+?)\s+\(\d+ of \d+\)\s*$")
_PASSED = re.compile(r"^(\s*)[✓✔√]\s+(.*?)(?:\s+\(\d+m?s\))?\s*$")
_FAILED = re.compile(r"^(\s*)(\d+)\) (.*?)\s*$")
_PENDING = re.compile(r"^(\s*)- (.*?)\s*$")
_ATTEMPT = re.compile(r"^(\s*)\(Attempt (\d+) of (\d+)\) (.*?)\s*$")
_SUMMARY = re.compile(r"^\s*\d+ (passing|pending|failing)\b")
_DETAIL = re.compile(r"^  (\d+)\) (.*?)\s*$")
_HOOK = re.compile(r'^"(before all|before each|after all|after each)" hook(?: for "(.*)")?')
_BOX_COUNT = re.compile(r"│\s*(Tests|Passing|Failing|Pending|Skipped):\s+(\d+)\s*│")
_END_OF_SPEC = re.compile(
    r"^\s*\((Results|Run Finished|Screenshots|Video)\)\s*$|^\s*\[mochawesome\]"
)


def log_text_lines(lines: Iterable[str]) -> Iterator[str]:
    """The log's lines as the tools printed them: Amplify's time and level, and the
    indentation that continues them, removed; colours removed."""
    indent = 0
    for raw in lines:
        line = _ANSI.sub("", raw)
        prefix = _AMPLIFY_PREFIX.match(line)
        if prefix:
            indent = len(prefix.group(0))
            yield line[indent:]
        elif indent and line[:indent].strip() == "":
            yield line[indent:]
        else:
            yield line


@dataclasses.dataclass
class _Listed:
    """A test or hook as the spec's list shows it."""

    suites: tuple[str, ...]
    title: str
    state: str
    number: int | None = None
    attempts: int = 1


@dataclasses.dataclass
class _Spec:
    name: str
    listed: list[_Listed] = dataclasses.field(default_factory=list)
    errors: dict[int, list[str]] = dataclasses.field(default_factory=dict)
    counts: dict[str, int] = dataclasses.field(default_factory=dict)


class _SpecReader:
    """Reads one spec's part of the log, line by line."""

    def __init__(self, name: str) -> None:
        self.spec = _Spec(name)
        self._suites: list[tuple[int, str]] = []
        self._attempts: dict[tuple[int, str], int] = {}
        self._section = "list"
        self._detail: int | None = None

    def _path(self, indent: int) -> tuple[str, ...]:
        while self._suites and self._suites[-1][0] >= indent:
            self._suites.pop()
        return tuple(title for _, title in self._suites)

    def read(self, line: str) -> None:
        box = _BOX_COUNT.search(line)
        if box:
            self.spec.counts[box.group(1).lower()] = int(box.group(2))
        elif _END_OF_SPEC.match(line):
            self._section, self._detail = "end", None
        elif self._section == "list":
            self._list(line)
        elif self._section == "summary" and _DETAIL.match(line):
            self._section = "details"
            self._details(line)
        elif self._section == "details":
            self._details(line)

    def _list(self, line: str) -> None:
        if not line.strip():
            return
        if _SUMMARY.match(line):
            self._section = "summary"
            return
        attempt = _ATTEMPT.match(line)
        if attempt:
            key = (len(attempt.group(1)), attempt.group(4))
            self._attempts[key] = self._attempts.get(key, 1) + 1
            return
        for pattern, state in ((_PASSED, E2eState.PASSED), (_PENDING, E2eState.PENDING)):
            found = pattern.match(line)
            if found:
                self._add(found.group(1), found.group(2), state)
                return
        failed = _FAILED.match(line)
        if failed:
            self._add(failed.group(1), failed.group(3), E2eState.FAILED, int(failed.group(2)))
            return
        indent = len(line) - len(line.lstrip())
        self._path(indent)
        self._suites.append((indent, line.strip()))

    def _add(self, indent: str, title: str, state: str, number: int | None = None) -> None:
        attempts = self._attempts.pop((len(indent), title), 1)
        listed = _Listed(self._path(len(indent)), title, state, number, attempts)
        self.spec.listed.append(listed)

    def _details(self, line: str) -> None:
        detail = _DETAIL.match(line)
        if detail:
            self._detail = int(detail.group(1))
            self.spec.errors[self._detail] = []
        elif self._detail is not None:
            self.spec.errors[self._detail].append(line)


def _split_error(lines: list[str]) -> str:
    """A failure's detail lines without the title lines that go on from its number
    (indented 7 columns and more; the error is indented 5), dedented: the error as
    mocha printed it."""
    body = list(lines)
    while body and body[0].startswith(" " * 7):
        body.pop(0)
    text = "\n".join(line[5:] if line.startswith("     ") else line.strip() for line in body)
    return text.strip("\n")


def parse_log(lines: Iterable[str]) -> tuple[list[E2eTest], list[str]]:
    """The tests and failed hooks the log shows, and notes on what it leaves out."""
    specs: list[_Spec] = []
    reader: _SpecReader | None = None
    for line in log_text_lines(lines):
        running = _RUNNING.match(line)
        if running:
            reader = _SpecReader(running.group(1).strip())
            specs.append(reader.spec)
        elif reader is not None:
            reader.read(line)
    tests: list[E2eTest] = []
    notes: list[str] = []
    for spec in specs:
        found, note = _spec_tests(spec)
        tests.extend(found)
        notes.extend(note)
    return tests, notes


def _spec_tests(spec: _Spec) -> tuple[list[E2eTest], list[str]]:
    tests: list[E2eTest] = []
    hooks: list[E2eTest] = []
    for listed in spec.listed:
        error = _split_error(spec.errors.get(listed.number, [])) if listed.number else ""
        is_hook = listed.state == E2eState.FAILED and _HOOK.match(listed.title) is not None
        made = E2eTest(
            spec=spec.name,
            suites=listed.suites,
            title=listed.title,
            state=listed.state,
            kind=HOOK if is_hook else "test",
            attempts=listed.attempts,
            error_line=first_line(error),
            error=bounded(error),
        )
        tests.append(made)
        if is_hook:
            hooks.append(made)
    notes: list[str] = []
    blocked: list[E2eTest] = []
    for failed_hook in hooks:
        match = _HOOK.match(failed_hook.title)
        if match and match.group(2):
            blocked.append(_not_run(spec.name, failed_hook.suites, match.group(2), failed_hook))
    # Cypress's box counts a failed hook as one failing test and the rest it blocked
    # as skipped: those are not named anywhere in the log.
    unnamed = spec.counts.get("skipped", 0)
    if unnamed:
        only = hooks[0] if len(hooks) == 1 else None
        for _ in range(unnamed):
            title = "(a test the log does not name)"
            suites = only.suites if only else ()
            if only:
                blocked.append(_not_run(spec.name, suites, title, only))
            else:
                blocked.append(E2eTest(spec.name, suites, title, E2eState.SKIPPED))
        notes.append(
            f"{spec.name}: the log does not name {unnamed} test{'s' if unnamed != 1 else ''} "
            "that did not run (Cypress counts them as skipped)"
        )
    by_hook = {h.name: tuple(t.name for t in blocked if t.blocked_by == h.name) for h in hooks}
    tests = [dataclasses.replace(t, blocks=by_hook.get(t.name, ())) for t in tests]
    listed_tests = sum(1 for t in tests if t.kind != HOOK) + len(hooks)
    counted = spec.counts.get("tests")
    if counted is not None and counted != listed_tests + unnamed:
        notes.append(
            f"{spec.name}: Cypress's table counts {counted} tests, the log lists {listed_tests}"
        )
    return tests + blocked, notes


def _not_run(spec: str, suites: tuple[str, ...], title: str, hook: E2eTest) -> E2eTest:
    return E2eTest(spec, suites, title, E2eState.NOT_RUN, blocked_by=hook.name)
