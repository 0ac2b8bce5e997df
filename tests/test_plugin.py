"""The plugin as users run it: fixtures, the session cache, pytest's output."""

from __future__ import annotations

import fnmatch
import itertools
import re
from types import SimpleNamespace

import pytest

from pytest_amplify.plugin import NOT_SUCCEEDED
from pytest_amplify.testing import FakeAmplify, SimulatedClock

from .conftest import REPO, fake_args
from .seam import EXPLAINED_BEFORE, make_wait, run_waits, terminal_progress

TARGET = ["--amplify-app-id=d1", "--amplify-branch=main"]


def test_the_wait_happens_once_per_session(pytester: pytest.Pytester, fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", range(5))
        def test_many(amplify_job, n):
            assert amplify_job.succeeded
        """
    )
    pytester.runpytest(*fake_args(fake), *TARGET).assert_outcomes(passed=5)
    assert fake.calls("ListJobs") == 1
    assert fake.calls("GetJob") == 1


# The session-scoped fixture shares the function-scoped one's wait, failed or not.
@pytest.mark.parametrize(
    "first_fixture",
    ["amplify_job", "amplify_job_session"],
    ids=["amplify_job twice", "amplify_job_session then amplify_job"],
)
def test_a_failed_wait_fails_every_test_at_once_and_is_explained_once(
    pytester: pytest.Pytester, fake: FakeAmplify, first_fixture: str
) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="1")
    fake.fail_next("GetJob", "AccessDeniedException", message="User is not authorized", times=5)
    pytester.makepyfile(
        f"""
        def test_one({first_fixture}):
            pass

        def test_two(amplify_job):
            pass
        """
    )
    result = pytester.runpytest(*fake_args(fake), *TARGET, "--amplify-job-id=1")
    result.assert_outcomes(errors=2)
    lines = [line for line in result.stdout.lines if line.startswith("GetJob for app d1")]
    cause = (
        "GetJob for app d1, branch main, job 1 failed with AccessDeniedException (403): "
        "User is not authorized"
    )
    # The cause on the first line of both; what to do (the permission) once.
    assert len(lines) == 2
    assert lines[0] == cause
    assert fnmatch.fnmatch(lines[1], EXPLAINED_BEFORE.format(cause=cause, first="*.py::test_one"))
    assert (
        result.stdout.str().count("the AWS identity needs the IAM permission amplify:GetJob") == 1
    )
    assert fake.calls("GetJob") == 1


def test_targets_are_cached_separately(pytester: pytest.Pytester, fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main")
    fake.add_job(app_id="d1", branch="main")
    pytester.makepyfile(
        """
        import pytest

        def test_latest(amplify_job):
            assert amplify_job.job_id == "2"

        @pytest.mark.amplify(job_id="1")
        def test_first(amplify_job):
            assert amplify_job.job_id == "1"

        @pytest.mark.amplify(job_id="0000000002")
        def test_padded(amplify_job):
            assert amplify_job.job_id == "2"
        """
    )
    pytester.runpytest(*fake_args(fake), *TARGET).assert_outcomes(passed=3)
    assert fake.calls("GetJob") == 3


def test_the_summary_lists_every_job_waited_for(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_job(app_id="d1", branch="main", duration=250)
    fake.add_failed_job("d1", "dev", reason="npm ERR! missing script")
    pytester.makepyfile(
        """
        import pytest

        def test_main(amplify_job):
            pass

        @pytest.mark.amplify(branch="dev", require_success=False)
        def test_dev(amplify_job):
            pass
        """
    )
    result = pytester.runpytest(*fake_args(fake), *TARGET)
    result.stdout.fnmatch_lines(
        [
            "*= amplify =*",
            "app d1, branch main, job 1: SUCCEED in 4m 10s (1 poll, waited *)",
            "  BUILD      SUCCEED    1m 02s",
            "  TEST       SUCCEED    1m 02s",
            "  DEPLOY     SUCCEED    1m 02s",
            "  VERIFY     SUCCEED    1m 02s",
            "app d1, branch dev, job 1: FAILED in 2m 00s (1 poll, waited *)",
            "  BUILD      FAILED     2m 00s: npm ERR! missing script",
        ]
    )


def test_no_summary_and_no_header_when_no_job_is_used(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain(): pass")
    result = pytester.runpytest()
    assert "= amplify =" not in result.stdout.str()
    assert not [line for line in result.stdout.lines if line.startswith("amplify:")]


def test_the_header_names_the_target(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain(): pass")
    result = pytester.runpytest(
        "--amplify-app-id=d1",
        "--amplify-branch=main",
        "--amplify-commit-id=abc123",
        "--amplify-region=eu-west-1",
    )
    result.stdout.fnmatch_lines(
        ["amplify: app d1, branch main, commit abc123, region eu-west-1, timeout 30m 00s"]
    )


def test_setup_errors_for_failed_jobs_explain_the_failure(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_failed_job(
        "d1", "main", reason="Build failed: tsc", log="".join(f"line {n}\n" for n in range(1, 101))
    )
    pytester.makepyfile("def test_smoke(amplify_job):\n    pass\n")
    result = pytester.runpytest(*fake_args(fake), *TARGET)
    result.assert_outcomes(errors=1)
    output = result.stdout.str()
    # The cause on the first line, what to do on the last.
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_smoke*",
            "Amplify job 1 FAILED in step BUILD: Build failed: tsc (app d1, branch main)",
            "steps:",
            "  BUILD FAILED (2m 00s): Build failed: tsc",
        ]
    )
    assert NOT_SUCCEEDED in output
    assert "  | line 71" in output and "  | line 100" in output
    assert "line 70\n" not in output
    assert "Traceback" not in output


def test_amplify_client_is_a_boto3_client_for_the_target(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_app("d1", name="shop")
    pytester.makepyfile(
        """
        import boto3

        def test_client(amplify_client):
            assert amplify_client.get_app(appId="d1")["app"]["name"] == "shop"
            assert amplify_client.meta.region_name == "us-east-1"
            assert amplify_client is not boto3.DEFAULT_SESSION
        """
    )
    pytester.runpytest(*fake_args(fake)).assert_outcomes(passed=1)


def test_branch_url_comes_from_get_app_and_get_branch_once(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_app("d1", default_domain="d1.amplifyapp.com")
    fake.add_job(app_id="d1", branch="feature/login")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", range(3))
        def test_url(amplify_job, n):
            assert amplify_job.branch_url == "https://feature-login.d1.amplifyapp.com"
        """
    )
    args = [f"--amplify-endpoint-url={fake.endpoint_url}", "--amplify-region=us-east-1"]
    pytester.runpytest(
        *args, "--amplify-app-id=d1", "--amplify-branch=feature/login"
    ).assert_outcomes(passed=3)
    assert (fake.calls("GetApp"), fake.calls("GetBranch")) == (1, 1)


