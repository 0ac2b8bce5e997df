"""Is it really an image? PNG and JPEG signatures and dimensions, without an imaging
library: a screenshot that is an S3 error page or a truncated upload must fail."""

from __future__ import annotations

import dataclasses
import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
# Start-of-frame markers carry the dimensions; C4 (DHT), C8 (JPG) and CC (DAC) do not.
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclasses.dataclass(frozen=True)
class ImageInfo:
    kind: str  # "png" or "jpeg"
    width: int
    height: int

    @property
    def mime_type(self) -> str:
        return f"image/{self.kind}"


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
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise NotAnImage(f"it is a corrupt JPEG (no marker at byte {position})")
        marker = data[position + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            position += 2
            continue
        if marker == 0xFF:
            position += 1
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if marker in _JPEG_FRAMES:
            if position + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            if width == 0 or height == 0:
                raise NotAnImage(f"it is a JPEG of {width}x{height} pixels")
            return ImageInfo("jpeg", width, height)
        position += 2 + length
    raise NotAnImage(f"it is a truncated JPEG ({len(data)} bytes, no frame header)")
