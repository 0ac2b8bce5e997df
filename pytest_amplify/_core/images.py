"""Is it really an image? A complete PNG (signature, IHDR, IEND) or JPEG (SOI, a frame
header, EOI), without an imaging library: a screenshot that is an S3 error page or a
truncated upload must fail, and say which part is missing.

What an image shows needs its pixels: :func:`page_content` (how much of a screenshot
is not its background) and :func:`pixel_change` (how much of it changed against
another) decode with Pillow, the optional extra ``images``, imported
on first use only.
"""

from __future__ import annotations

import dataclasses
import io
import struct
from typing import TYPE_CHECKING, cast

from .errors import AmplifyConfigError

if TYPE_CHECKING:
    from PIL import Image

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


# -- what the pixels show (Pillow) ----------------------------------------------------

# What the `images` extra installs (pyproject.toml): named as pip takes it, since no
# release of pytest-amplify is on an index for `pytest-amplify[images]` to come from.
PILLOW_REQUIREMENT = "pillow>=10.1"
# Two pixels are the same colour when no channel (of 0-255) differs by more than this:
# anti-aliasing halos and JPEG noise stay within it, text and borders do not.
PIXEL_TOLERANCE = 16
# The defaults of the two checks, chosen from the local service's renders (the
# figures for each are in docs/screenshots.md): a mostly white sign-in page has 2.4%
# (desktop) to 7.1% (phone) of its pixels off its background, a white page with a
# small spinner 0.06% to 0.17%; losing a mostly white page's content changes 2.4% of
# its pixels (desktop) to 7.1% (phone), identical renders 0%.
DEFAULT_MIN_CONTENT = 0.005
DEFAULT_MAX_CHANGED = 0.01
# The background is the most common colour of the image shrunk by this factor: a
# solid background stays exact, and finding it costs a sixteenth of the pixels.
_BACKGROUND_SAMPLE = 4


def require_pillow(check: str) -> None:
    """Fail in one line, naming the extra, when Pillow is not installed."""
    __tracebackhide__ = True
    try:
        import PIL.Image  # noqa: F401
    except ImportError:
        raise AmplifyConfigError(
            f"{check} needs Pillow to read the screenshots' pixels (the images extra): "
            f"pip install '{PILLOW_REQUIREMENT}'"
        ) from None


def _decoded(data: bytes) -> Image.Image:
    """The image's pixels as RGB; :class:`NotAnImage` when Pillow cannot decode them."""
    from PIL import Image, UnidentifiedImageError

    image_info(data)  # what is wrong with bytes that are not an image, in our words
    try:
        with Image.open(io.BytesIO(data)) as opened:
            converted: Image.Image = opened.convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise NotAnImage(f"its pixels cannot be decoded ({exc})") from None
    return converted


def _count_differing(first: Image.Image, second: Image.Image) -> int:
    """How many pixels of two images of one size differ by more than the tolerance
    in any channel."""
    from PIL import ImageChops

    red, green, blue = ImageChops.difference(first, second).split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    return sum(largest.histogram()[PIXEL_TOLERANCE + 1 :])


@dataclasses.dataclass(frozen=True)
class PageContent:
    """How much of a screenshot is not its background (its most common colour)."""

    width: int
    height: int
    background: tuple[int, int, int]
    share: float  # of the pixels, 0 to 1

    @property
    def background_hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.background)


def page_content(data: bytes) -> PageContent:
    """The share of the pixels of a PNG or JPEG that differ from its background by
    more than :data:`PIXEL_TOLERANCE`: 0 for one colour; a blank or loading page has
    almost none. Needs Pillow (:func:`require_pillow`)."""
    from PIL import Image

    image = _decoded(data)
    factor = _BACKGROUND_SAMPLE if min(image.size) >= 16 * _BACKGROUND_SAMPLE else 1
    sample = image.reduce(factor) if factor > 1 else image
    # Every colour is counted (maxcolors = the number of pixels): never None for RGB.
    colours = sample.getcolors(sample.width * sample.height) or [(0, (0, 0, 0))]
    background = cast("tuple[int, int, int]", max(colours)[1])
    plain = Image.new("RGB", image.size, background)
    share = _count_differing(image, plain) / (image.width * image.height)
    return PageContent(image.width, image.height, background, share)


@dataclasses.dataclass(frozen=True)
class PixelChange:
    """How much of a screenshot changed against an earlier one."""

    share: float  # of the pixels of the larger canvas, 0 to 1
    before_size: tuple[int, int]
    after_size: tuple[int, int]

    @property
    def same_size(self) -> bool:
        return self.before_size == self.after_size


def pixel_change(before: bytes, after: bytes) -> PixelChange:
    """The share of pixels that differ by more than :data:`PIXEL_TOLERANCE` between
    two PNGs or JPEGs. Of different sizes, they are laid over each other from the top
    left corner, and the part only one of them covers counts as changed. Needs Pillow."""
    decoded = []
    for which, data in (("the earlier", before), ("the later", after)):
        try:
            decoded.append(_decoded(data))
        except NotAnImage as exc:
            raise NotAnImage(f"{which} screenshot is not a usable image: {exc}") from None
    first, second = decoded
    width, height = max(first.width, second.width), max(first.height, second.height)
    common = (min(first.width, second.width), min(first.height, second.height))
    box = (0, 0, *common)
    differing = _count_differing(first.crop(box), second.crop(box))
    uncovered = width * height - common[0] * common[1]
    return PixelChange((differing + uncovered) / (width * height), first.size, second.size)
