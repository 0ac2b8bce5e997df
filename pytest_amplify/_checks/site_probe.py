"""Asking a site for a page as it is served now: one cache-busted request, and an
account of the answer short enough for a failure message.

CDNs and browsers' caches answer from what they kept unless told otherwise: each
request carries a query parameter of its own and ``Cache-Control: no-cache``, so
that what comes back is what the edge serves now.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

from .._amplify.downloads import Fetcher
from .._core.errors import AmplifyFetchError
from .._core.redact import redact_text, redact_url

CACHE_BUST_PARAMETER = "amplify-cache-bust"
NO_CACHE_HEADERS: Mapping[str, str] = {"Cache-Control": "no-cache", "Pragma": "no-cache"}
# The headers that tell which copy of a page a CDN served, and how old it is.
SHOWN_HEADERS: Mapping[str, str] = {
    "etag": "ETag",
    "last-modified": "Last-Modified",
    "age": "Age",
    "x-cache": "X-Cache",
    "via": "Via",
}
EXCERPT_CHARS = 120


def page_url(base: str, path: str) -> str:
    """``path`` on the site at ``base`` (which may itself have a path)."""
    return base.rstrip("/") + "/" + path.lstrip("/")


def cache_busted(url: str, token: str) -> str:
    """``url`` with the cache-busting parameter ``token`` (in place of one it has: a
    redirect may hand the last one back)."""
    parts = urlsplit(url)
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and pair.split("=", 1)[0] != CACHE_BUST_PARAMETER
    ]
    query = "&".join([*kept, f"{CACHE_BUST_PARAMETER}={token}"])
    return urlunsplit(parts._replace(query=query))


def _fresh_cache_bust(url: str) -> str:
    return cache_busted(url, uuid.uuid4().hex[:12])


def shown_url(url: str) -> str:
    """A URL as messages show it: signing parameters redacted."""
    return redact_url(url)


@dataclasses.dataclass(frozen=True)
class SiteAnswer:
    """What a site answered: ``status`` is None when no answer came (``problem`` says why)."""

    status: int | None
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    body: bytes = b""
    truncated: bool = False
    problem: str = ""

    def describe(self) -> str:
        """``HTTP 200, 1,234 bytes, ETag "abc", Age 120, X-Cache Hit from cloudfront``."""
        if self.status is None:
            return redact_text(f"no answer ({self.problem})")
        size = f"{len(self.body):,}{'+' if self.truncated else ''} bytes"
        parts = [f"HTTP {self.status}", size]
        parts.extend(
            f"{shown} {self.headers[name]}"
            for name, shown in SHOWN_HEADERS.items()
            if name in self.headers
        )
        return redact_text(", ".join(parts))

    def excerpt(self) -> str:
        """The start of the body on one line, redacted and quoted."""
        text = redact_text(
            " ".join(self.body[: EXCERPT_CHARS * 4].decode("utf-8", "replace").split())
        )
        more = len(text) > EXCERPT_CHARS or self.truncated or len(self.body) > EXCERPT_CHARS * 4
        return repr(redact_text(text[:EXCERPT_CHARS]) + ("..." if more else ""))


def ask(fetcher: Fetcher, url: str, *, max_bytes: int, timeout: float) -> SiteAnswer:
    """GET ``url`` once, past the caches (every hop of a redirect carries a
    cache-busting parameter of its own); a failed connection is an answer too."""
    try:
        page = fetcher.get_page(
            url,
            headers=NO_CACHE_HEADERS,
            max_bytes=max_bytes,
            timeout=timeout,
            each_hop=_fresh_cache_bust,
        )
    except AmplifyFetchError as exc:
        return SiteAnswer(None, problem=str(exc))
    return SiteAnswer(page.status, page.headers, page.body, page.truncated)
