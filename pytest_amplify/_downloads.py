"""Downloading a step's files (presigned S3 URLs) with what botocore already brings.

urllib3 streams the body; proxies and the CA bundle are taken from the
environment as boto3 takes them (``HTTPS_PROXY``/``NO_PROXY``, ``AWS_CA_BUNDLE``).
Failures say what happened without showing the URL's signature.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ._errors import AmplifyFetchError, AmplifyUrlExpiredError
from ._redact import redact_text, strip_query

if TYPE_CHECKING:
    import urllib3

# pytest prints the arguments of every frame in a traceback, and these frames hold
# presigned URLs: hide them (the errors raised here already say what happened).
__tracebackhide__ = True

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_ATTEMPTS = 3
CHUNK_SIZE = 64 * 1024
# A "line" longer than this (a minified bundle echoed to the log) is cut in pieces,
# so that memory stays bounded whatever the log holds.
MAX_LINE = 1024 * 1024
_RETRY_STATUSES = frozenset({500, 502, 503, 504})


def _s3_error(body: bytes) -> tuple[str, str]:
    """S3's XML error: (Code, Message); empty strings when the body is something else."""
    text = body[:4096].decode("utf-8", "replace")
    code = re.search(r"<Code>([^<]*)</Code>", text)
    message = re.search(r"<Message>([^<]*)</Message>", text)
    return (code.group(1) if code else ""), (message.group(1) if message else "")


def is_expired(code: str, message: str) -> bool:
    return "expired" in message.lower() or code in ("ExpiredToken", "RequestExpired")


