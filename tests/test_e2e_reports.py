"""Amplify's Cypress results in every report: the job of ``cypress_test_step()`` (2 of 5
tests and a ``before all`` hook failed, the hook kept 2 tests from running) in the
first test's error, the ``amplify`` terminal section, the GitHub job summary and
annotations, the JSON report and the end-to-end JUnit file, read as CI reads them;
with and without pytest-xdist. The results are read once per job per run."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from pytest_amplify import AmplifyJob, E2eResults, E2eTest, JobStep
from pytest_amplify.testing import FakeAmplify, FakeStep, cypress_test_step, typical_step

from .conftest import REPO, fake_args
from .seam import LogTail, ReportedWait, Target, UsingTest, WaitRecord, render
from .test_ci_reports import errors_by_title, junit_schema, report_validator, table
from .test_html_report import extras_of, report_blob, results

RUNS = REPO / "pytest_amplify" / "testing" / "cypress_runs"
TARGET = ["--amplify-app-id=d1", "--amplify-branch=main"]
ZIP = "/_files/d1/main/1/TEST/test-artifacts.zip"
SOURCE = "cypress/report/mochawesome.json in the test artifacts zip (testArtifactsUrl)"
COUNTS = (
    "2 of 5 end-to-end tests failed, 1 hook failed and 2 tests did not run because of it "
    "(1 passed, 1 pending)"
)
CAUSE = f"Amplify job 1 FAILED in step TEST: {COUNTS}; One or more tests have failed (app d1, branch main)"
HOOK = (
    'cypress/e2e/login.cy.js > Login > with SSO > "before all" hook for "redirects to the provider"'
)
BLOCKED = [
    "cypress/e2e/login.cy.js > Login > with SSO > redirects to the provider",
    "cypress/e2e/login.cy.js > Login > with SSO > returns to the shop signed in",
]
COUPON = "cypress/e2e/cart.cy.js > Cart > applies a coupon"
TAX = "cypress/e2e/cart.cy.js > Cart > checkout > shows the total with tax"
ERRORS = {
    HOOK: "CypressError: `cy.request()` failed on:",
    COUPON: "AssertionError: Timed out retrying after 4000ms: expected '<span.total>' to contain '$90.00'",
    TAX: "CypressError: Timed out retrying after 4000ms: `cy.get()` could not find element: `[data-cy=total-with-tax]`",
}
SHOTS = {
    HOOK: "cypress/screenshots/login.cy.js/Login -- with SSO -- redirects to the provider -- before all hook (failed).png",
    COUPON: "cypress/screenshots/cart.cy.js/Cart -- applies a coupon (failed).png",
    TAX: "cypress/screenshots/cart.cy.js/Cart -- checkout -- shows the total with tax (failed).png",
}
# What the first test's error and the terminal section list, line for line.
E2E_LINES = [
    f"end-to-end results of the TEST step: {COUNTS} (from {SOURCE})",
    f"  ✖ hook {HOOK}: {ERRORS[HOOK]}",
    f"      screenshot: {SHOTS[HOOK]}",
    f"      did not run because of it: {BLOCKED[0]}",
    f"      did not run because of it: {BLOCKED[1]}",
    f"  ✖ test {COUPON}: {ERRORS[COUPON]}",
    f"      screenshot: {SHOTS[COUPON]}",
    f"  ✖ test {TAX}: {ERRORS[TAX]}",
    f"      screenshot: {SHOTS[TAX]}",
]
THREE_TESTS = """
import pytest

@pytest.mark.parametrize("n", range(3))
def test_smoke(amplify_job, n):
    pass
