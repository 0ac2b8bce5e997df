"""The progress line under pytest-xdist, printed by the controller as the wait goes on.

xdist shows nothing that a worker writes, and sends the controller nothing while a
test's setup runs, so a 20-minute wait would be 20 silent minutes (and CI systems
end jobs that print nothing for a while). A worker that waits therefore appends the
progress lines it would have printed (``progress.TerminalProgress``, the same lines)
to a file of its own in a folder the controller made for the run and handed to the
workers (``workerinput``); a thread of the controller reads the new whole lines a few
times a second and prints each on a line of its own, flushed. Only the worker that
waits writes: the others wait for its result (``xdist_sharing``).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pytest

# The workerinput key that names the folder (plain data, as xdist requires).
WORKERINPUT_KEY = "amplify_progress_relay"
# How often the controller looks for new lines, in seconds.
READ_EVERY = 0.25


class RelayOutput:
    """A worker's side: whole lines appended to its file (a ``progress.LineOutput``)."""

    in_place = False

    def __init__(self, path: Path) -> None:
        self.path = path

    def line(self, text: str) -> None:
        # One write of a whole line: the controller prints only complete lines.
        with self.path.open("a", encoding="utf-8") as out:
            out.write(text + "\n")

    def rewrite(self, text: str, first: bool) -> None:
        self.line(text)

    def end(self, text: str) -> None:
        self.line(text)


def worker_output(workerinput: dict[str, Any]) -> RelayOutput | None:
    """This worker's relay file, when the controller relays progress (None otherwise)."""
    folder = workerinput.get(WORKERINPUT_KEY)
    if not folder:
        return None
    return RelayOutput(Path(str(folder)) / f"{workerinput.get('workerid', 'worker')}.log")


class ProgressRelay:
    """The controller's side: the folder, and the thread that prints what lands there."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config
        self.folder = Path(tempfile.mkdtemp(prefix="pytest-amplify-progress-"))
        self._read: dict[Path, int] = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="amplify-progress", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(READ_EVERY):
            self.relay()

    def relay(self) -> None:
        """Print every whole line written since the last look."""
        with self._lock:
            for path in sorted(self.folder.glob("*.log")):
                for line in self._new_lines(path):
                    self._print(line)

    def _new_lines(self, path: Path) -> list[str]:
        start = self._read.get(path, 0)
        try:
            with path.open("rb") as handle:
                handle.seek(start)
                data = handle.read()
        except OSError:
            return []
        whole = data[: data.rfind(b"\n") + 1]
        self._read[path] = start + len(whole)
        return whole.decode("utf-8", "replace").splitlines()

    def _print(self, line: str) -> None:
        reporter: Any = self._config.pluginmanager.get_plugin("terminalreporter")
        if reporter is None:
            return
        writer = self._config.get_terminal_writer()
        reporter.ensure_newline()
        # xdist's result letters (`..F`) leave the line open without telling the
        # reporter; one write, so that the line stays whole beside them.
        start = "\n" if writer.width_of_current_line else ""
        writer.write(f"{start}{line}\n", flush=True)

    def stop(self) -> None:
        """Print what is left, end the thread and remove the folder."""
        self._stop.set()
        self._thread.join()
        self.relay()
        shutil.rmtree(self.folder, ignore_errors=True)
