"""What a failed Amplify call means: retry it, give up at once, or the endpoint is unreachable.

The plugin owns every retry (botocore's are off), so this is where each botocore
failure is sorted, and where the hint that goes with it is written: which
setting, which permission, which command fixes it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Literal

from .._core.errors import AmplifyResponseError
from .._core.redact import redact_text

Kind = Literal["transient", "unreachable", "fatal"]

THROTTLING_CODES = frozenset(
    {
        "LimitExceededException",
        "TooManyRequestsException",
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestLimitExceeded",
        "SlowDown",
    }
)
DENIED_CODES = frozenset(
    {"UnauthorizedException", "AccessDeniedException", "AccessDenied", "UnauthorizedOperation"}
)
EXPIRED_CODES = frozenset(
    {"ExpiredTokenException", "ExpiredToken", "RequestExpired", "TokenRefreshRequired"}
)
INVALID_CREDENTIALS_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "MissingAuthenticationTokenException",
    }
)

PERMISSIONS = {
    "GetJob": "amplify:GetJob",
    "ListJobs": "amplify:ListJobs",
    "GetApp": "amplify:GetApp",
    "GetBranch": "amplify:GetBranch",
    "ListArtifacts": "amplify:ListArtifacts",
    "GetArtifactUrl": "amplify:GetArtifactUrl",
    "ListDomainAssociations": "amplify:ListDomainAssociations",
}

MOTO_HINT = (
    "moto's mock_aws() answered this Amplify call with 'Not yet implemented': moto has "
    "no Amplify backend. Point the plugin at a real or local endpoint, which mock_aws() "
    "leaves alone: use the amplify_fake fixture (pytest_plugins = "
    '["pytest_amplify.testing"]) or set amplify_endpoint_url to a loopback URL'
)
CREDENTIALS_HINT = (
    "give the run AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile "
    "(amplify_profile / --amplify-profile / AWS_PROFILE) or a role (in GitHub Actions: "
    "aws-actions/configure-aws-credentials)"
)
EXPIRED_HINT = (
    "the AWS credentials have expired: refresh them (aws sso login, or assume the role again)"
)
INVALID_HINT = (
    "the AWS credentials are not valid for this account or region: check the access key, "
    "the profile (amplify_profile) and the region (amplify_region)"
)
PROXY_HINT = (
    "the answer is not from AWS: a proxy or firewall refused the request; "
    "check HTTPS_PROXY and NO_PROXY"
)


@dataclasses.dataclass(frozen=True)
class CallProblem:
    """A failed call, sorted: ``summary`` says what happened, ``hint`` what to do."""

    kind: Kind
    summary: str
    hint: str = ""
    throttled: bool = False
    # Amplify said the branch does not exist (a preview's branch may appear later).
    branch_missing: bool = False
    # False when botocore gave up before any request left (no credentials to sign
    # with, a parameter it refused): no call was made.
    sent: bool = True

    def describe(self) -> str:
        return f"{self.summary}; {self.hint}" if self.hint else self.summary


def _client_error_parts(exc: BaseException) -> tuple[str, str, int]:
    response = getattr(exc, "response", None) or {}
    error = response.get("Error") or {}
    status = int((response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)
    return str(error.get("Code") or status or "Unknown"), str(error.get("Message") or ""), status


@dataclasses.dataclass(frozen=True)
class _ErrorAnswer:
    """An error answer from the service (or from something in between)."""

    code: str
    message: str
    status: int
    operation: str
    on: str

    @property
    def permission(self) -> str:
        return PERMISSIONS.get(self.operation, f"amplify:{self.operation}")


# Each rule: does it apply, what kind of problem it is, the hint (which may need the
# operation), and whether it is throttling. The first rule that applies wins.
_AnswerRule = tuple[Callable[[_ErrorAnswer], bool], Kind, Callable[[_ErrorAnswer], str], bool]
_ANSWER_RULES: tuple[_AnswerRule, ...] = (
    (
        lambda a: a.status == 404 and "not yet implemented" in a.message.lower(),
        "fatal",
        lambda a: MOTO_HINT,
        False,
    ),
    (
        lambda a: a.code in THROTTLING_CODES or a.status == 429,
        "transient",
        lambda a: "throttled by Amplify",
        True,
    ),
    (lambda a: a.status >= 500, "transient", lambda a: "", False),
    (
        lambda a: a.code == "NotFoundException" or a.status == 404,
        "fatal",
        lambda a: _not_found_hint(a.operation),
        False,
    ),
    (lambda a: a.code in EXPIRED_CODES, "fatal", lambda a: EXPIRED_HINT, False),
    (lambda a: a.code in INVALID_CREDENTIALS_CODES, "fatal", lambda a: INVALID_HINT, False),
    # No AWS error type: something between us and AWS answered.
    (
        lambda a: a.code == str(a.status) and a.status in (401, 403, 407),
        "fatal",
        lambda a: PROXY_HINT,
        False,
    ),
    (
        lambda a: a.code in DENIED_CODES or a.status in (401, 403),
        "fatal",
        lambda a: f"the AWS identity needs the IAM permission {a.permission}{a.on}",
        False,
    ),
    (
        lambda a: a.code == "BadRequestException",
        "fatal",
        lambda a: _not_found_hint(a.operation),
        False,
    ),
    (lambda a: True, "fatal", lambda a: "", False),
)


def _classify_answer(exc: BaseException, operation: str, resource: str, on: str) -> CallProblem:
    code, message, status = _client_error_parts(exc)
    answer = _ErrorAnswer(code, message, status, operation, on)
    # AWS ends its messages with a full stop; the hint follows after a semicolon.
    message = message.rstrip(". ")
    text = redact_text(f"{code}{f' ({status})' if status else ''}: {message}" if message else code)
    summary = f"{operation} for {resource} failed with {text}"
    branch_missing = code in ("NotFoundException", "BadRequestException") and _names_missing_branch(
        message
    )
    for applies, kind, hint, throttled in _ANSWER_RULES:
        if applies(answer):
            return CallProblem(kind, summary, hint(answer), throttled, branch_missing)
    raise AssertionError("the last rule always applies")  # pragma: no cover


# Failures that never reached an answer, by botocore exception name (botocore is not
# imported at start-up): kind, summary (from operation, resource and exception), hint,
# and whether a request left at all (botocore signs and validates first: without
# credentials or with a parameter it refuses, no call is made).
# Order matters where botocore's classes inherit from each other.
_Summary = Callable[[str, str, BaseException], str]
_FAILURE_RULES: tuple[tuple[tuple[str, ...], Kind, _Summary, str, bool], ...] = (
    (
        ("NoCredentialsError", "PartialCredentialsError"),
        "fatal",
        lambda op, res, exc: f"no usable AWS credentials ({exc})",
        CREDENTIALS_HINT,
        False,
    ),
    (
        ("SSOError", "TokenRetrievalError"),
        "fatal",
        lambda op, res, exc: f"the AWS SSO session cannot be used ({exc})",
        "run aws sso login (with --profile for the profile you use)",
        False,
    ),
    (
        ("CredentialRetrievalError",),
        "fatal",
        lambda op, res, exc: f"AWS credentials could not be loaded ({exc})",
        CREDENTIALS_HINT,
        False,
    ),
    (
        ("ReadTimeoutError", "ConnectTimeoutError"),
        "transient",
        lambda op, res, exc: f"{op} for {res} timed out ({_reason(exc)})",
        "",
        True,
    ),
    (
        ("SSLError",),
        "fatal",
        lambda op, res, exc: f"{op}: TLS failed ({exc})",
        "check AWS_CA_BUNDLE or the proxy's certificate",
        True,
    ),
    (
        ("ProxyConnectionError",),
        "unreachable",
        lambda op, res, exc: f"{op}: the proxy could not be reached ({exc})",
        "check HTTPS_PROXY and NO_PROXY",
        True,
    ),
    (
        ("EndpointConnectionError",),
        "unreachable",
        lambda op, res, exc: (
            f"could not connect to {getattr(exc, 'kwargs', {}).get('endpoint_url', 'the endpoint')}"
        ),
        "",
        True,
    ),
    (
        ("ConnectionClosedError",),
        "transient",
        lambda op, res, exc: f"{op} for {res}: the connection was dropped",
        "",
        True,
    ),
    (
        ("HTTPClientError", "ConnectionError"),
        "transient",
        lambda op, res, exc: f"{op} for {res}: {exc}",
        "",
        True,
    ),
    (
        ("ResponseParserError",),
        "transient",
        lambda op, res, exc: f"{op} for {res}: the answer could not be parsed (not JSON)",
        "",
        True,
    ),
    (("ParamValidationError",), "fatal", lambda op, res, exc: f"{op}: {exc}", "", False),
)


def classify(
    exc: BaseException, operation: str, resource: str, arn: str | None = None
) -> CallProblem | None:
    """Sort a failure of ``operation`` on ``resource`` (e.g. "app d1, branch main, job 7").

    Returns ``None`` for exceptions that are not about the call (programming errors),
    which the caller re-raises.
    """
    from botocore import exceptions as bc
    from botocore import parsers

    if isinstance(exc, AmplifyResponseError):
        return CallProblem(
            "transient", redact_text(f"{operation} for {resource}: unusable answer: {exc}")
        )
    if isinstance(exc, bc.ClientError):
        return _classify_answer(exc, operation, resource, f" on {arn}" if arn else "")
    for names, kind, summary, hint, sent in _FAILURE_RULES:
        classes = tuple(getattr(bc, name, None) or getattr(parsers, name) for name in names)
        if isinstance(exc, classes):
            return CallProblem(
                kind, redact_text(summary(operation, resource, exc)), hint, sent=sent
            )
    return None


def _names_missing_branch(message: str) -> bool:
    """Amplify's "Branch not found" (its wording is not part of the API's model); a
    missing job's message names its branch too, but it names the job."""
    lowered = message.lower()
    return (
        "branch" in lowered
        and "job" not in lowered
        and any(words in lowered for words in ("not found", "does not exist", "doesn't exist"))
    )


def _reason(exc: BaseException) -> str:
    kwargs = getattr(exc, "kwargs", {}) or {}
    error = kwargs.get("error")
    return redact_text(str(error or type(exc).__name__))


def _not_found_hint(operation: str) -> str:
    if operation == "GetJob":
        return "check amplify_job_id, and that amplify_app_id, amplify_branch and the region are the app's"
    if operation == "GetArtifactUrl":
        return "the artifact may have been deleted; fetch the job again"
    return "check amplify_app_id, amplify_branch and the region (amplify_region)"
