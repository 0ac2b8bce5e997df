"""The HTTP side of the local service: a threaded server on loopback that stops clean.

Every connection's socket is tracked so that ``stop()`` can close idle keep-alive
connections and join every handler thread: nothing outlives the service.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import socket
import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclasses.dataclass
class Response:
    status: int
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    drop_connection: bool = False
    delay: float = 0.0  # seconds before anything is sent; math.inf: never
    # (bytes per write, seconds between writes): the headers go at once, the body
    # trickles (a hostile server, or a proxy that meters what it forwards).
    trickle: tuple[int, float] | None = None


Dispatch = Callable[[str, str, dict[str, str]], Response]


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], dispatch: Dispatch) -> None:
        self.dispatch = dispatch
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle and
    # delayed ACKs add 40 ms to every answer.
    disable_nagle_algorithm = True
    server: _Server
    # A stalled client must not pin a thread for ever.
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        # Request lines carry presigned query strings: never log them.
        return

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        response = self.server.dispatch(self.command, self.path, dict(self.headers.items()))
        delay = None if response.delay == math.inf else response.delay
        if (delay is None or delay > 0) and self.server.stopping.wait(delay):
            self.close_connection = True
            return
        if response.drop_connection:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if isinstance(response.body, bytes):
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self._write(response.body, response.trickle, chunked=False)
            return
        # A streamed body: chunked, so that a huge log never sits in memory whole.
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in response.body:
            if chunk and not self._write(chunk, response.trickle, chunked=True):
                return
        self.wfile.write(b"0\r\n\r\n")

    def _write(self, data: bytes, trickle: tuple[int, float] | None, *, chunked: bool) -> bool:
        """Send ``data`` (as HTTP chunks when ``chunked``), trickled when asked;
        False when the service stopped meanwhile."""
        if not data:
            return True
        size, every = trickle or (len(data), 0.0)
        for start in range(0, len(data), size):
            if start and every and self.server.stopping.wait(every):
                self.close_connection = True
                return False
            piece = data[start : start + size]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        return True

    def _safe_serve(self) -> None:
        try:
            self._serve()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = _safe_serve
    do_HEAD = _safe_serve
    do_POST = _safe_serve
    do_PUT = _safe_serve
    do_DELETE = _safe_serve


class HttpServer:
    """Serves ``dispatch`` on ``host:port`` (port 0: an ephemeral one) in a thread."""

    def __init__(self, dispatch: Dispatch, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), dispatch)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"pytest-amplify-fake:{self.port}",
            daemon=True,
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()  # joins the handler threads (block_on_close)
        self._thread.join()
