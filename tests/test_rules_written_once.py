"""Rules the package once wrote in two places, and the defects that came of it: each
test drives the plugin through what users have (flags, the ini, the environment,
markers, ``override_settings``, the assertions) and failed while a second copy of
the rule disagreed with the first."""

from __future__ import annotations

import ast
import gzip
import json
import time
import zlib
from pathlib import Path

import pytest

from pytest_amplify import (
    AmplifyAssertionError,
    AmplifyFetchError,
    Fetcher,
    assert_log_contains,
    assert_log_not_contains,
    assert_serves_build,
    assert_step_succeeded,
    read_log,
)
from pytest_amplify.testing import FakeAmplify, FakeStep

from .conftest import fake_args
from .seam import handed_out_job

# -- 1. one rule names the branch under test -------------------------------------------

HEAD = "1f3e5d7c9b2a4f6e8d0c1b3a5f7e9d2c4b6a8f0e"
SHOW_BASE_URL = """
def test_base_url(base_url):
    print(f"base_url={base_url!r}")
"""


def _event_file(directory: Path) -> Path:
    path = directory / "event.json"
    path.write_text(
        json.dumps({"action": "synchronize", "pull_request": {"number": 42, "head": {"sha": HEAD}}})
    )
    return path


@pytest.mark.parametrize("how", ["--amplify-pull-request=42", "--amplify-github-event"])
def test_a_preview_is_branch_pr_n_everywhere(
    pytester: pytest.Pytester, fake: FakeAmplify, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    fake.add_preview("d1", 42, head_commit=HEAD)
    fake.add_succeeded_job("d1", "main")
    summary = pytester.path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    if how == "--amplify-github-event":
        monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
        monkeypatch.setenv("GITHUB_EVENT_PATH", str(_event_file(pytester.path)))
    pytester.makepyfile(SHOW_BASE_URL)
    result = pytester.runpytest(
        "-s",
        *fake_args(fake),
        "--amplify-app-id=d1",
        "--amplify-base-url",
        "--amplify-report=report.json",
        how,
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "amplify: app d1, branch pr-42, *",
            f"*base_url={fake.site_url('d1', 'pr-42')!r}",
            "app d1, branch pr-42, job 1: SUCCEED in *",
        ]
    )
    report = json.loads((pytester.path / "report.json").read_text())
    assert [wait["target"]["branch"] for wait in report["waits"]] == ["pr-42"]
    assert [wait["job"]["branch"] for wait in report["waits"]] == ["pr-42"]
    assert "| d1 | pr-42 | 1 |" in summary.read_text()


# -- 2. one path from a value to a setting ---------------------------------------------

NEGATIVE = "it is negative; write a positive duration such as 90s, 15m or 1h"
NOT_A_NUMBER = "it is not a pull request number such as 42"
NOT_TEXT = "write it as a string"
USES_THE_JOB = "def test_job(amplify_job):\n    pass\n"
OVERRIDE_CONFTEST = """
import pytest
from pytest_amplify import override_settings

@pytest.fixture(autouse=True)
def overridden(request):
    with override_settings(request.config, source="conftest.py", {key}={value!r}):
        yield
"""


def _run_with(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    source: str,
    key: str,
    value: object,
) -> tuple[pytest.RunResult, str]:
    """A run that gives ``key`` = ``value`` from ``source``, and the source as the
    error must name it."""
    ini_key = f"amplify_{key}"
    flag = f"--amplify-{key.replace('_', '-')}"
    args = ["--amplify-app-id=d1"]
    if key != "pull_request":
        args.append("--amplify-branch=main")
    test = USES_THE_JOB
    if source == "ini":
        pytester.makeini(f"[pytest]\n{ini_key} = {value}\n")
        named = f"{ini_key} in tox.ini"
    elif source == "flag":
        args.append(f"{flag}={value}")
        named = flag
    elif source == "environment":
        monkeypatch.setenv("AWS_PULL_REQUEST_ID", str(value))
        named = "environment variable AWS_PULL_REQUEST_ID"
    elif source == "marker":
        test = f"import pytest\n\n@pytest.mark.amplify({key}={value!r})\n{USES_THE_JOB}"
        named = f"@pytest.mark.amplify({key}=...)"
    else:
        pytester.makeconftest(OVERRIDE_CONFTEST.format(key=key, value=value))
        named = "conftest.py"
    pytester.makepyfile(test)
    return pytester.runpytest(*args), named


BAD_VALUES = [
    *(("timeout", -5, NEGATIVE, source) for source in ("ini", "flag", "marker", "override")),
    *(
        ("pull_request", 0, NOT_A_NUMBER, source)
        for source in ("ini", "flag", "environment", "marker", "override")
    ),
    *(("app_id", 123, NOT_TEXT, source) for source in ("marker", "override")),
]


