"""Faults to inject: per operation, queues of errors, delays, dropped connections and
raw answers that the next calls take instead of (or before) their real answer."""

from __future__ import annotations

import dataclasses
import threading
from collections import deque
from collections.abc import Mapping

from ._http import Response
from ._operations import ERROR_STATUS, OPERATIONS, check_operation, error_response


@dataclasses.dataclass
class Fault:
    kind: str  # error | delay | drop | raw
    remaining: int
    error_type: str = ""
    status: int = 500
    message: str = ""
    seconds: float = 0.0
    body: bytes = b""
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def response(self) -> Response:
        """What a fault other than a delay answers instead of the operation."""
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
