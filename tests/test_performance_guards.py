"""Performance and scale, checked by counting imports, calls and waits, never by timing:
the plugin costs a run that never uses it nothing heavy, pytest-xdist workers share one
wait per job, and waiting for many jobs at once takes as long as the slowest (the poll
schedule's rules are guarded in ``test_schedule_rules.py``). The waits run the plugin's own code against the local service on its
simulated clock, their jitter seeded so that every run polls at the same times.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import subprocess
import sys
import threading
from typing import Any

import pytest

from benchmarks.many_jobs import WORST_LAG_BOUND, wait_with_latency
from pytest_amplify.testing import FakeAmplify, FakeStep, SimulatedClock, typical_steps

from .conftest import fake_args
from .seam import (
    DEFAULT_MAX_POLL_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    JITTER,
    POOL_CONNECTIONS,
    JobWait,
    make_wait,
    run_waits,
)

# -- free when unused -----------------------------------------------------------------

# What a run that never uses a fixture must not load.
HEAVY_PACKAGES = ("boto3", "botocore", "tenacity", "urllib3", "moto", "filelock", "PIL")


def heavy(modules: list[str]) -> list[str]:
    """The modules among ``modules`` that belong to a heavy package."""
    return sorted(m for m in modules if m.split(".")[0] in HEAVY_PACKAGES)


@pytest.mark.slow
def test_importing_the_plugin_loads_nothing_heavy() -> None:
    # A fresh interpreter, without anything that would configure the plugin or AWS.
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "AMPLIFY_", "PYTEST_"))
    }
    code = "import sys, pytest_amplify.plugin; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
    )
    modules = done.stdout.split()
    assert "pytest_amplify.plugin" in modules
    assert heavy(modules) == []
    assert [m for m in modules if m.startswith("pytest_amplify.testing")] == []


# The plugin's modules that a run which never uses it loads: the start-up figure
# (benchmarks/startup.py, callgrind instructions) rests on this list. Each module more
# costs every pytest run about a million instructions, more if it builds dataclasses.
STARTUP_MODULES = [
    "pytest_amplify",
    "pytest_amplify._core",
    "pytest_amplify._core.durations",
    "pytest_amplify._core.errors",
    "pytest_amplify._core.vocabulary",
    "pytest_amplify._run",
    "pytest_amplify._run.header",
    "pytest_amplify._run.stash",
    "pytest_amplify._settings",
    "pytest_amplify._settings.settings",
    "pytest_amplify._settings.sources",
    "pytest_amplify._settings.values",
    "pytest_amplify.plugin",
]

RECORD_MODULES = """
import sys


def pytest_sessionfinish(session):
    names = sorted(sys.modules)
    (session.config.rootpath / "modules.txt").write_text("\\n".join(names))
"""


@pytest.mark.slow
def test_a_run_that_never_uses_the_plugin_loads_nothing_heavy(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeconftest(RECORD_MODULES)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", range(3))
        def test_plain(n):
            assert n < 3
        """
    )
    # Only this plugin, so that another plugin's imports cannot hide or fake ours.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    result = pytester.runpytest_subprocess("-p", "pytest_amplify.plugin", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    modules = (pytester.path / "modules.txt").read_text().split()
    assert heavy(modules) == []
    assert [m for m in modules if m.split(".")[0] == "pytest_amplify"] == STARTUP_MODULES


# -- one wait per run, whatever the workers -----------------------------------------------

ON_TWO_JOBS = """
import pytest

@pytest.mark.amplify(branch="done")
@pytest.mark.parametrize("n", range(12))
def test_on_a_finished_job(amplify_job, n):
    assert amplify_job.succeeded

@pytest.mark.amplify(branch="late")
@pytest.mark.parametrize("n", range(12))
def test_on_a_job_that_ends_later(amplify_job, n):
    assert amplify_job.succeeded
"""
SECTION = re.compile(r"^=+ amplify =+$")


def _run_on_two_jobs(
    pytester: pytest.Pytester, fake: FakeAmplify, app_id: str, workers: int
) -> tuple[dict[str, int], list[str]]:
    """GetJob answers per branch, and the output lines, of one run on its own app."""
    done = fake.add_job(app_id=app_id, branch="done")
    late = fake.add_job(app_id=app_id, branch="late", status="RUNNING")
    late.then("SUCCEED", after_calls=3)
    result = pytester.runpytest_subprocess(
        *fake_args(fake),
        f"--amplify-app-id={app_id}",
        "--amplify-poll-interval=0.1s",
        "--amplify-max-poll-interval=0.2s",
        "-p",
        "no:cacheprovider",
        "-n",
        str(workers),
    )
    result.assert_outcomes(passed=24)
    return {"done": done.get_calls_served, "late": late.get_calls_served}, result.stdout.lines


