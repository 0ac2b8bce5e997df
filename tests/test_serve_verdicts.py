"""``assert_serves_build`` (issue 24): one verdict per run for each check, a bound of
its own for each request, sites asked side by side, and the cache-busting parameter
on every hop of a redirect."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Callable, Iterator

import pytest

from pytest_amplify import (
    AmplifyAssertionError,
    AmplifyJob,
    Fetcher,
    assert_serves_build,
)
from pytest_amplify.testing import FakeAmplify, FakeStep, SimulatedClock, typical_steps

from .seam import CACHE_BUST_PARAMETER, ServeVerdicts, handed_out_job


def deploy(fake: FakeAmplify, version: str, **kwargs: object) -> str:
    steps = typical_steps()
    steps[0] = FakeStep("BUILD", artifacts={"index.html": f"<h1>{version}</h1>"})
    return fake.add_job("d1", "main", steps=steps, **kwargs).job_id  # type: ignore[arg-type]


def failure(call: Callable[[], object]) -> str:
    with pytest.raises(AmplifyAssertionError) as raised:
        call()
    return str(raised.value)


def site_requests(fake: FakeAmplify) -> int:
    return fake.calls("GetSitePage")


# -- one verdict per run --------------------------------------------------------------------

STALE_BUILD = """
import pytest
from pytest_amplify.testing import FakeStep, typical_steps

pytest_plugins = ["pytest_amplify.testing"]


def build(version):
    steps = typical_steps()
    steps[0] = FakeStep("BUILD", artifacts={"index.html": f"<h1>{version}</h1>"})
    return steps


@pytest.fixture(scope="session", autouse=True)
def deployment(amplify_fake_session):
    amplify_fake_session.add_job(app_id="d1", branch="main", steps=build("v1"))
    # The new build is never served: the site stays stale.
    amplify_fake_session.add_job(
        app_id="d1", branch="main", steps=build("v2"), deployed_after=None
    )
    return amplify_fake_session
"""
THREE_CHECKS = """
import pytest
from pytest_amplify import AmplifyAssertionError, assert_serves_build

TOOK = []


@pytest.mark.parametrize("n", range(3))
def test_check(amplify_job, deployment, n):
    started = deployment.clock()
    try:
        assert_serves_build(amplify_job, timeout=6)
    finally:
        TOOK.append(deployment.clock() - started)


def test_together(deployment):
    print(f"TOOK {sum(TOOK):.1f} s, {deployment.calls('GetSitePage')} site requests")
