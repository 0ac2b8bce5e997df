"""Shared fixtures: a hermetic AWS environment and a running local service; and the
Hypothesis profiles.

Hypothesis runs the quick ``dev`` profile unless told otherwise: a few dozen examples
a property, for a fast loop. ``--hypothesis-profile=ci`` (Hypothesis' own option) or
``HYPOTHESIS_PROFILE=ci`` selects the thorough one that CI runs. Either way a failure
prints the ``@reproduce_failure`` blob to paste above the test, and the run's seed
can be fixed with ``--hypothesis-seed``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# Imported here, before any pytester run: pytester's inline runs drop the modules
# they import, so without this every inner run would import these again.
import boto3  # noqa: F401
import moto  # noqa: F401
import pytest
import tenacity  # noqa: F401
import urllib3  # noqa: F401
from hypothesis import settings

from pytest_amplify.testing import FakeAmplify, SimulatedClock

from .quiet_amplify import pytest_sessionfinish  # noqa: F401 - a hook of this suite

# No example database: nothing is written into the checkout, and a failure is
# reproduced from the blob it prints.
settings.register_profile("dev", max_examples=25, database=None, print_blob=True)
settings.register_profile("ci", max_examples=200, database=None, print_blob=True, derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

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
# A run inside GitHub Actions: inner runs must not write to the real job summary or
# print annotations for the jobs of the local service. pytest itself reads CI and
# BUILD_NUMBER: on CI it prints every failure's whole message again in the short
# summary, so output-counting tests would see a different run on CI than here.
CI_VARIABLES = ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "CI", "BUILD_NUMBER")


@pytest.fixture(autouse=True)
def hermetic_aws(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test sees the machine's AWS configuration, credentials, proxies, CI
    variables or terminal width, and no test can reach real AWS: credentials are
    dummies and config files are empty."""
    for name in (*AWS_VARIABLES, *CI_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path_factory.getbasetemp() / "aws-empty"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    # Inner runs lay out their output for 80 columns, as on a terminal-less machine,
    # whatever width the machine running the suite reports: the short summary cuts
    # each message at the width, and some tests count what it repeats.
    monkeypatch.setenv("COLUMNS", "80")


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
