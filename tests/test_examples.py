"""The examples are real smoke tests; they run here as users run them."""

from __future__ import annotations

import pytest

from .conftest import REPO


def test_the_examples_pass_against_the_simulated_deployment(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", str(REPO / "examples"), "--simulated-time", "-W", "error"
    )
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        [
            "amplify: app d1, branch main, job 4: PENDING *",
            "*= amplify =*",
            "app d1, branch main, job 4: SUCCEED in 4s (* polls, waited *)",
        ]
    )
