"""What the plugin shows of outside text: presigned URLs' signing parameters kept
out, and no line of pytest's output started by a line break that came from outside.

A presigned S3 URL is a bearer token: whoever holds it can download the object
until it expires. Amplify's step log, artifact and screenshot URLs are such URLs,
so every URL the plugin prints (messages, summary, JUnit, HTML, logging) goes
through :func:`redact_url` or :func:`redact_text` first.

Status reasons, logs and service messages are written by others (a pull request's
build, say): a line break in them must not start a line of pytest's output, where
GitHub Actions reads ``::command::`` as a workflow command (its runner also breaks
lines at a lone carriage return). Every boundary where text leaves the plugin on a
line of its own goes through :func:`one_line`: each line of the plugin's errors
(:class:`~pytest_amplify.AmplifyError` takes its message as lines), the terminal
summary, the progress line, the header, the plugin's log records
(:data:`logger`), JUnit properties, one-line fields of the reports.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
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
    """``text`` on one line: every line break (``\\n``, a lone ``\\r``, and the rest
    that ``str.splitlines`` knows) becomes a space."""
    return " ".join(text.splitlines())


def one_line(text: str) -> str:
    """``text`` as it may leave the plugin on a line of its own: redacted, on one line."""
    return single_line(redact_text(text))


def lines_text(lines: Iterable[str]) -> str:
    """Lines the plugin made, each :func:`one_line`, joined: a message of several
    lines, in which every line break is the plugin's own."""
    return "\n".join(one_line(line) for line in lines)


class _OneLineRecords(logging.Filter):
    """The plugin's log records, each on one line and redacted, as it formats them."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = one_line(record.getMessage())
        record.args = None
        return True


# The plugin's logger: what it logs is outside text too (a domain's name, a reason).
logger = logging.getLogger("pytest_amplify")
logger.addFilter(_OneLineRecords())
