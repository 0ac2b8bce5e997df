"""Issue 5.2, one wait per run whatever the workers: GetJob calls of a real pytest
run with ``-n 4`` against the same run with ``-n 0``, and the ``amplify`` summary
section printed once.

The local Amplify service runs in this process on the real clock; each pytest run
is a subprocess pointed at it with the plugin's flags. Each run gets a fresh
service whose job is PENDING until its first GetJob, then RUNNING for
``running_seconds``: the job starts when the run first polls, whatever pytest's
and xdist's start-up take, so both runs wait through the same timeline.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from pytest_amplify.testing import FakeAmplify

from .startup import clean_environ

TESTS = 40
RUNNING_SECONDS = 3.0
MAX_RATIO = 1.25
# Short intervals keep real time small; the ratio is what is measured.
POLL_FLAGS = ("--amplify-poll-interval", "0.2s", "--amplify-max-poll-interval", "0.5s")
SECTION = re.compile(r"^=+ amplify =+$", re.MULTILINE)

SUITE = """\
import pytest


@pytest.mark.parametrize("n", range({tests}))
def test_uses_the_job(amplify_job, n):
    assert amplify_job.succeeded
"""


def write_suite(root: Path, tests: int = TESTS) -> None:
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "test_on_one_job.py").write_text(SUITE.format(tests=tests))


def plugin_flags(fake: FakeAmplify, app_id: str = "d1", branch: str = "main") -> list[str]:
    return [
        "--amplify-endpoint-url",
        fake.endpoint_url,
        "--amplify-region",
        "us-east-1",
        "--amplify-app-id",
        app_id,
        "--amplify-branch",
        branch,
        *POLL_FLAGS,
    ]


def dummy_credentials(environ: Mapping[str, str]) -> dict[str, str]:
    """Dummy AWS credentials and no AWS configuration files: never real AWS."""
    return {
        **environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


@dataclasses.dataclass(frozen=True)
class RunCount:
    workers: int
    get_job: int
    all_calls: int
    passed: int
    summary_sections: int
    lists_the_job: bool


def count_run(
    root: Path, workers: int, running_seconds: float = RUNNING_SECONDS, tests: int = TESTS
) -> RunCount:
    """One pytest run with ``-n workers`` against a fresh service."""
    with FakeAmplify() as fake:
        job = fake.add_job("d1", "main", status="PENDING")
        job.then("RUNNING", after_calls=1).then("SUCCEED", after_seconds=running_seconds)
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-n",
            str(workers),
            *plugin_flags(fake),
        ]
        done = subprocess.run(
            command,
            cwd=root,
            env=dummy_credentials(clean_environ()),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        output = done.stdout
        if done.returncode != 0:
            raise RuntimeError(f"pytest -n {workers} failed:\n{output}\n{done.stderr}")
        return RunCount(
            workers=workers,
            get_job=fake.calls("GetJob"),
            all_calls=fake.calls(),
            passed=_passed(output),
            summary_sections=len(SECTION.findall(output)),
            lists_the_job=f"job {job.job_id}" in output.split("amplify =", 1)[-1],
        )


def _passed(output: str) -> int:
    found = re.search(r"(\d+) passed", output)
    return int(found.group(1)) if found else 0


@dataclasses.dataclass(frozen=True)
class WorkersResult:
    serial: RunCount
    parallel: RunCount
    tests: int

    @property
    def ratio(self) -> float:
        return self.parallel.get_job / self.serial.get_job

    @property
    def summary_once(self) -> bool:
        return all(
            run.summary_sections == 1 and run.lists_the_job for run in (self.serial, self.parallel)
        )

    @property
    def all_passed(self) -> bool:
        return self.serial.passed == self.parallel.passed == self.tests

    @property
    def met(self) -> bool:
        return self.ratio <= MAX_RATIO and self.summary_once and self.all_passed


def measure(workers: Sequence[int] = (0, 4), tests: int = TESTS) -> WorkersResult:
    serial_workers, parallel_workers = workers
    with tempfile.TemporaryDirectory(prefix="amplify-workers-") as directory:
        root = Path(directory)
        write_suite(root, tests)
        serial = count_run(root, serial_workers, tests=tests)
        parallel = count_run(root, parallel_workers, tests=tests)
    return WorkersResult(serial, parallel, tests)
