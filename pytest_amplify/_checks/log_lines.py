"""The line model of a step's log, defined once for every reader of logs.

- A line ends at ``\\n``; one ``\\r`` at its end (before the ``\\n``, or at the very
  end of the log) is removed, so CRLF logs read as LF logs.
- A lone ``\\r`` is not a line break (unlike ``str.splitlines``): progress bars that
  redraw with ``\\r`` stay one line, as a terminal log viewer shows them.
- Invalid UTF-8 is decoded with ``errors="replace"`` (U+FFFD).
- A log that ends with ``\\n`` has no empty last line; an empty log has no line.
- A line longer than :data:`MAX_LINE` bytes cannot be searched in bounded memory: it
  is an error, never a line silently cut in two.

Logs arrive as a stream of byte chunks cut anywhere; :func:`line_blocks` regroups
them into blocks of whole lines, which every search then reads at C speed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .._core.errors import AmplifyFetchError

# Blocks of about this size keep Python's per-block work negligible and memory small.
BLOCK_SIZE = 1024 * 1024
# A "line" longer than this (a minified bundle echoed to the log) is an error.
MAX_LINE = 8 * 1024 * 1024


class LineTooLong(AmplifyFetchError):
    """The log holds a line longer than :data:`MAX_LINE` bytes."""


def line_blocks(
    chunks: Iterable[bytes], block_size: int = BLOCK_SIZE, max_line: int = MAX_LINE
) -> Iterator[bytes]:
    """Regroup ``chunks`` into blocks of whole lines: each block ends with ``b"\\n"``,
    but perhaps the last; no line is split between two blocks."""
    parts: list[bytes] = []
    size = 0  # bytes in parts
    # The last newline seen in parts: (index in parts, offset just after it).
    cut: tuple[int, int] | None = None
    emitted = 0
    for chunk in chunks:
        if not chunk:
            continue
        parts.append(chunk)
        size += len(chunk)
        newline = chunk.rfind(b"\n")
        if newline >= 0:
            cut = (len(parts) - 1, newline + 1)
        if size < block_size:
            continue
        if cut is None:
            if size > max_line:
                raise LineTooLong(
                    f"the line that starts at byte {emitted:,} is longer than "
                    f"{max_line // (1024 * 1024)} MiB: too long to search line by line"
                )
            continue
        index, offset = cut
        head, tail = parts[index][:offset], parts[index][offset:]
        block = b"".join([*parts[:index], head])
        parts = [tail, *parts[index + 1 :]] if tail else parts[index + 1 :]
        size -= len(block)
        emitted += len(block)
        cut = None
        yield block
    if parts:
        yield b"".join(parts)


def decode_block(block: bytes) -> str:
    """A block of whole lines as text, its CRLF line ends made LF (and the final
    ``\\r`` of a log's last line removed): every ``\\n`` in the result ends a line,
    and the text between two of them is that line exactly."""
    text = block.decode("utf-8", "replace")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        # Only the log's last block may end without "\n" (see line_blocks).
        if text.endswith("\r"):
            text = text[:-1]
    return text


def text_lines(text: str) -> list[str]:
    """The lines of a decoded block (as :func:`decode_block` returns it)."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def line_count(block: bytes) -> int:
    """How many lines a block of whole lines holds."""
    if not block:
        return 0
    return block.count(b"\n") + (0 if block.endswith(b"\n") else 1)


def clean_line(raw: bytes) -> str:
    """One line's bytes (without its ``\\n``) as the model reads it."""
    text = raw.decode("utf-8", "replace")
    return text[:-1] if text.endswith("\r") else text
