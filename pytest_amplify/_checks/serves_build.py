"""``assert_serves_build``: wait, within a bound, until the site serves the job's
build, and fail with what it served instead.

A job that SUCCEEDed does not prove that its URL serves it: custom domains and
caches have served the previous build after a deploy (aws-amplify/amplify-hosting
#3002, #2540, #3845), and "the home page answers 200" passes against the previous
deployment too. So the check looks for something only this build has: a file of
its BUILD artifacts whose bytes differ from the previous build's, or what the
user expects of a page (the commit id in ``/version.json``). 404s and 5xx while
waiting are a deploy propagating; 401, 403 and 407 are not going to change.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .._amplify.downloads import Fetcher, default_fetcher
from .._core.durations import format_duration
from .._core.errors import AmplifyAssertionError, AmplifyError
from .._core.model import AmplifyJob
from .._core.policies import SiteChecks
from .._core.redact import logger, redact_text
from .._core.vocabulary import DEFAULT_SERVE_TIMEOUT, fill_domain_url
from .build_expectations import BodyCheck, Check, Expectation, file_check
from .site_probe import SiteAnswer, ask, page_url, shown_url

FIRST_INTERVAL = 2.0
MAX_INTERVAL = 15.0
PROBE_TIMEOUT = 15.0
MIN_PROBE_TIMEOUT = 1.0
# Waiting cannot change these: the site wants credentials (basic auth on the branch),
# a firewall refuses, or a proxy wants credentials.
REFUSED_STATUSES = frozenset({401, 403, 407})
# Custom domains in these states serve the branch (an update leaves the rest serving).
SERVING_DOMAIN_STATUSES = frozenset({"AVAILABLE", "UPDATING"})


@dataclasses.dataclass(frozen=True)
class ServedBuild:
    """What :func:`assert_serves_build` checked: the path, what was expected there,
    every URL that served it (redacted), how many requests and seconds it took, and
    notes (custom domains skipped, a build that could not be compared)."""

    path: str
    expected: str
    urls: tuple[str, ...]
    requests: int
    waited: float
    notes: tuple[str, ...] = ()


@dataclasses.dataclass
class _Site:
    label: str
    url: str
    answer: SiteAnswer | None = None
    mismatch: str = "not asked"
    served: bool = False
    requests: int = 0

    def report(self) -> list[str]:
        where = f"{self.label} {shown_url(self.url)}"
        if self.served:
            return [f"  {where}: served it"]
        if self.answer is None:
            return [f"  {where}: not asked (the check ended before)"]
        lines = [f"  {where}: {self.mismatch}: {self.answer.describe()}"]
        if self.answer.body:
            lines.append(f"    body: {self.answer.excerpt()}")
        return lines


class _SiteWait:
    """Asks every site that has not served the build yet, on a growing interval,
    until all have or the deadline comes (the last request at the deadline)."""

    def __init__(
        self,
        sites: list[_Site],
        check: Check,
        fetcher: Fetcher,
        checks: SiteChecks,
        deadline: float,
    ) -> None:
        self.sites = sites
        self.check = check
        self.fetcher = fetcher
        self.clock = checks.clock
        self.deadline = deadline
        self.refused: _Site | None = None

    def time_left(self) -> float:
        return self.deadline - self.clock.monotonic()

    def ask_all(self) -> bool:
        """One round; True when nothing is left to wait for."""
        for site in self.sites:
            if site.served:
                continue
            timeout = max(MIN_PROBE_TIMEOUT, min(PROBE_TIMEOUT, self.time_left()))
            site.requests += 1
            answer = ask(self.fetcher, site.url, max_bytes=self.check.max_bytes, timeout=timeout)
            site.answer = answer
            if answer.status == 200:
                mismatch = self.check.mismatch(answer)
                site.served = mismatch is None
                site.mismatch = mismatch or ""
            elif answer.status in REFUSED_STATUSES:
                site.mismatch = "refused"
                self.refused = site
                return True
            else:
                # A deploy propagating: a path not there yet, an edge not ready.
                site.mismatch = "not served yet" if answer.status else "no answer yet"
            logger.debug("%s %s: %s", site.label, shown_url(site.url), answer.describe())
        return all(site.served for site in self.sites)

    def run(self) -> bool:
        from tenacity import Retrying, retry_if_result
        from tenacity.wait import wait_exponential

        growing = wait_exponential(multiplier=FIRST_INTERVAL, exp_base=1.5, max=MAX_INTERVAL)
        retrying = Retrying(
            stop=lambda state: self.time_left() <= 0,
            wait=lambda state: max(0.0, min(growing(state), self.time_left())),
            retry=retry_if_result(lambda done: not done),
            sleep=self.clock.sleep,
            retry_error_callback=lambda state: False,
        )
        return bool(retrying(self.ask_all))


def custom_domain_hosts(
    associations: Iterable[Mapping[str, Any]], branch: str, notes: list[str]
) -> list[str]:
    """The host names of the custom domains that serve ``branch``
    (``subDomains[].subDomainSetting``); unverified ones are left out with a note."""
    hosts: list[str] = []
    skipped: list[str] = []
    for association in associations:
        domain = str(association.get("domainName") or "")
        status = str(association.get("domainStatus") or "unknown")
        for sub in association.get("subDomains") or []:
            setting = sub.get("subDomainSetting") or {}
            if setting.get("branchName") != branch:
                continue
            prefix = str(setting.get("prefix") or "")
            host = f"{prefix}.{domain}" if prefix else domain
            if status not in SERVING_DOMAIN_STATUSES:
                skipped.append(f"custom domain {host} skipped: domain {domain} is {status}")
            elif sub.get("verified") is not True:
                skipped.append(f"custom domain {host} skipped: not verified yet")
            else:
                hosts.append(host)
    notes.extend(skipped)
    if not hosts and not skipped:
        notes.append(f"no custom domain is associated with branch {branch}")
    return hosts


def _sites(
    job: AmplifyJob, path: str, custom_domains: bool, checks: SiteChecks, notes: list[str]
) -> list[_Site]:
    sites = [_Site("branch URL", page_url(job.branch_url, path))]
    if not custom_domains:
        return sites
    if job.resolver is None:
        raise AmplifyAssertionError(
            f"custom_domains=True lists the custom domains of {job.describe()} with "
            "ListDomainAssociations: use a job from the amplify_job or amplify_jobs fixture"
        )
    for host in custom_domain_hosts(job.resolver.domain_associations(job), job.branch, notes):
        base = fill_domain_url(checks.domain_url, host)
        sites.append(_Site("custom domain", page_url(base, path)))
    return sites


def _check_arguments(
    path: str | None, expect: object, files: Mapping[str, str] | None, timeout: float | None
) -> None:
    if expect is not None and not isinstance(expect, str | re.Pattern) and not callable(expect):
        raise TypeError(
            f"expect= is a string, a compiled regex or a callable taking the body, not {expect!r}"
        )
    if expect is None and path is not None:
        raise TypeError(
            "a path without expect= says nothing to look for there: pass expect=..., or "
            "files={zip path: URL path} to check a file of the build"
        )
    if expect is not None and files is not None:
        raise TypeError("files= picks a file of the build to check; with expect= there is none")
    if timeout is not None and not timeout > 0:
        raise ValueError(f"timeout= is a number of seconds above 0, not {timeout!r}")


def assert_serves_build(
    job: AmplifyJob,
    path: str | None = None,
    expect: Expectation | None = None,
    *,
    files: Mapping[str, str] | None = None,
    step: str = "BUILD",
    custom_domains: bool = False,
    timeout: float | None = None,
    fetcher: Fetcher | None = None,
) -> ServedBuild:
    """Wait until the site serves ``job``'s build, for at most ``amplify_serve_timeout``
    (``timeout=`` seconds overrides it), and return what was checked.

    Without ``expect``, a file of the step's artifacts zip must be served at its path,
    byte for byte: one whose bytes differ from the previous successful job's, so that
    the previous build cannot pass. That is the default for static hosting (``WEB``);
    ``files={zip path: URL path}`` says where files are served otherwise (a key
    ending in ``/`` maps a folder: ``{".amplify-hosting/static/": "/"}``). With
    ``expect`` (a string the body contains, a compiled regex, or a callable taking the
    body), the page at ``path`` (default ``/``) must answer 200 and satisfy it.

    ``custom_domains=True`` checks every verified custom domain of the branch too
    (ListDomainAssociations). Requests carry a cache-busting query parameter and
    ``Cache-Control: no-cache``; 404s and 5xx while waiting are not fatal. The failure
    names each URL (redacted), its status, ETag, Last-Modified, Age, X-Cache and Via
    headers, and the start of the body it served.

    ::

        def test_the_new_build_is_live(amplify_job):
            assert_serves_build(amplify_job, custom_domains=True)
    """
    __tracebackhide__ = True
    _check_arguments(path, expect, files, timeout)
    if not job.succeeded:
        raise AmplifyAssertionError(
            f"{job.describe()} did not SUCCEED ({job.status}): its build was not deployed, "
            "so no site serves it"
        )
    checks = (
        job.resolver.site_checks(job)
        if job.resolver is not None
        else SiteChecks(DEFAULT_SERVE_TIMEOUT)
    )
    bound = checks.timeout if timeout is None else float(timeout)
    started = checks.clock.monotonic()
    fetcher = fetcher or default_fetcher()
    notes: list[str] = []
    try:
        check: Check = (
            BodyCheck(path or "/", expect)
            if expect is not None
            else file_check(job, step, files, fetcher, notes)
        )
        sites = _sites(job, check.path, custom_domains, checks, notes)
    except AmplifyAssertionError:
        raise
    except AmplifyError as exc:
        raise AmplifyAssertionError(
            f"{job.describe()}: could not prepare the check of its site: {exc}"
        ) from None
    # Notes may quote errors that quote URLs.
    notes = [redact_text(note) for note in notes]
    for note in notes:
        logger.warning("assert_serves_build: %s: %s", job.describe(), note)
    wait = _SiteWait(sites, check, fetcher, checks, started + bound)
    done = wait.run()
    waited = max(0.0, checks.clock.monotonic() - started)
    requests = sum(site.requests for site in sites)
    if wait.refused is not None or not done:
        limit = (
            f"timeout={format_duration(bound)}"
            if timeout is not None
            else f"amplify_serve_timeout = {format_duration(bound)} (from {checks.timeout_source})"
        )
        raise AmplifyAssertionError(
            *_failure(
                job,
                check,
                sites=sites,
                refused=wait.refused,
                limit=limit,
                requests=requests,
                notes=notes,
            )
        )
    return ServedBuild(
        path=check.path,
        expected=redact_text(check.expected()),
        urls=tuple(shown_url(site.url) for site in sites),
        requests=requests,
        waited=waited,
        notes=tuple(notes),
    )


def _failure(
    job: AmplifyJob,
    check: Check,
    *,
    sites: list[_Site],
    refused: _Site | None,
    limit: str,
    requests: int,
    notes: list[str],
) -> list[str]:
    if refused is not None:
        assert refused.answer is not None
        headline = (
            f"{job.describe()}: the {refused.label} {shown_url(refused.url)} refused the "
            f"request (HTTP {refused.answer.status}), which waiting cannot change: a 401 is "
            "usually basic auth on the branch, a 403 a firewall (WAF) or a path the site "
            "forbids, a 407 a proxy that wants credentials"
        )
    else:
        headline = (
            f"{job.describe()}: the site did not serve job {job.job_id}'s build within "
            f"{limit}; {requests} request{'s' if requests != 1 else ''}"
        )
    lines = [headline, f"expected at {check.path}: {check.expected()}"]
    for site in sites:
        lines.extend(site.report())
    if notes:
        lines.append("notes:")
        lines.extend(f"  - {note}" for note in notes)
    return lines
