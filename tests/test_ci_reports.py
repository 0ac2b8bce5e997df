"""CI-native reports, read as CI reads them: the GitHub Actions job summary and
annotations, JUnit XML that validates (xunit2 against ``junit-10.xsd``), and the
JSON report against the schema the package ships; with and without pytest-xdist.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from pytest_amplify import AmplifyJob, AmplifyTimeoutError, JobStep
from pytest_amplify.testing import FakeAmplify

from .conftest import fake_args
from .seam import (
    GITHUB_LIMIT,
    MAX_ANNOTATIONS,
    OUTCOMES,
    TEST_OUTCOMES,
    LogTail,
    ReportedWait,
    Target,
    UsingTest,
    WaitRecord,
    error_annotations,
    escape_data,
    escape_property,
    fenced,
    render,
)

JUNIT_XSD = Path(__file__).parent / "schemas" / "junit-10.xsd"
TITLE = "## Amplify deployments"
TARGET = ["--amplify-app-id=d1", "--amplify-branch=main"]
FAST = ["--amplify-poll-interval=0.05s", "--amplify-max-poll-interval=0.1s"]


def junit_schema() -> Any:
    xmlschema = pytest.importorskip(
        "xmlschema", reason="validates JUnit XML; in the dev extras: pip install -e '.[dev]'"
    )
    return xmlschema.XMLSchema(str(JUNIT_XSD))


def report_validator() -> Any:
    jsonschema = pytest.importorskip(
        "jsonschema", reason="validates the JSON report; in the dev extras: pip install -e '.[dev]'"
    )
    schema = json.loads(files("pytest_amplify").joinpath("amplify-report.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def unescape(text: str) -> str:
    """What the runner reads from an escaped workflow command value."""
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, plain)
    return text


def workflow_commands(lines: list[str]) -> list[str]:
    """Lines the runner would take for commands: it trims leading whitespace."""
    return [line for line in lines if line.lstrip().startswith("::")]


def errors_by_title(lines: list[str]) -> dict[str, str]:
    found = {}
    for line in workflow_commands(lines):
        match = re.fullmatch(r"::error title=([^:]*)::(.*)", line)
        assert match, f"not an ::error command with a title: {line!r}"
        found[unescape(match.group(1))] = unescape(match.group(2))
    return found


def table(markdown: str, header_start: str) -> list[list[str]]:
    """The rows of the Markdown table whose header starts with ``header_start``."""
    lines = markdown.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


# -- a run with one wait of each kind, in GitHub Actions ---------------------------

LOG = (
    "".join(f"[INFO]: step {n}\n" for n in range(1, 41))
    + "[INFO]: ``` a fence in the log, and ```` a longer one\n"
    + "::error::a workflow command the build wrote\n"
    + "[ERROR]: !!! Build failed: npm ERR! missing script: build\n"
)
REASON = "Build failed: npm ERR! missing script: build\n::warning::a second line in the reason"

INNER = """
import socket

import pytest

from pytest_amplify import override_settings


@pytest.mark.amplify(branch="main")
def test_deployed(amplify_job):
    assert amplify_job.succeeded


@pytest.mark.amplify(branch="broken")
def test_on_the_broken_build(amplify_job):
    pass


@pytest.mark.amplify(branch="dev", require_success=False)
def test_a_failed_dev_build_is_reported(amplify_job):
    assert amplify_job.status == "FAILED"


@pytest.mark.amplify(branch="slow", timeout="0.5s")
def test_on_a_build_that_never_ends(amplify_job):
    pass


@pytest.mark.amplify(branch="gone")
def test_on_an_endpoint_that_is_gone(request):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gone = f"http://127.0.0.1:{port}"
    with override_settings(request.config, endpoint_url=gone, source="the test"):
        request.getfixturevalue("amplify_job")
