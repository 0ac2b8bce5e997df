"""Files the local service serves for steps: logs, zips and real PNG screenshots."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping

# What a step's file can be: bytes, text, or a factory of byte chunks for files too
# large to hold in memory (a 200 MB log is streamed, never built).
FileBody = bytes | str | Callable[[], Iterable[bytes]]


def make_png(
    width: int = 64, height: int = 48, color: tuple[int, int, int] = (32, 96, 192)
) -> bytes:
    """A real RGB PNG of ``width`` x ``height`` pixels: a colour with a lighter band, so
    that a person looking at a report sees an image and not a blank box."""
    if width < 1 or height < 1:
        raise ValueError(f"a PNG needs a positive size, not {width}x{height}")
    light = tuple(min(255, c + 80) for c in color)
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        pixel = bytes(light if height // 3 <= y < 2 * height // 3 else color)
        rows.extend(pixel * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows)))
        + chunk(b"IEND", b"")
    )


def make_zip(files: Mapping[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return buffer.getvalue()


def build_log(step: str, status: str, reason: str | None = None) -> str:
    """A plausible Amplify step log ending with the step's outcome: completed, failed
    with ``reason``, or cancelled."""
    lines = [
        f"# Starting step: {step}",
        "[INFO]: # Cloning repository",
        "[INFO]: # Retrieving environment cache",
        f"[INFO]: # Executing command: npm ci ({step})",
        "[INFO]: added 1204 packages in 21s",
    ]
    if step.upper() == "BUILD":
        lines += [
            "[INFO]: # Executing command: npm run build",
            "[INFO]: vite v5.4.2 building for production...",
            "[INFO]: dist/index.html                 0.46 kB",
            "[INFO]: dist/assets/index.js          143.20 kB",
        ]
    if status == "FAILED":
        lines += [f"[ERROR]: !!! {reason or 'Build failed'}", "[ERROR]: !!! Exit code: 1"]
    elif status == "CANCELLED":
        lines += [f"[WARNING]: !!! {reason or 'Job was cancelled'}", "[INFO]: # Step cancelled"]
    else:
        lines += [f"[INFO]: # Completed step: {step}"]
    return "\n".join(lines) + "\n"


TYPICAL_SITE_FILES: Mapping[str, str] = {
    "index.html": "<!doctype html><title>Shop</title><div id=app></div>",
    "assets/index.js": "console.log('shop');\n",
    "assets/index.css": "body { margin: 0 }\n",
}

# Devices in the spirit of Amplify's VERIFY step, each with its own colour.
TYPICAL_DEVICES: Mapping[str, tuple[int, int, tuple[int, int, int]]] = {
    "desktop": (160, 100, (32, 96, 192)),
    "iphone-14": (60, 120, (192, 64, 64)),
    "pixel-7": (64, 128, (48, 160, 80)),
}


def typical_screenshots() -> dict[str, bytes]:
    return {name: make_png(w, h, color) for name, (w, h, color) in TYPICAL_DEVICES.items()}
