"""Reading single values out of Amplify's answers: each reader checks the type and
names the field when it is wrong, without quoting values that may be presigned URLs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .errors import AmplifyResponseError


def parse_timestamp(value: object, field: str) -> dt.datetime | None:
    """A timestamp as botocore parses it (datetime), as the wire carries it (epoch
    seconds) or as ISO 8601 text, in UTC."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        try:
            return value.astimezone(dt.timezone.utc)
        except (OverflowError, ValueError):
            raise AmplifyResponseError(f"{field} is out of range: {value.isoformat()}") from None
    if isinstance(value, bool):
        raise AmplifyResponseError(f"{field} is a boolean, not a timestamp: {value!r}")
    if isinstance(value, int | float):
        try:
            return dt.datetime.fromtimestamp(value, tz=dt.timezone.utc)
        except (OverflowError, OSError, ValueError) as exc:
            raise AmplifyResponseError(f"{field} is out of range: {value!r}") from exc
    if isinstance(value, str):
        try:
            return parse_timestamp(float(value), field)
        except ValueError:
            pass
        try:
            return parse_timestamp(dt.datetime.fromisoformat(value), field)
        except ValueError as exc:
            raise AmplifyResponseError(f"{field} is not a timestamp: {value!r}") from exc
    raise AmplifyResponseError(f"{field} is not a timestamp: {value!r}")


def optional_str(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        # The type only: the value may be a presigned URL inside something else.
        raise AmplifyResponseError(f"{where}.{key} is not a string: {type(value).__name__}")
    return value


def required_str(data: Mapping[str, Any], key: str, where: str) -> str:
    value = optional_str(data, key, where)
    if value is None:
        raise AmplifyResponseError(f"{where}.{key} is missing")
    return value


def timestamp(data: Mapping[str, Any], key: str, where: str) -> dt.datetime | None:
    return parse_timestamp(data.get(key), f"{where}.{key}")


def mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise AmplifyResponseError(f"{where} is not an object: {type(value).__name__}")
    return value


def string_map(data: Mapping[str, Any], key: str, where: str) -> dict[str, str]:
    """A map of names to strings (a step's screenshots), empty when absent."""
    value = mapping(data.get(key) or {}, f"{where}.{key}")
    for name, text in value.items():
        if not isinstance(name, str) or not isinstance(text, str):
            raise AmplifyResponseError(f"{where}.{key} has a non-string entry: {name!r}")
    return dict(value)


def json_safe(value: Any) -> Any:
    """botocore's answer with datetimes as ISO strings, so that it survives JSON."""
    if isinstance(value, dt.datetime):
        return parse_timestamp(value, "timestamp").isoformat()  # type: ignore[union-attr]
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def job_number(job_id: str, where: str = "jobId") -> int:
    """Job ids are decimal strings; the build environment pads them (``0000000007``),
    so they are compared as numbers."""
    if not (job_id.isascii() and job_id.isdigit()) or len(job_id) > 255:
        raise AmplifyResponseError(f"{where} is not a job number: {job_id[:40]!r}")
    return int(job_id)