@pytest.mark.slow
def test_workers_share_one_wait_per_job_and_one_summary(
    pytester: pytest.Pytester, real_time_fake: FakeAmplify
) -> None:
    pytester.makepyfile(ON_TWO_JOBS)
    alone, _ = _run_on_two_jobs(pytester, real_time_fake, "d1", workers=0)
    shared, lines = _run_on_two_jobs(pytester, real_time_fake, "d2", workers=4)
    # One wait per job: the finished one is fetched once, the other until it ends.
    assert alone == {"done": 1, "late": 4}
    for branch in alone:
        assert shared[branch] <= 1.25 * alone[branch], (branch, shared, alone)
    sections = [index for index, line in enumerate(lines) if SECTION.match(line)]
    assert len(sections) == 1, "the controller prints the amplify section, once"
    summary = lines[sections[0] :]
    for branch in ("done", "late"):
        assert any(line.startswith(f"app d2, branch {branch}, job 1: SUCCEED") for line in summary)


WAIT_ALL_AND_SITE_CHECKS = """
import pytest
from pytest_amplify import assert_serves_build

TARGETS = [{"branch": "done"}, {"branch": "late"}, {"branch": "later"}]

@pytest.mark.parametrize("n", range(12))
def test_release(amplify_jobs, n):
    assert [job.succeeded for job in amplify_jobs.wait_all(TARGETS)] == [True] * 3

@pytest.mark.amplify(branch="stale")
@pytest.mark.parametrize("n", range(3))
def test_stale_site(amplify_job, n):
    assert_serves_build(amplify_job, timeout=3)
"""


def _stale_build(fake: FakeAmplify) -> None:
    """Branch ``stale``: job 2 succeeded, but its site still serves job 1's build."""
    for version, deployed_after in (("v1", 0.0), ("v2", None)):
        steps = typical_steps()
        steps[0] = FakeStep("BUILD", artifacts={"index.html": f"<h1>{version}</h1>"})
        fake.add_job("d1", "stale", steps=steps, deployed_after=deployed_after)


@pytest.mark.slow
def test_workers_share_wait_all_and_site_verdicts(
    pytester: pytest.Pytester, real_time_fake: FakeAmplify
) -> None:
    """Two workers: ``wait_all`` from 12 tests waits for each target once in the run
    (the workers claim targets through the shared folder), and three checks of a
    stale site (a 3 s bound, on the real clock) ask it once, through the same folder."""
    pytester.makepyfile(WAIT_ALL_AND_SITE_CHECKS)
    done = real_time_fake.add_job(app_id="d1", branch="done")
    late = real_time_fake.add_job(app_id="d1", branch="late", status="RUNNING")
    late.then("SUCCEED", after_calls=3)
    later = real_time_fake.add_job(app_id="d1", branch="later", status="RUNNING")
    later.then("SUCCEED", after_calls=5)
    _stale_build(real_time_fake)
    result = pytester.runpytest_subprocess(
        *fake_args(real_time_fake),
        "--amplify-app-id=d1",
        "--amplify-poll-interval=0.1s",
        "--amplify-max-poll-interval=0.2s",
        "-p",
        "no:cacheprovider",
        "-n",
        "2",
    )
    result.assert_outcomes(passed=12, failed=3)
    served = (done.get_calls_served, late.get_calls_served, later.get_calls_served)
    assert served == (1, 4, 6), "one wait per target in the whole run"
    assert 2 <= real_time_fake.calls("GetSitePage") <= 4, "requests at 0, 2 and 3 s: one check's"
    assert result.stdout.str().count("the verdict of the same check in") == 2


# -- fewer calls, sooner detection --------------------------------------------------------

# A capped, jittered poll: no job is seen later than this after it ends.
ONE_CAPPED_POLL = DEFAULT_MAX_POLL_INTERVAL * (1 + JITTER)
# Without a history the schedule may spend this many calls more than a fixed 30 s poll.
NO_HISTORY_EXTRA_CALLS = 3


@dataclasses.dataclass(frozen=True)
class Build:
    """One job as its wait sees it."""

    started_before: float  # seconds from the job's start to the wait's start
    duration: float  # how long the job runs
    history: tuple[float, ...]  # the branch's earlier jobs' durations, oldest first

    @property
    def remaining(self) -> float:
        """Seconds from the wait's start to the job's end."""
        return self.duration - self.started_before


