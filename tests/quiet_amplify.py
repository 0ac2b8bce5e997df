"""The suite's own run, quiet: it drives the plugin on itself (``amplify_fake`` with
``amplify_job`` in this very run), so pytest's ``amplify`` section would list those
local jobs at the end of every run. When every test passed that is noise; a failing
run keeps the section, where it may say why."""

from __future__ import annotations

import pytest


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # After the plugin's own sessionfinish (its reports, a worker's records), before
    # the terminal summary: the plugin, unregistered, prints no section.
    if exitstatus == pytest.ExitCode.OK:
        plugin = session.config.pluginmanager.get_plugin("amplify")
        if plugin is not None:
            session.config.pluginmanager.unregister(plugin)
