"""pytest-html: the job table, links and embedded screenshots, as the report holds them."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

SMOKE = """
import pytest
pytest_plugins = ["pytest_amplify.testing"]

@pytest.fixture(autouse=True)
def deployment(amplify_fake):
    amplify_fake.add_job(app_id="d1", branch="main")
    amplify_fake.add_failed_job("d1", "broken")
    amplify_fake.serve_site("d1", "main", {"/": "<h1>Shop</h1>"})

def test_passes(amplify_job):
    pass

def test_fails_one(amplify_job):
    assert False, "wrong page"

def test_fails_two(amplify_job):
    assert False, "wrong title"

@pytest.mark.amplify(branch="broken")
def test_job_failed(amplify_job):
    pass
"""
TARGET = ["--amplify-app-id=d1", "--amplify-branch=main", "--self-contained-html"]


def report_blob(path: Path) -> dict[str, Any]:
    """pytest-html 4 draws the page from a JSON blob in ``data-jsonblob``."""
    match = re.search(r'data-jsonblob="([^"]*)"', path.read_text())
    assert match, "no data-jsonblob in the report"
    blob: dict[str, Any] = json.loads(html.unescape(match.group(1)))
    return blob


def results(blob: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    by_test: dict[str, list[dict[str, Any]]] = {}
    for reports in blob["tests"].values():
        for report in reports:
            # A setup error's id ends in "::setup".
            by_test.setdefault(report["testId"].split("::")[1], []).append(report)
    return by_test


def extras_of(report: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [extra for extra in report.get("extras", []) if extra["format_type"] == kind]


@pytest.fixture
def report(pytester: pytest.Pytester) -> Any:
    def run(*args: str) -> dict[str, list[dict[str, Any]]]:
        pytester.makepyfile(test_smoke=SMOKE)
        result = pytester.runpytest(*TARGET, "--html=report.html", *args)
        result.assert_outcomes(passed=1, failed=2, errors=1)
        return results(report_blob(pytester.path / "report.html"))

    return run


def test_failed_tests_get_the_table_links_and_screenshots(report: Any) -> None:
    tests = report()
    (failed,) = tests["test_fails_one"]
    (table,) = extras_of(failed, "html")
    assert '<table class="amplify-job">' in table["content"]
    assert "<td>app d1, branch main, job 1</td><td>SUCCEED</td><td>2m 00s</td>" in table["content"]
    for step in ("BUILD", "TEST", "DEPLOY", "VERIFY"):
        assert f"<td>{step}</td><td>SUCCEED</td>" in table["content"]
    links = {extra["name"]: extra["content"] for extra in extras_of(failed, "url")}
    assert (
        links["Amplify console: job 1"]
        == "https://us-east-1.console.aws.amazon.com/amplify/apps/d1/branches/main/deployments/1"
    )
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/_sites/d1/main", links["deployed branch main"])
    images = extras_of(failed, "image")
    assert [image["name"] for image in images] == [
        "app d1, branch main, job 1: desktop",
        "app d1, branch main, job 1: iphone-14",
        "app d1, branch main, job 1: pixel-7",
    ]
    assert all(
        image["mime_type"] == "image/png"
        and image["content"].startswith("data:image/png;base64,iVBORw0KGgo")
        for image in images
    )


def test_passed_tests_get_screenshots_only_when_always(report: Any) -> None:
    (passed,) = report()["test_passes"]
    assert extras_of(passed, "html") and not extras_of(passed, "image")
    (passed,) = report("-o", "amplify_html_screenshots=always")["test_passes"]
    assert len(extras_of(passed, "image")) == 3


def test_always_puts_each_jobs_screenshots_in_the_report_once(pytester: pytest.Pytester) -> None:
    """pytest-html writes every image extra of every test to assets/ (or into the
    page): each job's screenshots go with its first test, later ones point there."""
    pytester.makepyfile(
        test_smoke="""
        import pytest
        pytest_plugins = ["pytest_amplify.testing"]

        @pytest.fixture(scope="module", autouse=True)
        def deployment(amplify_fake_session):
            amplify_fake_session.add_job(app_id="d1", branch="main")

        @pytest.mark.parametrize("n", range(3))
        def test_smoke(amplify_job, n):
            assert n != 2
        """
    )
    args = ["--amplify-app-id=d1", "--amplify-branch=main", "--html=report.html"]
    result = pytester.runpytest(*args, "-o", "amplify_html_screenshots=always")
    result.assert_outcomes(passed=2, failed=1)
    assets = sorted(p.name for p in (pytester.path / "assets").iterdir())
    assert [name for name in assets if name.endswith(".png")] == [
        f"test_smoke.py__test_smoke_0__{i}_0.png" for i in (3, 4, 5)
    ], assets
    tests = results(report_blob(pytester.path / "report.html"))
    reports = {r["testId"]: r for reports in tests.values() for r in reports}
    assert len(extras_of(reports["test_smoke.py::test_smoke[0]"], "image")) == 3
    for later in ("test_smoke.py::test_smoke[1]", "test_smoke.py::test_smoke[2]"):
        assert not extras_of(reports[later], "image")
        notes = [e["content"] for e in extras_of(reports[later], "html") if "<p>" in e["content"]]
        assert notes == [
            "<p>VERIFY screenshots of app d1, branch main, job 1: with "
            "test_smoke.py::test_smoke[0]</p>"
        ]


