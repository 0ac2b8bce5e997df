"""The precedence of the settings' sources, as docs/settings.md states it (the only
place it is stated): its list names every level, in the code's order, and each level
beats the next one down in a run of the plugin against the local service."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from pytest_amplify.testing import FakeAmplify

from .conftest import REPO, fake_args

HEAD = "1f3e5d7c9b2a4f6e8d0c1b3a5f7e9d2c4b6a8f0e"

# Each level as the docs' list starts its item, top to bottom.
LEVELS = {
    "marker": "`@pytest.mark.amplify(...)`",
    "override": "an override",
    "event": "the GitHub event",
    "flag": "the command line's `--amplify-...` flags",
    "-o": "the command line's `-o amplify_...=...`",
    "ini": "the ini file",
    "environment": "the environment",
    "default": "the default",
}


def documented_levels() -> list[str]:
    text = (REPO / "docs" / "settings.md").read_text()
    section = text.split("\n## Precedence\n", 1)[1].split("\n## ", 1)[0]
    items = re.findall(r"^\d+\. (.+)$", section, flags=re.MULTILINE)
    named = []
    for item in items:
        keys = [key for key, start in LEVELS.items() if item.startswith(start)]
        assert len(keys) == 1, f"docs/settings.md's precedence item names no one level: {item}"
        named.append(keys[0])
    return named


def test_the_docs_name_every_level_once_in_the_codes_order() -> None:
    assert documented_levels() == list(LEVELS)


# The inner run: apps d1 and d2 with a job on main, and on d1 a branch feature and
# pull request 42's preview.
TARGET = """
import pytest

{marker}
def test_target(amplify_job):
    print("TARGET", amplify_job.app_id, amplify_job.branch)
"""
OVERRIDE_CONFTEST = """
import pytest
from pytest_amplify import override_settings

@pytest.fixture(autouse=True)
def overridden(request):
    with override_settings(request.config, **{values!r}):
        yield
"""


class Run:
    """One inner run's sources, set by the scenario."""

    def __init__(self, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
        self.pytester = pytester
        self.monkeypatch = monkeypatch
        self.args: list[str] = []
        self.marker = ""

    def override(self, **values: str) -> None:
        self.pytester.makeconftest(OVERRIDE_CONFTEST.format(values=values))

    def pull_request_event(self) -> None:
        event = self.pytester.path / "event.json"
        event.write_text(json.dumps({"pull_request": {"number": 42, "head": {"sha": HEAD}}}))
        self.monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
        self.monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
        self.args.append("--amplify-github-event")

    def ini(self, line: str) -> None:
        self.pytester.makeini(f"[pytest]\n{line}\n")


# For each level but the last: the scenario that gives a value there and another at
# the next level down, and the target (app, branch) the upper one picks.
Scenario = Callable[[Run], None]
SCENARIOS: dict[str, tuple[Scenario, str]] = {
    "marker": (
        lambda run: (
            run.override(app_id="d2"),
            setattr(run, "marker", '@pytest.mark.amplify(app_id="d1")'),
            run.args.append("--amplify-branch=main"),
        ),
        "d1 main",
    ),
    "override": (
        lambda run: (
            run.pull_request_event(),
            run.override(branch="main"),
            run.args.append("--amplify-app-id=d1"),
        ),
        "d1 main",
    ),
    "event": (
        lambda run: (
            run.pull_request_event(),
            run.args.extend(["--amplify-app-id=d1", "--amplify-branch=feature"]),
        ),
        "d1 pr-42",
    ),
    "flag": (
        lambda run: run.args.extend(
            ["--amplify-app-id=d1", "-o", "amplify_app_id=d2", "--amplify-branch=main"]
        ),
        "d1 main",
    ),
    "-o": (
        lambda run: (
            run.ini("amplify_app_id = d2"),
            run.args.extend(["-o", "amplify_app_id=d1", "--amplify-branch=main"]),
        ),
        "d1 main",
    ),
    "ini": (
        lambda run: (
            run.ini("amplify_app_id = d1"),
            run.monkeypatch.setenv("AWS_APP_ID", "d2"),
            run.args.append("--amplify-branch=main"),
        ),
        "d1 main",
    ),
    "environment": (
        # The default has no app: the environment's is the one there is.
        lambda run: (
            run.monkeypatch.setenv("AWS_APP_ID", "d1"),
            run.args.append("--amplify-branch=main"),
        ),
        "d1 main",
    ),
}


@pytest.fixture
def apps(fake: FakeAmplify) -> FakeAmplify:
    for app in ("d1", "d2"):
        fake.add_succeeded_job(app, "main")
    fake.add_succeeded_job("d1", "feature")
    fake.add_preview("d1", 42, head_commit=HEAD)
    return fake


def test_every_level_has_a_scenario() -> None:
    assert list(SCENARIOS) == list(LEVELS)[:-1]


@pytest.mark.parametrize("level", list(SCENARIOS))
def test_each_level_beats_the_next_one_down(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, apps: FakeAmplify, level: str
) -> None:
    run = Run(pytester, monkeypatch)
    scenario, expected = SCENARIOS[level]
    scenario(run)
    pytester.makepyfile(TARGET.format(marker=run.marker))
    result = pytester.runpytest(*fake_args(apps), "-s", *run.args)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"*TARGET {expected}"])


def test_without_any_source_the_default_holds(pytester: pytest.Pytester, apps: FakeAmplify) -> None:
    pytester.makepyfile(TARGET.format(marker=""))
    result = pytester.runpytest(*fake_args(apps))
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["No Amplify app to test: set amplify_app_id *"])
