"""Amplify's Cypress results as data: the reports made by the real tools (mocha,
mochawesome, mochawesome-merge; tests/data/e2e/), read from a job's test artifacts or
its TEST log, and ``assert_e2e_passed`` as users run it against the local service."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_amplify import (
    AmplifyAssertionError,
    AmplifyJob,
    E2eResults,
    E2eState,
    assert_e2e_passed,
    read_e2e_results,
)
from pytest_amplify.testing import (
    FakeAmplify,
    FakeStep,
    SimulatedClock,
    cypress_test_step,
    typical_step,
)

from .conftest import REPO, fake_args
from .doc_blocks import doc_block
from .seam import (
    ReportProblem,
    handed_out_job,
    matching,
    parse_log,
    parse_report,
    quick_fetcher,
    screenshot_stem,
)

RUNS = REPO / "pytest_amplify" / "testing" / "cypress_runs"
REPORTS = REPO / "tests" / "data" / "e2e" / "reports"
FAILING = RUNS / "failing"
MERGED = "cypress/report/mochawesome.json"

# What the failing run holds, as the generated reports say it.
FAILED_TESTS = {
    ("Cart", "applies a coupon"): (
        "AssertionError: Timed out retrying after 4000ms: expected '<span.total>' to contain '$90.00'"
    ),
    ("Cart", "checkout", "shows the total with tax"): (
        "CypressError: Timed out retrying after 4000ms: `cy.get()` could not find element: "
        "`[data-cy=total-with-tax]`"
    ),
}
HOOK = ("Login", "with SSO", '"before all" hook for "redirects to the provider"')
HOOK_ERROR = "CypressError: `cy.request()` failed on:"
BLOCKED = [
    ("Login", "with SSO", "redirects to the provider"),
    ("Login", "with SSO", "returns to the shop signed in"),
]


def _load(path: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(path.read_text())
    return loaded


def _suites(suite: dict[str, object]) -> list[dict[str, object]]:
    children = suite["suites"]
    assert isinstance(children, list)
    return [suite, *(s for child in children for s in _suites(child))]


# -- what the generated reports show ---------------------------------------------------


def test_the_generated_reports_show_the_traps_the_plugin_reads_around() -> None:
    login = _load(FAILING / "report" / "mochawesome-report" / "mochawesome_001.json")
    (root,) = login["results"]  # type: ignore[misc]
    sso = next(s for s in _suites(root) if s["title"] == "with SSO")
    (hook,) = sso["beforeHooks"]  # type: ignore[misc]
    # A failing `before all` hook: failed in beforeHooks, its tests null, stats say 0 failures.
    assert hook["state"] == "failed"
    assert [(t["state"], t["skipped"]) for t in sso["tests"]] == [(None, True), (None, True)]  # type: ignore[attr-defined]
    assert login["stats"]["failures"] == 0  # type: ignore[index]
    merged = _load(FAILING / "report" / "mochawesome.json")
    # Merged stats leave the hook out as well, and forget the skipped tests.
    assert (merged["stats"]["failures"], merged["stats"]["skipped"]) == (2, 0)  # type: ignore[index]
    # A retried test appears once, with its last state: the report cannot tell.
    made = _load(FAILING / "run.json")
    cart = made["specs"][0]  # type: ignore[index]
    assert cart["attempts"]["Cart adds an item to the cart"] == 2
    titles = [
        t["title"]
        for result in merged["results"]  # type: ignore[attr-defined]
        for s in _suites(result)
        for t in s["tests"]  # type: ignore[attr-defined]
    ]
    assert titles.count("adds an item to the cart") == 1
    # The spec's file is there for each spec Cypress runs; only one mocha run over
    # several files leaves the root suite's file empty.
    assert all(r["file"] for r in merged["results"])  # type: ignore[attr-defined,index]
    (one_run,) = _load(REPORTS / "one-mocha-run.json")["results"]  # type: ignore[misc]
    assert one_run["file"] == ""
    assert {s["file"] for s in one_run["suites"]} == {
        "/cypress/e2e/cart.cy.js",
        "/cypress/e2e/login.cy.js",
    }


def test_a_report_whose_stats_say_no_failure_while_a_hook_failed_is_read_as_failed() -> None:
    data = (FAILING / "report" / "mochawesome-report" / "mochawesome_001.json").read_bytes()
    assert json.loads(data)["stats"]["failures"] == 0
    results = E2eResults("TEST", "SUCCEED", "a report", parse_report(data).tests)
    assert (results.counts.failed_hooks, results.counts.not_run) == (1, 2)
    assert results.failures[0].title == HOOK[-1]
    assert not results.passed


def test_the_merged_report_holds_what_the_per_spec_reports_hold() -> None:
    folder = FAILING / "report"
    merged = parse_report((folder / "mochawesome.json").read_bytes())
    per_spec = [parse_report(p.read_bytes()) for p in sorted(folder.glob("mochawesome-report/*"))]
    assert [len(p.tests) for p in per_spec] == [4, 3]
    assert sorted(merged.tests, key=repr) == sorted(
        (t for p in per_spec for t in p.tests), key=repr
    )


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("**/mochawesome.json", "mochawesome.json", True),
        ("**/mochawesome.json", "cypress/report/mochawesome.json", True),
        ("**/mochawesome.json", "cypress/report/mochawesome.json.bak", False),
        ("**/mochawesome*.json", "cypress/report/mochawesome-report/mochawesome_001.json", True),
        ("cypress/report/*.json", "cypress/report/mochawesome-report/mochawesome.json", False),
        ("report/[!x]*.json", "report/a.json", True),
    ],
)
def test_report_globs(pattern: str, name: str, matches: bool) -> None:
    assert bool(matching([name], pattern)) is matches


# -- the lookup against the local service ----------------------------------------------

JobFactory = Callable[..., AmplifyJob]


@pytest.fixture
def e2e_job(fake: FakeAmplify, clock: SimulatedClock) -> JobFactory:
    """A job of the local service whose TEST step is ``step``, as the plugin hands
    it out."""
    made = iter(range(1, 100))

    def make(step: FakeStep, status: str = "FAILED") -> AmplifyJob:
        job_id = str(next(made))
        fake.add_job(
            "d1", "main", job_id=job_id, status=status, steps=[typical_step("BUILD"), step]
        )
        return handed_out_job(fake, clock, job_id)

    return make


def _shape(results: E2eResults) -> list[tuple[str, tuple[str, ...], str, str]]:
    return sorted(
        (t.kind, (*t.suites, t.title), t.state, t.error_line) for t in results.tests if t.failed
    )


def test_results_from_the_zip_each_test_with_its_error_screenshot_and_video(
    e2e_job: JobFactory,
) -> None:
    results = read_e2e_results(e2e_job(cypress_test_step()), fetcher=quick_fetcher())
    assert (results.source, results.report) == ("the test artifacts zip (testArtifactsUrl)", MERGED)
    assert results.counts.describe() == (
        "2 of 5 tests failed, 1 hook failed and 2 tests did not run because of it (1 passed, 1 pending)"
    )
    by_title = {(*t.suites, t.title): t for t in results.tests}
    for titles, error in FAILED_TESTS.items():
        test = by_title[titles]
        assert (test.state, test.error_line, test.spec) == (
            "failed",
            error,
            "cypress/e2e/cart.cy.js",
        )
        assert (
            test.screenshot == f"cypress/screenshots/cart.cy.js/{' -- '.join(titles)} (failed).png"
        )
        assert test.video == "cypress/videos/cart.cy.js.mp4"
        assert "at Context.<anonymous> (cypress/e2e/cart.cy.js" in test.error
    hook = by_title[HOOK]
    assert (hook.kind, hook.error_line) == ("hook", HOOK_ERROR)
    assert "503: Service Unavailable" in hook.error
    assert hook.screenshot == (
        "cypress/screenshots/login.cy.js/Login -- with SSO -- redirects to the provider -- "
        "before all hook (failed).png"
    )
    assert [by_title[b].state for b in BLOCKED] == [E2eState.NOT_RUN] * 2
    assert hook.blocks == tuple(by_title[b].name for b in BLOCKED)
    assert by_title[("Cart", "checkout", "pays with a gift card")].state == "pending"
    # Passed on its second attempt: its first attempt's screenshot says so.
    retried = by_title[("Cart", "adds an item to the cart")]
    assert (retried.state, retried.attempts) == ("passed", 2)
    assert not results.passed


@pytest.mark.parametrize("how", ["ListArtifacts", "per-spec reports"])
def test_results_through_list_artifacts_and_from_per_spec_reports(
    e2e_job: JobFactory, how: str
) -> None:
    step = (
        cypress_test_step(zip_url=False)
        if how == "ListArtifacts"
        else cypress_test_step(merged=False)
    )
    results = read_e2e_results(e2e_job(step), fetcher=quick_fetcher())
    reference = read_e2e_results(e2e_job(cypress_test_step()), fetcher=quick_fetcher())
    assert _shape(results) == _shape(reference)
    assert results.counts == reference.counts
    if how == "ListArtifacts":
        assert results.source == "the test artifacts ListArtifacts lists"
        assert results.looked == ("testArtifactsUrl: step TEST has none",)
    else:
        assert results.report == (
            "cypress/report/mochawesome-report/mochawesome.json, "
            "cypress/report/mochawesome-report/mochawesome_001.json"
        )


def test_the_log_gives_the_same_failures_when_the_artifacts_are_missing(
    e2e_job: JobFactory,
) -> None:
    from_log = read_e2e_results(
        e2e_job(cypress_test_step(artifacts=False)), fetcher=quick_fetcher()
    )
    from_report = read_e2e_results(e2e_job(cypress_test_step()), fetcher=quick_fetcher())
    assert from_log.source == "the TEST log"
    assert _shape(from_log) == _shape(from_report)
    assert from_log.counts == from_report.counts
    # The log names the first test a hook kept from running, and counts the rest.
    assert [t.title for t in from_log.not_run] == [BLOCKED[0][-1], "(a test the log does not name)"]
    assert "login.cy.js: the log does not name 1 test that did not run" in from_log.notes[0]


# -- what users see ------------------------------------------------------------------

USER_TEST = """
import pytest
from pytest_amplify import assert_e2e_passed
from pytest_amplify.testing import cypress_test_step, typical_step