def test_never_embeds_no_screenshot(report: Any) -> None:
    tests = report("--amplify-html-screenshots=never")
    assert not extras_of(tests["test_fails_one"][0], "image")
    assert extras_of(tests["test_fails_one"][0], "html")


def test_a_job_that_failed_errors_at_setup_with_its_extras(report: Any) -> None:
    (errored,) = report()["test_job_failed"]
    assert errored["result"] == "Error"
    (table,) = extras_of(errored, "html")
    assert "<td>app d1, branch broken, job 1</td><td>FAILED</td>" in table["content"]
    assert "Build failed: npm ERR! missing script: build" in table["content"]
    assert len(extras_of(errored, "image")) == 0  # a failed BUILD has no VERIFY step


def test_a_failed_wait_puts_its_extras_on_the_setup_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        pytest_plugins = ["pytest_amplify.testing"]

        def test_smoke(amplify_fake, request):
            amplify_fake.add_job(app_id="d1", branch="main", status="RUNNING")
            request.getfixturevalue("amplify_job")
        """
    )
    result = pytester.runpytest(*TARGET, "--amplify-timeout=5m", "--html=report.html")
    result.assert_outcomes(failed=1)
    (failed,) = results(report_blob(pytester.path / "report.html"))["test_smoke"]
    (table,) = extras_of(failed, "html")
    assert (
        "<th>wait failed</th><td>Timed out after 5m 00s waiting for app d1, branch main, job 1"
        in table["content"]
    )


@pytest.mark.slow
def test_screenshots_are_downloaded_once_per_job(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        pytest_plugins = ["pytest_amplify.testing"]
        calls = []

        @pytest.fixture(scope="module", autouse=True)
        def deployment(amplify_fake_session):
            amplify_fake_session.add_job(app_id="d1", branch="main")
            yield
            calls.append(amplify_fake_session.calls("GetObject"))

        @pytest.mark.parametrize("n", range(4))
        def test_fails(amplify_job, n):
            assert False

        def test_zz_count():
            pass

        def pytest_sessionfinish():
            pass
        """
    )
    pytester.makeconftest(
        """
        def pytest_unconfigure(config):
            import test_screenshots_are_downloaded_once_per_job as module
            print("GETOBJECT", module.calls)
        """
    )
    result = pytester.runpytest_subprocess(*TARGET, "--html=report.html", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=4, passed=1)
    result.stdout.fnmatch_lines(["GETOBJECT [3]"])


def test_the_report_never_holds_a_signature(report: Any, pytester: pytest.Pytester) -> None:
    report("-o", "amplify_html_screenshots=always")
    text = (pytester.path / "report.html").read_text()
    assert "X-Amz-Signature" not in text
    assert "X-Amz-Credential" not in text
    assert "X-Amz-Security-Token" not in text


@pytest.mark.slow
def test_chromium_renders_the_screenshots(pytester: pytest.Pytester) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not on PATH (.ci/run installs it with apt-get)")
    pytester.makepyfile(test_smoke=SMOKE)
    pytester.runpytest(*TARGET, "--html=report.html")
    profile = pytester.mkdir("chromium-profile")
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=5000",
        "--dump-dom",
        (pytester.path / "report.html").as_uri(),
    ]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
    # The rendered page, not the blob: pytest-html's script turned the extras into <img>.
    images = re.findall(r'<img[^>]+src="data:image/png;base64,([A-Za-z0-9+/=]+)"', dom)
    assert len(images) >= 2, dom[:2000]
    assert "amplify-job" in dom


def test_without_a_report_nothing_is_fetched_for_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        pytest_plugins = ["pytest_amplify.testing"]

        def test_a_fails(amplify_fake_session, request):
            amplify_fake_session.add_app("d1")
            amplify_fake_session.add_job(app_id="d1", branch="main")
            request.getfixturevalue("amplify_job")
            assert False

        def test_b_counts(amplify_fake_session):
            # test_a's reports are made by now: they fetched nothing for a report.
            print("CALLS", amplify_fake_session.calls("GetApp"), amplify_fake_session.calls("GetObject"))
        """
    )
    # pytest-html is installed and active, but no --html: no branch lookup, no download.
    args = [
        "--amplify-app-id=d1",
        "--amplify-branch=main",
        "-o",
        "amplify_html_screenshots=always",
        "-s",
    ]
    result = pytester.runpytest(*args, "-p", "no:randomly")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*CALLS 0 0*"])
    result = pytester.runpytest(*args, "--html=report.html")
    result.stdout.fnmatch_lines(["*CALLS 0 3*"])  # the fake sets the site URL: no GetApp
