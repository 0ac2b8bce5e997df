"""The local Amplify service, through a real boto3 client over HTTP."""

from __future__ import annotations

import datetime as dt
import threading
import urllib.error
import urllib.request

import botocore.exceptions
import pytest
from botocore.config import Config

from pytest_amplify.testing import (
    FakeAmplify,
    FakeStep,
    SimulatedClock,
    failed_build_step,
    make_png,
)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        body: bytes = response.read()
        return body


def test_get_job_answer_parses_with_every_step_field(fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="1", commit_id="abc123")
    answer = fake.client().get_job(appId="d1", branchName="main", jobId="1")
    summary = answer["job"]["summary"]
    assert summary["jobId"] == "1"
    assert summary["commitId"] == "abc123"
    assert summary["status"] == "SUCCEED"
    assert summary["jobType"] == "RELEASE"
    assert isinstance(summary["startTime"], dt.datetime)
    assert summary["endTime"] > summary["startTime"] > summary["commitTime"]
    assert summary["jobArn"].startswith("arn:aws:amplify:us-east-1:")
    steps = {step["stepName"]: step for step in answer["job"]["steps"]}
    assert list(steps) == ["BUILD", "TEST", "DEPLOY", "VERIFY"]
    assert "artifactsUrl" in steps["BUILD"]
    assert {"testArtifactsUrl", "testConfigUrl"} <= set(steps["TEST"])
    assert set(steps["VERIFY"]["screenshots"]) == {"desktop", "iphone-14", "pixel-7"}
    assert all("logUrl" in step and step["status"] == "SUCCEED" for step in steps.values())


