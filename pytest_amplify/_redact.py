"""Keep presigned URLs' signing parameters out of everything the plugin shows.

A presigned S3 URL is a bearer token: whoever holds it can download the object
until it expires. Amplify's step log, artifact and screenshot URLs are such URLs,
so every URL the plugin prints (messages, summary, JUnit, HTML, logging) goes
through :func:`redact_url` or :func:`redact_text` first.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"

# SigV4 and SigV2 query-string authentication; matched case-insensitively because
# S3 accepts `x-amz-security-token` in lower case too.
SIGNING_PARAMETERS = frozenset(
    {
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "awsaccesskeyid",
        "signature",
    }
)

_URL_PATTERN = re.compile(r"""https?://[^\s'"<>()\[\]{}]+""", re.IGNORECASE)
# A bare `name=value` pair outside a URL, e.g. inside an exception message that
# quotes a query string on its own.
_PARAMETER_PATTERN = re.compile(
    r"(?i)\b(x-amz-signature|x-amz-credential|x-amz-security-token|awsaccesskeyid|signature)=([^&\s'\"<>]+)"
)


def is_signing_parameter(name: str) -> bool:
    return name.lower() in SIGNING_PARAMETERS


def redact_url(url: str) -> str:
    """Return ``url`` with the values of its signing parameters replaced by ``REDACTED``.

    >>> redact_url("https://b.s3.amazonaws.com/log.txt?X-Amz-Signature=abc&X-Amz-Expires=60")
    'https://b.s3.amazonaws.com/log.txt?X-Amz-Signature=REDACTED&X-Amz-Expires=60'
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return _PARAMETER_PATTERN.sub(lambda m: f"{m.group(1)}={REDACTED}", url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(is_signing_parameter(name) for name, _ in pairs):
        return url
    cleaned = [(name, REDACTED if is_signing_parameter(name) else value) for name, value in pairs]
    return urlunsplit(parts._replace(query=urlencode(cleaned, safe="/:")))


def strip_query(url: str) -> str:
    """The URL without its query string: for places where only the object matters."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_url(url)
    return urlunsplit(parts._replace(query="", fragment=""))


def redact_text(text: str) -> str:
    """Redact every URL and stray signing parameter found in free text."""
    text = _URL_PATTERN.sub(lambda m: redact_url(m.group(0)), text)
    return _PARAMETER_PATTERN.sub(lambda m: f"{m.group(1)}={REDACTED}", text)


def single_line(text: str) -> str:
    """``text`` on one line. Build logs and status reasons are written by the build
    (a pull request's code, say): a line break in them must not start a line of
    pytest's output, where GitHub Actions would read ``::command::`` as a workflow
    command (its runner also breaks lines at a lone carriage return)."""
    return " ".join(text.splitlines())
