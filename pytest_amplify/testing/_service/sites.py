"""Branches' sites as the local service serves them, at the default domain
(``/_sites/APP_ID/DISPLAY_NAME/PAGE``) and at custom domains
(``/_domains/HOST/PAGE``).

A page pinned with ``serve_site`` is served as it is. Any other page comes from the
BUILD artifacts of the newest job deployed by then: a job that SUCCEEDed reaches the
default domain ``deployed_after`` seconds after it ended, and a custom domain added
before then ``lag`` seconds later still; until then the previous build is served, as a CDN does
while a deploy propagates. Static apps (``WEB``) serve the zip's files at their own
paths, compute apps the files under ``.amplify-hosting/static/``. Answers carry the
headers a CDN sends (ETag, Last-Modified, Age, X-Cache, Via).
"""

from __future__ import annotations

import dataclasses
import hashlib
from email.utils import formatdate

from ..._core.vocabulary import COMPUTE_STATIC_FOLDER, STATIC_PLATFORM
from .._state.store import FakeDomain, Store
from .._state.timeline import FakeJob
from .file_serving import SITES_PREFIX, content_type
from .http import Response

DOMAINS_PREFIX = "/_domains/"
VIA = "1.1 pytest-amplify.cloudfront.net (CloudFront)"
_NOT_FOUND = b"<!doctype html><title>404 Not Found</title><h1>404 Not Found</h1>"


@dataclasses.dataclass(frozen=True)
class _Live:
    """A job whose build is served, since when, and whether a newer one exists."""

    job: FakeJob
    since: float
    stale: bool


def _build_files(job: FakeJob) -> dict[str, bytes] | None:
    for step in job.steps:
        if step.name.upper() == "BUILD" and step.artifacts is not None:
            return {
                name: content.encode() if isinstance(content, str) else content
                for name, content in step.artifacts.items()
            }
    return None


class SiteServer:
    """Serves the sites of the store's branches."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def serve(self, path: str) -> Response:
        if path.startswith(DOMAINS_PREFIX):
            host, _, page = path[len(DOMAINS_PREFIX) :].partition("/")
            found = self._store.domain_for_host(host)
            if found is None:
                return _not_found()
            domain, branch = found
            return self._page(domain.app_id, branch, "/" + page, domain)
        parts = path[len(SITES_PREFIX) :].split("/", 2)
        if len(parts) < 2:
            return _not_found()
        record = self._store.branch_by_display_name(parts[0], parts[1])
        if record is None:
            return _not_found()
        return self._page(record.app_id, record.branch, "/" + (parts[2] if len(parts) > 2 else ""))

    def _page(
        self, app_id: str, branch: str, page: str, domain: FakeDomain | None = None
    ) -> Response:
        store = self._store
        kind = content_type(page if "." in page.rsplit("/", 1)[-1] else "index.html")
        pinned = store.site_page(app_id, store.display_name(app_id, branch), page)
        if pinned is not None:
            return Response(200, pinned, {"Content-Type": kind, **_cdn_headers(pinned)})
        with store.lock:
            live = self._live(app_id, branch, domain)
            files = _build_files(live.job) if live is not None else None
            app = store.app(app_id)
            platform = app.platform if app is not None else STATIC_PLATFORM
        if live is None or files is None:
            return _not_found()
        folder = "" if platform == STATIC_PLATFORM else COMPUTE_STATIC_FOLDER
        name = page.lstrip("/")
        content = files.get(
            folder + (name + "index.html" if name.endswith("/") or not name else name)
        )
        if content is None:
            return _not_found()
        now = store.clock()
        headers = _cdn_headers(content, live.since, now, hit=live.stale)
        return Response(200, content, {"Content-Type": kind, **headers})

    def _live(self, app_id: str, branch: str, domain: FakeDomain | None) -> _Live | None:
        """The newest job whose build has reached this domain by now."""
        now = self._store.clock()
        newest_success: FakeJob | None = None
        for job in self._store.jobs(app_id, branch):
            status, ended, _ = job.snapshot(count_call=False)
            if status != "SUCCEED" or ended is None or _build_files(job) is None:
                continue
            newest_success = newest_success or job
            if job.deployed_after is None:
                continue
            since = ended + job.deployed_after
            # A custom domain gets the builds deployed after it was added late, or
            # (lag None) never: it keeps what it served when added.
            if domain is not None and since > domain.created_at:
                if domain.lag is None:
                    continue
                since += domain.lag
            if since <= now:
                return _Live(job, since, stale=job is not newest_success)
        return None


def _cdn_headers(
    content: bytes, since: float | None = None, now: float | None = None, hit: bool = False
) -> dict[str, str]:
    headers = {
        "ETag": f'"{hashlib.sha256(content).hexdigest()[:32]}"',
        "X-Cache": "Hit from cloudfront" if hit else "Miss from cloudfront",
        "Via": VIA,
    }
    if since is not None and now is not None:
        headers["Last-Modified"] = formatdate(since, usegmt=True)
        headers["Age"] = str(max(0, int(now - since)))
    return headers


def _not_found() -> Response:
    return Response(
        404,
        _NOT_FOUND,
        {
            "Content-Type": "text/html; charset=utf-8",
            "X-Cache": "Error from cloudfront",
            "Via": VIA,
        },
    )
