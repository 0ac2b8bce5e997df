"""The browser examples of README.md and docs/browser-tests.md run as written, in
Debian's Chromium, against the local service."""

from __future__ import annotations

import re
import shutil
import textwrap

import pytest

pytest.importorskip(
    "pytest_playwright",
    reason="needs pytest-playwright: .ci/run runs tests/browser in an environment of "
    "its own that has it",
)

from ..conftest import REPO
from .plugins import PLAYWRIGHT_FALLBACK_WARNING

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="no chromium on PATH (.ci/run installs Debian's with apt-get)",
    ),
]


def python_block(document: str, first_line: str) -> str:
    text = (REPO / document).read_text()
    for block in re.findall(r"^ *```python\n(.*?)^ *```", text, flags=re.DOTALL | re.MULTILINE):
        block = textwrap.dedent(block)  # a block inside a list item is indented
        if block.startswith(first_line):
            return block
    raise AssertionError(f"no python block starting with {first_line!r} in {document}")


def test_the_documented_browser_test_runs_offline(pytester: pytest.Pytester) -> None:
    conftest = python_block(
        "docs/browser-tests.md", "# conftest.py\nimport pytest\n\nfrom pytest_amplify import"
    )
    system_chromium = python_block(
        "README.md",
        'import pytest\n\n\n@pytest.fixture(scope="session")\ndef browser_type_launch_args',
    )
    pytester.makeconftest(conftest + "\n\n" + system_chromium.replace("import pytest\n", ""))
    pytester.makepyfile(test_browser=python_block("README.md", "# test_browser.py"))
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-W", PLAYWRIGHT_FALLBACK_WARNING, "--amplify-base-url"
    )
    result.assert_outcomes(passed=1)
