"""The browser examples of docs/browser-tests.md run as written, in
Debian's Chromium, against the local service."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip(
    "pytest_playwright",
    reason="needs pytest-playwright: .ci/run runs tests/browser in an environment of "
    "its own that has it",
)

from .doc_samples import BROWSER_TEST, OFFLINE_CONFTEST, SYSTEM_CHROMIUM
from .plugins import PLAYWRIGHT_FALLBACK_WARNING

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="no chromium on PATH (.ci/run installs Debian's with apt-get)",
    ),
]


def test_the_documented_browser_test_runs_offline(pytester: pytest.Pytester) -> None:
    # The system Chromium's conftest joins the offline one, as a user would paste it.
    system_chromium = SYSTEM_CHROMIUM.replace("# conftest.py\nimport pytest\n", "")
    pytester.makeconftest(OFFLINE_CONFTEST + "\n\n" + system_chromium)
    pytester.makepyfile(test_browser=BROWSER_TEST)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-W", PLAYWRIGHT_FALLBACK_WARNING, "--amplify-base-url"
    )
    result.assert_outcomes(passed=1)
