"""docs/ci-recipes.md: every recipe is YAML that parses, names only settings that
exist, pins actions that run on Node 24, keeps its reports, installs pytest-amplify
as it ships, and its pytest command runs as written against the local service."""

from __future__ import annotations

import json
import re
import shlex
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import yaml

from .conftest import REPO
from .install_commands import WHEEL, install_commands
from .seam import OPTIONS
from .test_ci_reports import junit_schema

RECIPES_PATH = REPO / "docs" / "ci-recipes.md"
RECIPES = RECIPES_PATH.read_text()
BLOCKS = re.findall(r"```yaml\n(.*?)```", RECIPES, flags=re.DOTALL)
FIXTURES = {"amplify_job", "amplify_jobs", "amplify_client", "amplify_fake", "amplify_fake_session"}

APP_ID = "d1abc2def3"
PUSHED = "4a6c8e0f2b4d6f8a0c2e4a6c8e0f2b4d6f8a0c2e"
HEAD = "1f3e5d7c9b2a4f6e8d0c1b3a5f7e9d2c4b6a8f0e"
MERGE = "9999999999999999999999999999999999999999"


def recipe(first_line: str) -> tuple[str, Any]:
    """The YAML block that starts with ``first_line``, as text and parsed."""
    for block in BLOCKS:
        if block.startswith(first_line):
            return block, yaml.safe_load(block)
    raise AssertionError(f"docs/ci-recipes.md has no YAML block starting {first_line!r}")


GITHUB_WORKFLOWS = [
    "# .github/workflows/smoke.yml",
    "# .github/workflows/deploy.yml",
]
# The first major of each action whose action.yml says `runs: using: node24`, as each
# tag's action.yml reads (the majors before them say node20; upload-artifact's v5 too,
# though its release notes mention Node 24). A new action goes here once checked.
NODE24_MAJORS = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/setup-node": 5,
    "aws-actions/configure-aws-credentials": 6,
    "actions/upload-artifact": 6,
}


def test_the_readme_links_the_recipes() -> None:
    assert "(docs/ci-recipes.md)" in (REPO / "README.md").read_text()


def test_every_block_parses_and_there_is_one_per_recipe() -> None:
    assert len(BLOCKS) == 3
    for block in BLOCKS:
        assert isinstance(yaml.safe_load(block), dict)
    recipe("# .gitlab-ci.yml")


def steps_of(workflow: Any) -> list[dict[str, Any]]:
    (job,) = workflow["jobs"].values()
    steps: list[dict[str, Any]] = job["steps"]
    return steps


@pytest.mark.parametrize("first_line", GITHUB_WORKFLOWS)
def test_every_action_is_pinned_to_a_major_that_runs_on_node24(first_line: str) -> None:
    _, workflow = recipe(first_line)
    uses = [step["uses"] for step in steps_of(workflow) if "uses" in step]
    assert uses
    for use in uses:
        action, _, version = use.partition("@")
        assert action in NODE24_MAJORS, f"{use}: check its action.yml, then add it here"
        assert re.fullmatch(r"v\d+", version), f"{use}: pin a major, as v6"
        assert int(version[1:]) >= NODE24_MAJORS[action], (
            f"{use} runs on Node 20: use {action}@v{NODE24_MAJORS[action]} or later"
        )


def report_paths(command: str) -> set[str]:
    """The JUnit files and the JSON report a pytest command writes."""
    return set(re.findall(r"--(?:junitxml|amplify-report|amplify-e2e-junit)[= ](\S+)", command))


# What each recipe writes: a manual deployment has no TEST step, so no end-to-end tests.
REPORTS = {
    "# .github/workflows/smoke.yml": {"smoke.xml", "e2e.xml", "amplify-report.json"},
    "# .github/workflows/deploy.yml": {"smoke.xml", "amplify-report.json"},
    "# .gitlab-ci.yml": {"smoke.xml", "e2e.xml", "amplify-report.json"},
}


@pytest.mark.parametrize("first_line", GITHUB_WORKFLOWS)
def test_github_workflows_upload_both_reports_even_when_the_tests_fail(first_line: str) -> None:
    _, workflow = recipe(first_line)
    steps = steps_of(workflow)
    written = report_paths(pytest_command(workflow))
    assert written == REPORTS[first_line]
    index = next(i for i, step in enumerate(steps) if step.get("run", "").startswith("pytest "))
    uploads = [
        s for s in steps[index + 1 :] if s.get("uses", "").startswith("actions/upload-artifact@")
    ]
    assert len(uploads) == 1, "one upload step after the tests"
    assert uploads[0]["if"] == "always()", "a failed run's reports are the ones to read"
    assert set(uploads[0]["with"]["path"].split()) == written


def test_the_gitlab_job_keeps_the_junit_report_and_the_json_report() -> None:
    _, pipeline = recipe("# .gitlab-ci.yml")
    artifacts = pipeline["smoke"]["artifacts"]
    written = report_paths(pytest_command(pipeline))
    assert artifacts["when"] == "always"
    # GitLab's test report lists pytest's tests and the end-to-end ones side by side.
    assert artifacts["reports"]["junit"] == ["smoke.xml", "e2e.xml"]
    assert set(artifacts["paths"]) == written == REPORTS["# .gitlab-ci.yml"]


