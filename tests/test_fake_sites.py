"""The local service's sites: each job's build served after its deploy, the previous
one until then, custom domains (ListDomainAssociations) and the app's platform."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from pytest_amplify.testing import FakeAmplify, FakeStep, SimulatedClock, typical_steps


def with_build(files: dict[str, str]) -> list[FakeStep]:
    steps = typical_steps()
    steps[0] = FakeStep("BUILD", artifacts=files)
    return steps


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def test_a_job_is_served_deployed_after_seconds_after_it_ends(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    fake.add_job("d1", "main", steps=with_build({"index.html": "v1"}))
    clock.advance(600)
    fake.add_job("d1", "main", steps=with_build({"index.html": "v2"}), deployed_after=90)
    page = fake.site_url("d1", "main") + "/index.html"

    status, headers, body = get(page)
    assert (status, body) == (200, b"v1")
    assert headers["X-Cache"] == "Hit from cloudfront"  # a newer build exists
    assert int(headers["Age"]) == 600
    assert headers["Via"].endswith("(CloudFront)")
    assert headers["ETag"].startswith('"')
    assert headers["Last-Modified"].endswith(" GMT")

    clock.advance(89)
    assert get(page)[2] == b"v1"
    clock.advance(1)
    status, headers, body = get(page)
    assert (status, body) == (200, b"v2")
    assert headers["X-Cache"] == "Miss from cloudfront"
    assert headers["Age"] == "0"
    assert get(fake.site_url("d1", "main") + "/")[2] == b"v2"  # "/" is index.html


def test_a_build_never_deployed_leaves_the_previous_one_and_failed_jobs_are_not_served(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    fake.add_job("d1", "main", steps=with_build({"index.html": "v1"}))
    fake.add_job("d1", "main", steps=with_build({"index.html": "v2"}), deployed_after=None)
    fake.add_job("d1", "main", status="FAILED", steps=with_build({"index.html": "v3"}))
    clock.advance(3600)
    assert get(fake.site_url("d1", "main") + "/index.html")[2] == b"v1"
    assert get(fake.site_url("d1", "main") + "/missing.js")[0] == 404


def test_pinned_pages_win_over_the_build(fake: FakeAmplify) -> None:
    fake.add_job("d1", "main", steps=with_build({"index.html": "built", "about.html": "about"}))
    fake.serve_site("d1", "main", {"/": "<h1>pinned</h1>"})
    site = fake.site_url("d1", "main")
    assert get(site + "/")[2] == b"<h1>pinned</h1>"
    assert get(site + "/index.html")[2] == b"built"
    assert get(site + "/about.html")[2] == b"about"


def test_a_compute_app_serves_its_static_folder(fake: FakeAmplify) -> None:
    fake.add_app("d1", platform="WEB_COMPUTE")
    bundle = {
        ".amplify-hosting/static/_next/app.js": "app",
        ".amplify-hosting/compute/default/server.js": "server",
    }
    fake.add_job("d1", "main", steps=with_build(bundle))
    site = fake.site_url("d1", "main")
    assert get(site + "/_next/app.js")[2] == b"app"
    assert get(site + "/.amplify-hosting/static/_next/app.js")[0] == 404
    assert fake.client().get_app(appId="d1")["app"]["platform"] == "WEB_COMPUTE"
    with pytest.raises(ValueError, match="platform 'SERVER' is not one of WEB, WEB_DYNAMIC"):
        fake.add_app("d2", platform="SERVER")


def test_custom_domains_are_listed_page_by_page(fake: FakeAmplify) -> None:
    fake.add_domain("d1", "example.com", {"": "main", "www": "main"})
    fake.add_domain("d1", "example.org", {"shop": "main"}, status="PENDING_VERIFICATION")
    for number in range(60):
        fake.add_domain("d1", f"preview{number}.example.net", {"www": "dev"}, verified=False)
    pages = fake.client().get_paginator("list_domain_associations").paginate(appId="d1")
    associations = [a for page in pages for a in page["domainAssociations"]]
    assert fake.calls("ListDomainAssociations") == 2
    assert len(associations) == 62
    first = associations[0]
    assert first["domainName"] == "example.com"
    assert first["domainStatus"] == "AVAILABLE"
    assert [s["subDomainSetting"] for s in first["subDomains"]] == [
        {"prefix": "", "branchName": "main"},
        {"prefix": "www", "branchName": "main"},
    ]
    assert all(s["verified"] for s in first["subDomains"])
    assert associations[1]["domainStatus"] == "PENDING_VERIFICATION"
    assert associations[2]["subDomains"][0]["verified"] is False


def test_a_custom_domain_lags_behind_the_default_domain(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    fake.add_job("d1", "main", steps=with_build({"index.html": "v1"}))
    fake.add_domain("d1", "example.com", {"www": "main"}, lag=120)
    fake.add_domain("d1", "example.org", {"": "main"}, lag=None)
    fake.add_job("d1", "main", steps=with_build({"index.html": "v2"}), deployed_after=30)
    clock.advance(30)
    assert get(fake.site_url("d1", "main") + "/index.html")[2] == b"v2"
    assert get(fake.domain_url("www.example.com") + "/index.html")[2] == b"v1"
    clock.advance(120)
    assert get(fake.domain_url("www.example.com") + "/index.html")[2] == b"v2"
    clock.advance(86400)
    assert get(fake.domain_url("example.org") + "/index.html")[2] == b"v1"  # never catches up
    assert get(fake.domain_url("unknown.example.com") + "/index.html")[0] == 404


def test_site_requests_take_injected_faults_and_are_logged(fake: FakeAmplify) -> None:
    fake.add_job("d1", "main", steps=with_build({"index.html": "v1"}))
    fake.respond_raw_next("GetSitePage", status=503, body="<h1>503</h1>")
    page = fake.site_url("d1", "main") + "/index.html?amplify-cache-bust=1"
    assert get(page)[0] == 503
    assert get(page)[0] == 200
    assert fake.calls("GetSitePage") == 2
    assert [r.params for r in fake.requests] == [{"amplify-cache-bust": "1"}] * 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"domain_name": "localhost"}, "not a domain name"),
        ({"status": "READY"}, "status 'READY' is not one of"),
        ({"lag": -1}, "lag must not be negative"),
        ({"subdomains": {}}, "at least one subdomain"),
    ],
)
def test_add_domain_checks_its_arguments(
    fake: FakeAmplify, kwargs: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {
        "app_id": "d1",
        "domain_name": "example.com",
        "subdomains": {"www": "main"},
    }
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        fake.add_domain(**arguments)  # type: ignore[arg-type]


def test_a_scenario_sets_the_platform_the_deploy_delay_and_domains(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    fake.load_scenario(
        {
            "apps": [{"app_id": "d1", "platform": "WEB_COMPUTE"}],
            "jobs": [{"app_id": "d1", "branch": "main", "deployed_after": 60}],
            "domains": [
                {"app_id": "d1", "domain": "example.com", "subdomains": {"www": "main"}, "lag": 5}
            ],
        }
    )
    client = fake.client()
    assert client.get_app(appId="d1")["app"]["platform"] == "WEB_COMPUTE"
    assert fake.jobs("d1", "main")[0].deployed_after == 60
    (domain,) = client.list_domain_associations(appId="d1")["domainAssociations"]
    assert domain["subDomains"][0]["subDomainSetting"] == {"prefix": "www", "branchName": "main"}
    with pytest.raises(ValueError, match=r"scenario domains\[0\]: unknown key ttl"):
        fake.load_scenario({"domains": [{"app_id": "d1", "domain": "a.com", "ttl": 1}]})
