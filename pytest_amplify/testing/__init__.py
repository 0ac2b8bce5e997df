"""A local Amplify Hosting service for offline tests: ``pytest_amplify.testing``.

As a library::

    from pytest_amplify.testing import FakeAmplify

    with FakeAmplify() as fake:
        fake.add_job(app_id="d1", branch="main", job_id="1")
        fake.client().get_job(appId="d1", branchName="main", jobId="1")

As a pytest plugin (``-p pytest_amplify.testing``, or
``pytest_plugins = ["pytest_amplify.testing"]`` in a test module or the rootdir
conftest.py) it provides the ``amplify_fake`` and ``amplify_fake_session``
fixtures, which the plugin's ``amplify_job`` targets while they run.

Standalone, for runs across processes::

    python -m pytest_amplify.testing serve --port 8642 --scenario scenario.json

PYTEST_DONT_REWRITE: conftest files import from here before naming it in
``pytest_plugins``; it has no asserts to rewrite, so pytest need not warn.
"""

from __future__ import annotations

from ._plugin.fixtures import amplify_fake, amplify_fake_session, targeting
from ._service.operations import OPERATIONS
from ._service.request_log import FakeRequest
from ._service.service import FakeAmplify
from ._state.clock import SimulatedClock
from ._state.content import (
    SCREENSHOT_DEVICES,
    SCREENSHOT_PAGES,
    make_png,
    make_zip,
    rendered_screenshots,
)
from ._state.steps import (
    FakeStep,
    cypress_test_step,
    failed_build_step,
    typical_step,
    typical_steps,
    verify_step,
)
from ._state.store import FakeApp, FakeBranch, FakeDomain
from ._state.timeline import FakeJob

__all__ = [
    "OPERATIONS",
    "SCREENSHOT_DEVICES",
    "SCREENSHOT_PAGES",
    "FakeAmplify",
    "FakeApp",
    "FakeBranch",
    "FakeDomain",
    "FakeJob",
    "FakeRequest",
    "FakeStep",
    "SimulatedClock",
    "amplify_fake",
    "amplify_fake_session",
    "cypress_test_step",
    "failed_build_step",
    "make_png",
    "make_zip",
    "rendered_screenshots",
    "targeting",
    "typical_step",
    "typical_steps",
    "verify_step",
]