@pytest.mark.parametrize(
    ("key", "value", "reason", "source"),
    BAD_VALUES,
    ids=[f"{key}={value}-{source}" for key, value, _, source in BAD_VALUES],
)
def test_a_bad_value_is_the_same_error_from_every_source(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    value: object,
    reason: str,
    source: str,
) -> None:
    result, named = _run_with(pytester, monkeypatch, source, key, value)
    shown = repr(str(value)) if source in ("ini", "flag", "environment") else repr(value)
    message = f"amplify_{key} = {shown} (from {named}): {reason}"
    if source in ("ini", "flag"):
        # Start-up: a usage error before any test runs.
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        assert message in result.stderr.str()
    else:
        # The first fixture that needs it: the test errors, with the message alone.
        result.assert_outcomes(errors=1)
        assert message in result.stdout.str()
        assert "Traceback" not in result.stdout.str()


# -- 3. every request through the watched transport ------------------------------------


@pytest.mark.slow  # the page trickles in real time for the whole bound
def test_a_trickling_page_cannot_hold_assert_serves_build_past_its_bound(
    real_time_fake: FakeAmplify,
) -> None:
    fake = real_time_fake
    fake.add_succeeded_job("d1", "main", job_id="1")
    job = handed_out_job(fake, None, "1")
    fake.trickle_next("GetSitePage", chunk_size=1, every=0.3, times=100)
    started = time.monotonic()
    with pytest.raises(AmplifyAssertionError) as raised:
        assert_serves_build(job, expect="never there", timeout=2)
    assert time.monotonic() - started < 3.0
    message = str(raised.value)
    assert "within timeout=2s" in message
    # Each request has its own bound: a quarter of what is left, at least a second.
    assert "no complete answer within 1s" in message


# -- 4. content decoding of downloads --------------------------------------------------

LOG = "Starting build\nnpm ERR! missing script: build\nBuild failed\n"


def _deflate(data: bytes) -> bytes:
    return zlib.compress(data)


ENCODINGS = {"gzip": gzip.compress, "deflate": _deflate}


def _encoded_log(fake: FakeAmplify, encoding: str, body: bytes, times: int = 10) -> None:
    fake.respond_raw_next(
        "GetObject",
        status=200,
        body=ENCODINGS[encoding](body),
        headers={"Content-Type": "text/plain", "Content-Encoding": encoding},
        times=times,
    )


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_an_encoded_log_is_read_as_text(fake: FakeAmplify, encoding: str) -> None:
    fake.add_job(
        "d1",
        "main",
        job_id="1",
        status="FAILED",
        steps=[FakeStep("BUILD", status="FAILED", reason="Build failed", log=LOG)],
    )
    job = handed_out_job(fake, fake.clock, "1")  # type: ignore[arg-type]
    _encoded_log(fake, encoding, LOG.encode())
    assert read_log(job, "BUILD") == LOG
    assert_log_contains(job, "BUILD", "missing script")
    with pytest.raises(AmplifyAssertionError, match="has 1 line matching 'missing script'"):
        assert_log_not_contains(job, "BUILD", "missing script")
    with pytest.raises(AmplifyAssertionError) as raised:
        assert_step_succeeded(job, "BUILD")
    assert "  | npm ERR! missing script: build" in str(raised.value)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_an_encoded_body_that_inflates_past_the_cap_stops_at_the_cap(
    fake: FakeAmplify, encoding: str
) -> None:
    fake.add_succeeded_job("d1", "main", job_id="1")
    job = handed_out_job(fake, fake.clock, "1")  # type: ignore[arg-type]
    bomb = b"0" * (16 * 1024 * 1024)  # 16 MB of text, some 16 KB on the wire
    _encoded_log(fake, encoding, bomb, times=1)
    with pytest.raises(AmplifyFetchError, match=r"larger than the 1,048,576 bytes allowed"):
        read_log(job, "BUILD", fetcher=Fetcher(max_bytes=1024 * 1024))


# -- 5. text from outside stays on its line --------------------------------------------

INJECTED = "\n::error::x\r::stop-commands::y"
ONE_FAILED_JOB = f"""
import pytest

pytest_plugins = ["pytest_amplify.testing"]

@pytest.fixture(scope="session", autouse=True)
def service(amplify_fake_session):
    amplify_fake_session.add_failed_job("d1", "main", reason="Build failed" + {INJECTED!r})
    amplify_fake_session.add_succeeded_job("d1", "other", job_id="1")
    return amplify_fake_session
"""
THREE_TESTS_AND_A_CALL = f"""
def test_one(amplify_job):
    pass

def test_two(amplify_job):
    pass

def test_three(amplify_job):
    pass

def test_another_branch(amplify_fake_session, amplify_jobs):
    amplify_fake_session.fail_next(
        "GetJob", "BadRequestException", message="No such thing" + {INJECTED!r}
    )
    amplify_jobs.wait(app_id="d1", branch="other", job_id="1")
"""


