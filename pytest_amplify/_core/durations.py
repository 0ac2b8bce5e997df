"""Durations as people write them in pytest.ini: ``90``, ``90s``, ``15m``, ``1h``, ``1h30m``."""

from __future__ import annotations

import datetime as dt
import re

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?", re.IGNORECASE)


def parse_duration(text: str) -> float:
    """Seconds in ``text``; a bare number is seconds. Raises ``ValueError`` with the
    accepted forms when ``text`` is not a duration (negatives included)."""
    stripped = text.strip()
    if not stripped:
        raise ValueError("it is empty; write a duration such as 90, 90s, 15m or 1h")
    position = 0
    total = 0.0
    units_seen: list[str | None] = []
    for match in _PART.finditer(stripped):
        if match.start() != position:
            break
        unit = match.group(2).lower() if match.group(2) else None
        units_seen.append(unit)
        total += float(match.group(1)) * _UNITS[unit or "s"]
        position = match.end()
        while position < len(stripped) and stripped[position] == " ":
            position += 1
    if position != len(stripped) or not units_seen or (len(units_seen) > 1 and None in units_seen):
        raise ValueError(f"{text!r} is not a duration; write one such as 90, 90s, 15m, 1h or 1h30m")
    return total


def format_duration(seconds: float) -> str:
    """``1h 02m 05s``, ``4m 10s``, ``12.5s``: for messages and the summary."""
    if seconds < 60:
        return f"{seconds:.1f}s" if seconds % 1 else f"{int(seconds)}s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    return f"{minutes}m {secs:02d}s"


def format_elapsed(value: dt.timedelta | None, missing: str = "-") -> str:
    """A job's or step's duration; ``missing`` when it has not ended (a zero-length
    step is ``0s``, not missing)."""
    return missing if value is None else format_duration(value.total_seconds())
