"""The fault matrix of the calls made outside the wait: GetApp and GetBranch
(``job.branch_url``), GetJob again (fresh URLs), ListArtifacts and GetArtifactUrl
(test artifacts), and the downloads (logs, zips, screenshots, test artifacts).

Each case runs as users run it: the ``amplify_fake`` fixture, the ``amplify_job``
fixture, then the public call, over real HTTP with real boto3. Retries sleep on the
service's simulated clock, so a minute of back-off takes no real time. Every call
goes through one policy (``amplify_retry_timeout``, 1 minute by default): one
throttling or 5xx answer, or a dropped connection, is retried and the call
succeeds; a permanent error fails at once, after one request; throttling that never
stops fails once the bound has passed, saying how many attempts were made in how
long. :func:`outside_the_wait_markdown` renders the table in docs/reliability.md.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_amplify import (
    AmplifyAssertionError,
    AmplifyError,
    AmplifyJob,
    assert_log_contains,
    download_artifacts,
    download_test_artifact,
    list_test_artifacts,
    override_settings,
    read_log,
    screenshot_bytes,
)
from pytest_amplify.testing import FakeAmplify

pytest_plugins = ["pytest_amplify.testing"]

S3_SLOW_DOWN = (
    "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
)
S3_DENIED = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
XML = {"Content-Type": "application/xml"}


@dataclasses.dataclass(frozen=True)
class Call:
    """A call the plugin makes outside the wait, and what a test does to make it."""

    operation: str  # the operation the local service counts (GetObject: a download)
    what: str
    run: Callable[[AmplifyJob, FakeAmplify], object]
    denied: str  # what the failure says when the call is refused


def first_test_artifact(job: AmplifyJob, fake: FakeAmplify) -> bytes:
    return download_test_artifact(job, list_test_artifacts(job)[0])


def log_after_expiry(job: AmplifyJob, fake: FakeAmplify) -> str:
    fake.advance(3601)  # every presigned URL has expired: GetJob again for fresh ones
    return read_log(job, "BUILD")


CALLS = (
    Call(
        "GetApp",
        "`job.branch_url` (GetApp)",
        lambda job, fake: job.branch_url,
        "the AWS identity needs the IAM permission amplify:GetApp",
    ),
    Call(
        "GetBranch",
        "`job.branch_url` (GetBranch)",
        lambda job, fake: job.branch_url,
        "the AWS identity needs the IAM permission amplify:GetBranch",
    ),
    Call(
        "GetJob",
        "`read_log` after the URLs expired (GetJob again)",
        log_after_expiry,
        "the AWS identity needs the IAM permission amplify:GetJob",
    ),
    Call(
        "ListArtifacts",
        "`list_test_artifacts` (ListArtifacts)",
        lambda job, fake: list_test_artifacts(job),
        "the AWS identity needs the IAM permission amplify:ListArtifacts",
    ),
    Call(
        "GetArtifactUrl",
        "`download_test_artifact` (GetArtifactUrl)",
        first_test_artifact,
        "the AWS identity needs the IAM permission amplify:GetArtifactUrl",
    ),
    Call("GetObject", "`read_log` (a log)", lambda job, fake: read_log(job, "BUILD"), "was denied"),
    Call(
        "GetObject",
        "`download_artifacts` (a zip)",
        lambda job, fake: download_artifacts(job, "BUILD"),
        "was denied",
    ),
    Call(
        "GetObject",
        "`screenshot_bytes` (a screenshot)",
        lambda job, fake: screenshot_bytes(job, "desktop"),
        "was denied",
    ),
    Call(
        "GetObject",
        "`assert_log_contains` (a log, streamed)",
        lambda job, fake: assert_log_contains(job, "BUILD", "# Completed step: BUILD"),
        "was denied",
    ),
)


@dataclasses.dataclass(frozen=True)
class Fault:
    name: str
    what: str
    expected: str
    inject: Callable[[FakeAmplify, str], None]
    passes: bool
    requests: int | None  # requests of the faulted operation the call makes, when fixed


def throttle(fake: FakeAmplify, operation: str, times: int) -> None:
    if operation == "GetObject":
        fake.respond_raw_next(operation, status=503, body=S3_SLOW_DOWN, headers=XML, times=times)
    else:
        fake.fail_next(operation, "LimitExceededException", times=times)


def deny(fake: FakeAmplify, operation: str) -> None:
    if operation == "GetObject":
        fake.respond_raw_next(operation, status=403, body=S3_DENIED, headers=XML)
    else:
        fake.fail_next(operation, "AccessDeniedException", message="not authorized")


FAULTS = (
    Fault(
        "throttled-once",
        "one 429 (S3: a 503 SlowDown)",
        "retried; the call succeeds",
        lambda fake, op: throttle(fake, op, 1),
        passes=True,
        requests=2,
    ),
    Fault(
        "503-once",
        "one 503 ServiceUnavailableException",
        "retried; the call succeeds",
        lambda fake, op: fake.fail_next(op, "ServiceUnavailableException"),
        passes=True,
        requests=2,
    ),
    Fault(
        "dropped-once",
        "the connection closed without an answer, once",
        "retried; the call succeeds",
        lambda fake, op: fake.drop_next(op),
        passes=True,
        requests=2,
    ),
    Fault(
        "denied",
        "403 AccessDeniedException (S3: AccessDenied)",
        "fails at once (one request), naming the permission or the file",
        deny,
        passes=False,
        requests=1,
    ),
    Fault(
        "throttled-until-the-bound",
        "429 (S3: 503 SlowDown) on every attempt",
        "fails once amplify_retry_timeout (1m) has passed, saying how many attempts in how long",
        lambda fake, op: throttle(fake, op, 1000),
        passes=False,
        requests=None,
    ),
)


def outside_the_wait_markdown() -> str:
    """The table in docs/reliability.md: every call outside the wait, against every fault."""
    header = ["call", *(f"{fault.what}" for fault in FAULTS)]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for call in CALLS:
        cells = [call.what]
        for fault in FAULTS:
            if fault.passes:
                cells.append("retried, succeeds")
            elif fault.name == "denied" and call.operation == "GetObject":
                cells.append("fails at once: access to the file was denied")
            elif fault.name == "denied":
                cells.append(f"fails at once, naming the permission amplify:{call.operation}")
            else:
                cells.append("fails after 1m, saying the attempts made")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


@pytest.mark.amplify(app_id="d1", branch="main")
@pytest.mark.parametrize("fault", FAULTS, ids=lambda fault: fault.name)
@pytest.mark.parametrize("call", CALLS, ids=lambda call: f"{call.operation}:{call.what}")
def test_a_call_outside_the_wait(
    call: Call, fault: Fault, amplify_fake: FakeAmplify, request: pytest.FixtureRequest
) -> None:
    amplify_fake.add_job(app_id="d1", branch="main", job_id="1")
    with override_settings(request.config, site_url=None, source="this test"):
        job: AmplifyJob = request.getfixturevalue("amplify_job")
        amplify_fake.reset_requests()
        fault.inject(amplify_fake, call.operation)
        if fault.passes:
            call.run(job, amplify_fake)
        else:
            with pytest.raises((AmplifyError, AmplifyAssertionError)) as raised:
                call.run(job, amplify_fake)
            message = str(raised.value)
            if fault.name == "denied":
                assert call.denied in message
            else:
                assert re.search(
                    r"\(\d+ attempts in 1m 0\ds; amplify_retry_timeout = 1m 00s \(from default\)",
                    message,
                ), message
    made = amplify_fake.calls(call.operation)
    if fault.requests is not None:
        assert made == fault.requests
    else:
        assert 5 <= made <= 20, f"{made} attempts in a minute: back-off, not a storm"


def test_the_bound_is_a_setting(amplify_fake: FakeAmplify, request: pytest.FixtureRequest) -> None:
    amplify_fake.add_job(app_id="d1", branch="main", job_id="1")
    with override_settings(
        request.config, app_id="d1", branch="main", retry_timeout="10s", source="this test"
    ):
        job: AmplifyJob = request.getfixturevalue("amplify_job")
        throttle(amplify_fake, "ListArtifacts", 1000)
        with pytest.raises(AmplifyError, match=r"attempts in 1\ds; amplify_retry_timeout = 10s "):
            list_test_artifacts(job)


def test_the_reliability_page_has_the_table() -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "reliability.md").read_text()
    assert outside_the_wait_markdown() in page
