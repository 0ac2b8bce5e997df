"""``base_url`` from the deployment: a plugin registered only with
``amplify_base_url = true``, from ``pytest_configure``.

Registered then, it comes after every entry-point and ``-p`` plugin, so its
``base_url`` overrides pytest-base-url's and pytest-playwright's (whichever is in
use; pytest-playwright 0.10 has its own when pytest-base-url is not installed),
whatever order they were installed in; a ``base_url`` fixture in a conftest beats it.

PYTEST_DONT_REWRITE
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import pytest

from .failures import or_fail
from .stash import session_of
from .uses import SESSION_JOB_FIXTURE, session_job_reached_through

if TYPE_CHECKING:
    from .._core.model import AmplifyJob


def _uses_pytest_base_url(pluginmanager: pytest.PytestPluginManager) -> bool:
    # Registered as "base_url" by its entry point, or under its module's name with
    # -p pytest_base_url.plugin: looking for the module covers both.
    module = sys.modules.get("pytest_base_url.plugin")
    return module is not None and pluginmanager.is_registered(module)


def _overrides_a_base_url(config: pytest.Config) -> bool:
    """Whether another plugin has a ``base_url`` fixture this one overrides."""
    pluginmanager = config.pluginmanager
    return _uses_pytest_base_url(pluginmanager) or pluginmanager.has_plugin("playwright-base-url")


@pytest.fixture(scope="session")
def base_url(request: pytest.FixtureRequest) -> str | None:
    """The deployed branch's site URL (``amplify_site_url``, or Amplify's default
    domain), unless a base URL is given: ``--base-url``, ``PYTEST_BASE_URL`` and the
    ``base_url`` ini key win. With no app or branch configured, it is what it would
    be without pytest-amplify."""
    # Requesting its own name gives the value of the fixture it overrides.
    given: str | None = (
        request.getfixturevalue("base_url") if _overrides_a_base_url(request.config) else None
    )
    if given:
        return given
    session = session_of(request.config)
    assert session is not None, "registered only by the active plugin"
    settings = or_fail(session.settings)
    if not settings.names_a_target():
        return given
    job: AmplifyJob = request.getfixturevalue(SESSION_JOB_FIXTURE)
    session_job_reached_through(request.config, "base_url")
    return or_fail(lambda: job.branch_url)


@pytest.fixture(scope="session", autouse=True)
def _verify_url(request: pytest.FixtureRequest) -> None:
    # pytest-base-url's autouse _verify_url requests base_url in every session: it
    # would wait for the deployment in runs that never use it. This one overrides it
    # and runs its check only when --verify-base-url asks for it.
    if request.config.getoption("verify_base_url", False) and _uses_pytest_base_url(
        request.config.pluginmanager
    ):
        request.getfixturevalue("_verify_url")