@dataclasses.dataclass(frozen=True)
class Outcome:
    calls: int  # every API call of the wait, ListJobs included
    lag: float  # seconds from the job's end to the poll that saw it


def fixed_poll(build: Build, interval: float) -> Outcome:
    """What a hand-written loop does: one ListJobs to find the commit's job, then a
    GetJob every ``interval`` seconds until one sees it finished."""
    polls_after_first = max(0, math.ceil(build.remaining / interval))
    return Outcome(calls=2 + polls_after_first, lag=polls_after_first * interval - build.remaining)


def default_wait(
    fake: FakeAmplify, clock: SimulatedClock, branch: str, commit_id: str, timeout: float
) -> JobWait:
    """The plugin's wait with its default poll settings, for the commit's job."""
    return make_wait(
        fake,
        clock,
        branch=branch,
        commit_id=commit_id,
        timeout=timeout,
        first=DEFAULT_POLL_INTERVAL,
        cap=DEFAULT_MAX_POLL_INTERVAL,
        seed=branch,
    )


def calls_on(fake: FakeAmplify, branch: str) -> int:
    return sum(1 for r in fake.requests if f"/branches/{branch}/" in f"{r.path}/")


def test_waiting_for_many_jobs_at_once_takes_the_slowest_and_few_calls_each(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    """A monorepo release: one push starts a job on each of 20 branches, lasting 2 to 30
    minutes; the waits (what ``amplify_jobs.wait_all`` runs) start 30 s later."""
    commit_id = "f" * 40
    lengths = {f"release-{n:02d}": 60 * (2 + n * 28 / 19) for n in range(20)}
    for branch, length in lengths.items():
        job = fake.add_job("d1", branch, commit_id=commit_id, status="RUNNING")
        job.then("SUCCEED", after_seconds=length)
    clock.advance(30)
    started = clock()
    timeout = 2 * max(lengths.values())
    waits = [default_wait(fake, clock, branch, commit_id, timeout) for branch in lengths]
    results = run_waits(waits)
    assert all(job.succeeded for job in results), results  # type: ignore[union-attr]
    slowest = max(lengths.values()) - 30
    assert clock() - started <= slowest + ONE_CAPPED_POLL
    for branch, length in lengths.items():
        every_30s = fixed_poll(Build(30, length, ()), 30.0)
        assert calls_on(fake, branch) <= every_30s.calls + NO_HISTORY_EXTRA_CALLS, branch


# -- side by side (issue 24) --------------------------------------------------------------


def test_waits_poll_side_by_side_against_a_slow_api() -> None:
    """60 jobs whose every call takes 1 s (simulated): one thread polling them in turn
    needs a minute a round and sees a job up to two caps late; side by side, within the
    cap plus one call's timeout (``benchmarks/many_jobs.py`` runs 200 at 150 and 300 ms)."""
    together = wait_with_latency(POOL_CONNECTIONS, targets=60, latency=1.0)
    assert together.worst_lag <= WORST_LAG_BOUND
    one_thread = wait_with_latency(1, targets=60, latency=1.0)
    assert one_thread.worst_lag > WORST_LAG_BOUND, "the control: one thread falls behind"


def test_the_polls_of_several_waits_really_run_at_the_same_time(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    """Ten waits' first polls meet at a barrier: only polls running at the same time
    get through it (one after the other, the first would wait there alone)."""
    meeting = threading.Barrier(POOL_CONNECTIONS, timeout=10)
    waits = []
    for index in range(POOL_CONNECTIONS):
        fake.add_job("d1", f"b{index}", commit_id="c" * 40)
        wait = make_wait(fake, clock, branch=f"b{index}", commit_id="c" * 40, seed=index)
        list_jobs = wait.api.list_jobs

        def meet_then_list(*args: object, list_jobs: Any = list_jobs, **kwargs: object) -> Any:
            meeting.wait()
            return list_jobs(*args, **kwargs)

        wait.api.list_jobs = meet_then_list  # type: ignore[method-assign]
        waits.append(wait)
    results = run_waits(waits)
    assert [job.succeeded for job in results] == [True] * POOL_CONNECTIONS  # type: ignore[union-attr]
    assert fake.calls("ListJobs") == POOL_CONNECTIONS
    assert not [t for t in threading.enumerate() if t.name.startswith("pytest-amplify-poll")]