pytest_plugins = ["pytest_amplify.testing"]


@pytest.mark.parametrize("artifacts", [True, False], ids=["with-artifacts", "artifacts-missing"])
def test_e2e(amplify_fake, request, artifacts):
    amplify_fake.add_job(
        "d1", "main", status="FAILED",
        steps=[typical_step("BUILD"), cypress_test_step(artifacts=artifacts, zip_url={zip_url})],
    )
    {before}
    assert_e2e_passed(request.getfixturevalue("amplify_job"))
"""
RUN_ARGS = (
    "--amplify-app-id=d1",
    "--amplify-branch=main",
    "--amplify-allow-failed",
    "-p",
    "no:cacheprovider",
)


def _each(matcher: pytest.LineMatcher, lines: list[str]) -> None:
    """Each line is there, in any order (a merged report lists specs in its own)."""
    for line in lines:
        matcher.fnmatch_lines([line])


def _failure_lines(spec: str) -> list[str]:
    lines = [
        f"*✖ test {spec}cart.cy.js > Cart > applies a coupon: {FAILED_TESTS[('Cart', 'applies a coupon')]}",
        f"*✖ test {spec}cart.cy.js > Cart > checkout > shows the total with tax: CypressError: *",
        f'*✖ hook {spec}login.cy.js > Login > with SSO > "before all" hook for "redirects to the provider": {HOOK_ERROR}',
        f"*did not run because of it: {spec}login.cy.js > Login > with SSO > redirects to the provider",
    ]
    return lines


def test_assert_e2e_passed_names_failed_tests_the_hook_and_what_it_blocked(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(USER_TEST.format(zip_url=True, before=""))
    result = pytester.runpytest(*RUN_ARGS)
    result.assert_outcomes(failed=2)
    output = result.stdout.str()
    with_artifacts, from_log = output.split("test_e2e[artifacts-missing] _", 1)
    headline = (
        "*expected the end-to-end tests of app d1, branch main, job 1 to pass: 2 of 5 tests failed, "
        "1 hook failed and 2 tests did not run because of it (1 passed, 1 pending)"
    )
    report = pytest.LineMatcher(with_artifacts.splitlines())
    report.fnmatch_lines(
        [
            headline,
            "*results from cypress/report/mochawesome.json in the test artifacts zip (testArtifactsUrl)",
        ]
    )
    _each(report, _failure_lines("cypress/e2e/"))
    _each(
        report,
        [
            "*screenshot: cypress/screenshots/cart.cy.js/Cart -- applies a coupon (failed).png",
            "*screenshot: cypress/screenshots/login.cy.js/Login -- with SSO -- redirects to the provider -- before all hook (failed).png",
            "*did not run because of it: cypress/e2e/login.cy.js > Login > with SSO > returns to the shop signed in",
        ],
    )
    log = pytest.LineMatcher(from_log.splitlines())
    log.fnmatch_lines(
        [
            headline,
            "*results from the TEST log",
            "*where the plugin looked:",
            "*testArtifactsUrl: step TEST has none",
            "*ListArtifacts: there are none",
        ]
    )
    _each(log, _failure_lines(""))
    log.fnmatch_lines(["*note: login.cy.js: the log does not name 1 test that did not run*"])
    assert "base64," not in output and "iVBORw0KGgo" not in output


def test_without_list_artifacts_permission_it_falls_back_to_the_log_and_says_why(
    pytester: pytest.Pytester,
) -> None:
    before = 'amplify_fake.fail_next("ListArtifacts", "AccessDeniedException", status=403)'
    pytester.makepyfile(USER_TEST.format(zip_url=False, before=before))
    result = pytester.runpytest(*RUN_ARGS, "-k", "with-artifacts")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*results from the TEST log",
            "*where the plugin looked:",
            "*testArtifactsUrl: step TEST has none",
            "*ListArtifacts: ListArtifacts * failed with AccessDeniedException (403)*the AWS identity needs the IAM permission amplify:ListArtifacts",
        ]
    )
    _each(result.stdout, _failure_lines(""))


def test_a_passing_run_passes_and_returns_its_results(e2e_job: JobFactory) -> None:
    results = assert_e2e_passed(
        e2e_job(cypress_test_step("passing"), "SUCCEED"), fetcher=quick_fetcher()
    )
    assert results is not None
    assert (results.counts.passed, results.counts.tests) == (3, 3)
    assert results.tests[0].video == "cypress/videos/home.cy.js.mp4"


def test_a_job_without_a_test_step_fails_unless_expected(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    fake.add_job("d1", "main", job_id="1", job_type="MANUAL")
    job = handed_out_job(fake, clock, "1")
    with pytest.raises(AmplifyAssertionError) as raised:
        assert_e2e_passed(job)
    assert str(raised.value).splitlines() == [
        "expected the end-to-end tests of app d1, branch main, job 1 to pass, but it has no TEST step (it has: DEPLOY, VERIFY)",
        "Amplify runs the tests of a top-level test: section of amplify.yml in a TEST step; pass missing_step_ok=True where a job without one is expected",
    ]
    assert assert_e2e_passed(job, missing_step_ok=True) is None


# -- bad input: a table ----------------------------------------------------------------

PASSING_LOG = (RUNS / "passing" / "test-log.txt").read_text()
GENERATED_LOG = "# Starting phase: test\n# Executing command: npx cypress run\n"


def _report_step(report: bytes, status: str, log: str = GENERATED_LOG, **extra: object) -> FakeStep:
    return FakeStep("TEST", status=status, log=log, test_artifacts={MERGED: report}, **extra)  # type: ignore[arg-type]


CASES = {
    # case: (TEST step, read keywords, passes, lines in the failure, results' looked/notes)
    "a yarn banner before the JSON": (
        _report_step((REPORTS / "merged-by-yarn.json").read_bytes(), "FAILED"),
        {},
        False,
        [
            "*2 of 5 tests failed, 1 hook failed*",
            "*results from cypress/report/mochawesome.json in the test artifacts zip*",
        ],
        [
            "cypress/report/mochawesome.json: 2 lines before the JSON skipped",
            "cypress/report/mochawesome.json: text after the JSON skipped",
        ],
    ),
    "a report over the size cap": (
        cypress_test_step(),
        {"max_report_bytes": 4096},
        False,
        [
            "*results from the TEST log",
            "*cypress/report/mochawesome.json: it is 1*bytes, larger than the 4,096 bytes a report may be",
        ],
        ["larger than the 4,096 bytes a report may be"],
    ),
    "a report over the size cap, through ListArtifacts": (
        cypress_test_step(zip_url=False),
        {"max_report_bytes": 4096},
        False,
        [
            "*results from the TEST log",
            "*ListArtifacts: cypress/report/mochawesome.json: *is larger than the 4,096 bytes allowed*",
        ],
        ["is larger than the 4,096 bytes allowed"],
    ),
    "base64 screenshots in context": (
        cypress_test_step(),
        {},
        False,
        [
            "*note: cypress/report/mochawesome.json: 1 image embedded in the report's context (base64), not shown"
        ],
        ["1 image embedded in the report's context (base64), not shown"],
    ),
    "a TEST step that ran 0 tests": (
        _report_step((REPORTS / "no-tests.json").read_bytes(), "SUCCEED"),
        {},
        False,
        ["*: the TEST step (SUCCEED) ran no end-to-end test"],
        [],
    ),
    "an older report shape": (
        _report_step((REPORTS / "mochawesome3.json").read_bytes(), "SUCCEED"),
        {},
        False,
        [
            "*: the TEST step (SUCCEED) ran no end-to-end test",
            "*cypress/report/mochawesome.json: unsupported report: mochawesome 3 or older (top-level 'suites', no 'results'); mochawesome 4 and later write 'results'",
            "*the TEST log: no Cypress run in it*",
        ],
        ["unsupported report: mochawesome 3 or older"],
    ),
    "a passing report while the step FAILED": (
        _report_step((RUNS / "passing" / "report" / "mochawesome.json").read_bytes(), "FAILED"),
        {},
        False,
        [
            "*the TEST step (FAILED) FAILED, though its results show no failure: 0 of 3 tests failed (3 passed)",
            "*note: the TEST step FAILED, but the test artifacts zip (testArtifactsUrl) shows no failed test or hook",
        ],
        [
            "the TEST step FAILED, but the test artifacts zip (testArtifactsUrl) shows no failed test or hook"
        ],
    ),
    "a failing report while the step SUCCEEDed": (
        _report_step((FAILING / "report" / "mochawesome.json").read_bytes(), "SUCCEED"),
        {},
        False,
        [
            "*2 of 5 tests failed*",
            "*note: the TEST step SUCCEEDed, but the test artifacts zip (testArtifactsUrl) shows 3 failed tests or hooks",
        ],
        [
            "the TEST step SUCCEEDed, but the test artifacts zip (testArtifactsUrl) shows 3 failed tests or hooks"
        ],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input(e2e_job: JobFactory, case: str) -> None:
    step, keywords, passes, lines, recorded = CASES[case]
    job = e2e_job(step, step.status)
    results = read_e2e_results(job, fetcher=quick_fetcher(), **keywords)  # type: ignore[arg-type]
    assert results.passed is passes
    kept = "\n".join((*results.looked, *results.notes))
    for part in recorded:
        assert part in kept
    with pytest.raises(AmplifyAssertionError) as raised:
        assert_e2e_passed(job, fetcher=quick_fetcher(), **keywords)  # type: ignore[arg-type]
    message = str(raised.value)
    pytest.LineMatcher(message.splitlines()).fnmatch_lines(lines, consecutive=False)
    # Outside text never brings its own lines, images or banners into the message.
    assert "base64," not in message and "iVBORw0KGgo" not in message
    assert "yarn run v" not in message and "Done in" not in message
    assert "base64," not in json.dumps(results.to_dict())


def test_outside_text_is_redacted_and_kept_on_its_line(e2e_job: JobFactory) -> None:
    signed = (
        "https://b.s3.amazonaws.com/x.png?X-Amz-Signature=0123abcd&X-Amz-Credential=AKIAEXAMPLE"
    )
    report = (
        (FAILING / "report" / "mochawesome.json")
        .read_text()
        .replace("applies a coupon", "applies a coupon\\n::error::injected")
        .replace("http://127.0.0.1:3000/api/sso/config", signed)
        .replace(
            "CypressError: `cy.request()` failed on:\\n\\n",
            "CypressError: `cy.request()` failed on: ",
        )
    )
    job = e2e_job(_report_step(report.encode(), "FAILED"))
    with pytest.raises(AmplifyAssertionError) as raised:
        assert_e2e_passed(job, fetcher=quick_fetcher())
    message = str(raised.value)
    assert "0123abcd" not in message and "AKIAEXAMPLE" not in message
    assert "X-Amz-Signature=REDACTED" in message
    assert not any(line.startswith("::error::") for line in message.splitlines())
    assert "applies a coupon ::error::injected" in message


def test_results_are_plain_data() -> None:
    parsed = parse_report((FAILING / "report" / "mochawesome.json").read_bytes())
    results = E2eResults("TEST", "FAILED", "a report", parsed.tests, MERGED, ("looked",), ("note",))
    assert E2eResults.from_dict(json.loads(json.dumps(results.to_dict()))) == results


def test_the_e2e_report_setting_is_read_and_named(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_job(
        "d1",
        "main",
        status="FAILED",
        steps=[typical_step("BUILD"), cypress_test_step(merged=False)],
    )
    pytester.makeini("[pytest]\namplify_e2e_report = cypress/report/none-*.json\n")
    pytester.makepyfile(
        """
        import pytest
        from pytest_amplify import read_e2e_results

        def test_configured(amplify_job):
            results = read_e2e_results(amplify_job)
            print("REPORT", results.report)
            print("LOOKED", *results.looked)

        @pytest.mark.amplify(e2e_report="cypress/report/mochawesome-report/mochawesome_001.json")
        def test_marked(amplify_job):
            print("REPORT", read_e2e_results(amplify_job).report)
        """
    )
    result = pytester.runpytest("-s", *fake_args(fake), *RUN_ARGS)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            # Not found: each spec's report instead, saying so.
            "*REPORT cypress/report/mochawesome-report/mochawesome.json, cypress/report/mochawesome-report/mochawesome_001.json",
            "LOOKED testArtifactsUrl (*): none of its files matches cypress/report/none-*.json "
            "(amplify_e2e_report, from amplify_e2e_report in tox.ini); each spec's report (**/mochawesome*.json) read instead",
            "*REPORT cypress/report/mochawesome-report/mochawesome_001.json",
        ]
    )
    bad = pytester.runpytest(*fake_args(fake), *RUN_ARGS, "--amplify-e2e-report=/abs/report.json")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    assert re.search(
        r"amplify_e2e_report = '/abs/report.json' \(from --amplify-e2e-report\): it is a path, not a glob",
        bad.stderr.str(),
    )


# -- Cypress's log, in the shapes of its own system tests ----------------------------

CYPRESS_LOGS = REPO / "tests" / "data" / "e2e" / "cypress-logs"


def test_a_retried_test_counts_its_attempts_under_amplifys_prefixes() -> None:
    tests, notes = parse_log((CYPRESS_LOGS / "retries.txt").read_text().splitlines())
    ((test),) = tests
    assert (test.spec, test.suites, test.title, test.state, test.attempts) == (
        "checkout.cy.js",
        ("Checkout",),
        "pays by card",
        "passed",
        3,
    )
    assert notes == []


def test_failed_hooks_in_nested_suites_and_the_tests_they_blocked() -> None:
    tests, notes = parse_log((CYPRESS_LOGS / "hooks.txt").read_text().splitlines())
    spec = "account_settings_and_preferences_page.cy.js"
    assert [(t.kind, t.suites, t.title, t.state, t.error_line) for t in tests if t.failed] == [
        (
            "hook",
            ("Account", "profile"),
            '"before each" hook for "changes the avatar"',
            "failed",
            "ReferenceError: The following error originated from your application code, not from Cypress.",
        ),
        (
            "hook",
            ("Account", "preferences"),
            '"before all" hook for "saves the language"',
            "failed",
            "Error: seeding the preferences failed",
        ),
    ]
    hook = next(t for t in tests if t.failed)
    assert "> session is not defined" in hook.error
    assert "skipping the remaining tests in the current suite: `profile`" in hook.error
    # Cypress's box: 6 tests, 1 passing, 2 failing (the hooks' tests), 3 skipped.
    assert [t.title for t in tests if t.state == "not_run"] == [
        "changes the avatar",
        "saves the language",
    ]
    assert [t.state for t in tests if t.title == "(a test the log does not name)"] == [
        "skipped"
    ] * 3
    assert notes == [
        f"{spec}: the log does not name 3 tests that did not run (Cypress counts them as skipped)"
    ]


def test_a_root_hook_failure_has_its_title_on_the_numbered_line() -> None:
    log = [
        "  Running:  t.cy.js                                                                       (1 of 1)",
        "",
        '  1) "before each" hook for "t1c"',
        "",
        "  0 passing",
        "  1 failing",
        "",
        '  1) "before each" hook for "t1c":',
        "     ReferenceError: foo is not defined:",
        "      [stack trace lines]",
    ]
    ((hook, blocked), notes) = parse_log(log)
    assert notes == []
    assert (hook.kind, hook.suites, hook.error_line) == (
        "hook",
        (),
        "ReferenceError: foo is not defined:",
    )
    assert (blocked.title, blocked.blocked_by) == ("t1c", hook.name)


@given(st.lists(st.text(max_size=80), max_size=40))
def test_any_log_reads_without_error(lines: list[str]) -> None:
    tests, notes = parse_log(["  Running:  a.cy.js  (1 of 1)", *lines])
    assert all(t.spec == "a.cy.js" for t in tests)
    assert all(isinstance(note, str) for note in notes)


@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_are_a_report_or_a_one_line_problem(data: bytes) -> None:
    problem: ReportProblem | None = None
    try:
        parse_report(data)
    except ReportProblem as raised:
        problem = raised
    assert problem is None or len(str(problem).splitlines()) == 1


def test_the_screenshots_cypress_would_take_are_each_found_for_their_test(
    e2e_job: JobFactory,
) -> None:
    # run.json's names come from the generator's own rule (in JavaScript, from
    # Cypress's snapshots); the plugin's rule must find every one.
    made = _load(FAILING / "run.json")
    expected = {shot for spec in made["specs"] for shot in spec["screenshots"]}  # type: ignore[attr-defined]
    results = read_e2e_results(e2e_job(cypress_test_step()), fetcher=quick_fetcher())
    assert {t.screenshot for t in results.tests if t.screenshot} == expected
    assert screenshot_stem(results.failures[0]) == (
        "Login -- with SSO -- redirects to the provider -- before all hook"
    )


# -- the docs page's samples -----------------------------------------------------------

E2E_SAMPLE = doc_block("docs/e2e-results.md", "# test_e2e.py")


@pytest.mark.parametrize("run", ["passing", "failing"])
def test_the_docs_sample_passes_a_passing_run_and_explains_a_failing_one(
    pytester: pytest.Pytester, fake: FakeAmplify, run: str
) -> None:
    step = cypress_test_step(run)
    fake.add_job("d1", "main", status=step.status, steps=[typical_step("BUILD"), step])
    pytester.makepyfile(test_e2e=E2E_SAMPLE)
    result = pytester.runpytest(*fake_args(fake), "--amplify-app-id=d1", "--amplify-branch=main")
    if run == "passing":
        result.assert_outcomes(passed=1)
        return
    result.assert_outcomes(failed=1)
    page = (REPO / "docs" / "e2e-results.md").read_text()
    shown = page.split("A failure reads", 1)[1].split("```\n", 2)[1].splitlines()
    # The page shows the message as it is, line for line.
    literal = [line.strip().replace("[", "[[]") for line in shown if "console:" not in line]
    result.stdout.fnmatch_lines([f"E  *{line}" for line in literal])


def test_the_docs_test_phase_is_the_one_the_local_service_serves(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    page = (REPO / "docs" / "e2e-results.md").read_text()
    (documented,) = re.findall(r"```yaml\n(.*?)```", page, flags=re.DOTALL)
    fake.add_job("d1", "main", job_id="1")
    job = handed_out_job(fake, clock, "1")
    url = job.step("TEST").test_config_url
    assert url is not None
    assert quick_fetcher().read_bytes(url, "the test configuration").decode() == documented
