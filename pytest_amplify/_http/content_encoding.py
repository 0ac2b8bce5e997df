"""Bodies sent with ``Content-Encoding``: gzip or deflate, inflated as they arrive,
in pieces the caller sizes, so that a small body that inflates to gigabytes is
read only as far as the caller's cap (the transport's downloads and pages)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

# What the plugin asks for, and so all it must decode.
ACCEPTED_ENCODINGS = "gzip, deflate"


class UndecodableBody(Exception):
    """A body that cannot be decoded: an encoding the plugin did not ask for, or
    bytes that are not what the encoding says."""


class Inflater:
    """A gzip or deflate body, inflated piece by piece."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        # gzip: its header; deflate: zlib's, or (as some servers send it) none.
        self._wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, data: bytes, size: int) -> Iterator[bytes]:
        while data:
            try:
                out = self._inflater.decompress(data, size)
            except zlib.error as exc:
                if self.encoding == "deflate" and not self._started:
                    self._wbits = -zlib.MAX_WBITS
                    self._inflater = zlib.decompressobj(self._wbits)
                    self._started = True
                    continue
                raise self._invalid(exc) from None
            self._started = True
            data = self._inflater.unconsumed_tail
            if self._inflater.eof and self._inflater.unused_data:
                # Another gzip member follows (concatenated gzip files are one).
                data = self._inflater.unused_data + data
                self._inflater = zlib.decompressobj(self._wbits)
            if out:
                yield out

    def finish(self) -> None:
        if not self._inflater.eof:
            raise self._invalid("the body ends in the middle")

    def _invalid(self, reason: object) -> UndecodableBody:
        return UndecodableBody(f"the {self.encoding} body cannot be decoded ({reason})")


def decoder(header: str) -> Inflater | None:
    """The decoder of a ``Content-Encoding``; the plugin asks for gzip or deflate only."""
    codings = [
        c for c in (c.strip().lower() for c in header.split(",")) if c not in ("", "identity")
    ]
    if not codings:
        return None
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return Inflater("deflate" if codings[0] == "deflate" else "gzip")
    raise UndecodableBody(
        f"the body is sent with Content-Encoding {header!r}, which the plugin does not "
        f"decode (it asks for {ACCEPTED_ENCODINGS})",
    )
