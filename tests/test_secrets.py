"""Secrets stay secret: no signing parameter of a presigned URL, no secret access key
and no session token in any output, file or exception repr.

The end-to-end test runs a failing job through a real pytest process with ``-vv
-rA --junitxml --html --amplify-report``, in GitHub Actions (annotations and the
job summary) and the ``pytest_amplify`` logger at DEBUG, then searches everything
the run left for every secret it handed out. botocore's and urllib3's
own DEBUG logging is the user's choice (it prints signed request headers) and is
left at WARNING here; the plugin's logger and the local service are not allowed
to show a full presigned URL.
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import re
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

import pytest

from pytest_amplify import (
    AmplifyJob,
    AmplifyResponseError,
    AmplifyServiceError,
    AmplifyTimeoutError,
    Fetcher,
)
from pytest_amplify.testing import (
    FakeAmplify,
    SimulatedClock,
    failed_build_step,
    make_png,
    verify_step,
)

from .conftest import fake_args
from .seam import is_signing_parameter, make_wait, progress_line

SIGNING = ("X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token")
# A signing parameter shown with anything but REDACTED as its value.
UNREDACTED = re.compile(
    r"(?i)\b(x-amz-signature|x-amz-credential|x-amz-security-token)(?:=|%3D)(?!REDACTED)([^&\s\"'<>\\]{6,})"
)


def presigned(signature: str, token: str = "", key_id: str = "ASIAPLANTEDKEYID0001") -> str:
    """A presigned S3 URL such as error messages and build logs may quote."""
    url = (
        "https://aws-amplify-prod-artifacts.s3.amazonaws.com/d1/main/1/BUILD/log.txt"
        f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={key_id}%2F20260101%2Fus-east-1"
        "%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=3600"
    )
    if token:
        url += f"&X-Amz-Security-Token={token}"
    return url + f"&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}"


def signing_values(url: str) -> dict[str, str]:
    """The secret parts of a presigned URL: signature, credential (and its key id),
    security token."""
    found: dict[str, str] = {}
    for name, value in parse_qsl(urlsplit(url).query):
        if name in SIGNING:
            found[name] = value
            if name == "X-Amz-Credential":
                found["access key id (in X-Amz-Credential)"] = value.split("/")[0]
    return found


def spellings(secret: str) -> set[str]:
    """How a secret may be written: as is, URL-encoded, HTML-escaped, in JSON."""
    return {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        html.escape(secret),
        json.dumps(secret)[1:-1],
    }


def find_secrets(texts: Mapping[str, str], secret_values: Iterable[tuple[str, str]]) -> list[str]:
    """Where each secret appears, as ``kind in place: ...context...`` lines that do
    not repeat the secret itself."""
    secret_values = list(secret_values)
    every_spelling = sorted(
        {spelling for _, secret in secret_values for spelling in spellings(secret)},
        key=len,
        reverse=True,
    )
    hits = []
    for kind, secret in secret_values:
        for place, text in texts.items():
            for spelling in spellings(secret):
                at = text.find(spelling)
                if at >= 0:
                    context = text[max(0, at - 80) : at + len(spelling) + 20]
                    for known in every_spelling:
                        context = context.replace(known, "<SECRET>")
                    hits.append(f"{kind} in {place}: ...{context}...".replace("\n", "\\n"))
                    break
    return hits


def unredacted_parameters(texts: Mapping[str, str]) -> list[str]:
    return [
        f"{place}: {match.group(1)}=<{len(match.group(2))} characters>"
        for place, text in texts.items()
        for match in UNREDACTED.finditer(text)
    ]


# -- end to end ----------------------------------------------------------------------

INNER_CONFTEST = """
import logging

pytest_plugins = ["pytest_amplify.testing"]

# botocore's and urllib3's own DEBUG logging is the user's choice (it prints signed
# request headers): only the plugin's logger runs at DEBUG in this run.
for name in ("botocore", "boto3", "urllib3", "s3transfer"):
    logging.getLogger(name).setLevel(logging.WARNING)
"""

INNER_TESTS = """
import json
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from pytest_amplify import (
    AmplifyError,
    AmplifyWaitError,
    Fetcher,
    assert_job_succeeded,
    assert_log_contains,
    assert_screenshots,
    assert_step_succeeded,
    read_log,
)
from pytest_amplify.testing import failed_build_step

