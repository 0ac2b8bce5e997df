"""Downloading a step's files (presigned S3 URLs) over the plugin's transport.

Requests go through ``_http.transport`` (urllib3, as botocore uses it): proxies and the
CA bundle are taken from the environment as boto3 takes them (``HTTPS_PROXY`` /
``NO_PROXY``, ``AWS_CA_BUNDLE``), and each download is watched: it ends when no
byte comes for ``read_timeout`` seconds, when fewer than ``min_rate`` bytes a
second come over ``rate_window`` seconds, or at ``deadline``, but a download that
keeps progressing is never cut at a fixed time. Transient failures (5xx, 429,
dropped connections, those limits) are retried by the retry policy of calls outside
a wait (``call_retries``); a stream cut in the middle starts again where it
stopped. Failures say what happened, how much arrived and in how long, without
showing the URL's signature.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
from collections.abc import Callable, Generator, Iterator, Mapping
from typing import TYPE_CHECKING

from .._core.clock import WaitClock
from .._core.errors import AmplifyFetchError, AmplifyUrlExpiredError
from .._core.policies import RetryPolicy
from .._core.redact import strip_query
from .._core.vocabulary import DEFAULT_RETRY_TIMEOUT
from .call_retries import GaveUp, Retries, Verdict

if TYPE_CHECKING:
    from .._http.transport import Answer, Transport

# pytest prints the arguments of every frame in a traceback, and these frames hold
# presigned URLs: hide them (the errors raised here already say what happened).
__tracebackhide__ = True

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 10.0
# A download slower than this over the window is cut (and retried): a server
# trickling bytes must not hold a test for hours.
DEFAULT_MIN_RATE = 1024.0
DEFAULT_RATE_WINDOW = 30.0


def _s3_error(body: bytes) -> tuple[str, str]:
    """S3's XML error: (Code, Message); empty strings when the body is something else."""
    text = body[:4096].decode("utf-8", "replace")
    code = re.search(r"<Code>([^<]*)</Code>", text)
    message = re.search(r"<Message>([^<]*)</Message>", text)
    return (code.group(1) if code else ""), (message.group(1) if message else "")


def is_expired(code: str, message: str) -> bool:
    return "expired" in message.lower() or code in ("ExpiredToken", "RequestExpired")


# How much of a web page is read at a time.
PAGE_CHUNK = 64 * 1024
# As browsers and S3's clients follow them.
MAX_REDIRECTS = 5


@dataclasses.dataclass(frozen=True)
class PageAnswer:
    """A web server's answer to one GET: status, headers (names in lower case) and
    the start of the body (``truncated`` when there was more)."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    truncated: bool = False


class _Refused(Exception):
    """An answer other than 200."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body


def _verdict(exc: Exception) -> Verdict | None:
    from .._http.transport import RequestFailed

    if isinstance(exc, _Refused):
        return "transient" if exc.status == 429 or exc.status >= 500 else "fatal"
    if isinstance(exc, RequestFailed):
        return _VERDICTS.get(exc.kind, "transient")
    return None


_VERDICTS: dict[str, Verdict] = {
    "unreachable": "unreachable",
    "proxy": "unreachable",
    "tls": "fatal",
    "encoding": "fatal",
}


