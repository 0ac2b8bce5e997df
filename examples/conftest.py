"""Runs the smoke tests against a simulated deployment when no app is configured.

With ``--amplify-app-id`` (or ``amplify_app_id`` / ``AWS_APP_ID``) set, this file
does nothing and the same tests run against the real app.

It also lets pytest-playwright use a system Chromium (Debian's ``apt-get install
chromium``) where Playwright's own browsers are not installed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_amplify import override_settings
from pytest_amplify.testing import FakeAmplify, FakeStep, SimulatedClock, targeting, typical_steps

pytest_plugins = ["pytest_amplify.testing"]

SITE = {
    "/": (
        "<!doctype html><title>Shop</title><h1>Welcome to the shop</h1>"
        '<p id="basket">loading</p><script src="/assets/app.js"></script>'
    ),
    "/assets/app.js": 'document.getElementById("basket").textContent = "Your basket is empty";',
    "/health": '{"status": "ok"}',
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--simulated-time",
        action="store_true",
        help="examples: run the simulated deployment on a simulated clock (no real waiting)",
    )


def _app_configured(config: pytest.Config) -> bool:
    return bool(
        config.getoption("amplify_app_id")
        or config.getini("amplify_app_id")
        or os.environ.get("AWS_APP_ID")
    )


def _new_build() -> list[FakeStep]:
    steps = typical_steps()
    steps[0] = FakeStep(
        "BUILD",
        artifacts={
            "index.html": '<!doctype html><title>Shop</title><script src="/assets/index-a1b2c3d.js"></script>',
            "assets/index-a1b2c3d.js": "console.log('shop a1b2c3d');\n",
        },
    )
    return steps


def _simulate_deployment(fake: FakeAmplify) -> None:
    # Earlier deployments of the branch, then the push being deployed now, which the
    # site serves a second after the job ends (a CDN propagating).
    for _ in range(3):
        fake.add_succeeded_job("d1", "main", duration=4)
    job = fake.add_job(
        app_id="d1",
        branch="main",
        commit_id="a1b2c3d",
        status="PENDING",
        steps=_new_build(),
        deployed_after=1,
    )
    job.then("PROVISIONING", after_seconds=0.5)
    job.then("RUNNING", after_seconds=0.5, running="BUILD")
    job.then("RUNNING", after_seconds=1.5, running="DEPLOY")
    job.then("RUNNING", after_seconds=0.5, running="VERIFY")
    job.then("SUCCEED", after_seconds=1.0)
    fake.serve_site("d1", "main", SITE)


@pytest.fixture(scope="session", autouse=True)
def simulated_deployment(request: pytest.FixtureRequest) -> Iterator[FakeAmplify | None]:
    config = request.config
    if _app_configured(config):
        yield None
        return
    clock = SimulatedClock() if config.getoption("simulated_time") else None
    with (
        FakeAmplify(clock=clock) as fake,
        targeting(config, fake, "examples/conftest.py"),
        override_settings(
            config,
            app_id="d1",
            branch="main",
            commit_id="a1b2c3d",
            poll_interval="0.5s",
            max_poll_interval="1s",
            # At the root of an origin of its own, as Amplify serves a branch: the
            # page's /assets/app.js and a browser's page.goto("/") reach the site.
            site_url=fake.site_origin("d1", "main"),
            source="examples/conftest.py (simulated deployment)",
        ),
    ):
        _simulate_deployment(fake)
        yield fake


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], browser_type: Any
) -> dict[str, Any]:
    """pytest-playwright: Playwright's own Chromium when installed (``playwright install
    chromium``), else the system's (``apt-get install chromium``)."""
    if browser_type.name != "chromium" or Path(browser_type.executable_path).exists():
        return browser_type_launch_args
    system_chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if system_chromium is None:
        pytest.skip("no Chromium: run `playwright install chromium` or `apt-get install chromium`")
    return {**browser_type_launch_args, "executable_path": system_chromium}