"""


def literal(line: str) -> str:
    """``line`` as an fnmatch pattern that matches only itself (its brackets too)."""
    return line.replace("[", "[[]")


def zip_downloads(fake: FakeAmplify) -> int:
    return sum(1 for r in fake.requests if r.operation == "GetObject" and r.path == ZIP)


def add_failing_job(fake: FakeAmplify) -> None:
    fake.add_job("d1", "main", status="FAILED", steps=[typical_step("BUILD"), cypress_test_step()])


@dataclasses.dataclass
class Run:
    errors: str  # pytest's ERRORS section
    amplify: list[str]  # the amplify section's lines
    lines: list[str]
    summary: str
    report: dict[str, Any]
    e2e_junit: Path
    junit: Path


def run_in_ci(
    pytester: pytest.Pytester, fake: FakeAmplify, monkeypatch: pytest.MonkeyPatch, workers: int
) -> Run:
    pytester.makepyfile(test_smoke=THREE_TESTS)
    summary = pytester.path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    args = [
        *fake_args(fake),
        *TARGET,
        "--junitxml=smoke.xml",
        "--amplify-report=amplify-report.json",
        "--amplify-e2e-junit=reports/e2e.xml",
        "-p",
        "no:cacheprovider",
    ]
    if workers:
        result = pytester.runpytest_subprocess(*args, "-n", str(workers), timeout=120)
    else:
        result = pytester.runpytest(*args)
    result.assert_outcomes(errors=3)
    output = result.stdout.str()
    errors = output.split("= ERRORS =", 1)[1].split("- generated xml file", 1)[0]
    section = output.split("= amplify =", 1)[1].split("\n")[1:]
    amplify = section[: next(i for i, line in enumerate(section) if line.startswith("-"))]
    return Run(
        errors,
        amplify,
        result.stdout.lines,
        summary.read_text(encoding="utf-8"),
        json.loads((pytester.path / "amplify-report.json").read_text()),
        pytester.path / "reports" / "e2e.xml",
        pytester.path / "smoke.xml",
    )


def check_first_error(run: Run) -> None:
    """The whole story once, the cause on every test's first line."""
    told = re.split(r"_+ ERROR at setup of \S+ _+\n", run.errors)[1:]
    # Under xdist each error starts with the worker that ran the test.
    stories = [re.sub(r"^\[gw\d+\] .*\n", "", story) for story in told]
    assert len(stories) == 3
    whole = [story for story in stories if len(story.splitlines()) > 1]
    assert len(whole) == 1, "the story is told once per run"
    lines = whole[0].splitlines()
    assert lines[0] == CAUSE
    start = lines.index(E2E_LINES[0])
    assert lines[start : start + len(E2E_LINES)] == E2E_LINES
    # Before the log tail, after the steps.
    assert lines.index("  TEST FAILED (1m 00s): One or more tests have failed") < start
    assert start < next(i for i, line in enumerate(lines) if line.startswith("last 30 lines"))
    for story in stories:
        assert story.splitlines()[0].startswith(CAUSE)
    # JUnit's (pytest's own) error message starts with the cause, for every test.
    messages = [e.get("message", "") for e in ET.parse(run.junit).iter("error")]
    assert len(messages) == 3
    assert all(m.startswith(f'failed on setup with "Failed: {CAUSE}') for m in messages)


def check_terminal(run: Run) -> None:
    assert run.amplify[0].startswith("app d1, branch main, job 1: FAILED in 2m 00s (")
    assert run.amplify[1:3] == [
        "  BUILD      SUCCEED    1m 00s",
        "  TEST       FAILED     1m 00s: One or more tests have failed",
    ]
    assert run.amplify[3 : 3 + len(E2E_LINES)] == [f"  {line}" for line in E2E_LINES]


def check_github(run: Run) -> None:
    assert (
        f"**End-to-end tests (TEST):** {COUNTS.replace('(', chr(92) + '(').replace(')', chr(92) + ')')}"
        in run.summary
    )
    items = [line for line in run.summary.splitlines() if re.match(r"(- |  - )", line)]
    plain = [re.sub(r"\\(.)", r"\1", item) for item in items]
    assert plain == [
        f"- ✖ hook {HOOK}: {ERRORS[HOOK]}",
        f"  - screenshot: {SHOTS[HOOK]}",
        f"  - did not run because of it: {BLOCKED[0]}",
        f"  - did not run because of it: {BLOCKED[1]}",
        f"- ✖ test {COUPON}: {ERRORS[COUPON]}",
        f"  - screenshot: {SHOTS[COUPON]}",
        f"- ✖ test {TAX}: {ERRORS[TAX]}",
        f"  - screenshot: {SHOTS[TAX]}",
    ]
    # The list comes before the log tail.
    assert run.summary.index("- ✖ hook") < run.summary.index("<details><summary>TEST FAILED")
    (annotation,) = errors_by_title(run.lines).values()
    assert f"step TEST FAILED: One or more tests have failed ({COUNTS}: " in annotation
    for name, kind in ((HOOK, "hook"), (COUPON, "test"), (TAX, "test")):
        assert f"{kind} {name}" in annotation