def test_manual_deployments_have_deploy_and_verify_only(fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main", job_type="MANUAL")
    answer = fake.client().get_job(appId="d1", branchName="main", jobId="1")
    assert [s["stepName"] for s in answer["job"]["steps"]] == ["DEPLOY", "VERIFY"]


def test_step_reason_and_context_are_served(fake: FakeAmplify) -> None:
    fake.add_job(
        app_id="d1",
        branch="main",
        status="FAILED",
        steps=[FakeStep("BUILD", status="FAILED", reason="npm ERR!", context="phase build")],
    )
    (step,) = fake.client().get_job(appId="d1", branchName="main", jobId="1")["job"]["steps"]
    assert step["statusReason"] == "npm ERR!"
    assert step["context"] == "phase build"


def test_end_time_appears_only_once_the_job_has_ended(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    fake.add_job(app_id="d1", branch="main", status="RUNNING").then("SUCCEED", after_seconds=60)
    client = fake.client()
    running = client.get_job(appId="d1", branchName="main", jobId="1")["job"]
    assert "endTime" not in running["summary"]
    assert "endTime" not in running["steps"][0]
    clock.advance(61)
    done = client.get_job(appId="d1", branchName="main", jobId="1")["job"]["summary"]
    assert done["status"] == "SUCCEED"
    assert (done["endTime"] - done["startTime"]).total_seconds() == 60


def test_timeline_advances_per_get_job_call(fake: FakeAmplify) -> None:
    job = fake.add_job(app_id="d1", branch="main", status="CREATED")
    job.then("PENDING", after_calls=1).then("PROVISIONING", after_calls=1)
    job.then("RUNNING", after_calls=1, running="BUILD").then(
        "RUNNING", after_calls=1, running="DEPLOY"
    )
    job.then("SUCCEED", after_calls=1)
    client = fake.client()
    seen = []
    for _ in range(6):
        answer = client.get_job(appId="d1", branchName="main", jobId="1")["job"]
        seen.append(
            (answer["summary"]["status"], [(s["stepName"], s["status"]) for s in answer["steps"]])
        )
    assert seen == [
        ("CREATED", []),
        ("PENDING", []),
        ("PROVISIONING", []),
        ("RUNNING", [("BUILD", "RUNNING")]),
        ("RUNNING", [("BUILD", "SUCCEED"), ("TEST", "SUCCEED"), ("DEPLOY", "RUNNING")]),
        ("SUCCEED", [(n, "SUCCEED") for n in ("BUILD", "TEST", "DEPLOY", "VERIFY")]),
    ]


def test_timeline_advances_by_the_clock_and_list_jobs_does_not_count_as_a_poll(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    fake.add_job(app_id="d1", branch="main", status="PENDING").then(
        "RUNNING", after_seconds=10
    ).then("CANCELLING", after_seconds=5).then("CANCELLED", after_calls=1)
    client = fake.client()

    def status() -> str:
        return str(client.list_jobs(appId="d1", branchName="main")["jobSummaries"][0]["status"])

    assert status() == "PENDING"
    clock.advance(10)
    assert status() == "RUNNING"
    clock.advance(5)
    assert status() == status() == "CANCELLING"
    assert (
        client.get_job(appId="d1", branchName="main", jobId="1")["job"]["summary"]["status"]
        == "CANCELLING"
    )
    assert status() == "CANCELLED"


def test_explicit_steps_can_go_backwards_and_vanish(fake: FakeAmplify) -> None:
    job = fake.add_job(app_id="d1", branch="main", status="RUNNING", steps=["BUILD", "DEPLOY"])
    job.then("RUNNING", after_calls=1, steps={"BUILD": "SUCCEED", "DEPLOY": "RUNNING"})
    job.then("RUNNING", after_calls=1, steps={"BUILD": "RUNNING"})
    job.then("RUNNING", after_calls=1, steps={})
    client = fake.client()
    shapes = [
        [
            (s["stepName"], s["status"])
            for s in client.get_job(appId="d1", branchName="main", jobId="1")["job"]["steps"]
        ]
        for _ in range(4)
    ]
    assert shapes == [
        [("BUILD", "RUNNING")],
        [("BUILD", "SUCCEED"), ("DEPLOY", "RUNNING")],
        [("BUILD", "RUNNING")],
        [],
    ]


def test_finish_ends_a_job_at_once(fake: FakeAmplify) -> None:
    job = fake.add_job(app_id="d1", branch="main", status="RUNNING")
    job.finish("FAILED")
    assert job.status == "FAILED"
    summary = fake.client().get_job(appId="d1", branchName="main", jobId="1")["job"]["summary"]
    assert summary["status"] == "FAILED"
    assert "endTime" in summary


def test_list_jobs_is_newest_first_and_paginates(fake: FakeAmplify) -> None:
    for _ in range(7):
        fake.add_job(app_id="d1", branch="main")
    client = fake.client()
    first = client.list_jobs(appId="d1", branchName="main", maxResults=3)
    assert [j["jobId"] for j in first["jobSummaries"]] == ["7", "6", "5"]
    second = client.list_jobs(
        appId="d1", branchName="main", maxResults=3, nextToken=first["nextToken"]
    )
    assert [j["jobId"] for j in second["jobSummaries"]] == ["4", "3", "2"]
    pages = client.get_paginator("list_jobs").paginate(
        appId="d1", branchName="main", PaginationConfig={"PageSize": 2}
    )
    assert [j["jobId"] for page in pages for j in page["jobSummaries"]] == [
        str(n) for n in range(7, 0, -1)
    ]


def test_a_branch_can_list_its_jobs_oldest_first(fake: FakeAmplify) -> None:
    # ListJobs' order is not documented: the service serves both, so both are tested.
    fake.add_branch("d1", "main", list_order="oldest first")
    for _ in range(5):
        fake.add_job(app_id="d1", branch="main")
    pages = (
        fake.client()
        .get_paginator("list_jobs")
        .paginate(appId="d1", branchName="main", PaginationConfig={"PageSize": 2})
    )
    assert [j["jobId"] for page in pages for j in page["jobSummaries"]] == ["1", "2", "3", "4", "5"]
    with pytest.raises(ValueError, match="list_order is one of 'newest first', 'oldest first'"):
        fake.add_branch("d1", "other", list_order="random")


def test_an_unlisted_job_counts_only_the_answers_that_reach_its_page(fake: FakeAmplify) -> None:
    fake.add_branch("d1", "main", list_order="oldest first")
    for _ in range(4):
        fake.add_job(app_id="d1", branch="main")
    fake.add_job(app_id="d1", branch="main", status="PENDING", listed_after=1)
    client = fake.client()

    def ids(**kwargs: object) -> list[str]:
        answer = client.list_jobs(appId="d1", branchName="main", maxResults=2, **kwargs)
        return [j["jobId"] for j in answer["jobSummaries"]]

    first = client.list_jobs(appId="d1", branchName="main", maxResults=2)
    assert ids() == ["1", "2"]  # the first page is far from where job 5 will be listed
    last = client.list_jobs(
        appId="d1", branchName="main", maxResults=2, nextToken=first["nextToken"]
    )
    assert [j["jobId"] for j in last["jobSummaries"]] == ["3", "4"]  # reaches it: counted
    assert ids(nextToken=first["nextToken"]) == ["3", "4"]
    assert "nextToken" in client.list_jobs(
        appId="d1", branchName="main", maxResults=2, nextToken=first["nextToken"]
    )


def test_the_in_process_client_answers_what_http_answers(fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main", status="RUNNING").then("SUCCEED", after_calls=1)
    fake.add_job(app_id="d1", branch="main")
    http, in_process = fake.client(), fake.in_process_client()
    listed = [c.list_jobs(appId="d1", branchName="main") for c in (http, in_process)]
    # botocore parses timestamps into datetimes; the wire carries epoch seconds.
    assert [
        (j["jobId"], j["status"], j["startTime"].timestamp()) for j in listed[0]["jobSummaries"]
    ] == [(j["jobId"], j["status"], j["startTime"]) for j in listed[1]["jobSummaries"]]
    # Both count as GetJob calls that move the job on.
    assert (
        in_process.get_job(appId="d1", branchName="main", jobId="1")["job"]["summary"]["status"]
        == "RUNNING"
    )
    assert (
        http.get_job(appId="d1", branchName="main", jobId="1")["job"]["summary"]["status"]
        == "SUCCEED"
    )
    assert fake.calls("GetJob") == 2
    assert fake.calls("ListJobs") == 2
    fake.fail_next("GetJob", "LimitExceededException")
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        in_process.get_job(appId="d1", branchName="main", jobId="1")
    assert raised.value.response["Error"]["Code"] == "LimitExceededException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    with pytest.raises(botocore.exceptions.ClientError, match="NotFoundException"):
        in_process.get_job(appId="d1", branchName="main", jobId="9")
    fake.hang_next("GetJob")
    with pytest.raises(RuntimeError, match="a delay fault of GetJob needs HTTP"):
        in_process.get_job(appId="d1", branchName="main", jobId="1")


def test_a_new_job_stays_unlisted_for_its_first_list_calls(fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="1")
    fake.add_job(app_id="d1", branch="main", job_id="2", status="PENDING", listed_after=2)
    client = fake.client()
    listed = [
        [j["jobId"] for j in client.list_jobs(appId="d1", branchName="main")["jobSummaries"]]
        for _ in range(3)
    ]
    assert listed == [["1"], ["1"], ["2", "1"]]
    assert (
        client.get_job(appId="d1", branchName="main", jobId="2")["job"]["summary"]["jobId"] == "2"
    )


def test_get_app_and_get_branch(fake: FakeAmplify) -> None:
    fake.add_app("d1", name="shop", default_domain="d1.amplifyapp.com")
    fake.add_job(app_id="d1", branch="feature/login", job_id="3")
    client = fake.client()
    app = client.get_app(appId="d1")["app"]
    assert (app["name"], app["defaultDomain"]) == ("shop", "d1.amplifyapp.com")
    branch = client.get_branch(appId="d1", branchName="feature/login")["branch"]
    assert (branch["branchName"], branch["displayName"], branch["activeJobId"]) == (
        "feature/login",
        "feature-login",
        "3",
    )


def test_list_artifacts_and_get_artifact_url(fake: FakeAmplify) -> None:
    job = fake.add_job(app_id="d1", branch="main")
    fake.add_test_artifact(job, "report.html", "<h1>3 passed</h1>")
    client = fake.client()
    artifacts = client.list_artifacts(appId="d1", branchName="main", jobId="1")["artifacts"]
    names = {a["artifactFileName"]: a["artifactId"] for a in artifacts}
    assert set(names) == {
        "cypress/videos/home.cy.js.mp4",
        "cypress/report/mochawesome.json",
        "report.html",
    }
    url = client.get_artifact_url(artifactId=names["report.html"])["artifactUrl"]
    assert fetch(url) == b"<h1>3 passed</h1>"
    page = client.list_artifacts(appId="d1", branchName="main", jobId="1", maxResults=2)
    assert len(page["artifacts"]) == 2 and "nextToken" in page


@pytest.mark.parametrize(
    ("call", "code", "status"),
    [
        (lambda c: c.get_job(appId="d1", branchName="main", jobId="99"), "NotFoundException", 404),
        (lambda c: c.get_job(appId="d9", branchName="main", jobId="1"), "NotFoundException", 404),
        (lambda c: c.get_app(appId="d9"), "NotFoundException", 404),
        (lambda c: c.get_branch(appId="d1", branchName="nope"), "NotFoundException", 404),
        (lambda c: c.get_artifact_url(artifactId="nope"), "NotFoundException", 404),
        (lambda c: c.list_jobs(appId="d1", branchName="nope"), "BadRequestException", 400),
        (
            lambda c: c.list_jobs(appId="d1", branchName="main", nextToken="garbage"),
            "BadRequestException",
            400,
        ),
        (
            lambda c: c.list_artifacts(appId="d1", branchName="main", jobId="99"),
            "BadRequestException",
            400,
        ),
    ],
)
def test_errors_use_the_codes_the_model_lists(
    fake: FakeAmplify, call, code: str, status: int
) -> None:  # type: ignore[no-untyped-def]
    fake.add_job(app_id="d1", branch="main")
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(fake.client())
    assert raised.value.response["Error"]["Code"] == code
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert raised.value.response["Error"]["Message"]


def test_unsigned_requests_are_unauthorized(fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main")
    with pytest.raises(urllib.error.HTTPError) as raised:
        fetch(f"{fake.endpoint_url}/apps/d1/branches/main/jobs/1")
    assert raised.value.code == 401
    assert raised.value.headers["x-amzn-ErrorType"] == "UnauthorizedException"
    raised.value.close()


@pytest.mark.parametrize(
    ("error", "status"),
    [
        ("LimitExceededException", 429),
        ("InternalFailureException", 500),
        ("UnauthorizedException", 401),
        ("BadRequestException", 400),
        ("TooManyRequestsException", 429),
        ("ExpiredTokenException", 403),
    ],
)
def test_injected_errors_answer_n_times_then_stop(
    fake: FakeAmplify, error: str, status: int
) -> None:
    fake.add_job(app_id="d1", branch="main")
    fake.fail_next("GetJob", error, times=2)
    client = fake.client(config=Config(retries={"total_max_attempts": 1}))
    for _ in range(2):
        with pytest.raises(botocore.exceptions.ClientError) as raised:
            client.get_job(appId="d1", branchName="main", jobId="1")
        assert raised.value.response["Error"]["Code"] == error
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert (
        client.get_job(appId="d1", branchName="main", jobId="1")["job"]["summary"]["status"]
        == "SUCCEED"
    )
    assert [r.status for r in fake.requests] == [status, status, 200]


def test_faults_are_per_operation(fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main")
    fake.fail_next("ListJobs", "InternalFailureException")
    client = fake.client(config=Config(retries={"total_max_attempts": 1}))
    assert client.get_job(appId="d1", branchName="main", jobId="1")
    with pytest.raises(botocore.exceptions.ClientError):
        client.list_jobs(appId="d1", branchName="main")


def test_a_dropped_connection_reaches_boto3_as_a_connection_error(fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main")
    fake.drop_next("GetJob")
    client = fake.client(config=Config(retries={"total_max_attempts": 1}))
    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        client.get_job(appId="d1", branchName="main", jobId="1")
    assert client.get_job(appId="d1", branchName="main", jobId="1")


@pytest.mark.slow  # a real read timeout
def test_added_latency_trips_a_read_timeout(fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main")
    fake.delay_next("GetJob", 0.6)
    client = fake.client(config=Config(retries={"total_max_attempts": 1}, read_timeout=0.2))
    with pytest.raises(botocore.exceptions.ReadTimeoutError):
        client.get_job(appId="d1", branchName="main", jobId="1")


def test_raw_answers_reach_boto3_unchanged(fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main")
    fake.respond_raw_next(
        "GetJob",
        status=502,
        body="<html><h1>502 Bad Gateway</h1></html>",
        headers={"Content-Type": "text/html"},
    )
    fake.respond_raw_next(
        "GetJob",
        status=200,
        body='{"job": {"summary": ',
        headers={"Content-Type": "application/json"},
    )
    client = fake.client(config=Config(retries={"total_max_attempts": 1}))
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        client.get_job(appId="d1", branchName="main", jobId="1")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 502
    # botocore does not raise on a body that is not JSON: the answer simply has no job.
    assert "job" not in client.get_job(appId="d1", branchName="main", jobId="1")


def test_the_request_log_counts_calls_and_keeps_no_signatures(fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main")
    client = fake.client()
    answer = client.get_job(appId="d1", branchName="main", jobId="1")
    client.list_jobs(appId="d1", branchName="main", maxResults=5)
    fetch(answer["job"]["steps"][0]["logUrl"])
    assert fake.calls("GetJob") == 1
    assert fake.calls("ListJobs") == 1
    assert fake.calls("GetObject") == 1
    assert fake.calls() == 3
    listing = next(r for r in fake.requests if r.operation == "ListJobs")
    assert listing.params == {"maxResults": "5"}
    download = next(r for r in fake.requests if r.operation == "GetObject")
    assert "X-Amz-Expires" in download.params
    assert not {"X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token"} & set(
        download.params
    )


def test_the_builder_validates_at_once(fake: FakeAmplify) -> None:
    with pytest.raises(ValueError, match="unknown status 'DONE'"):
        fake.add_job(app_id="d1", branch="main", status="DONE")
    with pytest.raises(ValueError, match="a step needs a name"):
        FakeStep("")
    with pytest.raises(ValueError, match="not an Amplify app id"):
        fake.add_job(app_id="my-app", branch="main")
    job = fake.add_job(app_id="d1", branch="main", status="PENDING")
    with pytest.raises(ValueError, match="exactly one of after_calls= or after_seconds="):
        job.then("RUNNING")
    with pytest.raises(ValueError, match="not one of its steps"):
        job.then("RUNNING", after_calls=1, running="LINT")
    with pytest.raises(ValueError, match="unknown operation 'GetJobs'"):
        fake.fail_next("GetJobs")
    with pytest.raises(ValueError, match="already has job 1"):
        fake.add_job(app_id="d1", branch="main", job_id="1")


def test_a_status_nobody_has_seen_needs_an_explicit_opt_in(fake: FakeAmplify) -> None:
    job = fake.add_job(app_id="d1", branch="main", status="RUNNING")
    job.then("QUEUED_FOR_MARS", after_calls=1, allow_unknown_status=True)
    client = fake.client()
    client.get_job(appId="d1", branchName="main", jobId="1")
    assert (
        client.get_job(appId="d1", branchName="main", jobId="1")["job"]["summary"]["status"]
        == "QUEUED_FOR_MARS"
    )


def test_builders_for_the_common_cases(fake: FakeAmplify) -> None:
    fake.add_succeeded_job("d1", "main")
    fake.add_failed_job("d1", "dev", reason="Build failed: tsc error", log="line 1\nerror TS2304\n")
    client = fake.client()
    failed = client.get_job(appId="d1", branchName="dev", jobId="1")["job"]
    assert failed["summary"]["status"] == "FAILED"
    (build,) = failed["steps"]
    assert (build["stepName"], build["status"], build["statusReason"]) == (
        "BUILD",
        "FAILED",
        "Build failed: tsc error",
    )
    assert fetch(build["logUrl"]) == b"line 1\nerror TS2304\n"
    assert failed_build_step().status == "FAILED"


def test_stop_leaves_no_thread_and_no_listening_socket() -> None:
    before = {t.name for t in threading.enumerate()}
    fake = FakeAmplify().start()
    fake.add_job(app_id="d1", branch="main")
    client = fake.client()
    client.get_job(appId="d1", branchName="main", jobId="1")  # leaves a keep-alive connection open
    url = fake.endpoint_url
    fake.stop()
    after = {t.name for t in threading.enumerate()}
    assert not {name for name in after - before if name.startswith(("pytest-amplify", "Thread"))}
    with pytest.raises(urllib.error.URLError):
        fetch(url + "/apps/d1")


def test_start_twice_and_endpoint_before_start_are_errors() -> None:
    fake = FakeAmplify()
    with pytest.raises(RuntimeError, match="not running"):
        _ = fake.endpoint_url
    with fake, pytest.raises(RuntimeError, match="already running"):
        fake.start()


def test_only_loopback_hosts_are_served() -> None:
    with pytest.raises(ValueError, match="loopback"):
        FakeAmplify(host="0.0.0.0")


def test_the_site_is_served_per_branch(fake: FakeAmplify) -> None:
    url = fake.serve_site(
        "d1", "feature/x", {"/": "<h1>Home</h1>", "/about": "<p>About</p>", "/logo.png": make_png()}
    )
    assert url == f"{fake.endpoint_url}/_sites/d1/feature-x"
    assert fetch(url + "/") == b"<h1>Home</h1>"
    assert fetch(url + "/about") == b"<p>About</p>"
    with urllib.request.urlopen(url + "/logo.png") as response:
        assert response.headers["Content-Type"] == "image/png"
    with pytest.raises(urllib.error.HTTPError) as raised:
        fetch(url + "/missing")
    assert raised.value.code == 404
    raised.value.close()
