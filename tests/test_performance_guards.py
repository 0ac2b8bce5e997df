"""Guards for issue 5, performance and scale: each target of the issue, checked by
counting imports, calls and waits, never by timing.

``python benchmarks/run.py`` measures the same targets in full; the ``wait_all``
guard runs its scenario (``benchmarks/``), reduced. The schedule's rules are
guarded in ``test_schedule_rules.py``.
"""

from __future__ import annotations

import re

import pytest

from benchmarks import many_jobs, startup
from pytest_amplify.testing import FakeAmplify

from .conftest import fake_args
from .seam import DEFAULT_MAX_POLL_INTERVAL

# -- 1. free when unused ----------------------------------------------------------------


def test_importing_the_plugin_loads_nothing_heavy() -> None:
    modules = startup.modules_loaded_by_import()
    assert "pytest_amplify.plugin" in modules
    assert startup.heavy(modules) == []
    assert [m for m in modules if m.startswith("pytest_amplify.testing")] == []


RECORD_MODULES = """
import sys


def pytest_sessionfinish(session):
    names = sorted(sys.modules)
    (session.config.rootpath / "modules.txt").write_text("\\n".join(names))
"""


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
    assert "pytest_amplify.plugin" in modules
    assert startup.heavy(modules) == []
    assert [m for m in modules if m.startswith("pytest_amplify.testing")] == []


# -- 2. one wait per run, whatever the workers --------------------------------------------

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
    pytester: pytest.Pytester, fake: FakeAmplify, app_id: str, workers: int, passed: int = 24
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
    result.assert_outcomes(passed=passed)
    return {"done": done.get_calls_served, "late": late.get_calls_served}, result.stdout.lines


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


@pytest.mark.slow
def test_wait_all_is_shared_by_the_workers_too(
    pytester: pytest.Pytester, real_time_fake: FakeAmplify
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", range(12))
        def test_both_jobs(amplify_jobs, n):
            done, late = amplify_jobs.wait_all([{"branch": "done"}, {"branch": "late"}])
            assert done.succeeded and late.succeeded
        """
    )
    alone, _ = _run_on_two_jobs(pytester, real_time_fake, "d1", workers=0, passed=12)
    shared, _ = _run_on_two_jobs(pytester, real_time_fake, "d2", workers=2, passed=12)
    assert alone == {"done": 1, "late": 4}
    # Two workers waiting each on their own would make twice the calls.
    for branch in alone:
        assert shared[branch] <= 1.25 * alone[branch], (branch, shared, alone)


# -- 4. many jobs at once -----------------------------------------------------------------


def test_wait_all_takes_the_slowest_job_and_bounded_calls() -> None:
    lengths = many_jobs.durations(20, shortest=2.0, longest=30.0)
    waited = many_jobs.wait_for_release(lengths, seed=5, together=True)
    slowest = max(lengths) - many_jobs.WAIT_STARTS_AFTER
    # Jitter only shortens a sleep: the slowest job is seen within a cap of its end.
    assert waited.elapsed <= slowest + DEFAULT_MAX_POLL_INTERVAL
    bounds = [many_jobs.calls_bound(length) for length in lengths]
    assert len(waited.calls) == 20
    for calls, bound in zip(waited.calls, bounds, strict=True):
        assert calls <= bound, (waited.calls, bounds)