def test_amplify_jobs_waits_for_other_targets(pytester: pytest.Pytester, fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main", commit_id="abc")
    fake.add_job(app_id="d2", branch="main")
    fake.add_failed_job("d3", "main")
    pytester.makepyfile(
        """
        import pytest
        from pytest_amplify import AmplifyAssertionError

        def test_one(amplify_jobs):
            job = amplify_jobs.wait(app_id="d1", branch="main", commit_id="abc")
            assert (job.app_id, job.commit_id) == ("d1", "abc")

        def test_all(amplify_jobs):
            a, b = amplify_jobs.wait_all([{"app_id": "d1", "branch": "main"}, {"app_id": "d2", "branch": "main"}])
            assert (a.app_id, b.app_id) == ("d1", "d2")

        def test_failed(amplify_jobs):
            with pytest.raises(AmplifyAssertionError, match="did not succeed"):
                amplify_jobs.wait(app_id="d3", branch="main")
            assert amplify_jobs.wait(app_id="d3", branch="main", require_success=False).status == "FAILED"
        """
    )
    pytester.runpytest(*fake_args(fake), "--amplify-branch=main").assert_outcomes(passed=3)
    assert fake.calls("GetJob") == 4


def test_progress_without_a_terminal_is_a_line_every_30_seconds(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        pytest_plugins = ["pytest_amplify.testing"]

        def test_wait(amplify_fake, request):
            amplify_fake.add_job(app_id="d1", branch="main", status="PENDING").then(
                "RUNNING", after_seconds=20, running="BUILD").then("SUCCEED", after_seconds=280)
            request.getfixturevalue("amplify_job")
        """
    )
    result = pytester.runpytest(*TARGET, "--amplify-max-poll-interval=10s")
    result.assert_outcomes(passed=1)
    lines = [
        line
        for line in result.stdout.lines
        if line.startswith("amplify: app d1, branch main, job 1:")
    ]
    assert lines[0] == "amplify: app d1, branch main, job 1: PENDING [0s, 1 poll]"
    # The job ends at 5m 00s; the poll that sees it comes at most one capped poll
    # (10 s, +-10% jitter) later.
    assert re.fullmatch(
        r"amplify: app d1, branch main, job 1: SUCCEED, step VERIFY SUCCEED \[5m (0\d|1[01])s, \d+ polls\]",
        lines[-1],
    ), lines[-1]
    # About one line per 30 s of the wait, not one per poll (a poll every 10 s).
    assert 8 <= len(lines) <= 12
    # pytest's own line resumes after the progress lines: the test's result letter
    # follows its file's name, not alone on a line.
    out = result.stdout.lines
    last = max(i for i, line in enumerate(out) if line.startswith("amplify: app d1"))
    following = [line for line in out[last + 1 :] if line.strip()]
    assert re.match(r"test_progress_\w+\.py \.", following[0]), following[0]
    assert "." not in [line.strip() for line in out]


class RecordingReporter:
    """Stands in for pytest's terminal reporter and records what is written."""

    verbosity = 0

    def __init__(self, isatty: bool) -> None:
        self.isatty = isatty
        self.calls: list[tuple[str, str]] = []

    def flush(self) -> None:
        self.calls.append(("flush", ""))

    def ensure_newline(self) -> None:
        self.calls.append(("newline", ""))

    def rewrite(self, line: str, erase: bool = False) -> None:
        self.calls.append(("rewrite", line))

    def write(self, text: str) -> None:
        self.calls.append(("write", text))

    def write_line(self, line: str) -> None:
        self.calls.append(("line", line))


def config_with(reporter: RecordingReporter) -> pytest.Config:
    config = SimpleNamespace(
        pluginmanager=SimpleNamespace(
            get_plugin=lambda name: reporter if name == "terminalreporter" else None
        )
    )
    return config  # type: ignore[return-value]


def test_progress_on_a_terminal_rewrites_one_line(fake: FakeAmplify, clock: SimulatedClock) -> None:
    reporter = RecordingReporter(isatty=True)
    fake.add_job(app_id="d1", branch="main", job_id="1", status="RUNNING").then(
        "SUCCEED", after_calls=2
    )
    wait = make_wait(fake, clock, job_id="1")
    wait.progress = terminal_progress(config_with(reporter), lambda: None)
    wait.run()
    kinds = [kind for kind, _ in reporter.calls if kind != "flush"]
    assert kinds == ["newline", "rewrite", "rewrite", "rewrite", "write"]
    assert (
        reporter.calls[1][1]
        == "amplify: app d1, branch main, job 1: RUNNING, step BUILD RUNNING [0s, 1 poll]"
    )
    assert reporter.calls[3][1].startswith(
        "amplify: app d1, branch main, job 1: SUCCEED, step VERIFY SUCCEED ["
    )
    assert reporter.calls[4] == ("write", "\n")


def test_progress_in_a_ci_log_comes_every_interval_however_far_apart_the_polls(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    """A CI log is a pipe, and CI systems end jobs that print nothing for a while: a
    whole line, flushed, at least every 30 s of the wait, even with polls 2 minutes
    apart (amplify_max_poll_interval = 2m). The wait wakes for the line, and polls no
    more often for it."""
    times: list[float] = []

    class TimedReporter(RecordingReporter):
        def write_line(self, line: str) -> None:
            times.append(clock())
            super().write_line(line)

    reporter = TimedReporter(isatty=False)
    fake.add_job(app_id="d1", branch="main", job_id="1", status="RUNNING").then(
        "SUCCEED", after_seconds=600
    )
    wait = make_wait(fake, clock, job_id="1", first=120.0, cap=120.0)
    wait.progress = terminal_progress(config_with(reporter), lambda: None)
    wait.run()
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert len(times) >= 20, times
    assert max(gaps) <= 30.0 + 1e-6, gaps
    assert wait.polls <= 7  # one poll per 2 minutes (+-10% jitter), and the one that sees the end
    kinds = [kind for kind, _ in reporter.calls]
    written = [index for index, kind in enumerate(kinds) if kind == "line"]
    assert all(kinds[index + 1] == "flush" for index in written[:-1]), kinds


def test_waiting_for_several_jobs_shows_each_one_every_interval(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    """amplify_jobs.wait_all waits for several jobs in one thread: it wakes for each
    wait's line as the single wait does."""
    times: dict[str, list[float]] = {"1": [], "2": []}

    class TimedReporter(RecordingReporter):
        def write_line(self, line: str) -> None:
            times[line.split("job ")[1].split(":", maxsplit=1)[0]].append(clock())
            super().write_line(line)

    reporter = TimedReporter(isatty=False)
    for job_id, seconds in (("1", 300), ("2", 420)):
        fake.add_job(app_id="d1", branch="main", job_id=job_id, status="RUNNING").then(
            "SUCCEED", after_seconds=seconds
        )
    waits = [make_wait(fake, clock, job_id=job_id, first=120.0, cap=120.0) for job_id in "12"]
    for wait in waits:
        wait.progress = terminal_progress(config_with(reporter), lambda: None)
    run_waits(waits, waits[0].clock)
    for job_id, seconds in (("1", 300), ("2", 420)):
        gaps = [later - earlier for earlier, later in itertools.pairwise(times[job_id])]
        assert len(times[job_id]) >= seconds // 30, (job_id, times[job_id])
        assert max(gaps) <= 30.0 + 1e-6, (job_id, gaps)


def test_nothing_is_printed_for_a_job_already_finished(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_job(app_id="d1", branch="main")
    pytester.makepyfile("def test_smoke(amplify_job):\n    pass\n")
    result = pytester.runpytest(*fake_args(fake), *TARGET)
    assert not [
        line for line in result.stdout.lines if line.startswith("amplify: app d1, branch main, job")
    ]


def test_a_run_inside_its_own_amplify_job_fails_at_once(
    pytester: pytest.Pytester, fake: FakeAmplify, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.add_job(app_id="d1", branch="main", status="RUNNING")
    for name, value in {
        "AWS_APP_ID": "d1",
        "AWS_BRANCH": "main",
        "AWS_JOB_ID": "0000000001",
    }.items():
        monkeypatch.setenv(name, value)
    pytester.makepyfile("def test_smoke(amplify_job):\n    pass\n")
    result = pytester.runpytest(*fake_args(fake))
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*this run is inside Amplify job 1 of app d1, branch main (AWS_JOB_ID=0000000001)*"]
    )
    assert fake.calls("GetJob") == 0


def test_a_profile_that_does_not_exist_is_one_line(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    pytester.makepyfile("def test_smoke(amplify_job):\n    pass\n")
    result = pytester.runpytest(*fake_args(fake), *TARGET, "--amplify-profile=nope")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "amplify_profile = 'nope' (from --amplify-profile): no such profile in the AWS config files*"
        ]
    )
    assert fake.calls() == 0


def test_the_site_url_setting_fills_in_app_and_branch(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_job(app_id="d1", branch="feature/x")
    pytester.makepyfile(
        """
        def test_url(amplify_job):
            assert amplify_job.branch_url == "https://feature-x.d1.preview.example.com"
        """
    )
    args = [f"--amplify-endpoint-url={fake.endpoint_url}", "--amplify-region=us-east-1"]
    result = pytester.runpytest(
        *args,
        "--amplify-app-id=d1",
        "--amplify-branch=feature/x",
        "--amplify-site-url=https://{branch}.{app_id}.preview.example.com",
    )
    result.assert_outcomes(passed=1)
    assert fake.calls("GetApp") == 0


def test_a_failed_job_is_explained_in_full_once_and_pointed_to_after(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_failed_job("d1", "main", job_id="5", reason="Build failed: exit 2")
    pytester.makepyfile(
        """
        def test_first(amplify_job):
            pass

        def test_second(amplify_job):
            pass
        """
    )
    result = pytester.runpytest(*fake_args(fake), *TARGET)
    result.assert_outcomes(errors=2)
    out = result.stdout.str()
    # The log tail (and the steps, and what to do) once, in the first test's error.
    assert out.count("last 30 lines of the BUILD log") == 1
    assert out.count(NOT_SUCCEEDED) == 1
    module = "test_a_failed_job_is_explained_in_full_once_and_pointed_to_after.py"
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_second*",
            EXPLAINED_BEFORE.format(
                cause="Amplify job 5 FAILED in step BUILD: Build failed: exit 2 (app d1, branch main)",
                first=f"{module}::test_first",
            ),
        ]
    )


def test_a_cancelled_jobs_later_errors_point_to_no_log_tail_never_shown(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="6", status="CANCELLED")
    pytester.makepyfile(
        """
        def test_first(amplify_job):
            pass

        def test_second(amplify_job):
            pass
        """
    )
    result = pytester.runpytest(*fake_args(fake), *TARGET)
    result.assert_outcomes(errors=2)
    out = result.stdout.str()
    assert "log" not in out.split("ERROR at setup of test_first", 1)[1].split("console:")[0]
    module = "test_a_cancelled_jobs_later_errors_point_to_no_log_tail_never_shown.py"
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_second*",
            EXPLAINED_BEFORE.format(
                cause="Amplify job 6 CANCELLED in step BUILD: Job was cancelled (app d1, branch main)",
                first=f"{module}::test_first",
            ),
        ]
    )
    assert "log tail" not in out


def test_the_summary_lists_a_job_once_however_it_was_reached(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="3", commit_id="abc123")
    pytester.makepyfile(
        """
        import pytest

        def test_latest(amplify_job):
            pass

        @pytest.mark.amplify(commit_id="abc123")
        def test_by_commit(amplify_job):
            pass
        """
    )
    result = pytester.runpytest(*fake_args(fake), *TARGET)
    result.assert_outcomes(passed=2)
    section = result.stdout.str().split("= amplify =")[1]
    assert section.count("app d1, branch main, job 3: SUCCEED") == 1


QUIET_CONFTEST = """
from tests.quiet_amplify import pytest_sessionfinish

pytest_plugins = ["pytest_amplify.testing"]
"""
USES_THE_LOCAL_SERVICE = """
import os

import pytest

@pytest.fixture(autouse=True)
def deployed(amplify_fake):
    amplify_fake.add_job("d1", "main")

def test_job(amplify_job):
    assert amplify_job.succeeded
    assert not os.environ.get("FAIL")
"""


@pytest.mark.slow  # two runs on two xdist workers each
@pytest.mark.parametrize("fail", [False, True], ids=["passing", "failing"])
def test_the_suites_own_run_shows_the_amplify_section_only_when_a_test_fails(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, fail: bool
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    if fail:
        monkeypatch.setenv("FAIL", "1")
    pytester.makeconftest(QUIET_CONFTEST)
    pytester.makepyfile(USES_THE_LOCAL_SERVICE)
    result = pytester.runpytest_subprocess(
        "-n", "2", "--amplify-app-id=d1", "--amplify-branch=main"
    )
    result.assert_outcomes(passed=0 if fail else 1, failed=1 if fail else 0)
    sections = [line for line in result.outlines if line.strip("= ") == "amplify"]
    assert len(sections) == (1 if fail else 0), result.stdout.str()
