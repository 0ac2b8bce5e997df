"""What CI users read: the cause on the first line of every error (so pytest's short
summary and the JUnit failure message carry it), each story told once per run, and
the progress of a wait under pytest-xdist, as it goes."""

from __future__ import annotations

import dataclasses
import fnmatch
import glob
import itertools
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_amplify.plugin import NOT_SUCCEEDED
from pytest_amplify.testing import FakeAmplify

from .conftest import REPO, fake_args
from .doc_blocks import doc_block
from .seam import EXPLAINED_BEFORE

TARGET = ["--amplify-app-id=d1", "--amplify-branch=main"]
THREE_TESTS = """
import pytest

@pytest.mark.parametrize("n", range(3))
def test_smoke(amplify_job, n):
    pass
"""


@dataclasses.dataclass(frozen=True)
class Stopper:
    """Something that stops every test that uses amplify_job."""

    name: str
    setup: Callable[[FakeAmplify, pytest.MonkeyPatch], None]
    args: tuple[str, ...]
    cause: str  # the first line, an fnmatch pattern
    told_once: str  # a later line of the whole story: what to do


def failed_job(fake: FakeAmplify, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.add_failed_job("d1", "main", reason="Build failed: exit 2", log="[ERROR]: exit 2\n")


def running_job(fake: FakeAmplify, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.add_job(app_id="d1", branch="main", status="RUNNING")


def no_credentials(fake: FakeAmplify, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")


def nothing(fake: FakeAmplify, monkeypatch: pytest.MonkeyPatch) -> None:
    return None


STOPPERS = [
    Stopper(
        "failed job",
        failed_job,
        (),
        "Amplify job 1 FAILED in step BUILD: Build failed: exit 2 (app d1, branch main)",
        NOT_SUCCEEDED,
    ),
    Stopper(
        "timeout",
        running_job,
        (
            "--amplify-timeout=0.5s",
            "--amplify-poll-interval=0.05s",
            "--amplify-max-poll-interval=0.1s",
        ),
        "Timed out after *s waiting for app d1, branch main, job 1 to finish: last status "
        "RUNNING, step BUILD RUNNING (* polls)",
        "Raise amplify_timeout = 0.5s (from --amplify-timeout), or look at the job: https://",
    ),
    Stopper(
        "missing credentials",
        no_credentials,
        (),
        "no usable AWS credentials (Unable to locate credentials), waiting for app d1, "
        "branch main, latest job",
        "give the run AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    ),
    Stopper(
        "bad setting",
        nothing,
        ("--amplify-profile=nope",),
        "amplify_profile = 'nope' (from --amplify-profile): no such profile in the AWS config "
        "files (~/.aws/config, ~/.aws/credentials)",
        "`aws configure list-profiles` lists them",
    ),
]


@pytest.mark.parametrize("stopper", STOPPERS, ids=[stopper.name for stopper in STOPPERS])
def test_the_cause_comes_first_and_the_story_once(
    pytester: pytest.Pytester,
    fake: FakeAmplify,
    monkeypatch: pytest.MonkeyPatch,
    stopper: Stopper,
) -> None:
    """On CI (``CI`` set) pytest's short summary prints each failure's message whole:
    the plugin's failures give it their first line, the cause, so the summary names the
    cause of every test's error and repeats no story. The JUnit failure message starts
    with it too. The whole story, what to do included, is told once: later tests get
    the cause and a pointer to the first."""
    stopper.setup(fake, monkeypatch)
    monkeypatch.setenv("CI", "true")
    pytester.makepyfile(test_smoke=THREE_TESTS)
    result = pytester.runpytest(*fake_args(fake), *TARGET, *stopper.args, "--junitxml=junit.xml")
    result.assert_outcomes(errors=3)
    output = result.stdout.str()
    assert output.count(stopper.told_once) == 1, output
    assert "Traceback" not in output
    summary = output.split("short test summary info")[1].splitlines()[1:4]
    first = summary[0].split(" ")[1]
    assert fnmatch.fnmatch(summary[0], f"ERROR {glob.escape(first)} - Failed: {stopper.cause}"), (
        summary[0]
    )
    for line in summary[1:]:
        pointer = EXPLAINED_BEFORE.format(cause=stopper.cause, first=glob.escape(first))
        assert fnmatch.fnmatch(line, f"ERROR test_smoke.py::test_smoke[[]?[]] - Failed: {pointer}")
    errors = [case.find("error") for case in ET.parse(pytester.path / "junit.xml").iter("testcase")]
    messages = [error.get("message", "") for error in errors if error is not None]
    assert len(messages) == 3
    for message in messages:
        first_line = message.split("\n")[0]
        assert fnmatch.fnmatch(first_line, f'failed on setup with "Failed: {stopper.cause}*'), (
            first_line
        )


# -- progress under pytest-xdist, on the real clock ---------------------------------

PROGRESS_INTERVAL = 2.0
LOG_LINE = "[ERROR]: src/app.ts(3,7): error TS2322: a log line shown once"
# RUNNING, then 10 s after the first GetJob, FAILED in BUILD.
SCENARIO = {
    "jobs": [
        {
            "app_id": "d1",
            "branch": "main",
            "status": "RUNNING",
            "then": [
                {"status": "RUNNING", "after_calls": 1, "running": "BUILD"},
                {"status": "FAILED", "after_seconds": 10},
            ],
            "steps": [
                {
                    "name": "BUILD",
                    "status": "FAILED",
                    "reason": "Build failed: tsc exited with 2",
                    "log": f"[INFO]: # Executing command: npm run build\n{LOG_LINE}\n",
                }
            ],
        }
    ]
}
SHORT_INTERVAL_CONFTEST = f"""
from tests.seam import shorten_progress_interval

shorten_progress_interval({PROGRESS_INTERVAL})
"""
PROGRESS = re.compile(
    r"amplify: app d1, branch main, job 1: (RUNNING|FAILED)(, step BUILD (RUNNING|FAILED))? "
    r"\[[0-9.]+s, \d+ polls?\]"
)


def read_lines(process: subprocess.Popen[str]) -> list[tuple[float, str]]:
    """Each line of ``process``'s output, with the time it was read."""
    assert process.stdout is not None
    return [(time.monotonic(), line.rstrip("\n")) for line in process.stdout]


@pytest.mark.slow  # a standalone service and pytest -n 2 on the real clock: about 20 s
def test_under_xdist_the_progress_reaches_the_terminal_as_the_wait_goes(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(SCENARIO))
    service = subprocess.Popen(
        [sys.executable, "-m", "pytest_amplify.testing", "serve", "--scenario", str(scenario)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert service.stdout is not None
        endpoint = service.stdout.readline().split(": ", 1)[1].strip()
        pytester.makeconftest(SHORT_INTERVAL_CONFTEST)
        pytester.makepyfile(test_smoke=THREE_TESTS.replace("range(3)", "range(4)"))
        environ = {**os.environ, "PYTHONPATH": str(REPO)}
        run = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pytest",
                "-p",
                "no:cacheprovider",
                "-n",
                "2",
                f"--amplify-endpoint-url={endpoint}",
                "--amplify-region=us-east-1",
                *TARGET,
                # Polls a second apart: the wait ends soon after the job.
                "--amplify-poll-interval=0.5s",
                "--amplify-max-poll-interval=1s",
            ],
            cwd=pytester.path,
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines: list[tuple[float, str]] = []
        reader = threading.Thread(target=lambda: lines.extend(read_lines(run)))
        reader.start()
        reader.join(timeout=120)
        if reader.is_alive():
            run.kill()
            reader.join()
        assert run.wait(timeout=10) == pytest.ExitCode.TESTS_FAILED
        assert run.stdout is not None
        run.stdout.close()
    finally:
        service.terminate()
        service.wait(timeout=10)
        assert service.stdout is not None
        service.stdout.close()
    output = "\n".join(line for _, line in lines)
    progress = [
        (when, line) for when, line in lines if line.startswith("amplify: app d1, branch main, job")
    ]
    # Whole lines, each on its own, in the format without xdist.
    assert progress and all(PROGRESS.fullmatch(line) for _, line in progress), output
    ends = [index for index, (_, line) in enumerate(progress) if "FAILED" in line]
    assert ends == [len(progress) - 1], output
    # Read as the wait went: at least two lines before its end, spread over it, none
    # further apart than the interval and 2 s.
    assert len(progress) >= 3, output
    times = [when for when, _ in progress]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert max(gaps) <= PROGRESS_INTERVAL + 2, gaps
    assert times[-1] - times[0] >= 5, times
    # The failed job's story, its log tail included, once for the run's four tests.
    assert output.count(LOG_LINE) == 1, output
    assert output.count(NOT_SUCCEEDED) == 1, output
    assert output.count("(explained in full in the error of test_smoke.py::test_smoke[") == 3


# -- what GitLab and Jenkins show ------------------------------------------------------

PLUGIN_DEBUG = doc_block("docs/ci-reports.md", "# conftest.py\nimport logging")
FAILS_ON_ITS_OWN = """
def test_home(amplify_fake, request):
    amplify_fake.add_job(app_id="d1", branch="main", status="RUNNING").then(
        "SUCCEED", after_seconds=60
    )
    amplify_fake.fail_next("GetJob", "LimitExceededException")
    job = request.getfixturevalue("amplify_job")
    print("printed by the test")
    assert job.status == "FAILED", "the home page is the old one"
"""


def test_a_failed_test_names_its_job_where_gitlab_and_jenkins_look(
    pytester: pytest.Pytester,
) -> None:
    """GitLab shows a failure's text (and, appended, system-out), not properties; so
    does Jenkins (its "Stacktrace"), which keeps properties only when told. A test that
    failed on its own ends its failure's text with the jobs it used. With
    ``junit_logging = all`` and the docs' conftest, system-out holds the plugin's
    debug records and nothing of botocore's (whose answers carry presigned URLs)."""
    pytester.makeconftest(PLUGIN_DEBUG + '\npytest_plugins = ["pytest_amplify.testing"]\n')
    pytester.makepyfile(test_site=FAILS_ON_ITS_OWN)
    logger = logging.getLogger("pytest_amplify")
    level = logger.level
    try:
        result = pytester.runpytest(*TARGET, "--junitxml=junit.xml", "-o", "junit_logging=all")
    finally:
        logger.setLevel(level)  # the docs' conftest ran in this process
    result.assert_outcomes(failed=1)
    (case,) = ET.parse(pytester.path / "junit.xml").iter("testcase")
    failure = case.find("failure")
    assert failure is not None and failure.text is not None
    facts = failure.text.rstrip().splitlines()
    assert facts[-2].strip("- ") == "amplify"
    assert facts[-1] == (
        "app d1, branch main, job 1: SUCCEED; console: "
        "https://us-east-1.console.aws.amazon.com/amplify/apps/d1/branches/main/deployments/1"
    )
    assert failure.get("message", "").startswith("AssertionError: the home page is the old one")
    system_out = case.findtext("system-out") or ""
    assert "printed by the test" in system_out
    assert re.search(
        r"DEBUG +pytest_amplify:\S+ poll 2 of app d1, branch main, job 1: GetJob for app d1, "
        r"branch main, job 1 failed with LimitExceededException \(429\)",
        system_out,
    ), system_out
    assert "botocore" not in system_out
    # The terminal shows the same section under the failure.
    result.stdout.fnmatch_lines(
        ["*- amplify -*", "app d1, branch main, job 1: SUCCEED; console: *"]
    )
