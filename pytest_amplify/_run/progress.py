"""The progress line while a wait goes on.

Output capture swallows what a fixture writes, so the line goes to pytest's
terminal reporter with capture suspended, as pytest's own live logging does. On
a terminal one line is rewritten in place; in CI logs (no terminal) a whole line is
written, and flushed, at least every 30 s of the wait's clock, polls or not (the
wait wakes for it). Under pytest-xdist, workers' output is not shown: a worker
writes the same lines to the controller, which prints them (``progress_relay``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from .._core.durations import format_duration
from .._core.redact import one_line

if TYPE_CHECKING:
    import pytest

    from .._jobs.waiting import JobWait

# Seconds of the wait's clock between two lines, at most (a CI job with a no-output
# timeout of a minute or more stays alive); read when a wait's progress is made.
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


class LineOutput(Protocol):
    """Where progress lines go: pytest's terminal, or an xdist worker's relay file."""

    @property
    def in_place(self) -> bool:
        """One line rewritten in place (a terminal), rather than whole lines."""
        ...

    def line(self, text: str) -> None:
        """A whole line, flushed."""
        ...

    def rewrite(self, text: str, first: bool) -> None:
        """``text`` in place of the line shown (``first``: on a line of its own)."""
        ...

    def end(self, text: str) -> None:
        """The wait's last line, after which pytest's own output goes on."""
        ...


class TerminalOutput:
    """pytest's terminal, with output capture suspended while a line is written."""

    def __init__(
        self, config: pytest.Config, current_test: Callable[[], str | None] = lambda: None
    ) -> None:
        self._config = config
        self._current_test = current_test
        self._reporter: Any = config.pluginmanager.get_plugin("terminalreporter")

    @property
    def available(self) -> bool:
        return self._reporter is not None

    @property
    def in_place(self) -> bool:
        return bool(getattr(self._reporter, "isatty", False))

    @contextlib.contextmanager
    def _terminal(self) -> Iterator[Any]:
        capture: Any = self._config.pluginmanager.get_plugin("capturemanager")
        if capture is None:
            yield self._reporter
            return
        with capture.global_and_fixture_disabled():
            yield self._reporter

    def line(self, text: str) -> None:
        with self._terminal() as reporter:
            reporter.ensure_newline()
            reporter.write_line(text)
            # A CI log is a pipe: without a flush the line waits in Python's buffer.
            reporter.flush()

    def rewrite(self, text: str, first: bool) -> None:
        with self._terminal() as reporter:
            if first:
                reporter.ensure_newline()
            reporter.rewrite(text, erase=True)

    def end(self, text: str) -> None:
        with self._terminal() as reporter:
            if self.in_place:
                reporter.rewrite(text, erase=True)
                reporter.write("\n")
            else:
                reporter.write_line(text)
            self._resume_pytest_line(reporter)
            reporter.flush()

    def _resume_pytest_line(self, reporter: Any) -> None:
        """Start pytest's line for the current test again (``test_a.py ``), so that
        its result letter lands there and not alone on a line of its own. In verbose
        mode pytest writes the test's prefix again by itself."""
        nodeid = self._current_test()
        if nodeid and reporter.verbosity <= 0:
            reporter.write_fspath_result(nodeid, "")


class TerminalProgress:
    """Shows one wait's progress (a ``WaitProgress``) on ``out``: a line at every
    poll on a terminal, rewritten in place; otherwise a whole line at the first poll
    and then every ``interval`` seconds of the wait's clock; and the last line when
    the wait ends, if a line was shown."""

    def __init__(self, out: LineOutput, interval: float | None = None) -> None:
        self._out = out
        self._interval = LOG_LINE_INTERVAL if interval is None else interval
        self._shown = False
        self._last_written: float | None = None

    def due(self) -> float | None:
        """When the next line is due on the wait's clock, however far apart the polls
        are (None before the first line: the first poll shows it)."""
        if self._last_written is None:
            return None
        return self._last_written + self._interval

    def update(self, wait: JobWait) -> None:
        if wait.last_job is not None and wait.last_job.finished:
            return  # finish() has the last word; a job finished at first look shows nothing
        now = wait.clock.monotonic()
        if self._out.in_place:
            self._out.rewrite(progress_line(wait), first=not self._shown)
        elif self._last_written is None or now - self._last_written >= self._interval:
            self._out.line(progress_line(wait))
        else:
            return
        self._last_written = now
        self._shown = True

    def finish(self, wait: JobWait) -> None:
        if not self._shown:
            return
        self._out.end(progress_line(wait))
        self._shown = False
        self._last_written = None


def terminal_progress(
    config: pytest.Config, current_test: Callable[[], str | None]
) -> TerminalProgress | None:
    """The progress of a wait in this process, on pytest's terminal (None without one)."""
    out = TerminalOutput(config, current_test)
    return TerminalProgress(out) if out.available else None
