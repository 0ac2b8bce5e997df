"""Shared fixtures: a hermetic AWS environment and a running local service."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# Imported here, before any pytester run: pytester's inline runs drop the modules
# they import, so without this every inner run would import these again.
import boto3  # noqa: F401
import hypothesis  # noqa: F401
import moto  # noqa: F401
import pytest
import tenacity  # noqa: F401
import urllib3  # noqa: F401
from hypothesis import settings

from pytest_amplify.testing import FakeAmplify, SimulatedClock

# HYPOTHESIS_PROFILE=thorough (what .ci/run sets) runs the property tests that do
# not fix their own number of examples on many more cases.
settings.register_profile("thorough", max_examples=2000)
settings.register_profile("exhaustive", max_examples=50_000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

AWS_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_AMPLIFY",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_APP_ID",
    "AWS_BRANCH",
    "AWS_JOB_ID",
    "AWS_COMMIT_ID",
    "AWS_CA_BUNDLE",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "https_proxy",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
)


@pytest.fixture(autouse=True)
def hermetic_aws(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test sees the machine's AWS configuration, credentials or proxies, and no
    test can reach real AWS: credentials are dummies and config files are empty."""
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path_factory.getbasetemp() / "aws-empty"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock()


@pytest.fixture
def fake(clock: SimulatedClock) -> Iterator[FakeAmplify]:
    """A running local service on a simulated clock (not targeted by the plugin)."""
    with FakeAmplify(clock=clock) as service:
        yield service


@pytest.fixture
def real_time_fake() -> Iterator[FakeAmplify]:
    """A running local service on the real clock, for runs in another process."""
    with FakeAmplify() as service:
        yield service


def fake_args(service: FakeAmplify) -> list[str]:
    """Command-line flags that point an inner pytest run at ``service``."""
    return [
        f"--amplify-endpoint-url={service.endpoint_url}",
        "--amplify-region=us-east-1",
        f"--amplify-site-url={service.site_url_template}",
    ]


REPO = Path(__file__).resolve().parent.parent
