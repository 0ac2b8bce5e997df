"""The results of a job's end-to-end tests as plain data: each test and failed hook,
where the results came from and where the plugin looked; and how messages list them.

Plain, immutable and serialisable (``to_dict``/``from_dict``), so that they can
cross from pytest-xdist workers on a wait's record and go into the run's reports
(``_e2e`` reads them, everything above shows them: hence here, with the other plain
values). Counts are made from the tests and hooks themselves, never from a report's
``stats`` or ``failures`` arrays, which leave failed hooks out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, Final


class E2eState:
    """How one end-to-end test ended."""

    PASSED: Final = "passed"
    FAILED: Final = "failed"
    # Skipped in the spec itself (``it.skip``, ``xit``): mocha and mochawesome call it pending.
    PENDING: Final = "pending"
    # Did not run, and no failed hook says why (an aborted spec, ``--bail``).
    SKIPPED: Final = "skipped"
    # Did not run because a hook of its suite failed (``blocked_by`` names it).
    NOT_RUN: Final = "not_run"


E2E_STATES: Final = (
    E2eState.PASSED,
    E2eState.FAILED,
    E2eState.PENDING,
    E2eState.SKIPPED,
    E2eState.NOT_RUN,
)
TEST: Final = "test"
HOOK: Final = "hook"
# Errors are kept whole up to this many characters (a stack trace, a diff).
MAX_ERROR_TEXT = 8000
# Failures a message lists in full; past them, a count.
MAX_LISTED = 30


def first_line(text: str) -> str:
    """The first line that says something: an error's gist."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def bounded(text: str, limit: int = MAX_ERROR_TEXT) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n[... {len(text) - limit:,} more characters]"


@dataclasses.dataclass(frozen=True)
class E2eTest:
    """One end-to-end test, or one hook that failed (``kind == "hook"``).

    ``suites`` is the path of suite titles (``("Cart", "checkout")``);
    ``duration_ms`` is None when the source does not say; ``attempts`` counts
    Cypress's retries where the source shows them; ``screenshot`` and ``video`` are
    file names within the step's test artifacts. A failed hook lists the tests that
    did not run because of it in ``blocks``; each of those names it in ``blocked_by``.
    ``source`` is the report (or the log) the test was read from.
    """

    spec: str
    suites: tuple[str, ...]
    title: str
    state: str
    kind: str = TEST
    duration_ms: int | None = None
    attempts: int = 1
    error_line: str = ""
    error: str = ""
    screenshot: str | None = None
    video: str | None = None
    blocked_by: str | None = None
    blocks: tuple[str, ...] = ()
    source: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "suites", tuple(self.suites))
        object.__setattr__(self, "blocks", tuple(self.blocks))

    @property
    def full_title(self) -> str:
        """Suites and title, joined as mocha joins them (``Cart checkout pays``)."""
        return " ".join((*self.suites, self.title))

    @property
    def name(self) -> str:
        """``cart.cy.js > Cart > checkout > pays``: how messages name it."""
        return " > ".join(part for part in (self.spec, *self.suites, self.title) if part)

    @property
    def failed(self) -> bool:
        return self.state == E2eState.FAILED

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["suites"] = list(self.suites)
        data["blocks"] = list(self.blocks)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> E2eTest:
        fields = {field.name for field in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in fields})


@dataclasses.dataclass(frozen=True)
class E2eCounts:
    """How many tests ended each way, and how many hooks failed."""

    passed: int = 0
    failed: int = 0
    pending: int = 0
    skipped: int = 0
    not_run: int = 0
    failed_hooks: int = 0

    @property
    def tests(self) -> int:
        return self.passed + self.failed + self.pending + self.skipped + self.not_run

    @property
    def ran(self) -> int:
        return self.passed + self.failed

    @classmethod
    def of(cls, tests: Iterable[E2eTest]) -> E2eCounts:
        counts = {state: 0 for state in E2E_STATES}
        hooks = 0
        for test in tests:
            if test.kind == HOOK:
                hooks += 1
            else:
                counts[test.state] += 1
        return cls(failed_hooks=hooks, **counts)

    def describe(self, noun: str = "test") -> str:
        """``2 of 5 tests failed, 1 hook failed and 2 tests did not run because of it
        (1 passed, 1 pending)``; ``noun`` names the tests of the first count
        (``end-to-end test``)."""
        should_run = self.tests - self.pending
        parts = [f"{self.failed} of {should_run} {noun}{_s(should_run)} failed"]
        if self.failed_hooks:
            parts.append(f"{self.failed_hooks} hook{_s(self.failed_hooks)} failed")
        if self.not_run:
            parts.append(
                f"{self.not_run} test{_s(self.not_run)} did not run because of "
                f"{'it' if self.failed_hooks == 1 else 'them'}"
            )
        if self.skipped:
            parts.append(f"{self.skipped} did not run (skipped)")
        head = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
        rest = [f"{self.passed} passed"]
        if self.pending:
            rest.append(f"{self.pending} pending")
        return f"{head} ({', '.join(rest)})"


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _failure_lines(test: E2eTest) -> list[str]:
    what = HOOK if test.kind == HOOK else TEST
    lines = [f"  ✖ {what} {test.name}: {test.error_line or '(no error message)'}"]
    if test.attempts > 1:
        lines.append(f"      attempts: {test.attempts}")
    if test.screenshot:
        lines.append(f"      screenshot: {test.screenshot}")
    lines.extend(f"      did not run because of it: {blocked}" for blocked in test.blocks)
    return lines