def test_every_recipe_installs_pytest_amplify_as_it_ships() -> None:
    commands = install_commands(["docs/ci-recipes.md"])
    problems = [problem for command in commands for problem in command.problems()]
    assert not problems, "\n".join(problems)
    # Every pipeline installs the built wheel, where the install section commits it.
    for block in BLOCKS:
        parsed = yaml.safe_load(block)
        if "jobs" in parsed:
            runs = [str(step.get("run", "")) for step in steps_of(parsed)]
        else:
            runs = [str(line) for line in parsed["smoke"]["script"]]
        installs = [run for run in runs if "pip install" in run]
        assert installs == [f"pip install ci/wheels/{WHEEL}"], block.splitlines()[0]


def triggers_of(workflow: Any) -> Any:
    # YAML 1.1 (PyYAML) reads the key `on` as True; GitHub reads it as "on".
    return workflow.get("on", workflow.get(True))


@pytest.mark.parametrize("first_line", GITHUB_WORKFLOWS)
def test_github_workflows_are_whole_and_use_oidc(first_line: str) -> None:
    _, workflow = recipe(first_line)
    assert triggers_of(workflow), "a workflow without on: never runs"
    assert workflow["permissions"]["id-token"] == "write"
    steps = steps_of(workflow)
    credentials = [s for s in steps if "configure-aws-credentials" in s.get("uses", "")]
    assert len(credentials) == 1
    assert credentials[0]["uses"].startswith("aws-actions/configure-aws-credentials@")
    assert {"role-to-assume", "aws-region"} <= set(credentials[0]["with"])
    assert any("pytest smoke/" in s.get("run", "") for s in steps)


def test_one_workflow_runs_on_pushes_and_on_pull_requests_without_closed() -> None:
    _, workflow = recipe("# .github/workflows/smoke.yml")
    triggers = triggers_of(workflow)
    assert triggers["push"]["branches"] == ["main"]
    assert "closed" not in triggers["pull_request"]["types"]
    condition = workflow["jobs"]["smoke"]["if"]
    assert "github.event_name == 'push'" in condition
    assert "head.repo.full_name == github.repository" in condition
    command = pytest_command(workflow)
    for given in ("--amplify-github-event", '"$GITHUB_REF_NAME"', '"$GITHUB_SHA"'):
        assert given in command


