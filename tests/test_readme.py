"""The README is a front page whose samples run as written, whose settings are real
and whose links lead somewhere; the detail it links to is in docs/."""

from __future__ import annotations

import glob
import re

import pytest

from .conftest import REPO
from .doc_blocks import doc_block, documents
from .install_commands import AFTER_A_RELEASE, WHEEL, install_commands, install_source

README = (REPO / "README.md").read_text()
SMOKE = doc_block("README.md", "# test_smoke.py")
OFFLINE = doc_block("README.md", "# test_offline.py")


def test_the_offline_example_runs(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_offline=OFFLINE)
    result = pytester.runpytest("--amplify-app-id", "d1", "--amplify-branch", "main")
    result.assert_outcomes(passed=1)


def test_the_smoke_test_example_runs_against_the_local_service(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_smoke=SMOKE)
    pytester.makeconftest(
        """
        import pytest
        pytest_plugins = ["pytest_amplify.testing"]

        @pytest.fixture(autouse=True)
        def deployment(amplify_fake):
            amplify_fake.add_job(app_id="d1abc2def3", branch="main", commit_id="abc")
            amplify_fake.serve_site("d1abc2def3", "main", {"/": "<h1>Shop</h1>"})
        """
    )
    result = pytester.runpytest(
        "--amplify-app-id", "d1abc2def3", "--amplify-branch", "main", "--amplify-commit-id", "abc"
    )
    result.assert_outcomes(passed=2)


def test_the_readme_is_a_front_page() -> None:
    assert len(README.splitlines()) <= 250


def test_the_settings_it_names_are_real() -> None:
    from .seam import OPTIONS

    section = README.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `amplify_")]
    assert len(rows) >= 5
    known = {option.ini for option in OPTIONS} | {option.flag for option in OPTIONS}
    for row in rows:
        for name in re.findall(r"`((?:amplify_|--amplify-)[a-z_-]+)`", row):
            assert name in known, f"the README names {name}, which is no setting"


def test_it_names_the_option_group_as_pytest_help_does(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    title = "AWS Amplify Hosting deployments (pytest-amplify)"
    result.stdout.fnmatch_lines([f"{title}:"])
    assert title in " ".join(README.split())


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+ (.+)$", markdown, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in headings}


def test_its_links_lead_to_files_and_headings_that_exist() -> None:
    for document in ["README.md", *(f"docs/{p.name}" for p in (REPO / "docs").glob("*.md"))]:
        text = (REPO / document).read_text()
        base = (REPO / document).parent
        for target, anchor in re.findall(r"\]\(([^)#\s]*)(?:#([^)\s]*))?\)", text):
            if target.startswith(("http://", "https://")):
                continue
            path = base / target if target else REPO / document
            assert path.exists(), f"{document} links to {target}, which is missing"
            if anchor and path.suffix == ".md":
                assert anchor in _anchors(path.read_text()), f"{document}: no #{anchor} in {target}"


def test_every_pip_install_installs_pytest_amplify_as_it_ships() -> None:
    """No release exists: a checkout or a wheel built from it, or marked as for later."""
    examples = [f"examples/{p.name}" for p in sorted((REPO / "examples").glob("*.py"))]
    commands = install_commands([*documents(), *examples])
    problems = [problem for command in commands for problem in command.problems()]
    assert not problems, "\n".join(problems)
    readme = [c for c in commands if c.document == "README.md"]
    sources = {install_source(word) for c in readme for word in c.arguments}
    assert {"checkout", "wheel"} <= sources
    assert f"dist/{WHEEL}" in {word for c in readme for word in c.arguments}
    assert any("pytest-amplify" in c.arguments and AFTER_A_RELEASE in c.line for c in readme)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("pip install pytest-amplify", "asks an index for pytest-amplify"),
        ("pip install pytest_amplify==0.1.0", "asks an index for pytest-amplify"),
        ("pip install dist/pytest_amplify-9.9.9-py3-none-any.whl", "is not the wheel"),
        ("pip install requests", "cannot tell what"),
    ],
)
def test_the_install_check_catches_what_would_not_install(line: str, problem: str) -> None:
    from .install_commands import InstallCommand

    command = InstallCommand("README.md", line, tuple(line.split()[2:]))
    assert any(problem in found for found in command.problems())
    marked = InstallCommand("README.md", f"{line}  # {AFTER_A_RELEASE}", command.arguments)
    if "index" in problem:
        assert marked.problems() == []


FAILED_JOB_SAMPLE = re.search(
    r"```\n(ERROR at setup of test_every_step_succeeded\n.*?)```", README, flags=re.DOTALL
)


def test_the_failed_job_sample_is_what_the_plugin_prints(pytester: pytest.Pytester) -> None:
    """The README's failed-job sample, its elisions (``...``) and the log's S3 URL aside
    (the local service serves the log), is the plugin's output for the smoke test above
    against a job whose BUILD failed."""
    assert FAILED_JOB_SAMPLE is not None
    sample = FAILED_JOB_SAMPLE.group(1).replace("https://....s3.amazonaws.com/...", "...")
    sample_lines = sample.splitlines()
    pytester.makepyfile(test_smoke=SMOKE)
    pytester.makeconftest(
        """
        import pytest
        pytest_plugins = ["pytest_amplify.testing"]

        @pytest.fixture(autouse=True)
        def deployment(amplify_fake):
            amplify_fake.add_failed_job("d1abc2def3", "main", job_id="42")
        """
    )
    result = pytester.runpytest("--amplify-app-id", "d1abc2def3", "--amplify-branch", "main")
    result.assert_outcomes(errors=2)
    patterns = [glob.escape(line).replace("...", "*") for line in sample_lines]
    # pytest draws a rule around the heading of each test's error.
    patterns = [f"*{line}*" if line.startswith("ERROR at setup") else line for line in patterns]
    result.stdout.fnmatch_lines(patterns)
