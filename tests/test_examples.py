"""The examples are real smoke tests; they run here as users run them."""

from __future__ import annotations

import pytest

from .conftest import REPO

# Both run the examples in another pytest process, as users run them.
pytestmark = pytest.mark.slow


def test_the_examples_pass_against_the_simulated_deployment(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", str(REPO / "examples"), "--simulated-time", "-W", "error"
    )
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines(
        [
            "amplify: app d1, branch main, job 4: PENDING *",
            "*= amplify =*",
            "app d1, branch main, job 4: SUCCEED in 4s (* polls, waited *)",
        ]
    )


def test_the_examples_html_report_shows_the_screenshots(pytester: pytest.Pytester) -> None:
    from .test_html_report import extras_of, report_blob, results

    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", str(REPO / "examples"), "--simulated-time", "--html=report.html"
    )
    result.assert_outcomes(passed=8)
    tests = results(report_blob(pytester.path / "report.html"))
    shown = [extras_of(reports[0], "image") for reports in tests.values()]
    assert all(len(images) == 3 for images in shown)