"""


def test_three_checks_of_one_stale_build_cost_one_bound(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(STALE_BUILD)
    pytester.makepyfile(THREE_CHECKS)
    result = pytester.runpytest("--amplify-app-id=d1", "--amplify-branch=main", "-s")
    result.assert_outcomes(passed=1, failed=3)
    took = re.search(r"TOOK ([\d.]+) s, (\d+) site requests", result.stdout.str())
    assert took is not None
    seconds, requests = took.groups()
    assert float(seconds) < 10, "the first check took the bound, the others nothing"
    assert float(seconds) >= 5, "the first check asked until a second before its bound"
    first = "test_three_checks_of_one_stale_build_cost_one_bound.py::test_check[0]"
    output = result.stdout.str()
    # The first failure is the check's own; the others say whose verdict they carry.
    assert output.count(f"the verdict of the same check in {first}") == 2
    assert output.count("the site did not serve job 2's build within timeout=6s") == 3
    assert int(requests) <= 5, "only the first check asked the site"


def test_a_served_build_is_told_at_once_and_a_different_check_asks_again(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    deploy(fake, "v1")
    job_id = deploy(fake, "v2", deployed_after=30)
    verdicts = ServeVerdicts(lambda: "tests/test_a.py::test_first", lambda: None)
    job = handed_out_job(fake, clock, job_id, verdicts=verdicts)
    first = assert_serves_build(job, timeout=120)
    assert first.first_check is None
    asked = site_requests(fake)
    assert asked >= 2

    again = assert_serves_build(job, timeout=120)
    assert again.first_check == "tests/test_a.py::test_first"
    assert (again.urls, again.requests, again.waited) == (first.urls, first.requests, first.waited)
    assert site_requests(fake) == asked, "no request for a verdict already given"

    # Another bound, path or expectation is another check.
    assert assert_serves_build(job, timeout=60).first_check is None
    assert assert_serves_build(job, "/", "v2", timeout=60).first_check is None
    assert assert_serves_build(job, "/", "v2", timeout=60).first_check is not None
    assert site_requests(fake) == asked + 2


def test_expectations_are_the_same_check_by_pattern_flags_and_identity(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    job_id = deploy(fake, "v2")
    verdicts = ServeVerdicts(lambda: "tests/test_a.py::test_first", lambda: None)
    job = handed_out_job(fake, clock, job_id, verdicts=verdicts)

    def has_v2(body: str) -> bool:
        return "v2" in body

    checks: list[tuple[object, bool]] = [
        (re.compile("V2", re.IGNORECASE), False),
        (re.compile("V2", re.IGNORECASE), True),  # the same pattern and flags
        (re.compile("v2"), False),  # other flags
        (has_v2, False),
        (has_v2, True),  # the same function
        (lambda body: "v2" in body, False),  # the same code, another object
        (lambda body: "v2" in body, False),
    ]
    for expect, reused in checks:
        served = assert_serves_build(job, "/", expect)  # type: ignore[arg-type]
        assert (served.first_check is not None) == reused, expect


# -- each request bounded, sites side by side -------------------------------------------------


@pytest.mark.slow
def test_a_hung_request_costs_a_quarter_of_the_bound(fake: FakeAmplify) -> None:
    """On the real clock: the first request hangs (cut after a quarter of the 10 s
    bound), the second serves the build."""
    deploy(fake, "v1")
    job_id = deploy(fake, "v2")
    fake.hang_next("GetSitePage")
    served = assert_serves_build(handed_out_job(fake, None, job_id), timeout=10)
    assert served.requests == 2
    assert served.waited < 10
    assert site_requests(fake) == 2


class _MeetingFetcher(Fetcher):
    """Pages fetched only when ``parties`` requests are in flight together."""

    def __init__(self, parties: int) -> None:
        super().__init__()
        self.meeting = threading.Barrier(parties, timeout=10)

    def get_page(self, url: str, **kwargs: object) -> object:  # type: ignore[override]
        self.meeting.wait()
        return super().get_page(url, **kwargs)  # type: ignore[arg-type]


def test_the_branch_url_and_custom_domains_are_asked_side_by_side(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    deploy(fake, "v1")
    job_id = deploy(fake, "v2")
    fake.add_domain("d1", "example.com", {"": "main", "www": "main"})
    job = handed_out_job(fake, clock, job_id)
    # One site after another, the first would wait at the barrier alone and fail.
    served = assert_serves_build(
        job, "/", "v2", custom_domains=True, fetcher=_MeetingFetcher(parties=3)
    )
    assert len(served.urls) == 3
    assert served.requests == 3


# -- redirects --------------------------------------------------------------------------------


class _RedirectingHandler(http.server.BaseHTTPRequestHandler):
    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(self.path)
        if self.path.startswith("/old"):
            self.send_response(302)
            self.send_header("Location", "/new?from=old")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"<h1>v2</h1>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def redirecting_site() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("Handler", (_RedirectingHandler,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_every_hop_of_a_redirect_is_cache_busted(
    redirecting_site: tuple[str, list[str]],
) -> None:
    url, seen = redirecting_site
    job = AmplifyJob(app_id="d1", branch="main", job_id="7", status="SUCCEED", site_url=url)
    assert_serves_build(job, "/old", "v2")
    first, second = seen
    busted = rf"{CACHE_BUST_PARAMETER}=([0-9a-f]{{12}})"
    first_token = re.fullmatch(rf"/old\?{busted}", first)
    second_token = re.fullmatch(rf"/new\?from=old&{busted}", second)
    assert first_token is not None and second_token is not None, seen
    assert first_token.group(1) != second_token.group(1), "a token of its own each hop"