"""
EXPECTED_OUTCOMES = {
    "main": "succeeded",
    "broken": "failed",
    "dev": "failed",
    "slow": "timed_out",
    "gone": "unreachable",
}


@dataclasses.dataclass
class CiRun:
    fake: FakeAmplify
    lines: list[str]
    summary: str
    junit: Path
    report: dict[str, Any]


def run_in_github_actions(
    pytester: pytest.Pytester, fake: FakeAmplify, monkeypatch: pytest.MonkeyPatch, workers: int
) -> CiRun:
    fake.add_job(app_id="d1", branch="main", commit_id="0123456789abcdef")
    fake.add_failed_job("d1", "broken", reason=REASON, log=LOG)
    fake.add_failed_job("d1", "dev")
    fake.add_job(app_id="d1", branch="slow", status="RUNNING")
    pytester.makepyfile(test_ci=INNER)
    summary = pytester.path / "step-summary.md"
    summary.write_text("Output of an earlier command in the step\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    args = [
        *fake_args(fake),
        *TARGET,
        *FAST,
        "--junitxml=junit.xml",
        "--amplify-report=reports/amplify.json",
        "-p",
        "no:cacheprovider",
    ]
    if workers:
        result = pytester.runpytest_subprocess(*args, "-n", str(workers), timeout=120)
    else:
        result = pytester.runpytest(*args)
    result.assert_outcomes(passed=2, errors=2, failed=1)
    return CiRun(
        fake,
        result.stdout.lines,
        summary.read_text(encoding="utf-8"),
        pytester.path / "junit.xml",
        json.loads((pytester.path / "reports" / "amplify.json").read_text()),
    )


def check_annotations(run: CiRun) -> None:
    errors = errors_by_title(run.lines)
    assert set(errors) == {
        "Amplify: app d1, branch broken, job 1: FAILED",
        "Amplify: app d1, branch slow, latest job: timed out",
        "Amplify: app d1, branch gone, latest job: endpoint unreachable",
    }, "one ::error per failed wait; none for the job handed over with require_success=False"
    broken = errors["Amplify: app d1, branch broken, job 1: FAILED"]
    assert broken.startswith(f"step BUILD FAILED: {REASON}. Console: https://")
    assert broken.endswith("/apps/d1/branches/broken/deployments/1 (1 test: 1 error)")
    slow = errors["Amplify: app d1, branch slow, latest job: timed out"]
    assert slow.startswith("Timed out after ")
    assert "amplify_timeout = 0.5s" in slow
    assert (
        "Could not reach the Amplify endpoint http://127.0.0.1:"
        in errors["Amplify: app d1, branch gone, latest job: endpoint unreachable"]
    )


def check_summary(run: CiRun) -> None:
    assert run.summary.startswith("Output of an earlier command in the step\n\n" + TITLE)
    assert run.summary.count(TITLE) == 1, "one section per run, written once"
    rows = {row[2]: row for row in table(run.summary, "|  | app | branch |")}
    assert {branch: row[0] for branch, row in rows.items()} == {
        "main": "✅",
        "broken": "❌",
        "dev": "❌",
        "slow": "⏱️",
        "gone": "🔌",
    }
    _, app, _, job, commit, status, duration, waited, tests, links = rows["main"]
    assert (app, job, commit, status, duration) == (
        "d1",
        "1",
        "`0123456789ab`",
        "SUCCEED",
        "2m 00s",
    )
    polls = next(w["polls"] for w in run.report["waits"] if w["target"]["branch"] == "main")
    assert re.fullmatch(rf"[\d.]+s, {polls} polls?", waited), waited
    assert tests == "1 test: 1 passed"
    console = "https://us-east-1.console.aws.amazon.com/amplify/apps/d1/branches/main/deployments/1"
    site = f"{run.fake.endpoint_url}/_sites/d1/main"
    assert links == f"[console](<{console}>) · [site](<{site}>)"
    assert rows["slow"][3:6] == ["latest job", "", "timed out"]
    assert rows["dev"][8] == "1 test: 1 passed"
    # Each wait's section, the problems first.
    headings = re.findall(r"^### (.*)$", run.summary, flags=re.MULTILINE)
    assert set(headings[:3]) == {
        "❌ app d1, branch broken, job 1: FAILED",
        "⏱️ app d1, branch slow, latest job: timed out",
        "🔌 app d1, branch gone, latest job: endpoint unreachable",
    }
    assert set(headings[3:]) == {
        "✅ app d1, branch main, job 1: SUCCEED",
        "❌ app d1, branch dev, job 1: FAILED",
    }, "a failed job handed over with require_success=False is not one of the problems"
    assert "| BUILD | SUCCEED | 30s |  |" in run.summary
    # The failed step: reason on one line, log tail fenced longer than its backticks.
    assert (
        "<details><summary>BUILD FAILED: Build failed: npm ERR! missing script: build "
        "::warning::a second line in the reason (last 30 lines of its log)</summary>"
    ) in run.summary
    tail = re.search(r"^`````text\n(.*?)\n`````$", run.summary, flags=re.MULTILINE | re.DOTALL)
    assert tail, "the log tail in a fence of five backticks (the log holds four)"
    assert tail.group(1).splitlines() == LOG.splitlines()[-30:]
    assert "<details><summary>AmplifyTimeoutError: Timed out after " in run.summary
    assert "<details><summary>AmplifyUnreachableError: Could not reach the" in run.summary
    assert "\nCould not reach the Amplify endpoint http://127.0.0.1:" in run.summary


def check_junit(run: CiRun) -> None:
    junit_schema().validate(str(run.junit))
    tree = ET.parse(run.junit)
    assert not [p for case in tree.iter("testcase") for p in case.iter("property")]
    suite = next(tree.iter("testsuite"))
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["amplify_waits"] == "5"
    by_branch = {properties[f"amplify_{n}_branch"]: n for n in range(1, 6)}
    broken = by_branch["broken"]
    assert properties[f"amplify_{broken}_job_status"] == "FAILED"
    assert properties[f"amplify_{broken}_outcome"] == "failed"
    assert properties[f"amplify_{broken}_tests"] == "1"
    slow = by_branch["slow"]
    assert properties[f"amplify_{slow}_job_status"] == "WAIT_FAILED"
    assert properties[f"amplify_{slow}_error"].startswith("Timed out after")


def check_json_report(run: CiRun) -> None:
    report_validator().validate(run.report)
    waits = {wait["target"]["branch"]: wait for wait in run.report["waits"]}
    assert {branch: wait["outcome"] for branch, wait in waits.items()} == EXPECTED_OUTCOMES
    assert waits["dev"]["tests"] == [
        {
            "nodeid": "test_ci.py::test_a_failed_dev_build_is_reported",
            "outcome": "passed",
            "require_success": False,
        }
    ]
    assert [test["outcome"] for test in waits["broken"]["tests"]] == ["error"]
    build = waits["broken"]["job"]["steps"][0]
    # A one-line field: the reason's line break is a space (docs/ci-reports.md).
    assert build["status_reason"] == REASON.replace("\n", " ")
    assert "X-Amz-Signature=REDACTED" in build["log_url"]
    assert waits["slow"]["error"]["type"] == AmplifyTimeoutError.__name__
    served = sum(
        wait["calls"]
        for wait in waits.values()
        if wait["target"]["endpoint_url"] == run.fake.endpoint_url
    )
    assert served == run.fake.calls("GetJob") + run.fake.calls("ListJobs")


def test_in_github_actions_without_xdist(
    pytester: pytest.Pytester, real_time_fake: FakeAmplify, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = run_in_github_actions(pytester, real_time_fake, monkeypatch, workers=0)
    check_annotations(run)
    check_summary(run)
    check_junit(run)
    check_json_report(run)


@pytest.mark.slow
def test_in_github_actions_under_xdist(
    pytester: pytest.Pytester, real_time_fake: FakeAmplify, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = run_in_github_actions(pytester, real_time_fake, monkeypatch, workers=2)
    check_annotations(run)
    check_summary(run)
    check_junit(run)
    check_json_report(run)
    assert not list(run.junit.parent.rglob("pytest-amplify-*")), "no shared folder left"


# -- JUnit families ----------------------------------------------------------------

ONE_JOB = """
def test_job(amplify_job):
    pass

