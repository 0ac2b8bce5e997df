"""Ctrl-C during a wait: it stops at once (no further polls, no thread left behind)
and pytest's own summary still prints.

The end-to-end tests run pytest in a real process against a local service on the
real clock and send it SIGINT, as a terminal's Ctrl-C does; the unit tests
interrupt a :class:`JobWait` in its sleep and in a call.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_amplify import AmplifyJob
from pytest_amplify.testing import FakeAmplify, SimulatedClock

from .conftest import fake_args
from .seam import JobWait, make_wait, run_waits

INTERRUPTED = 2  # pytest.ExitCode.INTERRUPTED
STARTUP_LIMIT = 30.0  # seconds for the inner pytest to start polling (slow CI machines)
EXIT_LIMIT = 10.0


def inner_environment() -> dict[str, str]:
    """This process's (hermetic) environment, without what would change the inner run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_CORE"))}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", PYTHONUNBUFFERED="1")
    return env


def wait_for(condition: object, what: str, process: subprocess.Popen[str], limit: float) -> None:
    deadline = time.monotonic() + limit
    while not condition():  # type: ignore[operator]
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            out, err = process.communicate()
            pytest.fail(f"the inner pytest never got to {what}:\n{out}\n{err}")
        time.sleep(0.02)


@pytest.fixture
def never_finishing(real_time_fake: FakeAmplify) -> FakeAmplify:
    real_time_fake.add_job(app_id="d1", branch="main", job_id="1", status="RUNNING")
    return real_time_fake


@pytest.fixture
def inner_pytest(never_finishing: FakeAmplify, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    (tmp_path / "test_smoke.py").write_text("def test_smoke(amplify_job):\n    pass\n")
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "test_smoke.py",
        *fake_args(never_finishing),
        "--amplify-app-id",
        "d1",
        "--amplify-branch",
        "main",
        "--amplify-poll-interval=0.2s",
        "--amplify-max-poll-interval=0.2s",
        "--amplify-timeout=120s",
    ]
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=inner_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the signal goes to this process only
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


@pytest.mark.slow
@pytest.mark.parametrize("when", ["between polls", "during a call that hangs"])
def test_ctrl_c_during_a_wait_stops_it_at_once_and_pytest_still_summarises(
    never_finishing: FakeAmplify, inner_pytest: subprocess.Popen[str], when: str
) -> None:
    fake = never_finishing
    wait_for(lambda: fake.calls("GetJob") >= 3, "its third poll", inner_pytest, STARTUP_LIMIT)
    if when == "during a call that hangs":
        fake.delay_next("GetJob", 5.0)  # longer than the test may take: it must not wait
        seen = fake.calls("GetJob")
        wait_for(lambda: fake.calls("GetJob") > seen, "the hanging call", inner_pytest, 5.0)
        time.sleep(0.1)  # the inner process is now blocked reading the answer
    polls_before = fake.calls("GetJob")
    signalled = time.time()
    inner_pytest.send_signal(signal.SIGINT)
    try:
        out, err = inner_pytest.communicate(timeout=EXIT_LIMIT)
    except subprocess.TimeoutExpired:
        inner_pytest.kill()
        out, err = inner_pytest.communicate()
        pytest.fail(f"pytest did not exit within {EXIT_LIMIT}s of Ctrl-C:\n{out}\n{err}")
    exited_after = time.time() - signalled

    assert inner_pytest.returncode == INTERRUPTED, (
        f"exit code {inner_pytest.returncode}\n{out}\n{err}"
    )
    late = [r for r in fake.requests if r.operation == "GetJob" and r.at > signalled]
    # A request already on its way when the signal arrived may still be counted.
    assert len(late) <= 1, f"{len(late)} polls after Ctrl-C (0.2 s apart: the wait went on)"
    assert fake.calls("GetJob") <= polls_before + 1
    # pytest's own summary: the interrupt banner on a line of its own, then the totals.
    assert re.search(r"^!+ KeyboardInterrupt !+$", out, re.MULTILINE), out
    assert re.search(r"^=+ no tests ran in [\d.]+s =+$", out, re.MULTILINE), out
    assert "Traceback" not in err, err
    assert exited_after < EXIT_LIMIT