OUT = Path(os.environ["AMPLIFY_SECRETS_OUT"])
SIGNING = ("X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token")


def record(kind, value):
    with open(OUT / "secrets.jsonl", "a") as out:
        out.write(json.dumps({"kind": kind, "value": value}) + "\\n")


def record_urls(data):
    \"\"\"Every signing parameter of every URL in ``data``: what was handed out.\"\"\"
    if isinstance(data, dict):
        for value in data.values():
            record_urls(value)
    elif isinstance(data, (list, tuple)):
        for value in data:
            record_urls(value)
    elif isinstance(data, str) and "X-Amz-" in data:
        for name, value in parse_qsl(urlsplit(data).query):
            if name in SIGNING:
                record(name, value)


def show(what, thing):
    text = repr(thing)
    with open(OUT / "reprs.txt", "a") as out:
        out.write(f"{what}: {text}\\n")
    print(what, text)


@pytest.mark.amplify(branch="dev")
def test_a_wait_that_fails(amplify_job):
    pass


def test_the_wait_error(amplify_jobs):
    with pytest.raises(AmplifyWaitError) as raised:
        amplify_jobs.wait(branch="dev")
    show("wait error", raised.value)
    raise raised.value


def test_deployed(amplify_job):
    pass


@pytest.mark.amplify(require_success=False)
class TestTheFailedJob:
    def test_what_the_plugin_was_handed(self, amplify_job):
        record_urls(amplify_job.to_dict())
        show("job", amplify_job)
        for step in amplify_job.steps:
            show("step", step)
        assert "Build failed" in read_log(amplify_job, "BUILD")

    def test_job_succeeded(self, amplify_job):
        assert_job_succeeded(amplify_job)

    def test_log(self, amplify_job):
        assert_log_contains(amplify_job, "BUILD", "webpack compiled successfully")

    def test_screenshots(self, amplify_job):
        assert_screenshots(amplify_job, names=["tablet"])

    def test_step(self, amplify_job):
        assert_step_succeeded(amplify_job, "BUILD")

    def test_plain_assert(self, amplify_job):
        assert amplify_job.step("BUILD").succeeded

    def test_a_file_too_large_to_read(self, amplify_job):
        read_log(amplify_job, "BUILD", Fetcher(max_bytes=16))

    def test_a_forged_url(self, amplify_job):
        parts = urlsplit(amplify_job.step("BUILD").log_url)
        forged = secrets.token_hex(32)
        record("forged X-Amz-Signature", forged)
        query = [(k, forged if k == "X-Amz-Signature" else v) for k, v in parse_qsl(parts.query)]
        url = urlunsplit(parts._replace(query=urlencode(query)))
        Fetcher(attempts=1).read_bytes(url, "the BUILD log")

    def test_reprs(self, amplify_job):
        checks = [
            lambda: assert_job_succeeded(amplify_job),
            lambda: assert_log_contains(amplify_job, "BUILD", "webpack compiled successfully"),
            lambda: assert_screenshots(amplify_job, names=["tablet"]),
            lambda: assert_step_succeeded(amplify_job, "BUILD"),
        ]
        for check in checks:
            with pytest.raises(AmplifyError) as raised:
                check()
            show("error", raised.value)


def test_the_local_service(amplify_fake, request):
    amplify_fake.add_job(
        app_id="d1", branch="main", job_id="1", status="FAILED",
        steps=[failed_build_step("Build failed: local")],
    )
    # The same answer the plugin gets (the simulated clock stands still).
    record_urls(amplify_fake.client().get_job(appId="d1", branchName="main", jobId="1"))
    request.getfixturevalue("amplify_job")