def test_plain():
    pass
"""


def run_junit(pytester: pytest.Pytester, fake: FakeAmplify, *args: str) -> ET.ElementTree:
    fake.add_job(app_id="d1", branch="main", job_id="3", commit_id="abc123")
    pytester.makepyfile(ONE_JOB)
    result = pytester.runpytest(*fake_args(fake), *TARGET, "--junitxml=junit.xml", *args)
    result.assert_outcomes(passed=2)
    return ET.parse(pytester.path / "junit.xml")


def case_properties(tree: ET.ElementTree) -> dict[str, dict[str, str | None]]:
    return {
        str(case.get("name")): {p.get("name") or "": p.get("value") for p in case.iter("property")}
        for case in tree.iter("testcase")
    }


def properties_of_suite(tree: ET.ElementTree) -> dict[str, str | None]:
    properties = next(tree.iter("testsuite")).find("properties")
    assert properties is not None, "no testsuite properties"
    return {p.get("name") or "": p.get("value") for p in properties.iter("property")}


JOB_PROPERTIES = {
    "amplify_app_id": "d1",
    "amplify_branch": "main",
    "amplify_job_id": "3",
    "amplify_job_status": "SUCCEED",
}


@pytest.mark.parametrize("family", ["xunit1", "legacy"])
def test_xunit1_and_legacy_keep_case_properties(
    pytester: pytest.Pytester, fake: FakeAmplify, family: str
) -> None:
    tree = run_junit(pytester, fake, "-o", f"junit_family={family}", "-W", "error")
    assert case_properties(tree) == {"test_job": JOB_PROPERTIES, "test_plain": {}}
    assert properties_of_suite(tree)["amplify_1_job_status"] == "SUCCEED"


def test_xunit2_has_suite_properties_only_and_validates(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    tree = run_junit(pytester, fake, "-W", "error")
    junit_schema().validate(str(pytester.path / "junit.xml"))
    assert case_properties(tree) == {"test_job": {}, "test_plain": {}}
    assert properties_of_suite(tree) == {
        "amplify_waits": "1",
        "amplify_1_app_id": "d1",
        "amplify_1_branch": "main",
        "amplify_1_target": "latest job",
        "amplify_1_job_id": "3",
        "amplify_1_job_status": "SUCCEED",
        "amplify_1_outcome": "succeeded",
        "amplify_1_commit_id": "abc123",
        "amplify_1_console_url": "https://us-east-1.console.aws.amazon.com/amplify/apps/d1/branches/main/deployments/3",
        "amplify_1_tests": "1",
    }


def test_xunit2_keeps_testcase_properties_when_asked(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    tree = run_junit(pytester, fake, "--amplify-junit-testcase-properties")
    assert case_properties(tree)["test_job"] == JOB_PROPERTIES
    # What the setting's help says: the file is no longer valid xunit2.
    assert not junit_schema().is_valid(str(pytester.path / "junit.xml"))


# -- when the GitHub outputs are written -------------------------------------------

FAILING = """
import pytest