class InterruptedClock(SimulatedClock):
    """A clock whose ``after``-th sleep is interrupted, as Ctrl-C interrupts time.sleep."""

    def __init__(self, after: int = 1) -> None:
        super().__init__()
        self.after = after

    def sleep(self, seconds: float) -> None:
        if len(self.slept) + 1 >= self.after:
            self.slept.append(seconds)
            raise KeyboardInterrupt
        super().sleep(seconds)


class RecordingProgress:
    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []

    def due(self) -> float | None:
        return None  # a line at every poll only

    def update(self, wait: JobWait) -> None:
        self.events.append(("update", wait.polls))

    def finish(self, wait: JobWait) -> None:
        self.events.append(("finish", wait.polls))


@pytest.fixture
def threads_before() -> set[threading.Thread]:
    return set(threading.enumerate())


def assert_no_new_threads(before: set[threading.Thread]) -> None:
    left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert not left, f"threads left behind: {[t.name for t in left]}"


@pytest.mark.parametrize("after", [1, 3])
def test_an_interrupted_sleep_ends_the_wait_with_no_further_poll(
    threads_before: set[threading.Thread], after: int
) -> None:
    clock = InterruptedClock(after)
    with FakeAmplify(clock=clock) as fake:
        fake.add_job(app_id="d1", branch="main", job_id="1", status="RUNNING")
        wait = make_wait(fake, clock, job_id="1")
        progress = RecordingProgress()
        wait.progress = progress
        with pytest.raises(KeyboardInterrupt):
            wait.run()
        assert wait.polls == after
        assert fake.calls("GetJob") == after
        assert len(clock.slept) == after
        # The progress line is ended (once) before pytest prints its summary.
        assert progress.events[-1] == ("finish", after)
        assert [kind for kind, _ in progress.events].count("finish") == 1
    assert_no_new_threads(threads_before)


def test_an_interrupt_inside_a_call_is_not_retried(
    fake: FakeAmplify, clock: SimulatedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="1", status="RUNNING")
    wait = make_wait(fake, clock, job_id="1")
    assert isinstance(wait.advance(), float)
    calls: list[str] = []

    def interrupted(*args: object, **kwargs: object) -> object:
        calls.append("GetJob")
        raise KeyboardInterrupt

    monkeypatch.setattr(wait.api, "get_job", interrupted)
    with pytest.raises(KeyboardInterrupt):
        wait.run()
    assert calls == ["GetJob"], "a KeyboardInterrupt is not a failed call to retry"
    assert wait.polls == 2
    assert wait.last_problem is None, "nor a problem to report"


def test_an_interrupt_ends_all_of_several_waits(fake: FakeAmplify) -> None:
    clock = InterruptedClock(after=2)
    for branch in ("a", "b", "c"):
        fake.add_job(app_id="d1", branch=branch, status="RUNNING")
    waits = [make_wait(fake, clock, branch=branch, seed=n) for n, branch in enumerate("abc")]
    with pytest.raises(KeyboardInterrupt):  # not turned into a failed wait
        run_waits(waits, waits[0].clock)
    assert len(clock.slept) == 2
    # Every wait polled before the first sleep; none after the interrupted one.
    assert all(w.polls >= 1 for w in waits)
    polls = sum(w.polls for w in waits)
    assert polls <= 3 * 2
    # One call a poll: ListJobs finds each job, GetJob follows it from the next poll.
    assert fake.calls("ListJobs") == 3
    assert fake.calls("ListJobs") + fake.calls("GetJob") == polls


def test_a_job_that_finishes_is_not_mistaken_for_an_interrupt(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    """The control: the same wait, uninterrupted, ends with the job."""
    fake.add_job(app_id="d1", branch="main", job_id="1", status="RUNNING").then(
        "SUCCEED", after_calls=2
    )
    wait = make_wait(fake, clock, job_id="1")
    progress = RecordingProgress()
    wait.progress = progress
    job = wait.run()
    assert isinstance(job, AmplifyJob) and job.succeeded
    assert progress.events[-1] == ("finish", 3)
