"""The HTTP under every request the plugin makes (API calls, downloads, site pages),
bounded whatever the server does. No other module sends a request.

A socket's read timeout applies to each read: a server that sends its headers and
then a byte every half second holds a call for ever. Here each request has a
:class:`~pytest_amplify._watch.Watch` (the whole duration of an API call; for a
download, no data for a while, too little of it, or no time left), whose thread
shuts the request's socket down when a limit passes; the error says how much
arrived in how long.

API calls reach this as the HTTP session of the plugin's botocore clients
(:class:`BoundedSession`): the request botocore built and signed is sent here, after
any ``before-send`` handler (moto's ``mock_aws``, a ``Stubber``) had its say. Proxies (``HTTPS_PROXY``, ``NO_PROXY``) and the CA bundle
(``AWS_CA_BUNDLE``, the profile's ``ca_bundle``) are read as botocore reads them.
Downloads and pages are decoded (``Content-Encoding`` gzip or deflate) as they
arrive; API answers reach botocore as sent. The limits on the request count bytes
on the wire; what the caller caps counts decoded bytes.
urllib3 and botocore are imported on first use, never at plugin start-up.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import re
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

if TYPE_CHECKING:
    import urllib3

from .content_encoding import ACCEPTED_ENCODINGS, UndecodableBody, decoder
from .watch import Limits, Watch, watch_socket, watching

CONNECT_TIMEOUT = 5.0
# Connections kept to a host, as botocore's own pool keeps (its max_pool_connections
# default): as many calls may run side by side (amplify_jobs.wait_all) without
# opening a connection each.
POOL_CONNECTIONS = 10
_local = threading.local()  # the limit of the API calls this thread makes


CHUNK = 1 << 20


class RequestFailed(Exception):
    """A request that got no usable answer: ``kind`` is ``timeout`` (a limit passed,
    or a read timed out), ``dropped`` (the connection closed), ``unreachable``
    (refused, DNS), ``proxy``, ``tls`` or ``encoding`` (a body that cannot be
    decoded)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@functools.cache
def _pool_classes() -> dict[str, type[Any]]:
    """urllib3's pools with connections that hand their socket to the thread's
    current watch, when they connect and before they read an answer."""
    import urllib3
    import urllib3.connection

    def watched(connection: type[Any]) -> type[Any]:
        class WatchedConnection(connection):  # type: ignore[misc]
            def connect(self) -> None:
                super().connect()
                watch_socket(self.sock)

            def getresponse(self, *args: Any, **kwargs: Any) -> Any:
                watch_socket(self.sock)
                return super().getresponse(*args, **kwargs)

        return WatchedConnection

    class WatchedHTTPPool(urllib3.HTTPConnectionPool):
        ConnectionCls = watched(urllib3.connection.HTTPConnection)

    class WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
        ConnectionCls = watched(urllib3.connection.HTTPSConnection)

    return {"http": WatchedHTTPPool, "https": WatchedHTTPSPool}


# urllib3's failures, by class name (urllib3 is not imported at start-up), as (kind,
# what to say); the first that applies wins, so subclasses come first (urllib3's
# NewConnectionError is a ConnectTimeoutError).
_FAILURES: tuple[tuple[str, str, Callable[[BaseException], str]], ...] = (
    ("SSLError", "tls", lambda exc: f"TLS failed ({exc})"),
    ("ProxyError", "proxy", lambda exc: "the proxy could not be reached"),
    ("NewConnectionError", "unreachable", lambda exc: f"could not connect ({_why(exc)})"),
    ("ConnectTimeoutError", "timeout", lambda exc: "the connection timed out"),
    ("ReadTimeoutError", "timeout", lambda exc: "a read timed out"),
)


def _why(exc: BaseException) -> str:
    """urllib3's reason without the object it names: ``[Errno 111] Connection refused``."""
    text = re.sub(r"<[^<>]*>:?\s*", "", str(exc)).strip()
    return text.removeprefix("Failed to establish a new connection: ")[:200]


