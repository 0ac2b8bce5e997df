"""Faults to inject: per operation, queues of errors, delays, dropped connections and
raw answers that the next calls take instead of (or before) their real answer."""

from __future__ import annotations

import dataclasses
import math
import threading
from collections import deque
from collections.abc import Mapping

from .http import Response
from .operations import ERROR_STATUS, OPERATIONS, check_operation, error_response


@dataclasses.dataclass
class Fault:
    kind: str  # error | delay | drop | raw | trickle
    remaining: int
    error_type: str = ""
    status: int = 500
    message: str = ""
    seconds: float = 0.0  # delay: before answering (math.inf: never); trickle: between writes
    chunk_size: int = 0  # trickle: bytes per write
    body: bytes = b""
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @property
    def answers(self) -> bool:
        """Whether the operation still answers (later, or slowly) under this fault."""
        return self.kind in ("delay", "trickle")

    def shape(self, response: Response) -> Response:
        """The operation's own answer, delayed or trickled."""
        if self.kind == "delay":
            response.delay = self.seconds
        elif self.kind == "trickle":
            response.trickle = (self.chunk_size, self.seconds)
        return response

    def response(self) -> Response:
        """What a fault that does not answer answers instead of the operation."""
        if self.kind == "drop":
            return Response(0, drop_connection=True)
        if self.kind == "raw":
            return Response(self.status, self.body, dict(self.headers))
        return error_response(self.error_type, self.message, self.status)


def _check_times(times: int) -> int:
    if not isinstance(times, int) or times < 1:
        raise ValueError(f"times must be 1 or more, not {times!r}")
    return times


class Faults:
    """The queued faults of every operation; arguments are checked when queued, so a
    mistake fails the test that made it, not a later request."""

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._queues: dict[str, deque[Fault]] = {op: deque() for op in OPERATIONS}

    def _add(self, operation: str, fault: Fault) -> None:
        with self._lock:
            self._queues[check_operation(operation)].append(fault)

    def fail_next(
        self, operation: str, error: str, *, status: int | None, message: str | None, times: int
    ) -> None:
        if status is None:
            if error not in ERROR_STATUS:
                raise ValueError(f"error {error!r} has no known HTTP status: pass status=")
            status = ERROR_STATUS[error]
        self._add(
            operation,
            Fault(
                "error",
                _check_times(times),
                error_type=error,
                status=status,
                message=message or f"{error} injected by FakeAmplify",
            ),
        )

    def delay_next(self, operation: str, seconds: float, *, times: int) -> None:
        if seconds <= 0:
            raise ValueError(f"seconds must be positive, not {seconds!r}")
        self._add(operation, Fault("delay", _check_times(times), seconds=seconds))

    def hang_next(self, operation: str, *, times: int) -> None:
        self._add(operation, Fault("delay", _check_times(times), seconds=math.inf))

    def trickle_next(self, operation: str, *, chunk_size: int, every: float, times: int) -> None:
        if not isinstance(chunk_size, int) or chunk_size < 1:
            raise ValueError(f"chunk_size must be 1 or more bytes, not {chunk_size!r}")
        if every <= 0:
            raise ValueError(f"every must be a positive number of seconds, not {every!r}")
        self._add(
            operation,
            Fault("trickle", _check_times(times), seconds=every, chunk_size=chunk_size),
        )

    def drop_next(self, operation: str, *, times: int) -> None:
        self._add(operation, Fault("drop", _check_times(times)))

    def respond_raw_next(
        self,
        operation: str,
        *,
        status: int,
        body: bytes | str,
        headers: Mapping[str, str] | None,
        times: int,
    ) -> None:
        if not 100 <= status <= 999:
            raise ValueError(f"status must be a three-digit HTTP status, not {status!r}")
        raw = body.encode() if isinstance(body, str) else body
        self._add(
            operation,
            Fault("raw", _check_times(times), status=status, body=raw, headers=dict(headers or {})),
        )

    def clear(self) -> None:
        with self._lock:
            for queue in self._queues.values():
                queue.clear()

    def take(self, operation: str) -> Fault | None:
        """The fault the next call of ``operation`` meets, counted as used."""
        with self._lock:
            queue = self._queues[operation]
            if not queue:
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.popleft()
            return fault


class FaultInjection:
    """``FakeAmplify``'s fault-injection methods, over its :class:`Faults`."""

    _faults: Faults

    def fail_next(
        self,
        operation: str,
        error: str = "InternalFailureException",
        *,
        status: int | None = None,
        message: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``operation`` with ``error``.

        Any error type may be injected (``TooManyRequestsException``,
        ``ExpiredTokenException``, ...); types without a known status need ``status=``.
        """
        self._faults.fail_next(operation, error, status=status, message=message, times=times)

    def delay_next(self, operation: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next ``times`` calls only after ``seconds`` of real time."""
        self._faults.delay_next(operation, seconds, times=times)

    def hang_next(self, operation: str, *, times: int = 1) -> None:
        """Accept the next ``times`` calls and never answer them (until the service
        stops): a server or proxy that holds connections open."""
        self._faults.hang_next(operation, times=times)

    def trickle_next(
        self, operation: str, *, chunk_size: int = 1, every: float = 0.5, times: int = 1
    ) -> None:
        """Answer the next ``times`` calls with their status and headers at once, then
        their body ``chunk_size`` bytes every ``every`` seconds of real time: a hostile
        server, or a proxy that meters what it forwards. Each write is a read that
        arrives in time, so a per-read timeout never fires; only a limit on the whole
        call (or on its throughput) ends it. Works for downloads too (``GetObject``)."""
        self._faults.trickle_next(operation, chunk_size=chunk_size, every=every, times=times)

    def drop_next(self, operation: str, *, times: int = 1) -> None:
        """Close the connection without an answer for the next ``times`` calls."""
        self._faults.drop_next(operation, times=times)

    def respond_raw_next(
        self,
        operation: str,
        *,
        status: int,
        body: bytes | str = b"",
        headers: Mapping[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """The escape hatch: serve exactly this status, headers and body (a proxy's
        HTML page, malformed JSON, a status nobody has seen)."""
        self._faults.respond_raw_next(
            operation, status=status, body=body, headers=headers, times=times
        )

    def clear_faults(self) -> None:
        self._faults.clear()
