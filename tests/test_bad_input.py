"""Every setting's wrong values: a usage error (flag, ini) or a one-line fixture error
(environment), naming the setting, the value and its source; never a traceback from
boto3, and never an API call."""

from __future__ import annotations

import json

import pytest

from pytest_amplify.testing import FakeAmplify

from .conftest import fake_args
from .seam import OPTIONS_BY_NAME

LONG = "x" * 300
BAD_VALUES: dict[str, list[str]] = {
    "app_id": ["", "   ", "D1", "my-app", "d", "d" + "1" * 25, "12345"],
    "branch": ["", "  ", "my branch", "a\tb", LONG],
    "job_id": ["", " ", "-1", "0", "abc", "1.5", "9" * 300],
    "commit_id": ["", "  ", "a b", LONG],
    "region": ["", "mars", "us-east", "US-EAST-1", "xx-nowhere-9"],
    "profile": ["", "   "],
    "endpoint_url": ["", "localhost:4566", "ftp://example.com", "http://"],
    "timeout": ["", " ", "-5", "0", "0s", "soon", "10 minutes", "999999h"],
    "poll_interval": ["", "-1s", "0", "fast", "2h"],
    "max_poll_interval": ["", "-1s", "0", "slow", "2h"],
    "retry_timeout": ["", "-1s", "0", "never", "2h"],
    "site_url": ["", "example.com", "https://{nope}.example.com"],
    "serve_timeout": ["", "-1m", "0", "later", "48h"],
    "domain_url": ["", "www.example.com", "https://example.com", "https://{domain}/{branch}"],
    "html_screenshots": ["", "sometimes"],
}
CASES = [(name, value) for name, values in BAD_VALUES.items() for value in values]


@pytest.mark.parametrize(("name", "value"), CASES, ids=[f"{n}={v[:12]!r}" for n, v in CASES])
def test_a_bad_flag_is_a_usage_error_naming_setting_value_and_source(
    pytester: pytest.Pytester, name: str, value: str
) -> None:
    option = OPTIONS_BY_NAME[name]
    pytester.makepyfile("def test_plain(): pass")
    result = pytester.runpytest(f"{option.flag}={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    error = result.stderr.str()
    assert f"{option.ini} = {value!r} (from {option.flag}): " in error
    assert "Traceback" not in error
    assert len(error.strip().splitlines()) == 1


@pytest.mark.parametrize("value", ["", "maybe", "2", "yes please"])
def test_a_bad_require_success_ini_is_a_usage_error(pytester: pytest.Pytester, value: str) -> None:
    pytester.makefile(".ini", pytest=f"[pytest]\namplify_require_success = {value}\n")
    pytester.makepyfile("def test_plain(): pass")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert (
        f"amplify_require_success = {value.strip()!r} (from amplify_require_success in pytest.ini)"
        in result.stderr.str()
    )


@pytest.mark.parametrize(
    ("variable", "value", "setting"),
    [
        ("AWS_APP_ID", "", "amplify_app_id"),
        ("AWS_APP_ID", "  ", "amplify_app_id"),
        ("AWS_APP_ID", "My App", "amplify_app_id"),
        ("AWS_BRANCH", "", "amplify_branch"),
        ("AWS_BRANCH", "release 1", "amplify_branch"),
        ("AWS_ENDPOINT_URL_AMPLIFY", "localhost:4566", "amplify_endpoint_url"),
        ("AWS_ENDPOINT_URL", "not a url", "amplify_endpoint_url"),
    ],
)
def test_bad_environment_values_are_one_line_fixture_errors(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    fake: FakeAmplify,
    variable: str,
    value: str,
    setting: str,
) -> None:
    monkeypatch.setenv("AWS_APP_ID", "d1")
    monkeypatch.setenv("AWS_BRANCH", "main")
    monkeypatch.setenv(variable, value)
    pytester.makepyfile("def test_job(amplify_job):\n    pass\n\ndef test_plain():\n    pass\n")
    args = (
        [a for a in fake_args(fake) if not a.startswith("--amplify-endpoint-url")]
        if "ENDPOINT" in variable
        else fake_args(fake)
    )
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [f"{setting} = {value!r} (from environment variable {variable}): *"]
    )
    assert "Traceback" not in result.stdout.str()
    assert fake.calls() == 0


