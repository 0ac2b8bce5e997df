"""Inner pytest runs with a chosen set of plugins, loaded in a chosen order.

Entry-point plugins load in the order their distributions are found on disk, which
is the installation's, not ours to choose: so these runs turn autoloading off and
name each plugin with ``-p``, in the order that each installation would give.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

MODULES = {
    "amplify": "pytest_amplify.plugin",
    "pytest-base-url": "pytest_base_url.plugin",
    "pytest-playwright": "pytest_playwright.pytest_playwright",
    "xdist": "xdist.plugin",
}
# Which base_url fixture pytest-amplify overrides: pytest-base-url's, or
# pytest-playwright's own when pytest-base-url is not installed.
PLUGIN_SETS = {
    "pytest-base-url": ("pytest-base-url",),
    "pytest-playwright": ("pytest-playwright",),
    "pytest-playwright+pytest-base-url": ("pytest-playwright", "pytest-base-url"),
}
# pytest-playwright 0.10's own fallback base_url is a session-scoped fixture on an
# instance, which pytest 9.2 deprecates: its warning, not ours.
PLAYWRIGHT_FALLBACK_WARNING = (
    "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning"
)


def load_order(plugin_set: str, amplify_first: bool) -> list[str]:
    others = list(PLUGIN_SETS[plugin_set])
    return ["amplify", *others] if amplify_first else [*reversed(others), "amplify"]


def run_with(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    plugins: Sequence[str],
    *args: str,
) -> pytest.RunResult:
    """``pytest *args`` in a subprocess with exactly ``plugins``, loaded in that order."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    loads = [arg for name in plugins for arg in ("-p", MODULES[name])]
    return pytester.runpytest_subprocess(
        *loads, "-p", "no:cacheprovider", "-W", PLAYWRIGHT_FALLBACK_WARNING, *args
    )
