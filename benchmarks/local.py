"""Waits built the plugin's way against the local Amplify service, on its simulated
clock: the plugin's own wait code, no real waiting; over real HTTP and boto3, or
through the service's in-process client where a benchmark makes millions of calls."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, cast

from pytest_amplify._amplify.api import AmplifyApi
from pytest_amplify._amplify.aws import ClientFactory, Connection, Credentials
from pytest_amplify._core.clock import WaitClock
from pytest_amplify._core.policies import WaitPolicy
from pytest_amplify._core.target import Target
from pytest_amplify._core.vocabulary import (
    DEFAULT_MAX_POLL_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_TIMEOUT,
)
from pytest_amplify._jobs.waiting import JobWait
from pytest_amplify.testing import FakeAmplify, SimulatedClock

if TYPE_CHECKING:
    from mypy_boto3_amplify import AmplifyClient

APP_ID = "d1"
REGION = "us-east-1"

# One factory for every wait: boto3 clients are built once per process, as in a
# pytest session, and not once per simulated job.
_CLIENTS = ClientFactory()


def api_for(fake: FakeAmplify, *, in_process: bool = False) -> AmplifyApi:
    """The plugin's Amplify calls to ``fake``: over HTTP with boto3, or in-process."""
    if in_process:
        client = cast("AmplifyClient", fake.in_process_client())
        return AmplifyApi(lambda: client)
    connection = Connection(
        endpoint_url=fake.endpoint_url,
        region=REGION,
        profile=None,
        credentials=Credentials("testing", "testing"),
    )
    return AmplifyApi(lambda: _CLIENTS.client(connection))


def simulated_wait(
    fake: FakeAmplify,
    clock: SimulatedClock,
    branch: str,
    *,
    commit_id: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    rng: random.Random | None = None,
    in_process: bool = False,
) -> JobWait:
    """A wait with the plugin's default poll settings, starting now on ``clock``;
    ``in_process`` calls the service without HTTP (it need not be started)."""
    target = Target(
        app_id=APP_ID,
        branch=branch,
        commit_id=commit_id,
        endpoint_url=None if in_process else fake.endpoint_url,
        region=REGION,
    )
    policy = WaitPolicy(timeout, DEFAULT_POLL_INTERVAL, DEFAULT_MAX_POLL_INTERVAL)
    return JobWait(
        target,
        api_for(fake, in_process=in_process),
        policy,
        clock=WaitClock(monotonic=clock, wall=clock, sleep=clock.sleep),
        rng=rng,
    )