def test_the_gitlab_job_uses_an_id_token() -> None:
    _, pipeline = recipe("# .gitlab-ci.yml")
    job = pipeline["smoke"]
    assert job["id_tokens"]["AWS_ID_TOKEN"]["aud"] == "sts.amazonaws.com"
    assert {"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} <= set(job["variables"])


def test_the_recipes_name_only_settings_that_exist() -> None:
    flags = {option.flag for option in OPTIONS}
    keys = {option.ini for option in OPTIONS}
    named_flags = set(re.findall(r"--amplify-[a-z0-9-]+", RECIPES))
    named_keys = set(re.findall(r"\bamplify_[a-z0-9_]+", RECIPES)) - FIXTURES
    assert named_flags <= flags, named_flags - flags
    assert named_keys <= keys, named_keys - keys
    assert "--amplify-github-event" in named_flags
    assert "--amplify-e2e-junit" in named_flags
    assert "--amplify-pull-request" in named_flags


def test_the_iam_table_has_a_column_per_recipe() -> None:
    header = next(line for line in RECIPES.splitlines() if line.startswith("| permission |"))
    assert header.count("|") - 1 == 4  # permission + 3 recipes
    for permission in ("GetJob", "ListJobs", "CreateDeployment", "StartDeployment"):
        assert f"`amplify:{permission}`" in RECIPES


# -- each recipe's pytest command, run as written ---------------------------------------

# What the local service holds for the runs: a push's job on main, pull request
# 12's preview (created a minute late), a manual deployment (job 9) on main.
DEPLOYMENTS_CONFTEST = f"""
import os
import pytest
pytest_plugins = ["pytest_amplify.testing"]

@pytest.fixture(autouse=True)
def deployments(amplify_fake):
    amplify_fake.add_job("{APP_ID}", "main", commit_id="{PUSHED}", status="RUNNING").then(
        "SUCCEED", after_seconds=200
    )
    amplify_fake.add_succeeded_job("{APP_ID}", "main", job_id="8", commit_id="{MERGE}")
    preview = amplify_fake.add_preview(
        "{APP_ID}", 12, head_commit="{HEAD}", created_after=60, status="PENDING",
        pages={{"/": "<h1>ok</h1>"}},
    )
    preview.then("SUCCEED", after_seconds=180)
    manual = amplify_fake.add_job("{APP_ID}", "main", job_id="9", status="PENDING", job_type="MANUAL")
    manual.then("SUCCEED", after_seconds=90)
    amplify_fake.serve_site("{APP_ID}", "main", {{"/": "<h1>ok</h1>"}})
    if os.environ.get("RECIPE") == "manual":
        # The manual recipe's role may lack ListJobs: the wait does without.
        amplify_fake.fail_next("ListJobs", "AccessDeniedException", times=99)
"""

SMOKE_TEST = """
import urllib.request

def test_smoke(amplify_job):
    with urllib.request.urlopen(amplify_job.branch_url + "/") as page:
        assert page.read() == b"<h1>ok</h1>"
"""

GITHUB_OUTPUTS = {"steps.deployment.outputs.job-id": "9"}


def pytest_arguments(command: str, variables: dict[str, str]) -> list[str]:
    """The recipe's pytest command as the shell would run it, without the test folder."""
    command = re.sub(r"\$\{\{\s*(.+?)\s*\}\}", lambda m: GITHUB_OUTPUTS[m[1]], command)
    words = [
        re.sub(r"\$([A-Z_]+)", lambda m: variables[m[1]], word) for word in shlex.split(command)
    ]
    assert words[:2] == ["pytest", "smoke/"], words
    return words[2:]


def pytest_command(parsed: Any) -> str:
    if "jobs" in parsed:
        runs = [s["run"] for s in steps_of(parsed) if s.get("run", "").startswith("pytest ")]
    else:
        runs = [line for line in parsed["smoke"]["script"] if line.startswith("pytest ")]
    assert len(runs) == 1
    return str(runs[0])


def the_header_example() -> list[str]:
    """The report header the push and pull request section shows for pull request 12."""
    section = RECIPES.split("## After a push and on a pull request's preview", 1)[1]
    block = re.search(r"```\n(amplify: .*?)```", section, flags=re.DOTALL)
    assert block, "the section shows no report header"
    return block[1].splitlines()


# The one workflow of pushes and pull requests, run twice (a push, then pull request
# 12 with GitHub's merge ref and merge commit), the manual deployment, GitLab.
RUNS = [
    (
        "# .github/workflows/smoke.yml",
        "push",
        {"GITHUB_REF_NAME": "main", "GITHUB_SHA": PUSHED, "GITHUB_EVENT_NAME": "push"},
        [
            f"amplify: app {APP_ID}, branch main, commit {PUSHED}, timeout 30m 00s",
            "amplify: amplify_github_event: push is not a pull request event: branch main as "
            "given (from --amplify-branch)",
        ],
        f"app {APP_ID}, branch main, job 1: SUCCEED *",
    ),
    (
        "# .github/workflows/smoke.yml",
        "pull request",
        {"GITHUB_REF_NAME": "12/merge", "GITHUB_SHA": MERGE, "GITHUB_EVENT_NAME": "pull_request"},
        the_header_example(),
        f"app {APP_ID}, branch pr-12, job 1: SUCCEED *",
    ),
    (
        "# .github/workflows/deploy.yml",
        "manual",
        {"APP_ID": APP_ID, "BRANCH": "main", "GITHUB_EVENT_NAME": "push"},
        [f"amplify: app {APP_ID}, branch main, job 9, timeout 15m 00s"],
        f"app {APP_ID}, branch main, job 9: SUCCEED *",
    ),
    (
        "# .gitlab-ci.yml",
        "gitlab",
        {"CI_COMMIT_BRANCH": "main", "CI_COMMIT_SHA": PUSHED},
        [f"amplify: app {APP_ID}, branch main, commit {PUSHED}, timeout 30m 00s"],
        f"app {APP_ID}, branch main, job 1: SUCCEED *",
    ),
]


@pytest.mark.parametrize(
    ("first_line", "name", "variables", "header", "picked"),
    RUNS,
    ids=[run[1] for run in RUNS],
)
def test_the_recipes_pytest_command_runs(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    first_line: str,
    name: str,
    variables: dict[str, str],
    header: list[str],
    picked: str,
) -> None:
    _, parsed = recipe(first_line)
    event = pytester.path / "event.json"
    event.write_text(
        json.dumps({"action": "opened", "pull_request": {"number": 12, "head": {"sha": HEAD}}})
    )
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("RECIPE", name)
    for variable, value in variables.items():
        monkeypatch.setenv(variable, value)
    pytester.makeconftest(DEPLOYMENTS_CONFTEST)
    pytester.makepyfile(test_smoke=SMOKE_TEST)
    result = pytester.runpytest(*pytest_arguments(pytest_command(parsed), variables))
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([*header, picked])
    assert (pytester.path / "smoke.xml").is_file()
    if "e2e.xml" in REPORTS[first_line]:
        # The job's TEST step (the local service's passing Cypress run), as GitLab reads it.
        junit_schema().validate(str(pytester.path / "e2e.xml"))
        cases = ET.parse(pytester.path / "e2e.xml").getroot().iter("testcase")
        assert [list(case) for case in cases] == [[], [], []], "3 end-to-end tests passed"
    report = json.loads((pytester.path / "amplify-report.json").read_text())
    assert [wait["outcome"] for wait in report["waits"]] == ["succeeded"]
