"""Files behind presigned-style URLs, scenarios, and the standalone service."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from pytest_amplify.testing import FakeAmplify, SimulatedClock


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        body: bytes = response.read()
        return body


def fetch_error(url: str) -> tuple[int, bytes]:
    with pytest.raises(urllib.error.HTTPError) as raised:
        fetch(url)
    error = raised.value
    with error:
        return error.code, error.read()


def steps_of(fake: FakeAmplify, branch: str = "main", job_id: str = "1") -> dict[str, dict]:  # type: ignore[type-arg]
    answer = fake.client().get_job(appId="d1", branchName=branch, jobId=job_id)
    return {step["stepName"]: step for step in answer["job"]["steps"]}


def with_param(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    params[name] = value
    return urlunsplit(parts._replace(query=urlencode(params)))


def test_step_urls_look_like_presigned_s3_urls(fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main")
    url = steps_of(fake)["BUILD"]["logUrl"]
    params = dict(parse_qsl(urlsplit(url).query))
    assert {
        "X-Amz-Credential",
        "X-Amz-Security-Token",
        "X-Amz-Signature",
        "X-Amz-Expires",
        "X-Amz-Date",
    } <= set(params)
    assert params["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert url.startswith(fake.endpoint_url + "/_files/d1/main/1/BUILD/")


def test_logs_zips_and_screenshots_download(fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main")
    steps = steps_of(fake)
    assert fetch(steps["BUILD"]["logUrl"]).startswith(b"# Starting step: BUILD")
    archive = zipfile.ZipFile(io.BytesIO(fetch(steps["BUILD"]["artifactsUrl"])))
    assert set(archive.namelist()) == {"index.html", "assets/index.js", "assets/index.css"}
    tests = zipfile.ZipFile(io.BytesIO(fetch(steps["TEST"]["testArtifactsUrl"])))
    assert "cypress/report/mochawesome.json" in tests.namelist()
    config = fetch(steps["TEST"]["testConfigUrl"])
    # The test phase where the user guide puts it: a top-level test: section.
    assert config.startswith(b"test:\n  phases:\n") and b"cypress run" in config
    for url in steps["VERIFY"]["screenshots"].values():
        assert fetch(url).startswith(b"\x89PNG\r\n\x1a\n")


def test_a_tampered_signature_gets_s3s_403(fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main")
    url = steps_of(fake)["BUILD"]["logUrl"]
    status, body = fetch_error(with_param(url, "X-Amz-Signature", "0" * 64))
    assert status == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in body
    status, body = fetch_error(with_param(url, "X-Amz-Expires", "999999"))
    assert status == 403 and b"SignatureDoesNotMatch" in body
    status, body = fetch_error(url.split("?")[0])
    assert status == 403 and b"<Code>AccessDenied</Code>" in body


def test_urls_expire_by_the_services_clock(clock: SimulatedClock) -> None:
    with FakeAmplify(clock=clock, url_expires=300) as fake:
        fake.add_job(app_id="d1", branch="main")
        url = steps_of(fake)["BUILD"]["logUrl"]
        clock.advance(300)
        assert fetch(url)
        clock.advance(1)
        status, body = fetch_error(url)
        assert status == 403
        assert b"<Message>Request has expired</Message>" in body
        assert b"<Expires>" in body and b"<ServerTime>" in body
        assert fetch(steps_of(fake)["BUILD"]["logUrl"]), "a new GetJob hands out fresh URLs"


def test_huge_logs_are_streamed_from_a_generator(fake: FakeAmplify) -> None:
    from pytest_amplify.testing import FakeStep

    def log() -> object:
        return (f"line {n}\n".encode() for n in range(100_000))

    fake.add_job(app_id="d1", branch="main", steps=[FakeStep("BUILD", log=log)])
    body = fetch(steps_of(fake)["BUILD"]["logUrl"])
    assert body.count(b"\n") == 100_000
    assert body.endswith(b"line 99999\n")


def test_file_downloads_can_fail_too(fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main")
    url = steps_of(fake)["BUILD"]["logUrl"]
    fake.fail_next("GetObject", "InternalFailureException")
    status, _ = fetch_error(url)
    assert status == 500
    assert fetch(url)


SCENARIO = {
    "apps": [{"app_id": "d1", "name": "shop"}],
    "jobs": [
        {"app_id": "d1", "branch": "main", "job_id": "1", "commit_id": "aaa", "duration": 300},
        {
            "app_id": "d1",
            "branch": "main",
            "job_id": "2",
            "commit_id": "bbb",
            "status": "PENDING",
            "steps": ["BUILD", {"name": "DEPLOY", "status": "FAILED", "reason": "quota"}],
            "then": [
                {"status": "RUNNING", "after_calls": 1, "running": "BUILD"},
                {"status": "FAILED", "after_calls": 1},
            ],
        },
    ],
    "sites": [{"app_id": "d1", "branch": "main", "pages": {"/": "<h1>Shop</h1>"}}],
}


def test_scenarios_load_apps_jobs_stages_and_sites(fake: FakeAmplify) -> None:
    jobs = fake.load_scenario(SCENARIO)
    assert [job.job_id for job in jobs] == ["1", "2"]
    client = fake.client()
    statuses = [
        client.get_job(appId="d1", branchName="main", jobId="2")["job"]["summary"]["status"]
        for _ in range(3)
    ]
    assert statuses == ["PENDING", "RUNNING", "FAILED"]
    assert steps_of(fake, job_id="2")["DEPLOY"]["statusReason"] == "quota"
    assert fetch(fake.site_url("d1", "main") + "/") == b"<h1>Shop</h1>"


def test_scenario_mistakes_name_the_key(fake: FakeAmplify) -> None:
    with pytest.raises(ValueError, match=r"jobs\[0\]: unknown key stauts"):
        fake.load_scenario({"jobs": [{"app_id": "d1", "branch": "main", "stauts": "FAILED"}]})
    with pytest.raises(ValueError, match="unknown key job"):
        fake.load_scenario({"job": []})


@pytest.mark.slow
def test_standalone_mode_serves_a_scenario_until_terminated(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(SCENARIO))
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_amplify.testing", "serve", "--scenario", str(scenario)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("endpoint_url: http://127.0.0.1:"), first
        endpoint = first.split(": ", 1)[1].strip()
        assert process.stdout.readline().startswith("site_url: ")
        import boto3

        client = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        ).client("amplify", endpoint_url=endpoint)
        listed = client.list_jobs(appId="d1", branchName="main")["jobSummaries"]
        assert [(j["jobId"], j["commitId"]) for j in listed] == [("2", "bbb"), ("1", "aaa")]
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
        assert process.stdout is not None
        process.stdout.close()


@pytest.mark.slow
def test_standalone_mode_rejects_a_bad_scenario(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.json"
    scenario.write_text('{"jobs": [{"app_id": "oops", "branch": "main"}]}')
    result = subprocess.run(
        [sys.executable, "-m", "pytest_amplify.testing", "serve", "--scenario", str(scenario)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "not an Amplify app id" in result.stderr
