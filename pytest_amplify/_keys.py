"""Where the plugin keeps its state in pytest's stashes; nothing else, so that
start-up imports nothing it does not need."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ._runtime import AmplifyRuntime, ItemJob
    from ._settings import Settings

# The settings read and checked at start-up, and the values from the environment
# checked only when a fixture needs them.
SETTINGS_KEY: pytest.StashKey[tuple[Settings, dict[str, tuple[str, str]]]] = pytest.StashKey()
# The session's state, created on the first use of a fixture.
RUNTIME_KEY: pytest.StashKey[AmplifyRuntime] = pytest.StashKey()
# The jobs (or failed waits) each test used, for JUnit and pytest-html.
ITEM_JOBS: pytest.StashKey[list[ItemJob]] = pytest.StashKey()