@pytest.mark.amplify(branch="broken")
def test_on_the_broken_build(amplify_job):
    pass
"""


def test_outside_github_actions_no_annotation_and_the_summary_only_when_asked(
    pytester: pytest.Pytester, fake: FakeAmplify, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.add_failed_job("d1", "broken")
    pytester.makepyfile(FAILING)
    result = pytester.runpytest(*fake_args(fake), *TARGET)
    result.assert_outcomes(errors=1)
    assert not workflow_commands(result.stdout.lines)
    # GITHUB_STEP_SUMMARY alone (another CI that reads it): the summary, no annotation.
    summary = pytester.path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = pytester.runpytest(*fake_args(fake), *TARGET)
    result.assert_outcomes(errors=1)
    assert not workflow_commands(result.stdout.lines)
    assert summary.read_text(encoding="utf-8").startswith(TITLE)
    result.stdout.fnmatch_lines(["*amplify: GitHub job summary: 1 wait appended to *summary.md*"])


def test_the_settings_turn_summary_and_annotations_off(
    pytester: pytest.Pytester, fake: FakeAmplify, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.add_failed_job("d1", "broken")
    pytester.makepyfile(FAILING)
    summary = pytester.path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = pytester.runpytest(*fake_args(fake), *TARGET, "--amplify-no-github-annotations")
    result.assert_outcomes(errors=1)
    assert not workflow_commands(result.stdout.lines)
    assert summary.exists()
    summary.unlink()
    pytester.makeini("[pytest]\namplify_github_summary = false\n")
    result = pytester.runpytest(*fake_args(fake), *TARGET)
    result.assert_outcomes(errors=1)
    assert len(errors_by_title(result.stdout.lines)) == 1
    assert not summary.exists()


def test_the_summary_fits_in_what_github_still_shows(
    pytester: pytest.Pytester, fake: FakeAmplify, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitHub drops a step summary over 1 MiB whole: the section takes what is left."""
    long_lines = "".join(f"{n:04d} " + "x" * 990 + "\n" for n in range(200))
    fake.add_failed_job("d1", "broken", log=long_lines)
    pytester.makepyfile(FAILING)
    summary = pytester.path / "summary.md"
    room = 8 * 1024
    summary.write_bytes(b"." * (GITHUB_LIMIT - room))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    pytester.runpytest(*fake_args(fake), *TARGET).assert_outcomes(errors=1)
    added = summary.read_bytes()[GITHUB_LIMIT - room :].decode("utf-8")
    assert len(added.encode("utf-8")) < room
    assert TITLE in added and "| ❌ | d1 | broken | 1 |" in added
    assert "log tail left out (size cap)" in added, "the 30 KB tail did not fit"
    # Too near the limit for a useful section: nothing is written rather than a
    # summary GitHub would drop whole.
    summary.write_bytes(b"." * (GITHUB_LIMIT - 2048))
    result = pytester.runpytest(*fake_args(fake), *TARGET)
    assert summary.stat().st_size == GITHUB_LIMIT - 2048
    result.stdout.fnmatch_lines(["*GitHub job summary not written: * near GitHub's 1 MiB limit*"])


