"""``assert_serves_build``: the site serves the job's build, not the previous one.

The jobs are handed out as the plugin hands them out under the ``amplify_fake``
fixture (the session's resolver over real boto3 and HTTP); the waits run on the
local service's simulated clock, which also decides when its site serves a build.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
from collections.abc import Callable, Iterator

import pytest

from pytest_amplify import (
    AmplifyAssertionError,
    AmplifyJob,
    ServedBuild,
    assert_serves_build,
)
from pytest_amplify.testing import FakeAmplify, FakeStep, SimulatedClock, typical_steps

from .conftest import REPO
from .doc_blocks import doc_block
from .seam import CACHE_BUST_PARAMETER, SERVE_MAX_INTERVAL, handed_out_job


def with_build(files: dict[str, str]) -> list[FakeStep]:
    steps = typical_steps()
    steps[0] = FakeStep("BUILD", artifacts=files)
    return steps


def deploy(
    fake: FakeAmplify, files: dict[str, str], *, commit_id: str | None = None, **kwargs: object
) -> str:
    """A job of d1/main with these BUILD artifacts; its job id."""
    job = fake.add_job("d1", "main", commit_id=commit_id, steps=with_build(files), **kwargs)  # type: ignore[arg-type]
    return job.job_id


@pytest.fixture
def job_of(fake: FakeAmplify, clock: SimulatedClock) -> Callable[..., AmplifyJob]:
    def make(job_id: str, **kwargs: object) -> AmplifyJob:
        return handed_out_job(fake, clock, job_id, **kwargs)  # type: ignore[arg-type]

    return make


def failure(call: Callable[[], object]) -> str:
    with pytest.raises(AmplifyAssertionError) as raised:
        call()
    return str(raised.value)


def site_requests(fake: FakeAmplify) -> list[tuple[float, int]]:
    return [(r.at, r.status) for r in fake.requests if r.operation == "GetSitePage"]


# -- a file of the build ----------------------------------------------------------------


def test_passes_once_the_new_build_is_served(
    fake: FakeAmplify, clock: SimulatedClock, job_of: Callable[..., AmplifyJob]
) -> None:
    deploy(fake, {"index.html": "<h1>v1</h1>", "app.js": "same"})
    job_id = deploy(fake, {"index.html": "<h1>v2</h1>", "app.js": "same"}, deployed_after=90)
    job = job_of(job_id)
    start = clock()

    served = assert_serves_build(job)

    assert isinstance(served, ServedBuild)
    assert served.path == "/index.html"
    assert served.urls == (fake.site_url("d1", "main") + "/index.html",)
    assert "which differ from those in job 1's build" in served.expected
    assert 90 <= clock() - start <= 90 + SERVE_MAX_INTERVAL
    assert served.waited == clock() - start
    requests = [r for r in fake.requests if r.operation == "GetSitePage"]
    assert served.requests == len(requests) > 1
    # Every request gets past the caches with a query parameter of its own.
    tokens = [r.params[CACHE_BUST_PARAMETER] for r in requests]
    assert len(set(tokens)) == len(tokens)


def test_fails_with_what_was_served_when_the_old_build_stays_past_the_bound(
    fake: FakeAmplify, clock: SimulatedClock, job_of: Callable[..., AmplifyJob]
) -> None:
    deploy(fake, {"index.html": "<h1>v1</h1>"})
    job_id = deploy(fake, {"index.html": "<h1>v2</h1>"}, deployed_after=None)
    job = job_of(job_id, serve_timeout=120)
    start = clock()

    message = failure(lambda: assert_serves_build(job))

    assert message.startswith(
        "app d1, branch main, job 2: the site did not serve job 2's build within "
        "amplify_serve_timeout = 2m 00s (from the test);"
    )
    assert (
        "expected at /index.html: the 11 bytes of index.html from the BUILD artifacts of job 2"
        in message
    )
    url = fake.site_url("d1", "main") + "/index.html"
    assert (
        f"branch URL {url}: it serves job 1's build (the previous build): HTTP 200, 11 bytes, ETag "
        in message
    )
    for header in ("Last-Modified ", "Age ", "X-Cache Hit from cloudfront", "Via 1.1 "):
        assert header in message
    assert "body: '<h1>v1</h1>'" in message
    # Never past the bound: the last request a second before the deadline, bounded
    # to end by it.
    assert clock() - start == 119
    assert max(clock.slept) <= SERVE_MAX_INTERVAL
    assert site_requests(fake)[-1][0] == start + 119


@pytest.mark.parametrize("bound", [0.5, 1, 7.25, 61, 300, 1800])
def test_never_waits_past_its_bound(
    fake: FakeAmplify,
    clock: SimulatedClock,
    job_of: Callable[..., AmplifyJob],
    bound: float,
) -> None:
    deploy(fake, {"index.html": "v1"})
    job_id = deploy(fake, {"index.html": "v2"}, deployed_after=None)
    start = clock()
    with pytest.raises(AmplifyAssertionError, match=r"within timeout="):
        assert_serves_build(job_of(job_id), timeout=bound)
    # The last round a second before the deadline (each request bounded to end by it).
    assert bound - 1 <= clock() - start <= bound
    assert all(at <= start + bound for at, _ in site_requests(fake))


def test_404s_and_5xx_while_the_deploy_propagates_are_not_fatal(
    fake: FakeAmplify, clock: SimulatedClock, job_of: Callable[..., AmplifyJob]
) -> None:
    deploy(fake, {"app.js": "1"})
    job_id = deploy(fake, {"index.html": "<h1>new</h1>", "app.js": "1"}, deployed_after=30)
    fake.respond_raw_next("GetSitePage", status=502, body="<h1>502 Bad Gateway</h1>", times=2)

    served = assert_serves_build(job_of(job_id))

    assert "a file job 1's build does not have" in served.expected
    statuses = [status for _, status in site_requests(fake)]
    assert statuses[:2] == [502, 502]
    assert 404 in statuses
    assert statuses[-1] == 200


def test_reliability_doc_names_the_check_that_waits_for_the_site() -> None:
    """docs/reliability.md said no check waited for a deployed site to change; the
    rules it gives for one are those the two tests above hold."""
    text = (REPO / "docs" / "reliability.md").read_text()
    flat = " ".join(text.split())
    assert "no check that waits" not in flat
    assert "waited for by `assert_serves_build` ([serves-build](serves-build.md))" in flat
    assert '404s, 5xx and failed connections are "not yet"' in flat
    assert "401, 403 and 407 fail at once" in flat


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_request_fails_at_once(
    fake: FakeAmplify, clock: SimulatedClock, job_of: Callable[..., AmplifyJob], status: int
) -> None:
    deploy(fake, {"index.html": "v1"})
    job_id = deploy(fake, {"index.html": "v2"})
    fake.respond_raw_next("GetSitePage", status=status, body="Unauthorized", times=5)
    start = clock()
    message = failure(lambda: assert_serves_build(job_of(job_id)))
    assert f"refused the request (HTTP {status}), which waiting cannot change" in message
    assert "basic auth on the branch" in message
    assert clock() == start
    assert len(site_requests(fake)) == 1


def test_a_changed_file_is_chosen_when_the_home_page_did_not_change(
    fake: FakeAmplify, job_of: Callable[..., AmplifyJob]
) -> None:
    deploy(fake, {"index.html": "same", "assets/app-1.js": "one", "a.css": "x"})
    job_id = deploy(
        fake, {"index.html": "same", "assets/app-2.js": "two!", "a.css": "x", "empty.txt": ""}
    )
    served = assert_serves_build(job_of(job_id))
    assert served.path == "/assets/app-2.js"
    assert "a file job 1's build does not have" in served.expected


def test_a_build_whose_files_equal_the_previous_builds_fails_plainly(
    fake: FakeAmplify, clock: SimulatedClock, job_of: Callable[..., AmplifyJob]
) -> None:
    files = {"index.html": "<h1>Shop</h1>", "app.js": "console.log(1)"}
    deploy(fake, files)
    job_id = deploy(fake, files, deployed_after=None)
    start = clock()
    message = failure(lambda: assert_serves_build(job_of(job_id)))
    assert (
        "cannot tell the build from the previous one: all 2 served files of the BUILD "
        "artifacts of job 2 are byte for byte those of job 1's build" in message
    )
    assert "expect= on a page that carries the commit id" in message
    assert clock() == start
    assert site_requests(fake) == []


def test_the_first_successful_job_is_checked_with_a_note(
    fake: FakeAmplify, job_of: Callable[..., AmplifyJob]
) -> None:
    fake.add_failed_job("d1", "main")
    job_id = deploy(fake, {"index.html": "v1"})
    served = assert_serves_build(job_of(job_id))
    assert served.notes == (
        "job 2 is the branch's first successful job: no earlier build to tell it from",
    )


def test_a_previous_build_without_artifacts_is_named_in_a_note(
    fake: FakeAmplify, job_of: Callable[..., AmplifyJob]
) -> None:
    fake.add_job("d1", "main", job_type="MANUAL")
    job_id = deploy(fake, {"index.html": "v2"})
    served = assert_serves_build(job_of(job_id))
    (note,) = served.notes
    assert note.startswith(
        "job 1's build could not be compared (app d1, branch main, job 1 has no step 'BUILD'"
    )
    assert note.endswith("a site still serving job 1 would pass")


def test_a_job_that_did_not_succeed_has_no_build_on_the_site(
    fake: FakeAmplify, job_of: Callable[..., AmplifyJob]
) -> None:
    fake.add_failed_job("d1", "main")
    message = failure(lambda: assert_serves_build(job_of("1")))
    assert "job 1 did not SUCCEED (FAILED): its build was not deployed" in message


# -- WEB_COMPUTE and mappings ---------------------------------------------------------------

BUNDLE = {
    ".amplify-hosting/static/_next/static/app-{n}.js": "app {n}",
    ".amplify-hosting/compute/default/server.js": "server {n}",
    ".amplify-hosting/deploy-manifest.json": "{{}}",
}


def bundle(number: int) -> dict[str, str]:
    return {name.format(n=number): content.format(n=number) for name, content in BUNDLE.items()}


def test_a_compute_app_needs_to_be_told_where_files_are_served(
    fake: FakeAmplify, job_of: Callable[..., AmplifyJob]
) -> None:
    fake.add_app("d1", platform="WEB_COMPUTE")
    deploy(fake, bundle(1))
    job_id = deploy(fake, bundle(2))
    message = failure(lambda: assert_serves_build(job_of(job_id)))
    assert "the app's platform is WEB_COMPUTE: only for static hosting (WEB)" in message
    assert "files={'.amplify-hosting/static/': '/'}" in message
    assert site_requests(fake) == []


@pytest.mark.parametrize(
    "files",
    [
        {".amplify-hosting/static/": "/"},
        {".amplify-hosting/static/_next/static/app-2.js": "/_next/static/app-2.js"},
    ],
    ids=["folder", "file"],
)
def test_a_compute_app_with_a_mapping(
    fake: FakeAmplify,
    clock: SimulatedClock,
    job_of: Callable[..., AmplifyJob],
    files: dict[str, str],
) -> None:
    fake.add_app("d1", platform="WEB_COMPUTE")
    deploy(fake, bundle(1))
    job_id = deploy(fake, bundle(2), deployed_after=45)
    start = clock()
    served = assert_serves_build(job_of(job_id), files=files)
    assert served.path == "/_next/static/app-2.js"
    assert served.expected.endswith("a file job 1's build does not have")
    assert clock() - start >= 45


def test_a_compute_app_still_serving_the_previous_bundle_fails(
    fake: FakeAmplify, job_of: Callable[..., AmplifyJob]
) -> None:
    fake.add_app("d1", platform="WEB_COMPUTE")
    deploy(fake, bundle(1))
    job_id = deploy(fake, bundle(2), deployed_after=None)
    message = failure(
        lambda: assert_serves_build(
            job_of(job_id), files={".amplify-hosting/static/": "/"}, timeout=90
        )
    )
    assert "expected at /_next/static/app-2.js: the 5 bytes of" in message
    assert "/_next/static/app-2.js: not served yet: HTTP 404" in message


def test_a_mapping_that_matches_nothing_says_what_the_zip_holds(
    fake: FakeAmplify, job_of: Callable[..., AmplifyJob]
) -> None:
    job_id = deploy(fake, {"index.html": "v1", "app.js": "1"})
    message = failure(lambda: assert_serves_build(job_of(job_id), files={"dist/": "/"}))
    assert (
        "files={'dist/': '/'} maps none of the 2 files of the BUILD artifacts of job 1" in message
    )
    assert "they include: app.js, index.html" in message


# -- what the user expects --------------------------------------------------------------


def commit_is_deployed(body: str) -> bool:
    return bool(json.loads(body)["commit"] == "c2")


@pytest.mark.parametrize(
    "expect",
    ['"commit": "c2"', re.compile(r'"commit":\s*"c2"'), commit_is_deployed],
    ids=["string", "regex", "callable"],
)
def test_a_user_expectation_on_a_page(
    fake: FakeAmplify,
    clock: SimulatedClock,
    job_of: Callable[..., AmplifyJob],
    expect: object,
) -> None:
    deploy(fake, {"version.json": '{"commit": "c1"}'}, commit_id="c1")
    job_id = deploy(fake, {"version.json": '{"commit": "c2"}'}, commit_id="c2", deployed_after=45)
    start = clock()
    served = assert_serves_build(job_of(job_id), "/version.json", expect)  # type: ignore[arg-type]
    assert served.path == "/version.json"
    assert clock() - start >= 45


@pytest.mark.parametrize(
    ("expect", "expected", "found"),
    [
        ("c2", "a body containing 'c2'", "the body is not as expected"),
        (
            re.compile("c[2-9]"),
            "a body matching re.compile('c[2-9]')",
            "the body is not as expected",
        ),
        (
            commit_is_deployed,
            "a body for which commit_is_deployed(body) is true",
            "commit_is_deployed(body) raised JSONDecodeError: Expecting value",
        ),
    ],
    ids=["string", "regex", "callable"],
)
def test_an_unmet_expectation_says_what_was_expected_and_served(
    fake: FakeAmplify,
    job_of: Callable[..., AmplifyJob],
    expect: object,
    expected: str,
    found: str,
) -> None:
    deploy(fake, {"version.json": "<!doctype html><p>c1</p>"})
    job_id = deploy(fake, {"version.json": "{}"}, deployed_after=None)
    message = failure(
        lambda: assert_serves_build(job_of(job_id), "/version.json", expect, timeout=30)
    )  # type: ignore[arg-type]
    assert f"expected at /version.json: {expected}\n" in message
    assert f"/version.json: {found}" in message
    assert "body: '<!doctype html><p>c1</p>'" in message


def test_arguments_are_checked(fake: FakeAmplify, job_of: Callable[..., AmplifyJob]) -> None:
    job = job_of(deploy(fake, {"index.html": "v1"}))
    with pytest.raises(TypeError, match="a path without expect= says nothing"):
        assert_serves_build(job, "/version.json")
    with pytest.raises(TypeError, match="with expect= there is none"):
        assert_serves_build(job, "/", "v1", files={"index.html": "/"})
    with pytest.raises(TypeError, match="expect= is a string, a compiled regex or a callable"):
        assert_serves_build(job, "/", 42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout= is a number of seconds above 0"):
        assert_serves_build(job, timeout=0)


# -- custom domains ---------------------------------------------------------------------


def test_every_verified_custom_domain_of_the_branch_is_checked(
    fake: FakeAmplify, clock: SimulatedClock, job_of: Callable[..., AmplifyJob]
) -> None:
    deploy(fake, {"index.html": "v1"})
    fake.add_domain("d1", "example.com", {"": "main", "www": "main", "dev": "dev"}, lag=60)
    fake.add_domain("d1", "example.org", {"shop": "main"}, status="PENDING_VERIFICATION")
    fake.add_domain("d1", "example.net", {"www": "main"}, verified=False)
    for number in range(50):  # past the first page of ListDomainAssociations
        fake.add_domain("d1", f"preview{number}.example.io", {"www": "dev"})
    fake.add_domain("d1", "shop.example", {"": "main"})
    clock.advance(600)
    job_id = deploy(fake, {"index.html": "v2"})
    start = clock()

    served = assert_serves_build(job_of(job_id), custom_domains=True)

    assert served.urls == (
        fake.site_url("d1", "main") + "/index.html",
        fake.domain_url("example.com") + "/index.html",
        fake.domain_url("www.example.com") + "/index.html",
        fake.domain_url("shop.example") + "/index.html",
    )
    assert served.notes == (
        "custom domain shop.example.org skipped: domain example.org is PENDING_VERIFICATION",
        "custom domain www.example.net skipped: not verified yet",
    )
    assert fake.calls("ListDomainAssociations") == 2
    assert 60 <= clock() - start <= 60 + SERVE_MAX_INTERVAL


def test_a_custom_domain_stuck_on_the_old_build_is_named(
    fake: FakeAmplify, clock: SimulatedClock, job_of: Callable[..., AmplifyJob]
) -> None:
    deploy(fake, {"index.html": "<h1>v1</h1>"})
    fake.add_domain("d1", "example.com", {"www": "main"}, lag=None)
    clock.advance(600)
    job_id = deploy(fake, {"index.html": "<h1>v2</h1>"})
    message = failure(lambda: assert_serves_build(job_of(job_id), custom_domains=True, timeout=60))
    site = fake.site_url("d1", "main") + "/index.html"
    domain = fake.domain_url("www.example.com") + "/index.html"
    assert f"  branch URL {site}: served it\n" in message
    assert (
        f"  custom domain {domain}: it serves job 1's build (the previous build): HTTP 200"
        in message
    )
    assert "X-Cache Hit from cloudfront" in message


def test_a_branch_without_custom_domains_is_noted(
    fake: FakeAmplify, job_of: Callable[..., AmplifyJob]
) -> None:
    served = assert_serves_build(job_of(deploy(fake, {"index.html": "v1"})), custom_domains=True)
    assert "no custom domain is associated with branch main" in served.notes


def test_listing_custom_domains_denied_names_the_permission(
    fake: FakeAmplify, job_of: Callable[..., AmplifyJob]
) -> None:
    job = job_of(deploy(fake, {"index.html": "v1"}))
    fake.fail_next("ListDomainAssociations", "AccessDeniedException")
    message = failure(lambda: assert_serves_build(job, custom_domains=True))
    assert "could not prepare the check of its site" in message
    assert "amplify:ListDomainAssociations" in message


# -- redaction and cache-busting ------------------------------------------------------------

SIGNED = "X-Amz-Signature=sig0123secret&X-Amz-Credential=AKIAEXAMPLEKEY%2F20260101"


def test_every_url_it_prints_is_redacted(
    fake: FakeAmplify, job_of: Callable[..., AmplifyJob]
) -> None:
    leaked = f"see https://bucket.s3.amazonaws.com/build.zip?{SIGNED}"
    deploy(fake, {"version.json": leaked})
    job_id = deploy(fake, {"version.json": "new"}, deployed_after=None)
    message = failure(
        lambda: assert_serves_build(job_of(job_id), f"/version.json?{SIGNED}", "new", timeout=10)
    )
    assert "sig0123secret" not in message
    assert "AKIAEXAMPLEKEY" not in message
    assert "X-Amz-Signature=REDACTED" in message
    assert CACHE_BUST_PARAMETER not in message


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    seen: list[tuple[str, dict[str, str]]]

    def do_GET(self) -> None:
        self.seen.append((self.path, dict(self.headers.items())))
        body = b'{"commit": "abc"}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def recording_site() -> Iterator[tuple[str, list[tuple[str, dict[str, str]]]]]:
    seen: list[tuple[str, dict[str, str]]] = []
    handler = type("Handler", (_RecordingHandler,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_requests_ask_past_the_caches(
    recording_site: tuple[str, list[tuple[str, dict[str, str]]]],
) -> None:
    url, seen = recording_site
    # A job the plugin did not hand out: the page is checked at its site_url.
    job = AmplifyJob(app_id="d1", branch="main", job_id="7", status="SUCCEED", site_url=url)
    served = assert_serves_build(job, "/version.json?v=1", '"commit": "abc"')
    assert served.urls == (f"{url}/version.json?v=1",)
    ((path, headers),) = seen
    assert re.fullmatch(rf"/version\.json\?v=1&{CACHE_BUST_PARAMETER}=[0-9a-f]{{12}}", path)
    assert headers["Cache-Control"] == "no-cache"
    assert headers["Pragma"] == "no-cache"


def test_a_job_without_the_plugins_resolver_cannot_pick_a_file_by_platform(
    recording_site: tuple[str, list[tuple[str, dict[str, str]]]],
) -> None:
    url, seen = recording_site
    job = AmplifyJob(app_id="d1", branch="main", job_id="7", status="SUCCEED", site_url=url)
    with pytest.raises(AmplifyAssertionError, match="custom_domains=True lists the custom domains"):
        assert_serves_build(job, "/", "abc", custom_domains=True)
    assert seen == []


# -- as users run it ------------------------------------------------------------------------

LIVE = doc_block("docs/serves-build.md", "# test_live.py")
BRIEF = doc_block("docs/jobs-and-assertions.md", "from pytest_amplify import assert_serves_build")
DEPLOYMENT = """
import pytest
from pytest_amplify.testing import FakeStep, typical_steps

