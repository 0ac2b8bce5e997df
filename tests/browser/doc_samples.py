"""The browser samples of docs/browser-tests.md, declared apart from the tests that
run them: those skip at import where pytest-playwright is missing, and the samples
must be declared all the same (``tests/test_doc_blocks.py``)."""

from __future__ import annotations

from ..doc_blocks import doc_block

BROWSER_TEST = doc_block("docs/browser-tests.md", "# test_browser.py")
OFFLINE_CONFTEST = doc_block(
    "docs/browser-tests.md", "# conftest.py\nimport pytest\n\nfrom pytest_amplify import"
)
SYSTEM_CHROMIUM = doc_block(
    "docs/browser-tests.md", '# conftest.py\nimport pytest\n\n\n@pytest.fixture(scope="session")'
)