@dataclasses.dataclass(frozen=True)
class E2eResults:
    """What a job's TEST step says about its end-to-end tests.

    ``source`` says where the results came from (the test artifacts' zip, the
    artifacts ListArtifacts lists, or the step's log), ``report`` which file,
    ``looked`` every place the plugin looked and what it found there, in order;
    ``notes`` what the results do not settle (a report that contradicts the step's
    status, tests whose names the log does not give). ``tests`` holds the tests and
    the failed hooks.
    """

    step: str
    step_status: str
    source: str
    tests: tuple[E2eTest, ...] = ()
    report: str | None = None
    looked: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("tests", "looked", "notes"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def counts(self) -> E2eCounts:
        return E2eCounts.of(self.tests)

    @property
    def failures(self) -> tuple[E2eTest, ...]:
        """The failed tests and hooks, in the order they ran."""
        return tuple(test for test in self.tests if test.failed)

    @property
    def not_run(self) -> tuple[E2eTest, ...]:
        return tuple(test for test in self.tests if test.state == E2eState.NOT_RUN)

    @property
    def passed(self) -> bool:
        """Tests ran, none failed, no hook failed, every test that should run ran,
        and the step did not fail: anything else is not a pass."""
        counts = self.counts
        return (
            counts.ran > 0
            and not counts.failed
            and not counts.failed_hooks
            and not counts.not_run
            and not counts.skipped
            and self.step_status != "FAILED"
        )

    def described_source(self) -> str:
        where = f"{self.report} in " if self.report else ""
        return f"{where}{self.source}"

    def headline(self) -> str:
        """The results in a line: ``3 end-to-end tests passed``, ``2 of 5 end-to-end
        tests failed, 1 hook failed ...``, or that the step ran none the plugin found."""
        counts = self.counts
        if not counts.tests:
            return "no end-to-end test found"
        if self.passed:
            pending = f", {counts.pending} pending" if counts.pending else ""
            return f"{counts.passed} end-to-end test{_s(counts.passed)} passed{pending}"
        return counts.describe("end-to-end test")

    def failure_lines(self, limit: int = MAX_LISTED) -> list[str]:
        """Each failed test and hook (its error's first line, attempts, screenshot, the
        tests a hook kept from running), then the tests that did not run for no known
        reason: the lines every message about the results lists, indented."""
        failures = self.failures
        lines = [line for test in failures[:limit] for line in _failure_lines(test)]
        if len(failures) > limit:
            lines.append(f"  ... and {len(failures) - limit} more failures")
        skipped = [test for test in self.tests if test.state == E2eState.SKIPPED]
        lines.extend(f"  did not run: {test.name}" for test in skipped[:limit])
        return lines

    def failed_count(self) -> str | None:
        """``2 of 5 end-to-end tests failed, 1 hook failed ...`` when tests or hooks
        failed: what a failed job's first line says of them."""
        counts = self.counts
        if not (counts.failed or counts.failed_hooks):
            return None
        return counts.describe("end-to-end test")

    def report_lines(self, limit: int = MAX_LISTED) -> list[str]:
        """The results as the run's reports list them: a line that says what they
        show and where they came from (all of it for a pass), then each failure and
        note; or, when none were found, where the plugin looked."""
        head = f"end-to-end results of the {self.step} step: {self.headline()}"
        if not self.counts.tests:
            return [head, *(f"  looked at {place}" for place in self.looked)]
        lines = [f"{head} (from {self.described_source()})"]
        if not self.passed:
            lines.extend(self.failure_lines(limit))
            lines.extend(f"  note: {note}" for note in self.notes)
        return lines

    def screenshots_line(self) -> list[str]:
        """Where the failures' screenshots are, when one has a screenshot."""
        if not any(test.screenshot for test in self.failures):
            return []
        return [
            "screenshots: download_test_artifact(job, NAME), or in the zip at the "
            f"{self.step} step's testArtifactsUrl"
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "step_status": self.step_status,
            "source": self.source,
            "report": self.report,
            "looked": list(self.looked),
            "notes": list(self.notes),
            "tests": [test.to_dict() for test in self.tests],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> E2eResults:
        return cls(
            step=data["step"],
            step_status=data["step_status"],
            source=data["source"],
            report=data.get("report"),
            looked=tuple(data.get("looked") or ()),
            notes=tuple(data.get("notes") or ()),
            tests=tuple(E2eTest.from_dict(test) for test in data.get("tests") or ()),
        )