def test_conflicting_job_and_commit_from_different_sources(pytester: pytest.Pytester) -> None:
    pytester.makefile(".ini", pytest="[pytest]\namplify_job_id = 12\n")
    pytester.makepyfile("def test_plain(): pass")
    result = pytester.runpytest("--amplify-commit-id=abc123")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert (
        "amplify_job_id = 12 (from amplify_job_id in pytest.ini) and amplify_commit_id = abc123 "
        "(from --amplify-commit-id) both pick the job; set only one of them"
    ) in result.stderr.str()


def run_smoke(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makepyfile("def test_smoke(amplify_job):\n    pass\n")
    return pytester.runpytest("--amplify-app-id=d1", "--amplify-branch=main", *args)


def one_line_error(result: pytest.RunResult, start: str) -> str:
    result.assert_outcomes(errors=1)
    lines = [line for line in result.stdout.lines if line.startswith(start)]
    assert len(lines) == 1, result.stdout.str()
    assert "Traceback" not in result.stdout.str()
    return lines[0]


def line_after(result: pytest.RunResult, line: str) -> str:
    """The line of the output after ``line``: an error's advice, after its cause."""
    return result.stdout.lines[result.stdout.lines.index(line) + 1]


def test_missing_credentials(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, fake: FakeAmplify
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = run_smoke(pytester, *fake_args(fake))
    # The cause first; what to do on the next line.
    line = one_line_error(result, "no usable AWS credentials")
    assert line == (
        "no usable AWS credentials (Unable to locate credentials), waiting for app d1, "
        "branch main, latest job"
    )
    assert "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile (amplify_profile" in line_after(
        result, line
    )
    assert fake.calls() == 0


def test_missing_credentials_count_no_call_in_the_json_report(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, fake: FakeAmplify
) -> None:
    """botocore refuses to sign before any request leaves: no call was made."""
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = run_smoke(pytester, *fake_args(fake), "--amplify-report=report.json")
    result.assert_outcomes(errors=1)
    (wait,) = json.loads((pytester.path / "report.json").read_text())["waits"]
    assert "no usable AWS credentials" in wait["error"]["message"]
    assert wait["calls"] == 0
    assert fake.calls() == 0


def test_expired_credentials(pytester: pytest.Pytester, fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main")
    fake.fail_next(
        "ListJobs",
        "ExpiredTokenException",
        message="The security token included in the request is expired",
    )
    result = run_smoke(pytester, *fake_args(fake))
    line = one_line_error(result, "ListJobs for app d1")
    assert line.endswith(
        "ExpiredTokenException (403): The security token included in the request is expired"
    )
    assert line_after(result, line) == (
        "the AWS credentials have expired: refresh them (aws sso login, or assume the role again)"
    )
    assert fake.calls() == 1


def test_a_region_that_does_not_exist_in_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "xx-nowhere-9")
    line = one_line_error(run_smoke(pytester), "region 'xx-nowhere-9'")
    assert "Amplify is not available in xx-nowhere-9 as far as botocore knows" in line
    assert "set amplify_region to the app's region" in line


def test_a_misspelt_region_in_the_environment_is_an_error_with_an_endpoint_too(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, fake: FakeAmplify
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east1")
    line = one_line_error(
        run_smoke(pytester, f"--amplify-endpoint-url={fake.endpoint_url}"), "region 'us-east1'"
    )
    assert (
        "it is not an AWS region name such as us-east-1 or eu-west-2; fix it, or set amplify_region"
        in line
    )
    assert fake.calls() == 0


def test_with_an_endpoint_and_no_region_the_header_says_which_region_signs(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    result = run_smoke(pytester, f"--amplify-endpoint-url={fake.endpoint_url}")
    result.stdout.fnmatch_lines(
        ["amplify: *, region: AWS_DEFAULT_REGION or the profile's, else us-east-1, endpoint *"]
    )


def test_no_region_at_all(pytester: pytest.Pytester) -> None:
    line = one_line_error(run_smoke(pytester), "Amplify needs a region")
    assert "set amplify_region / --amplify-region, or AWS_DEFAULT_REGION in the environment" in line


def test_a_profile_from_the_environment_that_does_not_exist(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "ghost")
    result = run_smoke(pytester, "--amplify-region=us-east-1")
    line = one_line_error(result, "amplify_profile = 'ghost'")
    assert (
        "(from environment variable AWS_PROFILE): no such profile in the AWS config files" in line
    )
    assert line_after(result, line).startswith("`aws configure list-profiles` lists them")
