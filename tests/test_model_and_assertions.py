"""The job model (plain data) and the status assertions' messages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator

import pytest

from pytest_amplify import (
    AmplifyAssertionError,
    AmplifyJob,
    AmplifyResponseError,
    AmplifyStepNotFoundError,
    JobStatus,
    assert_job_status,
    assert_job_succeeded,
    assert_step_status,
    assert_step_succeeded,
    assert_steps_succeeded,
)
from pytest_amplify.testing import FakeAmplify, FakeStep

T0 = 1_767_225_600.0


def answer(status: str = "SUCCEED", steps: list[dict] | None = None, **summary: object) -> dict:  # type: ignore[type-arg]
    base = {
        "jobArn": "arn:aws:amplify:eu-west-1:123456789012:apps/d1/branches/main/jobs/0000000007",
        "jobId": "7",
        "commitId": "abc",
        "commitMessage": "Fix",
        "commitTime": T0 - 60,
        "startTime": T0,
        "status": status,
        "jobType": "RELEASE",
    }
    base.update(summary)
    return {"job": {"summary": base, "steps": steps if steps is not None else []}}


def step(name: str, status: str = "SUCCEED", **extra: object) -> dict:  # type: ignore[type-arg]
    return {"stepName": name, "status": status, "startTime": T0, "endTime": T0 + 30, **extra}


def test_a_job_from_an_answer() -> None:
    job = AmplifyJob.from_api(
        answer(
            endTime=T0 + 90,
            steps=[
                step("BUILD", logUrl="https://b.s3.amazonaws.com/log?X-Amz-Signature=s3cr3t"),
                step("DEPLOY"),
            ],
        ),
        app_id="d1",
        branch="main",
    )
    assert (job.app_id, job.branch, job.job_id, job.status) == ("d1", "main", "7", "SUCCEED")
    assert job.status == JobStatus.SUCCEED == "SUCCEED"
    assert job.succeeded and job.finished
    assert job.start_time == dt.datetime.fromtimestamp(T0, dt.timezone.utc)
    assert job.duration == dt.timedelta(seconds=90)
    assert job.region == "eu-west-1"
    assert (
        job.console_url
        == "https://eu-west-1.console.aws.amazon.com/amplify/apps/d1/branches/main/deployments/7"
    )
    assert job.branch_url == "https://main.d1.amplifyapp.com"
    assert job.step("build").duration == dt.timedelta(seconds=30)
    assert "s3cr3t" not in repr(job) and "s3cr3t" not in repr(job.step("BUILD"))


def test_unknown_statuses_are_kept_and_not_finished() -> None:
    job = AmplifyJob.from_api(answer("DEPLOYING_TO_MARS"), app_id="d1", branch="main")
    assert job.status == "DEPLOYING_TO_MARS"
    assert not job.finished and not job.succeeded


def test_step_lookup_is_case_insensitive_and_lists_steps_when_missing() -> None:
    job = AmplifyJob.from_api(
        answer(steps=[step("BUILD"), step("DEPLOY")]), app_id="d1", branch="main"
    )
    assert job.step("Deploy").name == "DEPLOY"
    with pytest.raises(
        AmplifyStepNotFoundError, match="has no step 'VERIFY'; it has: BUILD, DEPLOY"
    ):
        job.step("VERIFY")


def test_jobs_round_trip_through_json() -> None:
    job = AmplifyJob.from_api(
        answer(endTime=T0 + 90, steps=[step("VERIFY", screenshots={"desktop": "https://x/d.png"})]),
        app_id="d1",
        branch="feature/x",
        site_url="https://shop.example.com",
    )
    again = AmplifyJob.from_dict(json.loads(json.dumps(job.to_dict())))
    assert again == job
    assert again.raw == job.raw
    assert again.step("verify").screenshots["desktop"] == "https://x/d.png"


@pytest.mark.parametrize(
    ("data", "missing"),
    [
        ({"app_id": "d1", "branch": "main"}, "data.answer is missing"),
        ({"answer": {"job": {}}, "branch": "main"}, "data.app_id is missing"),
        ({"answer": [], "app_id": "d1", "branch": "main"}, "data.answer is not an object: list"),
        ({"answer": {"job": {}}, "app_id": "d1", "branch": 7}, "data.branch is not a string: int"),
        ("a job", "data is not an object: str"),
        (
            {"answer": {"job": {"summary": {}}}, "app_id": "d1", "branch": "main"},
            "job.summary.jobId is missing",
        ),
    ],
)
def test_from_dict_on_a_malformed_dict_says_what_is_wrong(data: object, missing: str) -> None:
    with pytest.raises(AmplifyResponseError) as raised:
        AmplifyJob.from_dict(data)  # type: ignore[arg-type]
    assert str(raised.value) == (
        f"AmplifyJob.from_dict reads what AmplifyJob.to_dict writes: {missing}"
    )


def test_jobs_are_immutable() -> None:
    job = AmplifyJob.from_api(
        answer(steps=[step("VERIFY", screenshots={"a": "u"})]), app_id="d1", branch="main"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        job.status = "FAILED"  # type: ignore[misc]
    with pytest.raises(TypeError):
        job.step("VERIFY").screenshots["b"] = "v"  # type: ignore[index]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({}, "job is not an object"),
        ({"job": {"summary": {"status": "SUCCEED"}}}, r"job.summary.jobId is missing"),
        (
            {"job": {"summary": {"jobId": 7, "status": "SUCCEED"}}},
            r"job.summary.jobId is not a string",
        ),
        (
            {"job": {"summary": {"jobId": "7", "status": "SUCCEED", "startTime": "yesterday"}}},
            "startTime is not a timestamp",
        ),
        (
            {
                "job": {
                    "summary": {"jobId": "7", "status": "SUCCEED"},
                    "steps": [{"status": "SUCCEED"}],
                }
            },
            r"job.steps\[0\].stepName is missing",
        ),
        (
            {"job": {"summary": {"jobId": "7", "status": "SUCCEED"}, "steps": "BUILD"}},
            "job.steps is not a list",
        ),
    ],
)
def test_answers_that_are_not_jobs_raise_the_projects_error(bad: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(AmplifyResponseError, match=message):
        AmplifyJob.from_api(bad, app_id="d1", branch="main")


# -- assertions, against jobs served by the local service ------------------------------


@pytest.fixture
def job_of(fake: FakeAmplify) -> Iterator[object]:
    from .seam import api_for

    def fetch(branch: str) -> AmplifyJob:
        return AmplifyJob.from_api(
            api_for(fake).get_job("d1", branch, "1"), app_id="d1", branch=branch
        )

    return fetch


def test_passing_assertions_are_silent(fake: FakeAmplify, job_of) -> None:  # type: ignore[no-untyped-def]
    fake.add_job(app_id="d1", branch="main")
    job = job_of("main")
    assert_job_succeeded(job)
    assert_job_status(job, "SUCCEED", "FAILED")
    assert_step_succeeded(job, "build")
    assert_step_status(job, "deploy", "SUCCEED")
    assert_steps_succeeded(job)
    assert_steps_succeeded(job, "BUILD", "VERIFY")


def test_a_failed_job_is_explained_with_the_log_tail(fake: FakeAmplify, job_of) -> None:  # type: ignore[no-untyped-def]
    log = "".join(f"step output {n}\n" for n in range(1, 41))
    fake.add_failed_job("d1", "main", reason="Build failed: exit 1", log=log)
    job = job_of("main")
    with pytest.raises(AmplifyAssertionError) as raised:
        assert_job_succeeded(job)
    message = str(raised.value)
    lines = message.splitlines()
    assert lines[0] == "expected the job to SUCCEED, it is FAILED"
    assert lines[1] == "Amplify app d1, branch main, job 1: status FAILED"
    assert lines[2:4] == ["steps:", "  BUILD FAILED (2m 00s): Build failed: exit 1"]
    assert lines[4].startswith("last 30 lines of the BUILD log (http://127.0.0.1:")
    assert lines[4].endswith("/_files/d1/main/1/BUILD/log.txt):")
    assert lines[5:35] == [f"  | step output {n}" for n in range(11, 41)]
    assert (
        lines[35]
        == "console: https://us-east-1.console.aws.amazon.com/amplify/apps/d1/branches/main/deployments/1"
    )
    assert "X-Amz-Signature" not in message


def test_assert_steps_succeeded_reports_every_failing_step(fake: FakeAmplify, job_of) -> None:  # type: ignore[no-untyped-def]
    fake.add_job(
        app_id="d1",
        branch="main",
        status="FAILED",
        steps=[
            "BUILD",
            FakeStep("TEST", status="FAILED", reason="2 specs failed", log="spec a failed\n"),
            FakeStep("DEPLOY", status="CANCELLED"),
            FakeStep("VERIFY", status="FAILED", reason="timeout", log="no answer\n"),
        ],
    )
    job = job_of("main")
    with pytest.raises(AmplifyAssertionError) as raised:
        assert_steps_succeeded(job)
    message = str(raised.value)
    assert (
        message.splitlines()[0]
        == "expected 4 steps to SUCCEED; 3 did not: TEST (FAILED), DEPLOY (CANCELLED), VERIFY (FAILED)"
    )
    assert "last 30 lines of the TEST log" in message and "  | spec a failed" in message
    assert "last 30 lines of the VERIFY log" in message and "  | no answer" in message
    assert "DEPLOY log" not in message


def test_step_assertions_name_the_step_status_and_reason(fake: FakeAmplify, job_of) -> None:  # type: ignore[no-untyped-def]
    fake.add_job(
        app_id="d1",
        branch="main",
        status="FAILED",
        steps=[FakeStep("BUILD", status="FAILED", reason="OOM", log="Killed\n")],
    )
    job = job_of("main")
    with pytest.raises(
        AmplifyAssertionError, match=r"^expected step BUILD to SUCCEED, it is FAILED\n"
    ) as raised:
        assert_step_succeeded(job, "build")
    assert "BUILD FAILED (2m 00s): OOM" in str(raised.value)
    assert "  | Killed" in str(raised.value)
    with pytest.raises(
        AmplifyAssertionError, match="expected step BUILD to be RUNNING or SUCCEED, it is FAILED"
    ):
        assert_step_status(job, "BUILD", "RUNNING", "SUCCEED")
    with pytest.raises(
        AmplifyAssertionError, match="expected the job's status to be SUCCEED, it is FAILED"
    ):
        assert_job_status(job, "SUCCEED")
    with pytest.raises(AmplifyAssertionError, match="has no step 'LINT'; it has: BUILD"):
        assert_step_succeeded(job, "LINT")


def test_a_log_that_cannot_be_read_is_said_not_hidden(fake: FakeAmplify, job_of) -> None:  # type: ignore[no-untyped-def]
    fake.add_failed_job("d1", "main")
    job = job_of("main")
    fake.fail_next("GetObject", "NotFoundException", status=404, times=5)
    with pytest.raises(AmplifyAssertionError) as raised:
        assert_job_succeeded(job)
    assert (
        "(the BUILD log could not be read: the BUILD log of app d1, branch main, job 1 does not exist"
        in str(raised.value)
    )


def test_assertion_helpers_hide_their_frames(pytester: pytest.Pytester, fake: FakeAmplify) -> None:
    fake.add_failed_job("d1", "main")
    pytester.makepyfile(
        """
        from pytest_amplify import assert_job_succeeded

        def test_smoke(amplify_job):
            assert_job_succeeded(amplify_job)
        """
    )
    from .conftest import fake_args

    result = pytester.runpytest(
        *fake_args(fake), "--amplify-app-id=d1", "--amplify-branch=main", "--amplify-allow-failed"
    )
    result.assert_outcomes(failed=1)
    assert "_checks/assertions.py" not in result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            ">       assert_job_succeeded(amplify_job)",
            "E       *AmplifyAssertionError: expected the job to SUCCEED, it is FAILED",
        ]
    )


def test_errors_show_as_users_import_them(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from pytest_amplify import AmplifyJob, JobStep

        def test_missing_step():
            job = AmplifyJob(app_id="d1", branch="main", job_id="7", status="SUCCEED",
                             steps=(JobStep("BUILD", "SUCCEED"),))
            job.step("nope")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E * pytest_amplify.AmplifyStepNotFoundError: app d1, branch main, job 7 "
            "has no step 'nope'; it has: BUILD"
        ]
    )
    output = result.stdout.str()
    assert "pytest_amplify._" not in output
    assert "_core/model.py" not in output