def test_no_outside_text_starts_a_line_of_pytests_output(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    pytester.makeconftest(ONE_FAILED_JOB)
    pytester.makepyfile(THREE_TESTS_AND_A_CALL)
    result = pytester.runpytest(
        "--amplify-app-id=d1",
        "--amplify-branch=main",
        "--amplify-report=report.json",
        "-o",
        "log_cli=true",
        "-o",
        "log_cli_level=DEBUG",
        "-rA",
    )
    result.assert_outcomes(errors=3, failed=1)
    lines = [*result.outlines, *result.errlines]
    commands = [line for line in lines if line.lstrip().startswith("::")]
    assert commands, "the plugin's own annotations are printed"
    assert all(line.startswith("::error title=Amplify%3A ") for line in commands), commands
    # The reason and the message are there, on lines of the plugin's.
    output = "\n".join(lines)
    assert "Build failed ::error::x ::stop-commands::y" in output
    assert "No such thing ::error::x ::stop-commands::y" in output
    report = json.loads((pytester.path / "report.json").read_text())
    (step,) = report["waits"][0]["job"]["steps"]
    assert step["status_reason"] == "Build failed ::error::x ::stop-commands::y"


# -- each rule once, held by a test ----------------------------------------------------

PACKAGE = Path(__file__).resolve().parent.parent / "pytest_amplify"
SOURCES = {path: ast.parse(path.read_text()) for path in sorted(PACKAGE.rglob("*.py"))}


def _assigned(name: str) -> list[str]:
    """Where the package assigns ``name`` at module level."""
    found = []
    for path, tree in SOURCES.items():
        for node in tree.body:
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)
                else []
            )
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                found.append(str(path.relative_to(PACKAGE)))
    return found


@pytest.mark.parametrize(
    "name",
    [
        "MAX_UNREACHABLE",
        "LOG_TAIL_LINES",
        "DEFAULT_DOMAIN_URL",
        "OUTCOMES",
        "TEST_OUTCOMES",
        "APP_ID",
        "REGION_NAME",
        "LATEST",
        "PREVIEW_PREFIX",
    ],
)
def test_each_constant_is_defined_once(name: str) -> None:
    assert len(_assigned(name)) == 1, _assigned(name)


@pytest.mark.parametrize(
    "literal",
    ["https://{domain}", "succeeded", "timed out", "endpoint unreachable", "pr-"],
)
def test_each_rules_text_is_written_in_one_module(literal: str) -> None:
    places = [
        str(path.relative_to(PACKAGE))
        for path, tree in SOURCES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and literal in node.value
        # Docstrings and messages may name it; the rule is where it is a value of its own.
        and node.value.strip() == literal
    ]
    assert len(set(places)) <= 1, places


def test_no_two_classes_share_a_name() -> None:
    classes: dict[str, list[str]] = {}
    for path, tree in SOURCES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                classes.setdefault(node.name, []).append(str(path.relative_to(PACKAGE)))
    assert {name: where for name, where in classes.items() if len(where) > 1} == {}


def test_calls_are_retried_by_one_engine() -> None:
    """Only tenacity sleeps between attempts: no module sleeps in a loop of its own but
    the wait's driver (which sleeps what tenacity decides, waking for the progress
    line), which wait_all's scheduler sleeps through too."""
    sleepers = sorted(
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path, tree in SOURCES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "sleep"
        and "testing" not in path.parts
    )
    assert [where.split(":")[0] for where in sleepers] == [
        "_amplify/call_retries.py",
        "_jobs/waiting.py",
        "_jobs/waiting.py",
    ]
    retrying = sorted(
        str(path.relative_to(PACKAGE))
        for path, tree in SOURCES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Retrying"
    )
    assert retrying == [
        "_amplify/call_retries.py",
        "_checks/serves_build.py",
        "_jobs/waiting.py",
    ]


HTTP_LIBRARIES = ("urllib3", "http.client", "urllib.request", "requests", "httpx")


def test_only_the_transport_sends_requests() -> None:
    """Every request the plugin makes (API calls, downloads, site pages) goes through
    the watched transport: no other module imports an HTTP client. (The local service
    serves HTTP; it is not the plugin.)"""
    importers = sorted(
        {
            str(path.relative_to(PACKAGE))
            for path, tree in SOURCES.items()
            if "testing" not in path.relative_to(PACKAGE).parts
            for node in ast.walk(tree)
            for name in (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if name.startswith(HTTP_LIBRARIES)
        }
    )
    assert importers == ["_http/transport.py"]
