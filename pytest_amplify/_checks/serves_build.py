"""``assert_serves_build``: wait, within a bound, until the site serves the job's
build, and fail with what it served instead.

A job that SUCCEEDed does not prove that its URL serves it: custom domains and
caches have served the previous build after a deploy (aws-amplify/amplify-hosting
#3002, #2540, #3845), and "the home page answers 200" passes against the previous
deployment too. So the check looks for something only this build has: a file of
its BUILD artifacts whose bytes differ from the previous build's, or what the
user expects of a page (the commit id in ``/version.json``). 404s and 5xx while
waiting are a deploy propagating; 401, 403 and 407 are not going to change.

A stale site costs the whole bound, so a check is made once per run: the same job,
URLs, expectation and bound get the first verdict at once, from any xdist worker
(``SiteChecks.verdicts``). Each request has a bound of its own (a quarter of what
is left, at most 15 s), so one hung connection costs little of the whole, and the
branch URL and custom domains are asked side by side.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .._amplify.downloads import Fetcher, default_fetcher
from .._core.durations import format_duration
from .._core.errors import AmplifyAssertionError, AmplifyError
from .._core.model import AmplifyJob
from .._core.policies import SiteChecks
from .._core.redact import logger, redact_text
from .._core.vocabulary import DEFAULT_SERVE_TIMEOUT, fill_domain_url
from .._http.transport import POOL_CONNECTIONS
from .build_expectations import BodyCheck, Check, Expectation, file_check
from .site_probe import SiteAnswer, ask, page_url, shown_url

FIRST_INTERVAL = 2.0
MAX_INTERVAL = 15.0
# A request's own bound: at most this, and at most this share of what is left of
# the whole (a hung connection then costs a quarter, and three more requests fit);
# at least a second while that much is left, and never past the whole bound.
PROBE_TIMEOUT = 15.0
PROBE_SHARE = 0.25
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
    # The test whose check this verdict is, when the same check was made earlier in
    # the run (the figures are that check's); None when this call asked the site.
    first_check: str | None = None


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
    until all have or the deadline comes (the last round a second before it); no
    request outlasts the deadline."""

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

    def probe_timeout(self) -> float:
        left = self.time_left()
        return min(left, max(MIN_PROBE_TIMEOUT, min(PROBE_TIMEOUT, PROBE_SHARE * left)))

    def _ask(self, site: _Site, timeout: float) -> SiteAnswer:
        site.requests += 1
        return ask(self.fetcher, site.url, max_bytes=self.check.max_bytes, timeout=timeout)

    def ask_all(self) -> bool:
        """One round, the sites side by side; True when nothing is left to wait for."""
        pending = [site for site in self.sites if not site.served]
        timeout = self.probe_timeout()
        if len(pending) == 1:
            answers = [self._ask(pending[0], timeout)]
        else:
            with ThreadPoolExecutor(min(len(pending), POOL_CONNECTIONS)) as pool:
                answers = list(pool.map(lambda site: self._ask(site, timeout), pending))
        for site, answer in zip(pending, answers, strict=True):
            site.answer = answer
            logger.debug("%s %s: %s", site.label, shown_url(site.url), answer.describe())
            if answer.status == 200:
                mismatch = self.check.mismatch(answer)
                site.served = mismatch is None
                site.mismatch = mismatch or ""
            elif answer.status in REFUSED_STATUSES:
                site.mismatch = "refused"
                self.refused = site
            else:
                # A deploy propagating: a path not there yet, an edge not ready.
                site.mismatch = "not served yet" if answer.status else "no answer yet"
        return self.refused is not None or all(site.served for site in self.sites)

    def run(self) -> bool:
        from tenacity import Retrying, retry_if_result
        from tenacity.wait import wait_exponential

        growing = wait_exponential(multiplier=FIRST_INTERVAL, exp_base=1.5, max=MAX_INTERVAL)
        # The last round starts a request's least bound before the deadline, so that
        # it may still end within the bound; after it, no time is left for another.
        retrying = Retrying(
            stop=lambda state: self.time_left() <= MIN_PROBE_TIMEOUT,
            wait=lambda state: max(0.0, min(growing(state), self.time_left() - MIN_PROBE_TIMEOUT)),
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
    limit = (
        f"timeout={format_duration(bound)}"
        if timeout is not None
        else f"amplify_serve_timeout = {format_duration(bound)} (from {checks.timeout_source})"
    )
    site_check = _SiteCheck(
        job, path, expect, files, step, custom_domains, checks, bound, limit, fetcher
    )
    if checks.verdicts is None:
        verdict, first = site_check.decide(), None
    else:
        key, shareable = site_check.key()
        verdict, first = checks.verdicts.once(key, shareable, site_check.decide)
    failure = verdict.get("failure")
    if failure is not None:
        lines = [str(line) for line in failure]
        if first is not None:
            lines[0] = f"{lines[0]} (the verdict of the same check in {first}: checked once a run)"
        raise AmplifyAssertionError(*lines)
    served = verdict["served"]
    return ServedBuild(
        path=served["path"],
        expected=served["expected"],
        urls=tuple(served["urls"]),
        requests=served["requests"],
        waited=served["waited"],
        notes=tuple(served["notes"]),
        first_check=first,
    )


@dataclasses.dataclass(frozen=True)
class _SiteCheck:
    """One ``assert_serves_build`` call: its key among the run's verdicts, and the
    check itself, whose verdict is plain data (what was served, or the failure's
    lines) so that other xdist workers can read it."""

    job: AmplifyJob
    path: str | None
    expect: Expectation | None
    files: Mapping[str, str] | None
    step: str
    custom_domains: bool
    checks: SiteChecks
    bound: float
    limit: str
    fetcher: Fetcher | None

    def key(self) -> tuple[str, bool]:
        """What makes two checks the same: the job, its URLs, the expectation and the
        bound. Regexes compare by pattern and flags, callables by identity: a
        module-level function by its name (the same in every worker), any other
        callable by the object (in this process only)."""
        expect = self.expect
        shareable = True
        described: object
        if expect is None or isinstance(expect, str):
            described = expect
        elif isinstance(expect, re.Pattern):
            described = ["regex", repr(expect.pattern), expect.flags]
        else:
            name = f"{getattr(expect, '__module__', '')}.{getattr(expect, '__qualname__', '')}"
            if (
                "<" in name
                or not getattr(expect, "__qualname__", "")
                or hasattr(expect, "__self__")
            ):
                shareable, described = False, ["callable", id(expect)]
            else:
                described = ["callable", name]
        job = self.job
        parts = [
            [job.app_id, job.branch, job.job_id, job.region, job.branch_url],
            [self.custom_domains, self.checks.domain_url if self.custom_domains else None],
            [self.path, described, sorted((self.files or {}).items()), self.step],
            self.bound,
        ]
        return json.dumps(parts), shareable

    def decide(self) -> dict[str, Any]:
        job, checks = self.job, self.checks
        started = checks.clock.monotonic()
        fetcher = self.fetcher or default_fetcher()
        notes: list[str] = []
        try:
            check: Check = (
                BodyCheck(self.path or "/", self.expect)
                if self.expect is not None
                else file_check(job, self.step, self.files, fetcher, notes)
            )
            sites = _sites(job, check.path, self.custom_domains, checks, notes)
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
        wait = _SiteWait(sites, check, fetcher, checks, started + self.bound)
        done = wait.run()
        requests = sum(site.requests for site in sites)
        if wait.refused is not None or not done:
            lines = _failure(
                job,
                check,
                sites=sites,
                refused=wait.refused,
                limit=self.limit,
                requests=requests,
                notes=notes,
            )
            # Kept as plain data, perhaps in a file other workers read: redacted now.
            return {"failure": [redact_text(line) for line in lines]}
        served = {
            "path": check.path,
            "expected": redact_text(check.expected()),
            "urls": [shown_url(site.url) for site in sites],
            "requests": requests,
            "waited": max(0.0, checks.clock.monotonic() - started),
            "notes": notes,
        }
        return {"served": served}


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
