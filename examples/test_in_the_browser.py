"""Smoke tests in a real browser, with pytest-playwright: ``page.goto("/")`` opens the
deployed site, because ``amplify_base_url = true`` (pytest.ini) makes ``base_url``
the deployed branch's site URL, once its Amplify job has succeeded.

    pip install pytest-playwright && playwright install chromium
    pytest examples
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

pytest.importorskip(
    "pytest_playwright", reason="pytest-playwright is not installed: pip install pytest-playwright"
)

from playwright.sync_api import expect

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_the_home_page_renders(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_title("Shop")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to the shop")
    # The site's own script ran: its assets were deployed too.
    expect(page.locator("#basket")).to_have_text("Your basket is empty")
