"""pytest-playwright opens the deployed site in a real headless Chromium: Debian's
(``apt-get install chromium``; Playwright's own browsers cannot be downloaded here),
through ``browser_type_launch_args``. The plugins load as installed (autoload)."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip(
    "pytest_playwright",
    reason="needs pytest-playwright: .ci/run runs tests/browser in an environment of "
    "its own that has it",
)

from pytest_amplify.testing import FakeAmplify

from ..conftest import REPO, fake_args
from .plugins import PLAYWRIGHT_FALLBACK_WARNING

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (.ci/run installs Debian's with apt-get)"
)
SITE = {
    "/": (
        "<!doctype html><title>Shop</title><h1>Welcome</h1>"
        '<p id="basket">loading</p><script src="/assets/app.js"></script>'
    ),
    "/assets/app.js": 'document.getElementById("basket").textContent = "empty";',
}


@needs_chromium
def test_page_goto_root_opens_the_deployed_build(
    pytester: pytest.Pytester, real_time_fake: FakeAmplify
) -> None:
    fake = real_time_fake
    fake.add_job(app_id="d1", branch="main")
    fake.serve_site("d1", "main", SITE)
    pytester.makeconftest(
        f"""
        import pytest

        @pytest.fixture(scope="session")
        def browser_type_launch_args(browser_type_launch_args):
            return {{**browser_type_launch_args, "executable_path": {CHROMIUM!r}}}
        """
    )
    pytester.makepyfile(
        """
        from playwright.sync_api import expect

        def test_home(page, amplify_job):
            assert amplify_job.succeeded
            page.goto("/")
            expect(page).to_have_title("Shop")
            expect(page.locator("h1")).to_have_text("Welcome")
            expect(page.locator("#basket")).to_have_text("empty")
        """
    )
    result = pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "-W",
        PLAYWRIGHT_FALLBACK_WARNING,
        *fake_args(fake),
        f"--amplify-site-url={fake.site_origin('d1', 'main')}",
        "--amplify-app-id=d1",
        "--amplify-branch=main",
        "--amplify-base-url",
        "--browser=chromium",
    )
    result.assert_outcomes(passed=1)
    pages = [r.path for r in fake.requests if r.operation == "GetSitePage"]
    # The browser, not a test's HTTP client, loaded the page and its script.
    assert "/_sites/d1/main/" in pages
    assert "/_sites/d1/main/assets/app.js" in pages


@needs_chromium
def test_the_examples_pass_in_the_browser_too(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "-W",
        PLAYWRIGHT_FALLBACK_WARNING,
        str(REPO / "examples"),
        "--simulated-time",
    )
    # Every example, the browser one included.
    result.assert_outcomes(passed=9)
