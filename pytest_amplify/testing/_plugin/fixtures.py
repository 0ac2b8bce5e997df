"""The ``amplify_fake`` fixtures: a local service that the plugin targets while active."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

# The public API is the seam between the local service's fixtures and the plugin.
from pytest_amplify import Credentials, WaitClock, override_settings

from .._service.service import FakeAmplify
from .._state.clock import SimulatedClock

DUMMY_CREDENTIALS = Credentials("testing", "testing")


@contextlib.contextmanager
def targeting(config: pytest.Config, fake: FakeAmplify, source: str) -> Iterator[FakeAmplify]:
    """Point the plugin at ``fake`` (endpoint, region, site and custom domains, dummy
    credentials, and its clock when simulated) while the block runs, whatever the ini, flags or
    environment say. Markers still pick apps, branches and jobs."""
    clock = fake.clock
    wait_clock = (
        WaitClock(monotonic=clock, wall=clock, sleep=clock.sleep)
        if isinstance(clock, SimulatedClock)
        else None
    )
    with override_settings(
        config,
        credentials=DUMMY_CREDENTIALS,
        clock=wait_clock,
        source=source,
        endpoint_url=fake.endpoint_url,
        region=fake.region,
        site_url=fake.site_url_template,
        domain_url=fake.domain_url_template,
    ):
        yield fake


@pytest.fixture
def amplify_fake(request: pytest.FixtureRequest) -> Iterator[FakeAmplify]:
    """A local Amplify service for this test, on a simulated clock (waits take no
    real time); ``amplify_job`` and ``amplify_client`` use it while it runs."""
    with (
        FakeAmplify(clock=SimulatedClock()) as fake,
        targeting(request.config, fake, "the amplify_fake fixture"),
    ):
        yield fake


@pytest.fixture(scope="session")
def amplify_fake_session(request: pytest.FixtureRequest) -> Iterator[FakeAmplify]:
    """One local Amplify service for the whole session (simulated clock)."""
    with (
        FakeAmplify(clock=SimulatedClock()) as fake,
        targeting(request.config, fake, "the amplify_fake_session fixture"),
    ):
        yield fake