@dataclasses.dataclass(frozen=True)
class PageAnswer:
    """A web server's answer to one GET: status, headers (names in lower case) and
    the start of the body (``truncated`` when there was more)."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    truncated: bool = False


def connection_problem(exc: BaseException) -> str:
    """What went wrong with a connection, in a few words: ``NewConnectionError:
    Failed to establish a new connection: [Errno 111] Connection refused``."""
    reason = getattr(exc, "reason", None) or exc
    text = re.sub(r"<[^<>]*>:?\s*", "", str(reason)).strip()
    return redact_text(f"{type(reason).__name__}: {text}"[:200])


@dataclasses.dataclass
class Fetcher:
    """Downloads presigned URLs: streamed, capped, retried on 5xx and dropped
    connections (``sleep`` is injectable so tests need not wait)."""

    read_timeout: float = DEFAULT_READ_TIMEOUT
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    attempts: int = DEFAULT_ATTEMPTS
    sleep: Callable[[float], None] = time.sleep
    # The environment holds credentials: never in a repr.
    environ: Mapping[str, str] = dataclasses.field(default_factory=lambda: os.environ, repr=False)

    def __post_init__(self) -> None:
        self._pools: dict[str | None, Any] = {}
        self._lock = threading.Lock()

    def _pool(self, url: str) -> urllib3.PoolManager:
        import urllib3
        from botocore.httpsession import get_cert_path
        from botocore.utils import get_environ_proxies

        proxy = get_environ_proxies(url).get(url.split(":", 1)[0].lower())
        with self._lock:
            pool = self._pools.get(proxy)
            if pool is None:
                ca_bundle = self.environ.get("AWS_CA_BUNDLE") or get_cert_path(True)
                kwargs: dict[str, Any] = {"ca_certs": ca_bundle, "retries": False}
                pool = (
                    urllib3.ProxyManager(proxy, **kwargs)
                    if proxy
                    else urllib3.PoolManager(**kwargs)
                )
                self._pools[proxy] = pool
            return pool

    @contextlib.contextmanager
    def open(self, url: str, what: str) -> Iterator[urllib3.BaseHTTPResponse]:
        """A streaming response for ``url``; ``what`` names the file in errors
        ("the BUILD log of app d1, branch main, job 7")."""
        import urllib3

        shown = strip_query(url)
        last_problem = ""
        for attempt in range(1, self.attempts + 1):
            try:
                response = self._pool(url).request(
                    "GET",
                    url,
                    preload_content=False,
                    redirect=True,
                    timeout=urllib3.Timeout(connect=self.connect_timeout, read=self.read_timeout),
                )
            except urllib3.exceptions.HTTPError as exc:
                last_problem = f"{type(exc).__name__}"
                if attempt < self.attempts:
                    self.sleep(0.2 * 2**attempt)
                    continue
                raise AmplifyFetchError(
                    f"could not download {what} from {shown}: {last_problem} after {attempt} attempts"
                ) from None
            if response.status == 200:
                try:
                    yield response
                finally:
                    response.release_conn()
                return
            body = response.read(8192)
            response.release_conn()
            if response.status in _RETRY_STATUSES and attempt < self.attempts:
                last_problem = f"HTTP {response.status}"
                self.sleep(0.2 * 2**attempt)
                continue
            raise self._error(response.status, body, what, shown)
        raise AmplifyFetchError(f"could not download {what} from {shown}: {last_problem}")

    def get_page(
        self, url: str, *, headers: Mapping[str, str], max_bytes: int, timeout: float
    ) -> PageAnswer:
        """One GET of a web page as a browser sees it: redirects followed, no retry (the
        caller asks again later), at most ``max_bytes`` of the body read. A failed
        connection raises :class:`AmplifyFetchError` saying what failed."""
        import urllib3

        retries = urllib3.Retry(
            total=None, connect=0, read=0, status=0, other=0, redirect=5, raise_on_redirect=False
        )
        try:
            response = self._pool(url).request(
                "GET",
                url,
                headers=dict(headers),
                preload_content=False,
                redirect=True,
                retries=retries,
                timeout=urllib3.Timeout(connect=min(self.connect_timeout, timeout), read=timeout),
            )
        except urllib3.exceptions.HTTPError as exc:
            raise AmplifyFetchError(connection_problem(exc)) from None
        chunks: list[bytes] = []
        size = 0
        truncated = False
        try:
            for chunk in response.stream(CHUNK_SIZE):
                chunks.append(chunk)
                size += len(chunk)
                if size > max_bytes:
                    truncated = True
                    # The rest is never read: the connection cannot serve another request.
                    response.close()
                    break
        except urllib3.exceptions.HTTPError as exc:
            raise AmplifyFetchError(connection_problem(exc)) from None
        finally:
            response.release_conn()
        answer_headers = {name.lower(): value for name, value in response.headers.items()}
        body = b"".join(chunks)[:max_bytes]
        return PageAnswer(response.status, answer_headers, body, truncated)

    @staticmethod
    def _error(status: int, body: bytes, what: str, shown: str) -> AmplifyFetchError:
        code, message = _s3_error(body)
        detail = f"{code}: {message}" if code else f"HTTP {status}"
        if status == 403 and is_expired(code, message):
            return AmplifyUrlExpiredError(
                f"the presigned URL of {what} has expired ({detail}); fetch the job again for "
                f"fresh URLs ({shown})"
            )
        if status == 403:
            return AmplifyFetchError(f"access to {what} was denied ({detail}; {shown})")
        if status == 404:
            return AmplifyFetchError(
                f"{what} does not exist ({detail or 'HTTP 404'}; {shown}): it may have been "
                "deleted, or the step never uploaded it"
            )
        return AmplifyFetchError(f"could not download {what}: {detail} ({shown})")

    def check_downloads(self, url: str, what: str) -> None:
        """The URL answers 200: only the first chunk is read."""
        with self.open(url, what) as response:
            next(iter(response.stream(CHUNK_SIZE)), b"")

    def read_bytes(self, url: str, what: str, max_bytes: int | None = None) -> bytes:
        limit = self.max_bytes if max_bytes is None else max_bytes
        chunks: list[bytes] = []
        size = 0
        with self.open(url, what) as response:
            for chunk in response.stream(CHUNK_SIZE):
                size += len(chunk)
                if size > limit:
                    raise AmplifyFetchError(
                        f"{what} is larger than the {limit:,} bytes allowed ({strip_query(url)})"
                    )
                chunks.append(chunk)
        return b"".join(chunks)

    def iter_text_blocks(self, url: str, what: str) -> Iterator[str]:
        """The file as text in blocks of whole lines (each ends with a newline, but
        perhaps the last), streamed: memory stays at a chunk or two."""
        pending = b""
        size = 0
        with self.open(url, what) as response:
            for chunk in response.stream(CHUNK_SIZE):
                size += len(chunk)
                if size > self.max_bytes:
                    raise AmplifyFetchError(
                        f"{what} is larger than the {self.max_bytes:,} bytes allowed "
                        f"({strip_query(url)})"
                    )
                pending += chunk
                cut = pending.rfind(b"\n")
                if cut >= 0:
                    yield pending[: cut + 1].decode("utf-8", "replace")
                    pending = pending[cut + 1 :]
                elif len(pending) > MAX_LINE:
                    yield pending.decode("utf-8", "replace") + "\n"
                    pending = b""
            if pending:
                yield pending.decode("utf-8", "replace")


def block_lines(block: str) -> list[str]:
    """The lines of a block, without their line ends (``\r\n`` or ``\n``)."""
    lines = block.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


_default: Fetcher | None = None


def default_fetcher() -> Fetcher:
    global _default
    if _default is None:
        _default = Fetcher()
    return _default
