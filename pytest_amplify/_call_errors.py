"""What a failed Amplify call means: retry it, give up at once, or the endpoint is unreachable.

The plugin owns every retry (botocore's are off), so this is where each botocore
failure is sorted, and where the hint that goes with it is written: which
setting, which permission, which command fixes it.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from ._errors import AmplifyResponseError
from ._redact import redact_text

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


@dataclasses.dataclass(frozen=True)
class CallProblem:
    """A failed call, sorted: ``summary`` says what happened, ``hint`` what to do."""

    kind: Kind
    summary: str
    hint: str = ""
    throttled: bool = False

    def describe(self) -> str:
        return f"{self.summary}; {self.hint}" if self.hint else self.summary


def _client_error_parts(exc: Exception) -> tuple[str, str, int]:
    response = getattr(exc, "response", None) or {}
    error = response.get("Error") or {}
    status = int((response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)
    return str(error.get("Code") or status or "Unknown"), str(error.get("Message") or ""), status


def classify(
    exc: BaseException, operation: str, resource: str, arn: str | None = None
) -> CallProblem | None:
    """Sort a failure of ``operation`` on ``resource`` (e.g. "app d1, branch main, job 7").

    Returns ``None`` for exceptions that are not about the call (programming errors),
    which the caller re-raises.
    """
    from botocore import exceptions as bc

    permission = PERMISSIONS.get(operation, f"amplify:{operation}")
    on = f" on {arn}" if arn else ""
    if isinstance(exc, AmplifyResponseError):
        return CallProblem(
            "transient", redact_text(f"{operation} for {resource}: unusable answer: {exc}")
        )
    if isinstance(exc, bc.ClientError):
        code, message, status = _client_error_parts(exc)
        text = redact_text(
            f"{code}{f' ({status})' if status else ''}: {message}" if message else code
        )
        summary = f"{operation} for {resource} failed with {text}"
        if status == 404 and "not yet implemented" in message.lower():
            return CallProblem("fatal", summary, MOTO_HINT)
        if code in THROTTLING_CODES or status == 429:
            return CallProblem("transient", summary, "throttled by Amplify", throttled=True)
        if status >= 500:
            return CallProblem("transient", summary)
        if code == "NotFoundException" or status == 404:
            return CallProblem("fatal", summary, _not_found_hint(operation))
        if code in EXPIRED_CODES:
            return CallProblem(
                "fatal",
                summary,
                "the AWS credentials have expired: refresh them (aws sso login, or assume the role again)",
            )
        if code in INVALID_CREDENTIALS_CODES:
            return CallProblem(
                "fatal",
                summary,
                "the AWS credentials are not valid for this account or region: check the "
                "access key, the profile (amplify_profile) and the region (amplify_region)",
            )
        if code == str(status) and status in (401, 403, 407):
            # No AWS error type: something between us and AWS answered.
            return CallProblem(
                "fatal",
                summary,
                "the answer is not from AWS: a proxy or firewall refused the request; "
                "check HTTPS_PROXY and NO_PROXY",
            )
        if code in DENIED_CODES or status in (401, 403):
            return CallProblem(
                "fatal", summary, f"the AWS identity needs the IAM permission {permission}{on}"
            )
        if code == "BadRequestException":
            return CallProblem("fatal", summary, _not_found_hint(operation))
        return CallProblem("fatal", summary)
    if isinstance(exc, bc.NoCredentialsError | bc.PartialCredentialsError):
        return CallProblem("fatal", f"no usable AWS credentials ({exc})", CREDENTIALS_HINT)
    if isinstance(exc, bc.SSOError | bc.TokenRetrievalError):
        return CallProblem(
            "fatal",
            redact_text(f"the AWS SSO session cannot be used ({exc})"),
            "run aws sso login (with --profile for the profile you use)",
        )
    if isinstance(exc, bc.CredentialRetrievalError):
        return CallProblem(
            "fatal", redact_text(f"AWS credentials could not be loaded ({exc})"), CREDENTIALS_HINT
        )
    if isinstance(exc, bc.ReadTimeoutError | bc.ConnectTimeoutError):
        return CallProblem("transient", f"{operation} for {resource} timed out ({_reason(exc)})")
    if isinstance(exc, bc.SSLError):
        return CallProblem(
            "fatal",
            redact_text(f"{operation}: TLS failed ({exc})"),
            "check AWS_CA_BUNDLE or the proxy's certificate",
        )
    if isinstance(exc, bc.ProxyConnectionError):
        return CallProblem(
            "unreachable",
            redact_text(f"{operation}: the proxy could not be reached ({exc})"),
            "check HTTPS_PROXY and NO_PROXY",
        )
    if isinstance(exc, bc.EndpointConnectionError):
        return CallProblem(
            "unreachable",
            redact_text(f"could not connect to {exc.kwargs.get('endpoint_url', 'the endpoint')}"),
        )
    if isinstance(exc, bc.ConnectionClosedError):
        return CallProblem("transient", f"{operation} for {resource}: the connection was dropped")
    if isinstance(exc, bc.HTTPClientError | bc.ConnectionError):
        return CallProblem("transient", redact_text(f"{operation} for {resource}: {exc}"))
    if type(exc).__name__ == "ResponseParserError":
        return CallProblem(
            "transient", f"{operation} for {resource}: the answer could not be parsed (not JSON)"
        )
    if isinstance(exc, bc.ParamValidationError):
        return CallProblem("fatal", redact_text(f"{operation}: {exc}"))
    return None


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
