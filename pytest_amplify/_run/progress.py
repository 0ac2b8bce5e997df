"""The progress line while a wait goes on.

Output capture swallows what a fixture writes, so the line goes to pytest's
terminal reporter with capture suspended, as pytest's own live logging does. On
a terminal one line is rewritten in place; in CI logs (no terminal) a line is
written at most every 30 s of the wait's clock.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from .._core.durations import format_duration
from .._core.redact import one_line

if TYPE_CHECKING:
    import pytest

    from .._jobs.waiting import JobWait

LOG_LINE_INTERVAL = 30.0


def progress_line(wait: JobWait) -> str:
    parts = [wait.status or "resolving"]
    if wait.current_step:
        parts.append(f"step {wait.current_step}")
    if wait.waiting_for_branch:
        parts.append(f"branch {wait.target.branch} not created yet")
    elif wait.waiting_to_be_listed:
        parts.append(
            f"no job of commit {wait.target.commit_id[:12]} listed yet"
            if wait.target.commit_id
            else "no job listed yet"
        )
    if wait.last_problem is not None and wait.last_problem.kind != "fatal":
        parts.append(f"retrying: {wait.last_problem.summary}")
    return one_line(
        f"amplify: {wait.describe_job()}: {', '.join(parts)} "
        f"[{format_duration(wait.elapsed())}, {wait.polls} poll{'s' if wait.polls != 1 else ''}]"
    )


class TerminalProgress:
    """Reports one wait to pytest's terminal."""

    def __init__(
        self,
        config: pytest.Config,
        interval: float = LOG_LINE_INTERVAL,
        current_test: Callable[[], str | None] = lambda: None,
    ) -> None:
        self._config = config
        self._current_test = current_test
        self._reporter: Any = config.pluginmanager.get_plugin("terminalreporter")
        self._interval = interval
        self._shown = False
        self._last_written: float | None = None

    @property
    def _isatty(self) -> bool:
        return bool(getattr(self._reporter, "isatty", False))

    @contextlib.contextmanager
    def _terminal(self) -> Iterator[Any]:
        capture: Any = self._config.pluginmanager.get_plugin("capturemanager")
        if capture is None:
            yield self._reporter
            return
        with capture.global_and_fixture_disabled():
            yield self._reporter

    def update(self, wait: JobWait) -> None:
        if self._reporter is None:
            return
        if wait.last_job is not None and wait.last_job.finished:
            return  # finish() has the last word; a job finished at first look shows nothing
        line = progress_line(wait)
        now = wait.clock.monotonic()
        with self._terminal() as reporter:
            if self._isatty:
                if not self._shown:
                    reporter.ensure_newline()
                reporter.rewrite(line, erase=True)
            elif self._last_written is None or now - self._last_written >= self._interval:
                reporter.ensure_newline()
                reporter.write_line(line)
                self._last_written = now
            else:
                return
        self._shown = True

    def finish(self, wait: JobWait) -> None:
        if self._reporter is None or not self._shown:
            return
        with self._terminal() as reporter:
            if self._isatty:
                reporter.rewrite(progress_line(wait), erase=True)
                reporter.write("\n")
            else:
                reporter.write_line(progress_line(wait))
            self._resume_pytest_line(reporter)
        self._shown = False
        self._last_written = None

    def _resume_pytest_line(self, reporter: Any) -> None:
        """Start pytest's line for the current test again (``test_a.py ``), so that
        its result letter lands there and not alone on a line of its own. In verbose
        mode pytest writes the test's prefix again by itself."""
        nodeid = self._current_test()
        if nodeid and reporter.verbosity <= 0:
            reporter.write_fspath_result(nodeid, "")