def _failure(exc: BaseException, watch: Watch) -> RequestFailed:
    """What a urllib3 failure means, the watch's reason first (it caused the failure)."""
    import urllib3.exceptions as errors

    if isinstance(exc, errors.MaxRetryError) and exc.reason is not None:
        exc = exc.reason  # urllib3 wraps what failed when it retries: the failure inside
    if watch.fired:
        return RequestFailed("timeout", f"{watch.fired} ({watch.describe()})")
    if isinstance(exc, socket.gaierror):
        return RequestFailed("unreachable", "could not resolve the host name")
    for name, kind, detail in _FAILURES:
        if isinstance(exc, getattr(errors, name)):
            # How much came in how long, where it tells something.
            shown = f" ({watch.describe()})" if kind == "timeout" else ""
            return RequestFailed(kind, detail(exc) + shown)
    return RequestFailed("dropped", f"the connection was dropped ({watch.describe()})")


class Transport:
    """Pools of watched connections, one per proxy; ``ca_bundle`` for HTTPS."""

    def __init__(
        self, ca_bundle: str | None = None, environ: Mapping[str, str] | None = None
    ) -> None:
        self._ca_bundle = ca_bundle
        self._environ = environ
        self._pools: dict[str | None, urllib3.PoolManager] = {}
        self._lock = threading.Lock()

    def pool(self, url: str) -> urllib3.PoolManager:
        """The pool for ``url``: direct, or through the proxy the environment names."""
        import urllib3
        from botocore.httpsession import get_cert_path
        from botocore.utils import get_environ_proxies

        proxy = get_environ_proxies(url).get(url.split(":", 1)[0].lower())
        with self._lock:
            pool = self._pools.get(proxy)
            if pool is None:
                ca_bundle = self._ca_bundle or (self._environ or {}).get("AWS_CA_BUNDLE")
                kwargs: dict[str, Any] = {
                    "ca_certs": ca_bundle or get_cert_path(True),
                    "maxsize": POOL_CONNECTIONS,
                }
                if proxy:
                    pool = urllib3.ProxyManager(proxy, proxy_headers=_proxy_auth(proxy), **kwargs)
                else:
                    pool = urllib3.PoolManager(**kwargs)
                pool.pool_classes_by_scheme = _pool_classes()
                self._pools[proxy] = pool
            return pool

    @contextlib.contextmanager
    def request(
        self,
        method: str,
        url: str,
        limits: Limits,
        *,
        decode: bool,
        headers: Any = None,
        body: Any = None,
        read_timeout: float,
        connect_timeout: float = CONNECT_TIMEOUT,
        redirects: int = 0,
        each_hop: Callable[[str], str] | None = None,
    ) -> Iterator[Answer]:
        """An answer whose body is still to be read; urllib3's failures (the watch's
        first) become :class:`RequestFailed`. ``decode`` says whether its body is
        decoded (``Content-Encoding``: downloads, pages) or kept as sent (API answers,
        which botocore reads itself); ``redirects`` is how many are followed, within
        the same limits; ``each_hop`` rewrites the URL of every request sent, the
        first and each redirect's (a page's cache-busting parameter)."""
        import urllib3

        limit = min(t for t in (limits.total, read_timeout) if t is not None)
        # The watch cuts the request at its limit; the socket's own timeout is the
        # backstop (a second later, so that the watch's message is the one shown).
        timeout = urllib3.Timeout(connect=min(connect_timeout, limit), read=limit + 1.0)
        if decode:
            headers = {"Accept-Encoding": ACCEPTED_ENCODINGS, **(headers or {})}
        with Watch(limits) as watch:
            try:
                with watching(watch):
                    response = self._follow(
                        method,
                        each_hop(url) if each_hop else url,
                        redirects,
                        each_hop,
                        headers=headers,
                        body=body,
                        timeout=timeout,
                    )
            except Exception as exc:
                raise _failure(exc, watch) from None
            try:
                yield Answer(response, watch, decode)
            except RequestFailed:
                response.close()
                raise
            except Exception as exc:
                response.close()
                if isinstance(exc, urllib3.exceptions.HTTPError | OSError) or watch.fired:
                    raise _failure(exc, watch) from None
                raise
            except BaseException:
                response.close()
                raise
            finally:
                if not watch.complete:
                    # Unread data would spoil the connection for the next request.
                    response.close()
                response.release_conn()

    def _follow(
        self,
        method: str,
        url: str,
        redirects: int,
        each_hop: Callable[[str], str] | None,
        **kwargs: Any,
    ) -> urllib3.BaseHTTPResponse:
        """Send the request, and follow up to ``redirects`` redirects one hop at a
        time (as urllib3 would: 303 turns into a GET, credentials stay on their host),
        each through the pool of its own URL, rewritten by ``each_hop``."""
        while True:
            response = self.pool(url).urlopen(
                method,
                url,
                retries=False,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
                decode_content=False,
                **kwargs,
            )
            location = response.get_redirect_location() if redirects else None
            if not location:
                return response
            redirects -= 1
            response.drain_conn()
            response.release_conn()
            target = urljoin(url, location)
            if response.status == 303 and method != "HEAD":
                method, kwargs["body"] = "GET", None
            if kwargs.get("headers") and _origin(target) != _origin(url):
                kwargs["headers"] = {
                    name: value
                    for name, value in kwargs["headers"].items()
                    if name.lower() not in _CREDENTIAL_HEADERS
                }
            url = each_hop(target) if each_hop else target

    def send_aws(self, request: Any, limit: float) -> Any:
        """Send a request botocore signed, read within ``limit`` seconds in all;
        failures become botocore's own exceptions, as its HTTP session raises them."""
        from botocore.awsrequest import AWSResponse

        with self.request(
            request.method,
            request.url,
            Limits(total=limit),
            decode=False,
            headers=request.headers,
            body=request.body,
            read_timeout=limit,
        ) as answer:
            data = b"".join(answer.chunks())
        # botocore's own session hands urllib3's headers over just the same.
        return AWSResponse(request.url, answer.status, answer.raw_headers, _Body(data))


