"""Is it really an image? A complete PNG (signature, IHDR, IEND) or JPEG (SOI, a frame
header, EOI), without an imaging library: a screenshot that is an S3 error page or a
truncated upload must fail, and say which part is missing."""

from __future__ import annotations

import dataclasses
import struct

from .errors import shown_as_public

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
# Start-of-frame markers carry the dimensions; C4 (DHT), C8 (JPG) and CC (DAC) do not.
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length: TEM, RST0-7, and a repeated SOI.
_JPEG_STANDALONE = frozenset({0x01, 0xD8, *range(0xD0, 0xD8)})


@dataclasses.dataclass(frozen=True)
class ImageInfo:
    kind: str  # "png" or "jpeg"
    width: int
    height: int

    @property
    def mime_type(self) -> str:
        return f"image/{self.kind}"


@shown_as_public
class NotAnImage(ValueError):
    """Why the bytes are not a readable PNG or JPEG."""


def image_info(data: bytes) -> ImageInfo:
    """The kind and size of a PNG or JPEG; raises :class:`NotAnImage` saying why not."""
    if data.startswith(PNG_SIGNATURE):
        return _png(data)
    if data.startswith(JPEG_SIGNATURE):
        return _jpeg(data)
    if not data:
        raise NotAnImage("it is empty")
    head = data[:64].lstrip()
    if head.startswith((b"<?xml", b"<Error", b"<html", b"<!DOCTYPE", b"<!doctype")):
        raise NotAnImage(f"it is a text document, not an image (starts {head[:30]!r})")
    raise NotAnImage(f"it has neither a PNG nor a JPEG signature (starts {data[:8]!r})")


def _png(data: bytes) -> ImageInfo:
    # The IHDR chunk must come first: length 13, type, width, height.
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise NotAnImage(f"it is a truncated PNG ({len(data)} bytes, no IHDR header)")
    width, height = struct.unpack(">II", data[16:24])
    if width == 0 or height == 0:
        raise NotAnImage(f"it is a PNG of {width}x{height} pixels")
    if not data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82"):
        raise NotAnImage(f"it is a truncated PNG ({len(data)} bytes, no IEND chunk)")
    return ImageInfo("png", width, height)


def _jpeg(data: bytes) -> ImageInfo:
    """Walk the markers from SOI to EOI: a frame header (SOFn) gives the size; the
    entropy-coded data after each SOS is skipped up to the next real marker (inside
    it, 0xFF is followed by 0x00 or a restart marker). No EOI: a truncated upload."""
    size: tuple[int, int] | None = None
    position = 2
    while True:
        marker, position = _next_marker(data, position, size is not None)
        if marker == 0xD9:
            if size is None:
                raise NotAnImage(f"it is a JPEG without a frame header ({len(data)} bytes)")
            return ImageInfo("jpeg", size[1], size[0])
        if marker in _JPEG_STANDALONE:
            continue
        segment = _segment(data, position, size is not None)
        if marker in _JPEG_FRAMES and size is None:
            size = _frame_size(segment)
        position += 2 + len(segment)
        if marker == 0xDA:
            position = _after_scan(data, position)


def _truncated(data: bytes, framed: bool) -> NotAnImage:
    missing = "end-of-image marker (EOI)" if framed else "frame header"
    return NotAnImage(f"it is a truncated JPEG ({len(data)} bytes, no {missing})")


def _next_marker(data: bytes, position: int, framed: bool) -> tuple[int, int]:
    """The marker at ``position`` (after any fill bytes) and the position after it."""
    if position < len(data) and data[position] != 0xFF:
        raise NotAnImage(f"it is a corrupt JPEG (no marker at byte {position})")
    while position < len(data) and data[position] == 0xFF:
        position += 1
    if position >= len(data):
        raise _truncated(data, framed)
    return data[position], position + 1


def _segment(data: bytes, position: int, framed: bool) -> bytes:
    """The payload of the segment whose length field is at ``position``."""
    if position + 2 > len(data):
        raise _truncated(data, framed)
    (length,) = struct.unpack(">H", data[position : position + 2])
    if length < 2:
        raise NotAnImage(f"it is a corrupt JPEG (segment length {length} at byte {position})")
    if position + length > len(data):
        raise _truncated(data, framed)
    return data[position + 2 : position + length]


def _frame_size(segment: bytes) -> tuple[int, int]:
    """(height, width) from a frame header: precision, height, width, components."""
    if len(segment) < 5:
        raise NotAnImage(f"it is a corrupt JPEG (frame header of {len(segment) + 2} bytes)")
    height, width = struct.unpack(">HH", segment[1:5])
    if width == 0 or height == 0:
        raise NotAnImage(f"it is a JPEG of {width}x{height} pixels")
    return height, width


def _after_scan(data: bytes, position: int) -> int:
    """The position of the marker that ends an entropy-coded scan (or the end)."""
    while True:
        at = data.find(b"\xff", position)
        if at < 0 or at + 1 >= len(data):
            return len(data)
        following = data[at + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            position = at + 2
        else:
            return at