@dataclasses.dataclass
class Fetcher:
    """Downloads presigned URLs: streamed, capped, watched and retried.

    ``retry_timeout`` bounds the retries (``amplify_retry_timeout`` for the plugin's
    own downloads), ``attempts`` caps them (None: no cap); ``clock`` holds the sleep
    between attempts and the time it is measured with, so tests need not wait.
    ``read_timeout``, ``min_rate``/``rate_window`` and ``deadline`` (a
    ``clock.monotonic()`` value, e.g. the end of a CI job's budget) end a download
    that stalls, crawls or runs out of time.
    """

    read_timeout: float = DEFAULT_READ_TIMEOUT
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    attempts: int | None = None
    retry_timeout: float = DEFAULT_RETRY_TIMEOUT
    min_rate: float = DEFAULT_MIN_RATE
    rate_window: float = DEFAULT_RATE_WINDOW
    deadline: float | None = None
    clock: WaitClock = dataclasses.field(default_factory=WaitClock)
    # The environment holds credentials: never in a repr.
    environ: Mapping[str, str] = dataclasses.field(default_factory=lambda: os.environ, repr=False)
    retry: RetryPolicy | None = dataclasses.field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._transport: Transport | None = None

    @property
    def transport(self) -> Transport:
        if self._transport is None:
            from .._http.transport import Transport

            self._transport = Transport(environ=self.environ)
        return self._transport

    def retrying(self, policy: RetryPolicy) -> Fetcher:
        """This fetcher (its connections too) with ``policy``'s retries."""
        copy = dataclasses.replace(self, retry=policy)
        copy._transport = self.transport
        return copy

    def _policy(self) -> RetryPolicy:
        if self.retry is not None:
            return dataclasses.replace(self.retry, max_attempts=self.attempts)
        return RetryPolicy(
            limit=self.retry_timeout,
            limit_source="this Fetcher",
            limit_name="retry_timeout",
            clock=self.clock,
            max_attempts=self.attempts,
        )

    def _opened(self, url: str, retries: Retries) -> tuple[contextlib.ExitStack, Answer]:
        """A 200 answer whose body is still to be read (retrying what is transient)."""
        from .._http.watch import Limits

        limits = Limits(
            stall=self.read_timeout,
            min_rate=self.min_rate,
            rate_window=self.rate_window,
            deadline=self.deadline,
        )

        def attempt(seconds_left: float) -> tuple[contextlib.ExitStack, Answer]:
            stack = contextlib.ExitStack()
            answer = stack.enter_context(
                self.transport.request(
                    "GET",
                    url,
                    limits,
                    decode=True,
                    read_timeout=self.read_timeout,
                    connect_timeout=self.connect_timeout,
                    redirects=MAX_REDIRECTS,
                )
            )
            if answer.status == 200:
                return stack, answer
            with stack:
                body = answer.response.read(8192)
            raise _Refused(answer.status, body)

        return retries.call(attempt)

    def _chunks(self, url: str, what: str, limit: int) -> Generator[bytes, None, None]:
        """The body in pieces as they arrive; a stream cut in the middle (and
        retried) goes on from where it stopped."""
        from .._http.transport import RequestFailed

        shown = strip_query(url)
        retries = Retries(self._policy(), _verdict)
        delivered = 0
        try:
            while True:
                stack, answer = self._opened(url, retries)
                watch = answer.watch
                try:
                    with stack:
                        skip = delivered
                        for piece in answer.chunks():
                            if skip >= len(piece):
                                skip -= len(piece)
                                continue
                            chunk, skip = piece[skip:], 0
                            delivered += len(chunk)
                            if delivered > limit:
                                raise AmplifyFetchError(
                                    f"{what} is larger than the {limit:,} bytes allowed ({shown})"
                                )
                            with watch.paused():
                                yield chunk
                    return
                except RequestFailed:
                    retries.failed()
        except _Refused as refused:
            raise self._error(refused.status, refused.body, what, shown) from None
        except RequestFailed as failed:
            raise AmplifyFetchError(f"could not download {what} from {shown}: {failed}") from None
        except GaveUp as gave_up:
            last = gave_up.last
            detail = last.detail if isinstance(last, RequestFailed) else f"{last}"
            raise AmplifyFetchError(
                f"could not download {what}: {detail} ({gave_up.why}; {shown})"
            ) from None

    @contextlib.contextmanager
    def open(self, url: str, what: str) -> Iterator[Iterator[bytes]]:
        """The body of ``url`` as an iterator of chunks; ``what`` names the file in
        errors ("the BUILD log of app d1, branch main, job 7")."""
        chunks = self._chunks(url, what, self.max_bytes)
        try:
            yield chunks
        finally:
            chunks.close()

    def get_page(
        self,
        url: str,
        *,
        headers: Mapping[str, str],
        max_bytes: int,
        timeout: float,
        each_hop: Callable[[str], str] | None = None,
    ) -> PageAnswer:
        """One GET of a web page as a browser sees it: redirects followed, the body
        decoded, no retry (the caller asks again later), at most ``max_bytes`` of the
        body read, the whole within ``timeout`` seconds; ``each_hop`` rewrites the URL
        of the request and of every redirect's. A failed request raises
        :class:`AmplifyFetchError` saying what failed."""
        from .._http.transport import RequestFailed
        from .._http.watch import Limits

        chunks: list[bytes] = []
        size = 0
        truncated = False
        try:
            with self.transport.request(
                "GET",
                url,
                Limits(total=timeout),
                decode=True,
                headers=dict(headers),
                read_timeout=timeout,
                connect_timeout=min(self.connect_timeout, timeout),
                redirects=MAX_REDIRECTS,
                each_hop=each_hop,
            ) as answer:
                for chunk in answer.chunks(PAGE_CHUNK):
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > max_bytes:
                        # The rest is never read: the transport closes the connection.
                        truncated = True
                        break
        except RequestFailed as failed:
            raise AmplifyFetchError(f"{failed}") from None
        body = b"".join(chunks)[:max_bytes]
        return PageAnswer(answer.status, answer.headers, body, truncated)

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
        with self.open(url, what) as chunks:
            next(chunks, b"")

    def read_bytes(self, url: str, what: str, max_bytes: int | None = None) -> bytes:
        limit = self.max_bytes if max_bytes is None else max_bytes
        return b"".join(self._chunks(url, what, limit))

    def iter_bytes(self, url: str, what: str) -> Iterator[bytes]:
        """The file's bytes in chunks as they arrive, streamed and capped."""
        yield from self._chunks(url, what, self.max_bytes)


_default: Fetcher | None = None


def default_fetcher() -> Fetcher:
    global _default
    if _default is None:
        _default = Fetcher()
    return _default