pytest_plugins = ["pytest_amplify.testing"]


def build(commit):
    steps = typical_steps()
    files = {{"index.html": f"<h1>{{commit}}</h1>", "version.json": f'{{{{"commit": "{{commit}}"}}}}'}}
    steps[0] = FakeStep("BUILD", artifacts=files)
    return steps


@pytest.fixture(autouse=True)
def deployment(amplify_fake):
    amplify_fake.add_job(app_id="d1abc2def3", branch="main", commit_id="c1", steps=build("c1"))
    amplify_fake.add_domain("d1abc2def3", "example.com", {{"": "main", "www": "main"}}, lag=60)
    amplify_fake.advance(600)
    amplify_fake.add_job(
        app_id="d1abc2def3", branch="main", commit_id="c2", steps=build("c2"),
        deployed_after={deployed_after},
    )
"""
TARGET = ["--amplify-app-id=d1abc2def3", "--amplify-branch=main", "--amplify-commit-id=c2"]


def test_the_documented_smoke_test_passes_once_the_build_is_live(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(DEPLOYMENT.format(deployed_after=90))
    pytester.makepyfile(test_live=LIVE)
    result = pytester.runpytest(*TARGET)
    result.assert_outcomes(passed=2)


def test_the_bound_comes_from_the_setting_and_the_marker(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(DEPLOYMENT.format(deployed_after=None))
    pytester.makepyfile(
        """
        import pytest
        from pytest_amplify import assert_serves_build

        def test_setting(amplify_job):
            assert_serves_build(amplify_job, custom_domains=True)

        @pytest.mark.amplify(serve_timeout="45s")
        def test_marker(amplify_job):
            assert_serves_build(amplify_job)
        """
    )
    result = pytester.runpytest(*TARGET, "--amplify-serve-timeout=2m")
    result.assert_outcomes(failed=2)
    output = result.stdout.str()
    assert (
        "job 2's build within amplify_serve_timeout = 2m 00s (from --amplify-serve-timeout)"
        in output
    )
    assert (
        "job 2's build within amplify_serve_timeout = 45s (from @pytest.mark.amplify(serve_timeout=...))"
        in output
    )
    # The fixture points custom domains at the local service.
    assert "custom domain http://127.0.0.1:" in output
    assert "/_domains/www.example.com/index.html: it serves job 1's build" in output


def test_the_jobs_and_assertions_example_runs(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(DEPLOYMENT.format(deployed_after=30))
    pytester.makepyfile(test_live=BRIEF)
    pytester.runpytest(*TARGET).assert_outcomes(passed=1)
