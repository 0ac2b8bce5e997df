"""Files the local service serves for steps: logs, zips, and VERIFY screenshots that
headless Chromium rendered (``pytest_amplify/testing/screenshots/``, with the pages
and the script that renders them)."""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib.resources import files

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

# The devices and pages of the committed renders (screenshots/render.sh makes
# <page>-<device>.png for each): a sign-in page, the same page redesigned, a page
# whose app never mounted (blank) and one stuck loading (a small spinner).
SCREENSHOT_DEVICES = ("desktop", "iphone-14", "pixel-7")
SCREENSHOT_PAGES = ("login", "login-changed", "blank", "spinner")
SCREENSHOTS_FOLDER = "screenshots"


@functools.cache
def rendered_screenshot(page: str, device: str) -> bytes:
    """The PNG that headless Chromium rendered of ``page`` on ``device``."""
    if page not in SCREENSHOT_PAGES:
        raise ValueError(
            f"no rendered page {page!r}; the renders are of {', '.join(SCREENSHOT_PAGES)}"
        )
    if device not in SCREENSHOT_DEVICES:
        raise ValueError(
            f"no render for device {device!r}; the devices are {', '.join(SCREENSHOT_DEVICES)}"
        )
    folder = files("pytest_amplify.testing").joinpath(SCREENSHOTS_FOLDER)
    return folder.joinpath(f"{page}-{device}.png").read_bytes()


def rendered_screenshots(
    page: str = "login", devices: Sequence[str] = SCREENSHOT_DEVICES
) -> dict[str, bytes]:
    """Device name -> the render of ``page`` on it: ``login`` (a sign-in page),
    ``login-changed`` (the same page redesigned), ``blank`` or ``spinner``."""
    if isinstance(devices, str):
        raise TypeError(f"devices is a list of device names, not the string {devices!r}")
    return {device: rendered_screenshot(page, device) for device in devices}


def typical_screenshots() -> dict[str, bytes]:
    return rendered_screenshots("login")