"""


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Distinctive dummy credentials for the inner run ("testing" is a common word)."""
    values = {
        "AWS_ACCESS_KEY_ID": "AKIA" + secrets.token_hex(8).upper(),
        "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(30),
        "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2Vj" + secrets.token_urlsafe(60),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.mark.slow
def test_a_failing_job_end_to_end_shows_no_secret_anywhere(
    pytester: pytest.Pytester,
    real_time_fake: FakeAmplify,
    credentials: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = real_time_fake
    out = tmp_path_factory.mktemp("handed-out")
    monkeypatch.setenv("AMPLIFY_SECRETS_OUT", str(out))
    planted = {
        place: (secrets.token_hex(32), secrets.token_urlsafe(40))
        for place in ("a throttling message", "a history error", "the build log", "a denial")
    }
    urls = {place: presigned(sig, token) for place, (sig, token) in planted.items()}
    log = "".join(f"[INFO]: step {n}\n" for n in range(1, 40))
    log += f"[INFO]: uploading the cache to {urls['the build log']}\n"
    log += "[ERROR]: Build failed: tsc exited with 2\n"
    fake.add_job(
        app_id="d1",
        branch="main",
        job_id="1",
        status="RUNNING",
        steps=[
            failed_build_step("Build failed: tsc", log=log),
            verify_step({"desktop": make_png(), "mobile": b"not a png"}),
        ],
    ).then("FAILED", after_calls=2)
    # In the order the inner run calls: dev's wait, then main's first poll and history.
    fake.fail_next("GetJob", "AccessDeniedException", message=f"Denied, see {urls['a denial']}")
    fake.fail_next(
        "GetJob", "LimitExceededException", message=f"Rate exceeded {urls['a throttling message']}"
    )
    fake.fail_next(
        "ListJobs", "InternalFailureException", message=f"Broken: {urls['a history error']}"
    )
    pytester.makeconftest(INNER_CONFTEST)
    pytester.makepyfile(test_inner=INNER_TESTS)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(pytester.path / "step-summary.md"))

    result = pytester.runpytest_subprocess(
        *fake_args(fake),
        "--amplify-app-id=d1",
        "--amplify-branch=main",
        "--amplify-job-id=1",
        "--amplify-poll-interval=0.05s",
        "--amplify-max-poll-interval=0.1s",
        "-vv",
        "-rA",
        "--junitxml=junit.xml",
        "--html=report.html",
        "--amplify-report=amplify-report.json",
        "--log-level=DEBUG",
        "-o",
        "log_cli=true",
        "--log-cli-level=DEBUG",
        "-p",
        "no:cacheprovider",
        timeout=120,
    )
    stdout, stderr = result.stdout.str(), result.stderr.str()

    # The run did what it is meant to: failures with log tails, URLs shown redacted,
    # the plugin's DEBUG lines, every fault served.
    result.assert_outcomes(passed=2, failed=9, errors=2)
    assert re.search(r"DEBUG\s+pytest_amplify", stdout), "no DEBUG line of the plugin"
    for expected in (
        "X-Amz-Signature=REDACTED",
        "LimitExceededException",
        "no job history",
        "AccessDeniedException",
        "| [ERROR]: Build failed: tsc exited with 2",
        "SignatureDoesNotMatch",
        "is larger than the 16 bytes allowed",
        "'mobile'",
    ):
        assert expected in stdout, f"{expected!r} not in the output"
    # dev: denied; main: throttled, RUNNING twice, FAILED; its history failed (500)
    # at the first RUNNING poll and was fetched again at the second.
    assert (fake.calls("GetJob"), fake.calls("ListJobs")) == (5, 2)
    assert (pytester.path / "junit.xml").is_file() and (pytester.path / "report.html").is_file()

    handed_out = [
        (item["kind"], item["value"])
        for item in map(json.loads, (out / "secrets.jsonl").read_text().splitlines())
    ]
    kinds = {kind for kind, _ in handed_out}
    assert set(SIGNING) | {"forged X-Amz-Signature"} <= kinds, kinds
    tokens = {value for kind, value in handed_out if kind == "X-Amz-Security-Token"}
    assert len(tokens) == 2, "both services' URLs were recorded (the outer and amplify_fake)"
    every_secret = [
        *handed_out,
        *(
            ("access key id (in X-Amz-Credential)", value.split("/")[0])
            for kind, value in handed_out
            if kind == "X-Amz-Credential"
        ),
        *((f"planted in {place}", sig) for place, (sig, _) in planted.items()),
        *((f"token planted in {place}", token) for place, (_, token) in planted.items()),
        ("AWS_SECRET_ACCESS_KEY", credentials["AWS_SECRET_ACCESS_KEY"]),
        ("AWS_SESSION_TOKEN", credentials["AWS_SESSION_TOKEN"]),
        ("AWS_ACCESS_KEY_ID", credentials["AWS_ACCESS_KEY_ID"]),
    ]
    assert all(len(secret) >= 16 for _, secret in every_secret), "secrets are distinctive"

    texts = {
        "stdout": stdout,
        "stderr": stderr,
        "the exception reprs": (out / "reprs.txt").read_text(),
    }
    for path in sorted(pytester.path.rglob("*")):
        if path.is_file():
            texts[str(path.relative_to(pytester.path))] = path.read_bytes().decode("latin-1")
    assert {"junit.xml", "report.html", "amplify-report.json", "step-summary.md"} <= set(texts)
    assert "| [ERROR]: Build failed: tsc exited with 2" not in texts["step-summary.md"]
    assert "[ERROR]: Build failed: tsc exited with 2" in texts["step-summary.md"], "the log tail"
    assert "X-Amz-Signature=REDACTED" in texts["amplify-report.json"]
    # dev (denied), main (FAILED) and main on amplify_fake's own service (FAILED).
    assert stdout.count("::error title=") == 3
    assert "AmplifyServiceError(" in texts["the exception reprs"]
    assert "AmplifyAssertionError(" in texts["the exception reprs"]

    leaks = find_secrets(texts, every_secret)
    assert not leaks, "secrets shown:\n" + "\n".join(leaks)
    unredacted = unredacted_parameters(texts)
    assert not unredacted, "signing parameters shown unredacted:\n" + "\n".join(unredacted)


def test_a_failed_download_shows_no_signature_in_the_traceback(pytester: pytest.Pytester) -> None:
    """A download that fails inside a test (here: larger than allowed) must not show
    the presigned URL in pytest's traceback, where each frame's arguments appear."""
    pytester.makepyfile(
        """
        import json
        import pytest
        from pytest_amplify import Fetcher, read_log, screenshot_bytes
        pytest_plugins = ["pytest_amplify.testing"]

        @pytest.fixture
        def job(amplify_fake, request):
            amplify_fake.add_job(app_id="d1", branch="main")
            job = request.getfixturevalue("amplify_job")
            with open("urls.json", "w") as out:
                json.dump([job.step("BUILD").log_url, job.step("VERIFY").screenshots["desktop"]], out)
            return job

        def test_read_log(job):
            read_log(job, "BUILD", Fetcher(max_bytes=16))

        def test_screenshot(job):
            screenshot_bytes(job, "desktop", fetcher=Fetcher(max_bytes=16))
        """
    )
    result = pytester.runpytest("--amplify-app-id=d1", "--amplify-branch=main")
    result.assert_outcomes(failed=2)
    output = result.stdout.str()
    assert output.count("larger than the 16 bytes allowed") >= 2
    urls = json.loads((pytester.path / "urls.json").read_text())
    secret_values = [item for url in urls for item in signing_values(url).items()]
    leaks = find_secrets({"output": output}, secret_values)
    assert not leaks, "secrets shown:\n" + "\n".join(leaks)


def test_a_fetchers_repr_shows_no_credentials(credentials: dict[str, str]) -> None:
    """pytest prints ``self = Fetcher(...)`` in tracebacks through its methods."""
    shown = {
        "Fetcher()": repr(Fetcher()),
        "Fetcher(max_bytes=16)": repr(Fetcher(max_bytes=16)),
    }
    assert all(text.startswith("Fetcher(") for text in shown.values())
    secret_values = [
        (name, credentials[name]) for name in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
    ]
    leaks = find_secrets(shown, secret_values)
    assert not leaks, "secrets shown:\n" + "\n".join(leaks)


# -- the local service ---------------------------------------------------------------


def test_the_local_service_logs_no_request_lines(capfd: pytest.CaptureFixture[str]) -> None:
    with FakeAmplify() as fake:
        fake.add_failed_job("d1", "main")
        answer = fake.client().get_job(appId="d1", branchName="main", jobId="1")
        url = answer["job"]["steps"][0]["logUrl"]
        with urllib.request.urlopen(url) as response:
            assert response.status == 200
        refused = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")
        with contextlib.suppress(urllib.error.HTTPError), urllib.request.urlopen(refused):
            pytest.fail("a forged signature was accepted")
        requests = fake.requests
    output = "".join(capfd.readouterr())
    assert "GET /" not in output and "HTTP/1.1" not in output, output
    assert not find_secrets({"output": output}, signing_values(url).items())
    served = [r for r in requests if r.operation == "GetObject"]
    assert [r.status for r in served] == [200, 403]
    assert not [name for r in requests for name in r.params if is_signing_parameter(name)]


# -- the plugin's logger, messages and progress line ---------------------------------


def test_service_errors_quoting_presigned_urls_are_redacted_everywhere(
    fake: FakeAmplify, clock: SimulatedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="pytest_amplify")
    url = presigned(secrets.token_hex(32), secrets.token_urlsafe(40), "ASIA" + secrets.token_hex(8))
    values = signing_values(url)
    fake.add_job(app_id="d1", branch="main", job_id="1", status="RUNNING").then(
        "SUCCEED", after_calls=2
    )
    fake.add_job(app_id="d1", branch="main", job_id="2", status="RUNNING")
    fake.fail_next("GetJob", "LimitExceededException", message=f"Rate exceeded, see {url}")
    fake.fail_next("ListJobs", "InternalFailureException", message=f"History failed: {url}")
    wait = make_wait(fake, clock, job_id="1")
    wait.advance()
    shown = {"progress line while retrying": progress_line(wait)}
    assert wait.run().succeeded
    denied = make_wait(fake, clock, job_id="2")
    fake.fail_next("GetJob", "AccessDeniedException", message=f"Denied, see {url}")
    with pytest.raises(AmplifyServiceError) as raised:
        denied.run()
    shown["error"] = str(raised.value)
    shown["error repr"] = repr(raised.value)
    log = [r.getMessage() for r in caplog.records if r.name.startswith("pytest_amplify")]
    assert any("LimitExceededException" in line for line in log), log
    assert any("no job history" in line for line in log), log
    shown.update({f"log line {n}": line for n, line in enumerate(log)})
    assert "X-Amz-Signature=REDACTED" in shown["error"]
    assert not find_secrets(shown, values.items())
    assert not unredacted_parameters(shown)


def answer_with(step: Mapping[str, Any]) -> dict[str, Any]:
    summary = {"jobId": "1", "status": "RUNNING", "jobArn": "arn:aws:amplify:us-east-1:1:apps/d1"}
    return {
        "job": {"summary": summary, "steps": [{"stepName": "BUILD", "status": "RUNNING", **step}]}
    }


URL = presigned("f" * 64, "FwoGZXIvYXdzEXAMPLETOKEN0123456789", "ASIAEXAMPLEKEY000001")


@pytest.mark.parametrize(
    "step",
    [
        {"logUrl": [URL]},
        {"artifactsUrl": {"url": URL}},
        {"statusReason": {"message": f"see {URL}"}},
        {"screenshots": {"desktop": [URL]}},
    ],
    ids=["log-url-in-a-list", "artifacts-url-in-an-object", "reason-as-an-object", "screenshot"],
)
def test_a_parse_error_never_quotes_a_signing_parameter(step: Mapping[str, Any]) -> None:
    with pytest.raises(AmplifyResponseError) as raised:
        AmplifyJob.from_api(answer_with(step), app_id="d1", branch="main")
    shown = {"message": str(raised.value), "repr": repr(raised.value)}
    assert "job.steps[0]" in shown["message"], "the error still names the field"
    assert not find_secrets(shown, signing_values(URL).items())


def test_a_malformed_answer_quoting_a_presigned_url_leaks_nothing(
    fake: FakeAmplify, clock: SimulatedClock, caplog: pytest.LogCaptureFixture
) -> None:
    """An answer whose logUrl is not a string but holds a presigned URL: retried
    until the deadline; neither the error, the DEBUG log nor the progress line may
    show the URL's signing parameters."""
    caplog.set_level(logging.DEBUG, logger="pytest_amplify")
    fake.add_job(app_id="d1", branch="main", job_id="1", status="RUNNING")
    fake.respond_raw_next(
        "GetJob",
        status=200,
        body=json.dumps(answer_with({"startTime": 1, "endTime": 2, "logUrl": [URL]})),
        headers={"Content-Type": "application/json"},
        times=1000,
    )
    wait = make_wait(fake, clock, job_id="1", timeout=60)
    with pytest.raises(AmplifyTimeoutError) as raised:
        wait.run()
    shown = {
        "error": str(raised.value),
        "error repr": repr(raised.value),
        "progress line": progress_line(wait),
        **{
            f"log line {n}": r.getMessage()
            for n, r in enumerate(caplog.records)
            if r.name.startswith("pytest_amplify")
        },
    }
    assert "logUrl is not a string" in shown["error"], "the error says what was wrong"
    leaks = find_secrets(shown, signing_values(URL).items())
    assert not leaks, "secrets shown:\n" + "\n".join(leaks)