def check_json(run: Run) -> None:
    report_validator().validate(run.report)
    assert run.report["schema_version"] == 2
    (wait,) = run.report["waits"]
    e2e = wait["e2e"]
    assert (e2e["source"], e2e["report"], e2e["passed"]) == (
        "the test artifacts zip (testArtifactsUrl)",
        "cypress/report/mochawesome.json",
        False,
    )
    assert e2e["counts"] == {
        "tests": 6,
        "passed": 1,
        "failed": 2,
        "pending": 1,
        "skipped": 0,
        "not_run": 2,
        "failed_hooks": 1,
    }
    by_name = {" > ".join([t["spec"], *t["suites"], t["title"]]): t for t in e2e["tests"]}
    for name, error in ERRORS.items():
        assert (by_name[name]["state"], by_name[name]["error_line"]) == ("failed", error)
        assert by_name[name]["screenshot"] == SHOTS[name]
        assert by_name[name]["source"] == "cypress/report/mochawesome.json"
    assert by_name[HOOK]["kind"] == "hook"
    assert [by_name[name]["state"] for name in BLOCKED] == ["not_run", "not_run"]
    assert by_name[BLOCKED[0]]["blocked_by"] == HOOK
    # Version 1's fields are all still there, as they were.
    assert {"target", "outcome", "error", "job", "polls", "calls", "waited_seconds", "tests"} < set(
        wait
    )
    assert wait["outcome"] == "failed"


def e2e_cases(path: Path) -> dict[str, ET.Element]:
    junit_schema().validate(str(path))
    cases = {}
    for suite in ET.parse(path).iter("testsuite"):
        for case in suite.iter("testcase"):
            cases[f"{suite.get('file')} > {case.get('classname')} > {case.get('name')}"] = case
    return cases


def check_e2e_junit(run: Run) -> None:
    cases = e2e_cases(run.e2e_junit)
    root = ET.parse(run.e2e_junit).getroot()
    assert (root.get("tests"), root.get("failures")) == ("7", "3")
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert set(suites) == {"cypress/e2e/cart.cy.js", "cypress/e2e/login.cy.js"}
    login = suites["cypress/e2e/login.cy.js"]
    assert (login.get("tests"), login.get("failures"), login.get("skipped")) == ("3", "1", "2")
    for name, error in ERRORS.items():
        failure = cases[name].find("failure")
        assert failure is not None and failure.get("message") == error, name
        assert f"screenshot: {SHOTS[name]}" in (failure.text or "")
    hook_text = cases[HOOK].find("failure").text or ""  # type: ignore[union-attr]
    assert all(f"did not run because of it: {name}" in hook_text for name in BLOCKED)
    for name in BLOCKED:
        skipped = cases[name].find("skipped")
        assert skipped is not None
        assert skipped.get("message") == f"did not run: {HOOK} failed"
    pending = cases["cypress/e2e/cart.cy.js > Cart > checkout > pays with a gift card"]
    assert pending.find("skipped").get("message") == "pending: skipped in the spec (it.skip)"  # type: ignore[union-attr]
    passed = cases["cypress/e2e/cart.cy.js > Cart > adds an item to the cart"]
    assert list(passed) == []


