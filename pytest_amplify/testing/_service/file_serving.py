"""Files behind presigned-style URLs (logs, artifacts, screenshots), as the local
service serves them (branches' sites are ``_sites``)."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable, Mapping

from .._state.content import FileBody
from .._state.store import Store
from .http import Response
from .presign import UrlSigner

FILES_PREFIX = "/_files/"
SITES_PREFIX = "/_sites/"

_NO_SUCH_KEY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>"
)


def content_type(name: str) -> str:
    lowered = name.lower()
    for suffix, kind in (
        (".png", "image/png"),
        (".jpg", "image/jpeg"),
        (".jpeg", "image/jpeg"),
        (".zip", "application/zip"),
        (".html", "text/html; charset=utf-8"),
        (".js", "text/javascript"),
        (".css", "text/css"),
        (".json", "application/json"),
        (".yml", "text/yaml"),
    ):
        if lowered.endswith(suffix):
            return kind
    return "text/plain; charset=utf-8"


@dataclasses.dataclass
class _File:
    body: Callable[[], FileBody]
    content_type: str


class FileServer:
    """Signs file URLs as answers hand them out and serves them while they are valid.

    ``endpoint`` gives the running service's address: file URLs are absolute.
    """

    def __init__(
        self, store: Store, signer: UrlSigner, lock: threading.RLock, endpoint: Callable[[], str]
    ) -> None:
        self._store = store
        self._signer = signer
        self._lock = lock
        self._endpoint = endpoint
        self._files: dict[str, _File] = {}

    def url(self, key: str, body: Callable[[], FileBody]) -> str:
        """A presigned URL for the file ``key``; ``body`` makes its content when fetched."""
        with self._lock:
            self._files[key] = _File(body, content_type(key))
        return self._signer.sign(self._endpoint(), f"{FILES_PREFIX}{key}")

    def serve_file(self, key: str, params: Mapping[str, str]) -> Response:
        xml = {"Content-Type": "application/xml"}
        problem = self._signer.check(f"{FILES_PREFIX}{key}", params)
        if problem is not None:
            extra = (
                self._signer.expiry_details(params)
                if problem.message == "Request has expired"
                else None
            )
            return Response(403, problem.as_s3_xml(key, extra), xml)
        with self._lock:
            entry = self._files.get(key)
        if entry is None:
            return Response(404, _NO_SUCH_KEY, xml)
        body = entry.body()
        headers = {"Content-Type": entry.content_type}
        if isinstance(body, str):
            return Response(200, body.encode(), headers)
        if isinstance(body, bytes):
            return Response(200, body, headers)
        return Response(200, _chunks(body()), headers)


def _chunks(body: Iterable[bytes]) -> Iterable[bytes]:
    for chunk in body:
        yield chunk if isinstance(chunk, bytes) else bytes(chunk)
