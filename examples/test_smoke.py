"""Post-deploy smoke tests: wait for the Amplify job, then check the deployed site."""

from __future__ import annotations

import json
import re
import urllib.request

from pytest_amplify import (
    AmplifyJob,
    assert_artifacts,
    assert_log_not_contains,
    assert_screenshots,
    assert_serves_build,
    assert_step_succeeded,
    assert_steps_succeeded,
)


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=15) as response:
        return response.status, response.read().decode("utf-8", "replace")


def test_every_step_succeeded(amplify_job: AmplifyJob) -> None:
    assert_steps_succeeded(amplify_job)


def test_the_site_was_deployed(amplify_job: AmplifyJob) -> None:
    assert_step_succeeded(amplify_job, "deploy")


def test_the_home_page_is_served(amplify_job: AmplifyJob) -> None:
    status, body = fetch(amplify_job.branch_url + "/")
    assert status == 200
    assert "<title>" in body.lower() or "<!doctype html>" in body.lower()


def test_the_new_build_is_live(amplify_job: AmplifyJob) -> None:
    # Not the previous deployment: a file of this build, byte for byte, on the site.
    assert_serves_build(amplify_job)


def test_the_health_check_answers(amplify_job: AmplifyJob) -> None:
    status, body = fetch(amplify_job.branch_url + "/health")
    assert status == 200
    assert json.loads(body)["status"] == "ok"


def test_the_build_log_has_no_errors(amplify_job: AmplifyJob) -> None:
    assert_log_not_contains(amplify_job, "BUILD", re.compile(r"npm ERR!|ERROR in |error TS\d+"))


def test_the_build_produced_the_site(amplify_job: AmplifyJob) -> None:
    assert_artifacts(amplify_job, "BUILD", contains=["*index.html"])


def test_the_site_was_screenshotted_on_every_device(amplify_job: AmplifyJob) -> None:
    assert_screenshots(amplify_job, "VERIFY", min_count=1)