def test_the_failed_job_in_every_report_without_xdist(
    pytester: pytest.Pytester, real_time_fake: FakeAmplify, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_failing_job(real_time_fake)
    run = run_in_ci(pytester, real_time_fake, monkeypatch, workers=0)
    check_first_error(run)
    check_terminal(run)
    check_github(run)
    check_json(run)
    check_e2e_junit(run)
    assert zip_downloads(real_time_fake) == 1, "the results are read once per job per run"


@pytest.mark.slow  # pytest -n 2 in a subprocess: about 10 s
def test_the_failed_job_in_every_report_under_xdist(
    pytester: pytest.Pytester, real_time_fake: FakeAmplify, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_failing_job(real_time_fake)
    run = run_in_ci(pytester, real_time_fake, monkeypatch, workers=2)
    check_first_error(run)
    check_terminal(run)
    check_github(run)
    check_json(run)
    check_e2e_junit(run)
    # The worker that waited read them; the other worker and the controller had them
    # from the wait's record.
    assert zip_downloads(real_time_fake) == 1


# -- a passing job: one line, and nothing read unless a report lists every job ----------

PASSING_LINE = (
    "  end-to-end results of the TEST step: 3 end-to-end tests passed "
    "(from cypress/report/mochawesome.json in the test artifacts zip (testArtifactsUrl))"
)


def test_a_passing_job_adds_one_line_and_is_read_only_when_a_report_lists_it(
    pytester: pytest.Pytester, fake: FakeAmplify, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.add_job("d1", "main", steps=[typical_step("BUILD"), cypress_test_step("passing")])
    pytester.makepyfile(test_smoke=THREE_TESTS)
    summary = pytester.path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = pytester.runpytest(*fake_args(fake), *TARGET, "--amplify-e2e-junit=e2e.xml")
    result.assert_outcomes(passed=3)
    section = result.stdout.str().split("= amplify =", 1)[1]
    assert [line for line in section.splitlines() if "end-to-end" in line] == [
        PASSING_LINE,
        f"- amplify: end-to-end JUnit file: 3 testcases of 1 job written to {pytester.path / 'e2e.xml'} -",
    ]
    e2e_lines = [line for line in summary.read_text().splitlines() if "End-to-end" in line]
    assert e2e_lines == [
        "**End-to-end tests (TEST):** 3 end-to-end tests passed (from "
        "cypress/report/mochawesome.json in the test artifacts zip \\(testArtifactsUrl\\))"
    ]
    cases = e2e_cases(pytester.path / "e2e.xml")
    assert len(cases) == 3 and all(list(case) == [] for case in cases.values())
    assert zip_downloads(fake) == 1
    # No report lists every job: a passing TEST step costs nothing.
    fake.reset_requests()
    summary.unlink()
    result = pytester.runpytest(*fake_args(fake), *TARGET)
    result.assert_outcomes(passed=3)
    assert "end-to-end" not in result.stdout.str()
    assert "End-to-end" not in summary.read_text()
    assert [r.operation for r in fake.requests] == ["ListJobs", "GetJob"]


def test_a_job_without_a_test_step_costs_nothing_and_the_file_is_still_written(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_job("d1", "main", job_type="MANUAL")  # DEPLOY and VERIFY only
    pytester.makepyfile(test_smoke=THREE_TESTS)
    args = ["--amplify-e2e-junit=e2e.xml", "--amplify-report=r.json"]
    result = pytester.runpytest(*fake_args(fake), *TARGET, *args)
    result.assert_outcomes(passed=3)
    assert not any(r.operation == "GetObject" for r in fake.requests)
    assert e2e_cases(pytester.path / "e2e.xml") == {}
    report = json.loads((pytester.path / "r.json").read_text())
    report_validator().validate(report)
    assert report["waits"][0]["e2e"] is None
    result.stdout.fnmatch_lines(["*end-to-end JUnit file: 0 testcases of 0 jobs written to *"])


def test_a_failed_test_step_without_results_says_where_it_looked(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    """The TEST step failed, and its artifacts and log hold no Cypress run: the story
    says so, and the JUnit file has a failed testcase for the step."""
    failed = FakeStep("TEST", status="FAILED", reason="Test failed: 1 of 3 Cypress specs failed")
    fake.add_job("d1", "main", status="FAILED", steps=[typical_step("BUILD"), failed])
    pytester.makepyfile(test_smoke=THREE_TESTS)
    result = pytester.runpytest(*fake_args(fake), *TARGET, "--amplify-e2e-junit=e2e.xml")
    result.assert_outcomes(errors=3)
    result.stdout.fnmatch_lines(
        [
            "Amplify job 1 FAILED in step TEST: Test failed: 1 of 3 Cypress specs failed (app d1, branch main)",
            "*",
            "*",
            "end-to-end results of the TEST step: no end-to-end test found",
            "  looked at testArtifactsUrl: step TEST has none",
            "  looked at ListArtifacts: there are none",
            "  looked at the TEST log: no Cypress run in it (no 'Running:' line)",
            "last 30 lines of the TEST log *",
        ]
    )
    cases = e2e_cases(pytester.path / "e2e.xml")
    (case,) = cases.values()
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == "the TEST step FAILED; no end-to-end test found"


def test_the_e2e_junit_path_is_checked_at_start_up(pytester: pytest.Pytester) -> None:
    pytester.mkdir("reports")
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest("--amplify-e2e-junit=reports")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*amplify_e2e_junit = 'reports' (from --amplify-e2e-junit): it is a directory; "
            "name a file such as reports/report*"
        ]
    )


# -- a test that reads the results itself: no second download -------------------------

READS_ITSELF = """
import pytest
from pytest_amplify import assert_e2e_passed, read_e2e_results

@pytest.mark.amplify(require_success=False)
@pytest.mark.parametrize("n", range(2))
def test_e2e(amplify_job, n):
    assert read_e2e_results(amplify_job).counts.failed == 2
    assert_e2e_passed(amplify_job)
"""


def test_the_tests_own_reads_share_the_runs_one_read(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    add_failing_job(fake)
    pytester.makepyfile(test_e2e=READS_ITSELF)
    result = pytester.runpytest(*fake_args(fake), *TARGET)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([f"E  *✖ test {literal(TAX)}: {literal(ERRORS[TAX])}"])
    assert zip_downloads(fake) == 1


# -- pytest-html: the failures' screenshots, once per job -----------------------------


def test_pytest_html_embeds_the_failures_screenshots_once_per_job(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    add_failing_job(fake)
    pytester.makepyfile(test_smoke=THREE_TESTS)
    result = pytester.runpytest(
        *fake_args(fake), *TARGET, "--html=report.html", "--self-contained-html"
    )
    result.assert_outcomes(errors=3)
    by_test = results(report_blob(pytester.path / "report.html"))
    reports = [report for reported in by_test.values() for report in reported]
    served = cypress_test_step().test_artifacts or {}
    with_images = [report for report in reports if extras_of(report, "image")]
    assert len(with_images) == 1, "once per job"
    images = extras_of(with_images[0], "image")
    assert sorted(image["name"] for image in images) == sorted(
        f"app d1, branch main, job 1: {shot}" for shot in SHOTS.values()
    )
    for image in images:
        shot = image["name"].split(": ", 1)[1]
        data = base64.b64decode(image["content"].split("base64,", 1)[1])
        assert data == served[shot]
    first = with_images[0]["testId"].split("::setup")[0]
    for report in reports:
        if report is not with_images[0]:
            notes = [e["content"] for e in extras_of(report, "html") if "<p>" in e["content"]]
            assert notes == [
                "<p>failed end-to-end tests&#x27; screenshots of app d1, branch main, job 1: "
                f"with {first}</p>"
            ]
    assert zip_downloads(fake) == 2, "one read of the results, one of the screenshots"


# -- the GitHub summary's cap: log tails first, then the lists ------------------------

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def _failed_wait(number: int) -> tuple[ReportedWait, LogTail]:
    step = JobStep("TEST", "FAILED", NOW, NOW, log_url="https://logs/x", status_reason="tests")
    job = AmplifyJob("d1", f"b{number}", "1", "FAILED", start_time=NOW, end_time=NOW, steps=(step,))
    failures = [
        E2eTest("a.cy.js", ("A",), f"test {n}", "failed", error_line="x" * 150) for n in range(20)
    ]
    e2e = E2eResults("TEST", "FAILED", "the TEST log", tuple(failures))
    record = WaitRecord(Target("d1", f"b{number}"), job=job, polls=1, e2e=e2e)
    tail = LogTail(tuple(f"{line:02d} " + "y" * 200 for line in range(30)))
    return ReportedWait(record, (UsingTest(f"test_{number}", "error", True),)), tail


SOME = range(1, 6)


@pytest.mark.parametrize(
    ("budget", "lists", "tails"),
    [(200 * 1024, [6], [6]), (48 * 1024, [6], SOME), (16 * 1024, SOME, [0])],
    ids=["everything", "some tails", "some lists"],
)
def test_the_summary_drops_log_tails_before_the_lists_of_failed_tests(
    budget: int, lists: range | list[int], tails: range | list[int]
) -> None:
    """Six failed waits, each with 20 failed end-to-end tests and a 30-line tail."""
    made = [_failed_wait(n) for n in range(6)]
    waits = [wait for wait, _ in made]
    by_key = {(wait.record.target, "TEST"): tail for wait, tail in made}
    section = render(waits, by_key, budget)
    assert len(section.encode("utf-8")) <= budget
    blocks = section.split("### ")[1:]
    assert len(blocks) == 6, "every wait is kept"
    listed = [block for block in blocks if "- ✖ test a.cy.js" in block]
    tailed = [block for block in blocks if "last 30 lines of its log" in block]
    assert len(listed) in lists and len(tailed) in tails
    # A wait keeps its tail only with its list.
    assert all(block in listed for block in tailed)
    cut = [block for block in blocks if block not in listed]
    assert all("the list is left out (size cap)" in block for block in cut)
    assert table(section, "|  | app | branch |")


# -- the docs page shows the error as it is -------------------------------------------


def test_the_docs_show_the_first_tests_error_as_the_plugin_prints_it(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    page = (REPO / "docs" / "e2e-results.md").read_text()
    section = page.split("## In every report", 1)[1]
    block = re.search(r"\n  ```\n(.*?)\n  ```\n", section, flags=re.DOTALL)
    assert block, "the section shows no error"
    shown = [line.removeprefix("  ") for line in block.group(1).splitlines()]
    add_failing_job(fake)
    pytester.makepyfile(test_smoke=THREE_TESTS)
    result = pytester.runpytest(*fake_args(fake), *TARGET)
    result.assert_outcomes(errors=3)
    # Line for line, where the page does not shorten it (the log's URL, "...").
    literal_lines = [line for line in shown if line != "..." and "(https://...)" not in line]
    assert literal_lines[0] == CAUSE
    result.stdout.fnmatch_lines([literal(line) for line in literal_lines])


# -- outside text: redacted, and on its line, in every report -------------------------

SIGNED = "https://b.s3.amazonaws.com/x.png?X-Amz-Signature=0123abcd&X-Amz-Credential=AKIAEXAMPLE"


def test_titles_and_errors_are_redacted_and_kept_on_their_line_in_every_report(
    pytester: pytest.Pytester, fake: FakeAmplify, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = (
        (RUNS / "failing" / "report" / "mochawesome.json")
        .read_text()
        .replace("applies a coupon", "applies a coupon\\n::error::injected")
        .replace("http://127.0.0.1:3000/api/sso/config", SIGNED)
        .replace("CypressError: `cy.request()` failed on:\\n\\n", f"CypressError: {SIGNED}\\n")
    )
    step = FakeStep(
        "TEST",
        status="FAILED",
        reason="One or more tests have failed",
        test_artifacts={"cypress/report/mochawesome.json": report},
    )
    fake.add_job("d1", "main", status="FAILED", steps=[typical_step("BUILD"), step])
    pytester.makepyfile(test_smoke=THREE_TESTS)
    summary = pytester.path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    args = ["--amplify-report=r.json", "--amplify-e2e-junit=e2e.xml", "--html=report.html"]
    result = pytester.runpytest(*fake_args(fake), *TARGET, *args)
    result.assert_outcomes(errors=3)
    written = {
        "output": result.stdout.str(),
        "summary": summary.read_text(),
        "JSON report": (pytester.path / "r.json").read_text(),
        "end-to-end JUnit": (pytester.path / "e2e.xml").read_text(),
        "pytest-html": (pytester.path / "report.html").read_text(),
    }
    for where, text in written.items():
        assert "0123abcd" not in text and "AKIAEXAMPLE" not in text, where
    assert "X-Amz-Signature=REDACTED" in written["output"]
    assert not [line for line in result.stdout.lines if line.lstrip().startswith("::error::")]
    assert not [line for line in written["summary"].splitlines() if "::error::" in line[:9]]
    result.stdout.fnmatch_lines(["  ✖ test * > Cart > applies a coupon ::error::injected: *"])
    e2e_cases(pytester.path / "e2e.xml")  # still valid
    assert 'name="applies a coupon ::error::injected"' in written["end-to-end JUnit"]


def test_amplify_jobs_explains_a_failed_test_step_the_same_way(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    add_failing_job(fake)
    fake.add_job("d1", "other")
    pytester.makepyfile(
        """
        def test_both(amplify_jobs):
            amplify_jobs.wait_all([{"branch": "main"}, {"branch": "other"}])
        """
    )
    result = pytester.runpytest(*fake_args(fake), *TARGET)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [f"E * {literal(CAUSE)}", *(f"E *{literal(line)}" for line in E2E_LINES)]
    )
    assert zip_downloads(fake) == 1
