"""Building waits against the local service, on its simulated clock."""

from __future__ import annotations

import random

from pytest_amplify import Fetcher
from pytest_amplify._amplify_api import AmplifyApi
from pytest_amplify._aws import ClientFactory, Connection, Credentials
from pytest_amplify._clock import WaitClock
from pytest_amplify._target import LATEST, Target
from pytest_amplify._wait_policy import InsideJob, WaitPolicy
from pytest_amplify._waiting import JobWait
from pytest_amplify.testing import FakeAmplify, SimulatedClock

_FACTORY = ClientFactory()


def connection_to(fake: FakeAmplify) -> Connection:
    return Connection(
        endpoint_url=fake.endpoint_url,
        region="us-east-1",
        profile=None,
        credentials=Credentials("testing", "testing"),
    )


def api_for(fake: FakeAmplify) -> AmplifyApi:
    connection = connection_to(fake)
    return AmplifyApi(lambda: _FACTORY.client(connection))


def make_wait(
    fake: FakeAmplify,
    clock: SimulatedClock,
    *,
    job_id: str = LATEST,
    commit_id: str | None = None,
    branch: str = "main",
    timeout: float = 600.0,
    first: float = 5.0,
    cap: float = 30.0,
    call_timeout: float = 15.0,
    inside_job: InsideJob | None = None,
    endpoint_url: str | None = None,
    seed: int = 0,
) -> JobWait:
    target = Target(
        app_id="d1",
        branch=branch,
        job_id=job_id,
        commit_id=commit_id,
        endpoint_url=endpoint_url or fake.endpoint_url,
        region="us-east-1",
    )
    api = api_for(fake)
    if endpoint_url:
        connection = Connection(endpoint_url, "us-east-1", None, Credentials("testing", "testing"))
        api = AmplifyApi(lambda: _FACTORY.client(connection))
    return JobWait(
        target,
        api,
        WaitPolicy(timeout, first, cap, call_timeout=call_timeout),
        clock=WaitClock(monotonic=clock, wall=clock, sleep=clock.sleep),
        inside_job=inside_job,
        rng=random.Random(seed),
    )


def simulated(clock: SimulatedClock) -> WaitClock:
    """A wait's clock on ``clock``: its sleeps move it and take no real time."""
    return WaitClock(monotonic=clock, wall=clock, sleep=clock.sleep)


def quick_fetcher(**kwargs: object) -> Fetcher:
    """A Fetcher whose retries sleep on a simulated clock of their own."""
    return Fetcher(clock=simulated(SimulatedClock()), **kwargs)  # type: ignore[arg-type]
