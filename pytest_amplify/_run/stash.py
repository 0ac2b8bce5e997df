"""Where the plugin keeps its state in pytest's stash, and the way to it.

Start-up imports this module, so it imports nothing heavy: the session (and
boto3 behind it) is created on the first use of a fixture or an override.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .._amplify.aws import Credentials
    from .._core.clock import WaitClock
    from .._core.records import ItemJob
    from .._settings.overrides import SettingsOverride
    from .._settings.settings import Settings
    from .session import AmplifySession

# The settings read and checked at start-up, and the values from the environment
# checked only when a fixture needs them.
SETTINGS_KEY: pytest.StashKey[tuple[Settings, dict[str, tuple[str, str]]]] = pytest.StashKey()
# The test running now (None between tests).
CURRENT_ITEM: pytest.StashKey[pytest.Item | None] = pytest.StashKey()
# The session's state, created on the first use of a fixture.
SESSION_KEY: pytest.StashKey[AmplifySession] = pytest.StashKey()
# The jobs (or failed waits) a test used, on its item; they travel on its reports, as
# plain data, under REPORT_ATTRIBUTE. Here, not in ``uses``, so that the hooks run
# for every test can see that a test used none without importing the reporting code.
USES_KEY: pytest.StashKey[list[ItemJob]] = pytest.StashKey()
REPORT_ATTRIBUTE = "amplify_uses"


def is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def session_of(config: pytest.Config) -> AmplifySession | None:
    """The run's session, created on first use; None when the plugin is not active
    (``-p no:amplify``)."""
    session = config.stash.get(SESSION_KEY, None)
    if session is not None:
        return session
    read = config.stash.get(SETTINGS_KEY, None)
    if read is None:
        return None
    from .progress import TerminalProgress, terminal_progress
    from .progress_relay import worker_output
    from .session import AmplifySession

    def current_item() -> pytest.Item | None:
        return config.stash.get(CURRENT_ITEM, None)

    def current_test() -> str | None:
        item = current_item()
        return item.nodeid if item is not None else None

    def progress() -> TerminalProgress | None:
        # xdist workers' output is not shown: the controller prints their lines.
        if is_xdist_worker(config):
            out = worker_output(config.workerinput)  # type: ignore[attr-defined]
            return TerminalProgress(out) if out is not None else None
        return terminal_progress(config, current_test)

    created = AmplifySession(*read, progress_factory=progress, current_item=current_item)
    config.stash[SESSION_KEY] = created
    return created


@contextlib.contextmanager
def override_settings(
    config: pytest.Config,
    *,
    credentials: Credentials | None = None,
    clock: WaitClock | None = None,
    source: str = "an override",
    **values: Any,
) -> Iterator[SettingsOverride]:
    """Make the plugin use ``values`` (app_id, endpoint_url, site_url, ...) while the
    block runs, whatever the ini, flags and environment say::

        with override_settings(request.config, endpoint_url=url, source="my fixture"):
            ...

    Markers still retarget single tests. Does nothing when the plugin is disabled
    (``-p no:amplify``).
    """
    from .._settings.overrides import SettingsOverride

    override = SettingsOverride(values, credentials, clock, source)
    session = session_of(config)
    if session is None:
        yield override
        return
    with session.overrides.active(override):
        yield override
