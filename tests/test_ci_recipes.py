"""docs/ci-recipes.md: every recipe is YAML that parses, names only settings that
exist, and its pytest command runs as written against the local service."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

import pytest
import yaml

from .conftest import REPO
from .seam import OPTIONS

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
    "# .github/workflows/preview-smoke.yml",
    "# .github/workflows/deploy.yml",
]


def test_the_readme_links_the_recipes() -> None:
    assert "(docs/ci-recipes.md)" in (REPO / "README.md").read_text()


def test_every_block_parses_and_there_is_one_per_recipe() -> None:
    assert len(BLOCKS) == 4
    for block in BLOCKS:
        assert isinstance(yaml.safe_load(block), dict)
    recipe("# .gitlab-ci.yml")


@pytest.mark.parametrize("first_line", GITHUB_WORKFLOWS)
def test_github_workflows_are_whole_and_use_oidc(first_line: str) -> None:
    _, workflow = recipe(first_line)
    # YAML 1.1 (PyYAML) reads the key `on` as True; GitHub reads it as "on".
    triggers = workflow.get("on", workflow.get(True))
    assert triggers, "a workflow without on: never runs"
    assert workflow["permissions"]["id-token"] == "write"
    (job,) = workflow["jobs"].values()
    credentials = [s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", "")]
    assert len(credentials) == 1
    assert credentials[0]["uses"].startswith("aws-actions/configure-aws-credentials@")
    assert {"role-to-assume", "aws-region"} <= set(credentials[0]["with"])
    assert any("pytest smoke/" in s.get("run", "") for s in job["steps"])


def test_the_preview_recipe_runs_on_pull_requests_without_closed() -> None:
    _, workflow = recipe("# .github/workflows/preview-smoke.yml")
    triggers = workflow.get("on", workflow.get(True))
    assert "closed" not in triggers["pull_request"]["types"]
    assert "head.repo.full_name == github.repository" in workflow["jobs"]["smoke"]["if"]


def test_the_gitlab_job_uses_an_id_token() -> None:
    _, pipeline = recipe("# .gitlab-ci.yml")
    job = pipeline["smoke"]
    assert job["id_tokens"]["AWS_ID_TOKEN"]["aud"] == "sts.amazonaws.com"
    assert {"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} <= set(job["variables"])


def test_the_recipes_name_only_settings_that_exist() -> None:
    flags = {option.flag for option in OPTIONS}
    keys = {option.ini for option in OPTIONS}
    named_flags = set(re.findall(r"--amplify-[a-z-]+", RECIPES))
    named_keys = set(re.findall(r"\bamplify_[a-z_]+", RECIPES)) - FIXTURES
    assert named_flags <= flags, named_flags - flags
    assert named_keys <= keys, named_keys - keys
    assert "--amplify-github-event" in named_flags
    assert "--amplify-pull-request" in named_flags


def test_the_iam_table_has_a_column_per_recipe() -> None:
    header = next(line for line in RECIPES.splitlines() if line.startswith("| permission |"))
    assert header.count("|") - 1 == 5  # permission + 4 recipes
    for permission in ("GetJob", "ListJobs", "CreateDeployment", "StartDeployment"):
        assert f"`amplify:{permission}`" in RECIPES


# -- each recipe's pytest command, run as written ---------------------------------------

# What the local service holds for the runs: a push's job on main, pull request
# 42's preview (created a minute late), a manual deployment (job 9) on main.
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
        "{APP_ID}", 42, head_commit="{HEAD}", created_after=60, status="PENDING",
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
        (job,) = parsed["jobs"].values()
        runs = [s["run"] for s in job["steps"] if s.get("run", "").startswith("pytest ")]
    else:
        runs = [line for line in parsed["smoke"]["script"] if line.startswith("pytest ")]
    assert len(runs) == 1
    return str(runs[0])


@pytest.mark.parametrize(
    ("first_line", "name", "variables", "picked"),
    [
        (
            "# .github/workflows/smoke.yml",
            "push",
            {"GITHUB_REF_NAME": "main", "GITHUB_SHA": PUSHED, "GITHUB_EVENT_NAME": "push"},
            f"app {APP_ID}, branch main, job 1: SUCCEED *",
        ),
        (
            "# .github/workflows/preview-smoke.yml",
            "preview",
            {
                "GITHUB_REF_NAME": "42/merge",
                "GITHUB_SHA": MERGE,
                "GITHUB_EVENT_NAME": "pull_request",
            },
            f"app {APP_ID}, branch pr-42, job 1: SUCCEED *",
        ),
        (
            "# .github/workflows/deploy.yml",
            "manual",
            {"APP_ID": APP_ID, "BRANCH": "main", "GITHUB_EVENT_NAME": "push"},
            f"app {APP_ID}, branch main, job 9: SUCCEED *",
        ),
        (
            "# .gitlab-ci.yml",
            "gitlab",
            {"CI_COMMIT_BRANCH": "main", "CI_COMMIT_SHA": PUSHED},
            f"app {APP_ID}, branch main, job 1: SUCCEED *",
        ),
    ],
    ids=["push", "preview", "manual", "gitlab"],
)
def test_the_recipes_pytest_command_runs(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    first_line: str,
    name: str,
    variables: dict[str, str],
    picked: str,
) -> None:
    _, parsed = recipe(first_line)
    event = pytester.path / "event.json"
    event.write_text(
        json.dumps({"action": "opened", "pull_request": {"number": 42, "head": {"sha": HEAD}}})
    )
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("RECIPE", name)
    for variable, value in variables.items():
        monkeypatch.setenv(variable, value)
    pytester.makeconftest(DEPLOYMENTS_CONFTEST)
    pytester.makepyfile(test_smoke=SMOKE_TEST)
    result = pytester.runpytest(*pytest_arguments(pytest_command(parsed), variables))
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([picked])
    assert (pytester.path / "smoke.xml").is_file()