@dataclasses.dataclass
class Answer:
    """A server's answer whose body is still to be read, and the watch over it."""

    response: urllib3.BaseHTTPResponse
    watch: Watch
    decode: bool

    @property
    def status(self) -> int:
        return self.response.status

    @property
    def raw_headers(self) -> Any:
        return self.response.headers

    @property
    def headers(self) -> dict[str, str]:
        """The headers, names in lower case."""
        return {name.lower(): value for name, value in self.response.headers.items()}

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        """The body as it arrives (``read1``: whatever one read brings, so that the
        watch sees every byte, however slowly they come), each piece counted as
        progress on the wire, then decoded when asked, in pieces of at most ``size``
        bytes (so that a small body that inflates to gigabytes is read as far as
        the caller wants, no further)."""
        try:
            encoding = self.headers.get("content-encoding", "")
            inflater = decoder(encoding) if self.decode else None
            while True:
                chunk = self.response.read1(size)
                if not chunk:
                    break
                self.watch.progress(len(chunk))
                if inflater is None:
                    yield chunk
                else:
                    yield from inflater.feed(chunk, size)
            self.watch.complete = True
            if inflater is not None:
                inflater.finish()
        except UndecodableBody as exc:
            raise RequestFailed("encoding", str(exc)) from None


class _Body:
    """What botocore's ``AWSResponse`` reads its content from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._data


# What urllib3 keeps from another host when it follows a redirect.
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.hostname, parts.port


def _proxy_auth(proxy: str) -> dict[str, str]:
    parts = urlsplit(proxy)
    if not parts.username:
        return {}
    user_pass = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return {"Proxy-Authorization": "Basic " + base64.b64encode(user_pass.encode()).decode()}


@contextlib.contextmanager
def call_limit(seconds: float) -> Iterator[None]:
    """API calls made in the block (in this thread) end within ``seconds`` each."""
    previous = getattr(_local, "limit", None)
    _local.limit = seconds
    try:
        yield
    finally:
        _local.limit = previous


class BoundedSession:
    """What botocore's endpoint sends requests with (in place of its own HTTP
    session): each request through ``transport``, within the limit of
    :func:`call_limit` (``default_limit`` without one), failures raised as botocore's
    own exceptions."""

    def __init__(self, transport: Transport, default_limit: float) -> None:
        self._transport = transport
        self._default_limit = default_limit

    def send(self, request: Any) -> Any:
        from botocore import exceptions as bc

        limit = getattr(_local, "limit", None) or self._default_limit
        try:
            return self._transport.send_aws(request, limit)
        except RequestFailed as failed:
            url = request.url
            if failed.kind == "timeout":
                raise bc.ReadTimeoutError(endpoint_url=url, error=failed) from None
            if failed.kind == "unreachable":
                raise bc.EndpointConnectionError(endpoint_url=url, error=failed) from None
            if failed.kind == "proxy":
                raise bc.ProxyConnectionError(proxy_url="the proxy", error=failed) from None
            if failed.kind == "tls":
                raise bc.SSLError(endpoint_url=url, error=failed) from None
            raise bc.ConnectionClosedError(endpoint_url=url, error=failed) from None

    def close(self) -> None:
        return None
