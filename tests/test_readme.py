"""The README's examples run as written."""

from __future__ import annotations

import re

import pytest

from .conftest import REPO

README = (REPO / "README.md").read_text()


def python_block(first_line: str) -> str:
    for block in re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL):
        if block.startswith(first_line):
            return str(block)
    raise AssertionError(f"no python block starting with {first_line!r} in README.md")


def test_the_offline_example_runs(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_offline=python_block("# test_offline.py"))
    result = pytester.runpytest("--amplify-app-id", "d1", "--amplify-branch", "main")
    result.assert_outcomes(passed=1)


def test_the_smoke_test_example_runs_against_the_local_service(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_smoke=python_block("# test_smoke.py"))
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


def test_every_setting_is_in_the_readme_table() -> None:
    from .seam import OPTIONS

    for option in OPTIONS:
        assert f"| `{option.ini}` | `{option.flag}`" in README, option.ini


def test_the_files_example_runs_against_the_local_service(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_files=python_block("import re\n\nfrom pytest_amplify import (\n    assert_artifacts")
    )
    pytester.makeconftest(
        """
        import pytest
        from pytest_amplify.testing import FakeStep, typical_steps
        pytest_plugins = ["pytest_amplify.testing"]

        @pytest.fixture(autouse=True)
        def deployment(amplify_fake):
            steps = typical_steps()
            steps[0] = FakeStep("BUILD", log="vite build\\nCompiled successfully\\n", artifacts={"index.html": "<h1>", "assets/app.js": ""})
            amplify_fake.add_job(app_id="d1", branch="main", steps=steps)
        """
    )
    result = pytester.runpytest("--amplify-app-id=d1", "--amplify-branch=main")
    result.assert_outcomes(passed=1)


def test_every_fault_matrix_case_is_in_the_readme() -> None:
    from .test_fault_matrix import MATRIX

    for case in MATRIX:
        assert f"| `{case.name}` | {case.what} | {case.expected} |" in README, case.name
