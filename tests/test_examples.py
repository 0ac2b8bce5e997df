"""The examples are real smoke tests; they run here as users run them.

The suite's environment has no pytest-playwright, so the browser example skips with
its reason here; ``tests/browser/`` runs it in a real Chromium.
"""

from __future__ import annotations

import pytest

from .conftest import REPO

# Both run the examples in another pytest process, as users run them.
pytestmark = pytest.mark.slow
BROWSER_EXAMPLE_SKIPPED = (
    "SKIPPED * pytest-playwright is not installed: pip install pytest-playwright"
)


@pytest.fixture(autouse=True)
def _without_playwright() -> None:
    try:
        import pytest_playwright  # noqa: F401
    except ImportError:
        return
    pytest.skip("expects no pytest-playwright: tests/browser runs the examples with it")


def test_the_examples_pass_against_the_simulated_deployment(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", str(REPO / "examples"), "--simulated-time", "-W", "error", "-rs"
    )
    result.assert_outcomes(passed=8, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "amplify: app d1, branch main, job 4: PENDING *",
            "*= amplify =*",
            "app d1, branch main, job 4: SUCCEED in 4s (* polls, waited *)",
            BROWSER_EXAMPLE_SKIPPED,
        ]
    )


def test_the_examples_html_report_shows_the_screenshots(pytester: pytest.Pytester) -> None:
    from .test_html_report import extras_of, report_blob, results

    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", str(REPO / "examples"), "--simulated-time", "--html=report.html"
    )
    result.assert_outcomes(passed=8, skipped=1)
    tests = results(report_blob(pytester.path / "report.html"))
    passed = [reports[0] for reports in tests.values() if reports[0]["result"] == "Passed"]
    assert len(passed) == 8
    # amplify_html_screenshots = always: the job's three, with the first test only.
    shown = [report for report in passed if extras_of(report, "image")]
    assert [len(extras_of(report, "image")) for report in shown] == [3]
    for report in passed:
        if report is not shown[0]:
            notes = [e["content"] for e in extras_of(report, "html") if "<p>" in e["content"]]
            (note,) = notes
            assert note.startswith("<p>VERIFY screenshots of app ")
            assert note.endswith(f": with {shown[0]['testId']}</p>")