# -- the JSON report on its own ----------------------------------------------------


def test_a_run_without_waits_still_writes_its_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    pass\n")
    pytester.runpytest("--amplify-report=out/report.json").assert_outcomes(passed=1)
    report = json.loads((pytester.path / "out" / "report.json").read_text())
    report_validator().validate(report)
    assert (report["schema_version"], report["waits"]) == (2, [])


def test_the_schema_names_every_outcome_the_plugin_writes() -> None:
    schema = report_validator().schema
    wait_outcomes = schema["$defs"]["wait"]["properties"]["outcome"]["enum"]
    assert wait_outcomes == list(OUTCOMES)
    assert schema["$defs"]["test"]["properties"]["outcome"]["enum"] == list(TEST_OUTCOMES)


def test_a_report_path_that_is_a_folder_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.mkdir("reports")
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest("--amplify-report=reports")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*amplify_report = 'reports' (from --amplify-report): it is a directory; name a file*"]
    )


@pytest.mark.parametrize("report", ["notes.txt/amplify-report.json", "notes.txt/deeper/r.json"])
def test_a_report_path_under_a_file_is_a_usage_error_at_start_up(
    pytester: pytest.Pytester, report: str
) -> None:
    pytester.makefile(".txt", notes="not a folder")
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest(f"--amplify-report={report}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            f"*amplify_report = '{report}' (from --amplify-report): 'notes.txt' is a file, so no "
            "report can be written under it; name a file in a folder*"
        ]
    )
    assert "test_plain" not in result.stdout.str(), "nothing ran"


# -- the pieces --------------------------------------------------------------------


def test_workflow_commands_escape_as_actions_toolkit_does() -> None:
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext%3A a%2C b"
    assert unescape(escape_property("%0A stays %0A")) == "%0A stays %0A"


@pytest.mark.parametrize(
    ("body", "fence"),
    [("plain", "```"), ("a ``` b", "````"), ("`````` six", "```````")],
    ids=["none", "three", "six"],
)
def test_a_fence_is_longer_than_any_run_of_backticks(body: str, fence: str) -> None:
    assert fenced(body) == f"{fence}text\n{body}\n{fence}\n"


NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def failed_wait(number: int, required: bool = True) -> ReportedWait:
    step = JobStep("BUILD", "FAILED", NOW, NOW, log_url="https://logs/x", status_reason="boom")
    job = AmplifyJob("d1", f"b{number}", "1", "FAILED", start_time=NOW, end_time=NOW, steps=(step,))
    record = WaitRecord(Target("d1", f"b{number}"), job=job, polls=1)
    return ReportedWait(record, (UsingTest(f"test_{number}", "error", required),))


def test_annotations_are_one_per_failed_wait_then_one_sum() -> None:
    waits = [failed_wait(n) for n in range(12)]
    assert len(error_annotations(waits[:MAX_ANNOTATIONS])) == MAX_ANNOTATIONS
    commands = error_annotations(waits)
    assert len(commands) == MAX_ANNOTATIONS
    last = errors_by_title(commands[-1:])
    assert list(last) == [f"Amplify: {12 - MAX_ANNOTATIONS + 1} more waits failed"]
    assert error_annotations([failed_wait(1, required=False)]) == []


def test_the_section_stays_within_its_budget_however_many_waits() -> None:
    waits = [failed_wait(n) for n in range(300)]
    tail = LogTail(tuple("y" * 2000 for _ in range(30)))
    tails = {(wait.record.target, "BUILD"): tail for wait in waits}
    budget = 64 * 1024
    section = render(waits, tails, budget)
    assert len(section.encode("utf-8")) <= budget
    assert section.startswith(TITLE)
    assert "more waits left out (size cap)" in section
    assert "_Some waits left out: the section is capped at 64 KiB._" in section


def test_log_tails_go_before_whole_waits() -> None:
    """13 failed waits, each with a dozen steps and a 30-line tail: all 13 fit without
    their tails, not with them. Every wait stays; tails are dropped, the later
    waits' first (filling the budget with whole waits first left 4 of them out)."""
    steps = tuple(
        JobStep(f"STEP{n}", "SUCCEED", NOW, NOW, status_reason="r" * 120) for n in range(12)
    )
    waits = []
    for number in range(13):
        wait = failed_wait(number)
        job = dataclasses.replace(wait.record.job, steps=(*steps, *wait.record.job.steps))
        waits.append(dataclasses.replace(wait, record=dataclasses.replace(wait.record, job=job)))
    tail = LogTail(tuple(f"{line:02d} " + "y" * 100 for line in range(30)))
    tails = {(wait.record.target, "BUILD"): tail for wait in waits}
    budget = 40 * 1024
    section = render(waits, tails, budget)
    assert len(section.encode("utf-8")) <= budget
    headings = [line for line in section.splitlines() if line.startswith("### ")]
    assert headings == [f"### ❌ app d1, branch b{n}, job 1: FAILED" for n in range(13)]
    assert "Some waits left out" not in section
    with_tail = section.count("last 30 lines of its log")
    without = section.count("log tail left out (size cap)")
    assert (with_tail + without, without > 0, with_tail > 0) == (13, True, True)
    # The first waits keep theirs.
    blocks = section.split("### ")[1:]
    assert all("last 30 lines of its log" in block for block in blocks[:with_tail])


def test_a_link_holding_a_pipe_keeps_its_row() -> None:
    """A `|` ends a Markdown table cell, inside a link too: a branch named `fix|pipe`
    (git allows it) puts one in the site's URL."""
    job = AmplifyJob("d1", "fix|pipe", "1", "SUCCEED")
    wait = ReportedWait(WaitRecord(Target("d1", "fix|pipe"), job=job, polls=1))
    section = render([wait], {}, 64 * 1024)
    header, _, row = [line for line in section.splitlines() if line.startswith("| ")][:3]
    cells = re.split(r"(?<!\\)\|", row)[1:-1]
    assert len(cells) == len(re.split(r"(?<!\\)\|", header)[1:-1]) == 10
    assert cells[2].strip() == "fix\\|pipe"
    assert "https://fix%7Cpipe.d1.amplifyapp.com" in cells[9]
