"""``amplify_base_url``: the ``base_url`` fixture from the deployed branch, opt-in.

These run without pytest-base-url and pytest-playwright (the suite's own
environment); ``tests/browser/`` runs the same against both plugins, in the
environment of its own that ``.ci/run`` makes for it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from pytest_amplify.plugin import NOT_SUCCEEDED_SESSION
from pytest_amplify.testing import FakeAmplify

from .conftest import fake_args

TARGET = ["--amplify-app-id=d1", "--amplify-branch=main"]
SHOW_BASE_URL = """
def test_base_url(base_url):
    print(f"base_url={base_url!r}")
"""


def test_off_by_default_no_base_url_fixture_and_no_call(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_job(app_id="d1", branch="main")
    pytester.makepyfile(SHOW_BASE_URL)
    result = pytester.runpytest(*fake_args(fake), *TARGET)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'base_url' not found*"])
    assert fake.calls() == 0


@pytest.mark.parametrize("how", [["--amplify-base-url"], ["-o", "amplify_base_url=true"]])
def test_on_base_url_is_the_deployed_site(
    pytester: pytest.Pytester, fake: FakeAmplify, how: list[str]
) -> None:
    fake.add_job(app_id="d1", branch="feature/login")
    pytester.makepyfile(SHOW_BASE_URL)
    result = pytester.runpytest(
        "-s", *fake_args(fake), "--amplify-app-id=d1", "--amplify-branch=feature/login", *how
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"*base_url={fake.site_url('d1', 'feature/login')!r}"])


def test_the_header_says_where_base_url_comes_from(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain(): pass")
    result = pytester.runpytest(*TARGET, "--amplify-base-url")
    result.stdout.fnmatch_lines(
        ["amplify: app d1, branch main, *, base_url: the deployed site unless given"]
    )
    (header,) = [
        line for line in pytester.runpytest(*TARGET).outlines if line.startswith("amplify:")
    ]
    assert "base_url" not in header


def test_on_without_a_site_url_it_is_amplifys_default_domain(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_job(app_id="d1", branch="feature/login")
    pytester.makepyfile(SHOW_BASE_URL)
    result = pytester.runpytest(
        "-s",
        f"--amplify-endpoint-url={fake.endpoint_url}",
        "--amplify-region=us-east-1",
        "--amplify-app-id=d1",
        "--amplify-branch=feature/login",
        "--amplify-base-url",
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*base_url='https://feature-login.d1.amplifyapp.com'"])
    assert fake.calls("GetApp") == fake.calls("GetBranch") == 1


def test_on_with_nothing_configured_base_url_is_none_and_nothing_is_called(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    pytester.makepyfile(SHOW_BASE_URL)
    result = pytester.runpytest("-s", *fake_args(fake), "--amplify-base-url")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*base_url=None"])
    assert fake.calls() == 0


def test_a_conftest_base_url_wins(pytester: pytest.Pytester, fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main")
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def base_url():
            return "http://localhost:3000"
        """
    )
    pytester.makepyfile(SHOW_BASE_URL)
    result = pytester.runpytest("-s", *fake_args(fake), *TARGET, "--amplify-base-url")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*base_url='http://localhost:3000'"])
    assert fake.calls() == 0


def test_a_failed_job_errors_the_tests_that_use_base_url(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_failed_job("d1", "main")
    pytester.makepyfile(SHOW_BASE_URL + "\ndef test_unit():\n    pass\n")
    result = pytester.runpytest(*fake_args(fake), *TARGET, "--amplify-base-url")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([NOT_SUCCEEDED_SESSION])


def test_tests_that_use_base_url_get_the_junit_properties(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="2")
    pytester.makepyfile(SHOW_BASE_URL + "\ndef test_unit():\n    pass\n")
    result = pytester.runpytest(
        *fake_args(fake),
        *TARGET,
        "--amplify-base-url",
        "--junitxml=j.xml",
        "-o",
        "junit_family=xunit1",
    )
    result.assert_outcomes(passed=2)
    cases = ET.parse(pytester.path / "j.xml").getroot().iter("testcase")
    properties = {
        c.get("name"): {p.get("name"): p.get("value") for p in c.iter("property")} for c in cases
    }
    assert properties["test_base_url"]["amplify_job_id"] == "2"
    assert properties["test_unit"] == {}


@pytest.mark.parametrize("value", ["", "maybe", "on please"])
def test_a_bad_ini_value_is_a_usage_error(pytester: pytest.Pytester, value: str) -> None:
    pytester.makefile(".ini", pytest=f"[pytest]\namplify_base_url = {value}\n")
    pytester.makepyfile("def test_plain(): pass")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert (
        f"amplify_base_url = {value.strip()!r} (from amplify_base_url in pytest.ini)"
        in result.stderr.str()
    )
