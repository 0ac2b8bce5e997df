"""The log of requests the local service received, without their signatures."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping

from ..._core.redact import is_signing_parameter
from .operations import check_operation


@dataclasses.dataclass(frozen=True)
class FakeRequest:
    """One request the service received: ``params`` never holds signing parameters."""

    operation: str
    method: str
    path: str
    params: Mapping[str, str]
    status: int
    at: float


class RequestLog:
    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._requests: list[FakeRequest] = []

    def record(
        self,
        operation: str,
        method: str,
        path: str,
        params: Mapping[str, str],
        *,
        status: int,
        at: float,
    ) -> None:
        # Presigned URLs carry their signatures in the query, and tests print this log.
        safe = {k: v for k, v in params.items() if not is_signing_parameter(k)}
        request = FakeRequest(operation, method, path, safe, status, at)
        with self._lock:
            self._requests.append(request)

    def calls(self, operation: str | None) -> int:
        if operation is not None:
            check_operation(operation)
        with self._lock:
            return sum(1 for r in self._requests if operation is None or r.operation == operation)

    def requests(self) -> list[FakeRequest]:
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
