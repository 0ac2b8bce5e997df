"""The operations the local service answers, the errors each may answer, and how
answers and errors go on the wire."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from .http import Response

OPERATIONS = (
    "GetJob",
    "ListJobs",
    "ListArtifacts",
    "GetArtifactUrl",
    "GetApp",
    "GetBranch",
    "ListDomainAssociations",
    "GetObject",
    "GetSitePage",
)

# The errors botocore's Amplify model lists for each operation: the service answers
# with no others of its own accord.
MODEL_ERRORS: Mapping[str, frozenset[str]] = {
    "GetJob": frozenset(
        {
            "BadRequestException",
            "UnauthorizedException",
            "InternalFailureException",
            "NotFoundException",
            "LimitExceededException",
        }
    ),
    "ListJobs": frozenset(
        {
            "BadRequestException",
            "UnauthorizedException",
            "InternalFailureException",
            "LimitExceededException",
        }
    ),
    "ListArtifacts": frozenset(
        {
            "BadRequestException",
            "UnauthorizedException",
            "InternalFailureException",
            "LimitExceededException",
        }
    ),
    "GetArtifactUrl": frozenset(
        {
            "BadRequestException",
            "UnauthorizedException",
            "InternalFailureException",
            "NotFoundException",
            "LimitExceededException",
        }
    ),
    "GetApp": frozenset(
        {
            "BadRequestException",
            "NotFoundException",
            "UnauthorizedException",
            "InternalFailureException",
        }
    ),
    "GetBranch": frozenset(
        {
            "BadRequestException",
            "UnauthorizedException",
            "NotFoundException",
            "InternalFailureException",
        }
    ),
    "ListDomainAssociations": frozenset(
        {"BadRequestException", "UnauthorizedException", "InternalFailureException"}
    ),
}

# HTTP status of each error type, including those AWS's front door sends that are
# not in Amplify's model (throttling by the gateway, credential problems).
ERROR_STATUS: Mapping[str, int] = {
    "BadRequestException": 400,
    "UnauthorizedException": 401,
    "NotFoundException": 404,
    "LimitExceededException": 429,
    "InternalFailureException": 500,
    "TooManyRequestsException": 429,
    "ThrottlingException": 400,
    "AccessDeniedException": 403,
    "ExpiredTokenException": 403,
    "UnrecognizedClientException": 403,
    "InvalidSignatureException": 403,
    "ServiceUnavailableException": 503,
}


class ApiError(Exception):
    """An operation's error answer; only the types in ``MODEL_ERRORS`` are served."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


def check_operation(operation: str) -> str:
    if operation not in OPERATIONS:
        raise ValueError(
            f"unknown operation {operation!r}; the service serves {', '.join(OPERATIONS)}"
        )
    return operation


def json_response(status: int, payload: Mapping[str, Any]) -> Response:
    return Response(
        status,
        json.dumps(payload).encode(),
        {"Content-Type": "application/json", "x-amzn-RequestId": str(uuid.uuid4())},
    )


def error_status(error_type: str) -> int:
    return ERROR_STATUS.get(error_type, 400)


def error_response(error_type: str, message: str, status: int | None = None) -> Response:
    response = json_response(status or error_status(error_type), {"message": message})
    response.headers["x-amzn-ErrorType"] = error_type
    return response
