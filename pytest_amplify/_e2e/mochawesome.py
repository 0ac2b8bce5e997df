"""Reading a mochawesome report (mochawesome 4 and later: a ``results`` array of
suites) into :class:`E2eTest` values.

What the reports made by the real tools show (tests/data/e2e/README.md): a failing
``before all`` hook sits in its suite's ``beforeHooks`` with ``state: "failed"``,
the tests it blocked keep ``state: null`` (``skipped: true``), and ``stats`` leave
the hook out; so the tests and hooks are read one by one and ``stats`` and the
``failures`` arrays are never used. A retried test appears once, with its last
state. The root suite of one mocha run over several files has an empty ``file``: a
suite without one takes its parent's, or its children's.

The file is outside text: a banner before the JSON (``yarn mochawesome-merge ... >
mochawesome.json`` writes yarn's) and text after it are skipped, and images
embedded in ``context`` (base64 data URIs) are counted, never kept.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .._core.e2e_results import HOOK, E2eState, E2eTest, bounded, first_line

# The start of the report: the first line that opens a JSON object.
_OBJECT_START = re.compile(r"^[ \t]*\{", re.MULTILINE)
_DATA_URI = re.compile(r"data:image/[a-z+.-]+;base64,", re.IGNORECASE)


class ReportProblem(Exception):
    """The file is not a report the plugin can read; the message says why, in one line."""


@dataclasses.dataclass(frozen=True)
class ParsedReport:
    """The tests and failed hooks of one report, and what reading it noticed."""

    tests: tuple[E2eTest, ...]
    notes: tuple[str, ...] = ()

    @property
    def specs(self) -> frozenset[str]:
        return frozenset(test.spec for test in self.tests)


def _json_object(data: bytes) -> tuple[Mapping[str, Any], list[str]]:
    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    found = _OBJECT_START.search(text)
    if found is None:
        raise ReportProblem("it is not JSON: no object in it")
    notes = []
    skipped = text[: found.start()].count("\n")
    if text[: found.start()].strip():
        # A package manager's banner (yarn prints "yarn run v1.22", the command).
        notes.append(f"{skipped} line{'s' if skipped != 1 else ''} before the JSON skipped")
    try:
        value, end = json.JSONDecoder().raw_decode(text, found.end() - 1)
    except json.JSONDecodeError as exc:
        raise ReportProblem(f"it is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if text[end:].strip():
        notes.append("text after the JSON skipped")
    if not isinstance(value, dict):
        raise ReportProblem(f"it is JSON, but a {type(value).__name__}, not a report")
    return value, notes


def parse_report(data: bytes) -> ParsedReport:
    """The tests and failed hooks of a mochawesome report; :class:`ReportProblem`
    when it is not one the plugin reads."""
    report, notes = _json_object(data)
    results = report.get("results")
    if results is None:
        if "suites" in report:
            raise ReportProblem(
                "unsupported report: mochawesome 3 or older (top-level 'suites', no "
                "'results'); mochawesome 4 and later write 'results'"
            )
        raise ReportProblem("it is not a mochawesome report: it has no 'results'")
    if not isinstance(results, list):
        raise ReportProblem(f"its 'results' is a {type(results).__name__}, not a list")
    reader = _Reader()
    tests = [test for suite in results for test in reader.suite(suite, "", ())]
    if reader.embedded:
        notes.append(
            f"{reader.embedded} image{'s' if reader.embedded != 1 else ''} embedded in the "
            "report's context (base64), not shown"
        )
    return ParsedReport(tuple(tests), tuple(notes))


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _spec_of(suite: Mapping[str, Any]) -> str:
    """The suite's spec file, as the report gives it (``cypress/e2e/cart.cy.js``)."""
    for key in ("file", "fullFile"):
        value = _text(suite.get(key)).strip()
        if value:
            return value.lstrip("/") if key == "file" else value
    return ""


def _child_spec(suite: Mapping[str, Any]) -> str:
    for child in _suites(suite):
        found = _spec_of(child) or _child_spec(child)
        if found:
            return found
    return ""


def _suites(suite: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    children = suite.get("suites")
    if isinstance(children, list):
        yield from (child for child in children if isinstance(child, dict))


def _items(suite: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = suite.get(key)
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _duration(test: Mapping[str, Any]) -> int | None:
    value = test.get("duration")
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _error(test: Mapping[str, Any]) -> tuple[str, str]:
    err = test.get("err")
    if not isinstance(err, dict):
        return "", ""
    message = _text(err.get("message"))
    full = _text(err.get("estack")) or message
    return first_line(message or full), bounded(full)


class _Reader:
    def __init__(self) -> None:
        self.embedded = 0

    def _count_embedded(self, item: Mapping[str, Any]) -> None:
        context = item.get("context")
        if isinstance(context, str):
            self.embedded += len(_DATA_URI.findall(context))

    def suite(
        self,
        suite: object,
        parent_spec: str,
        path: tuple[str, ...],
        blocked_by: E2eTest | None = None,
    ) -> Iterator[E2eTest]:
        if not isinstance(suite, dict):
            return
        spec = _spec_of(suite) or parent_spec or _child_spec(suite)
        title = _text(suite.get("title"))
        here = (*path, title) if title else path
        before = [self._hook(hook, spec, here) for hook in _failed(_items(suite, "beforeHooks"))]
        after = [self._hook(hook, spec, here) for hook in _failed(_items(suite, "afterHooks"))]
        # A failed hook blocks the tests of its suite that had not run, nested ones too.
        blocker = next(iter(before + after), blocked_by)
        tests = [self._test(raw, spec, here, blocker) for raw in _items(suite, "tests")]
        nested = [
            test for child in _suites(suite) for test in self.suite(child, spec, here, blocker)
        ]
        hooks = [
            dataclasses.replace(
                hook,
                blocks=tuple(t.name for t in tests + nested if t.blocked_by == hook.name),
            )
            for hook in before + after
        ]
        yield from hooks[: len(before)]
        yield from tests
        yield from nested
        yield from hooks[len(before) :]

    def _hook(self, hook: Mapping[str, Any], spec: str, path: tuple[str, ...]) -> E2eTest:
        self._count_embedded(hook)
        line, full = _error(hook)
        return E2eTest(
            spec=spec,
            suites=path,
            title=_text(hook.get("title")) or "a hook",
            state=E2eState.FAILED,
            kind=HOOK,
            duration_ms=_duration(hook),
            error_line=line,
            error=full,
        )

    def _test(
        self,
        test: Mapping[str, Any],
        spec: str,
        path: tuple[str, ...],
        blocker: E2eTest | None,
    ) -> E2eTest:
        self._count_embedded(test)
        state = test.get("state")
        if state == "passed" or test.get("pass") is True:
            ended = E2eState.PASSED
        elif state == "failed" or test.get("fail") is True:
            ended = E2eState.FAILED
        elif state == "pending" or test.get("pending") is True:
            ended = E2eState.PENDING
        else:
            ended = E2eState.NOT_RUN if blocker is not None else E2eState.SKIPPED
        line, full = _error(test) if ended == E2eState.FAILED else ("", "")
        return E2eTest(
            spec=spec,
            suites=path,
            title=_text(test.get("title")),
            state=ended,
            duration_ms=_duration(test),
            error_line=line,
            error=full,
            blocked_by=blocker.name if ended == E2eState.NOT_RUN and blocker else None,
        )


def _failed(hooks: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [hook for hook in hooks if hook.get("state") == "failed" or hook.get("fail") is True]
