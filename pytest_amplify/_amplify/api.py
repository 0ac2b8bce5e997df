"""The Amplify calls the plugin makes: counted, each bounded in total time, retried
by the policy of calls outside a wait when given one, and a failed one turned into
the plugin's own error in one place."""

from __future__ import annotations

import contextlib
import dataclasses
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .._core.errors import AmplifyError
from .._core.policies import RetryPolicy
from .._http.transport import call_limit
from .aws import READ_TIMEOUT
from .call_problems import CallProblem, classify
from .call_retries import GaveUp, Verdict, call_with_retries

if TYPE_CHECKING:
    from mypy_boto3_amplify import AmplifyClient


class AmplifyApi:
    """The Amplify calls the plugin makes, counted, each bounded by a timeout.

    ``retries`` gives the policy of calls outside a wait (``amplify_retry_timeout``);
    without it each method makes one attempt (the wait retries on its schedule).
    """

    def __init__(
        self,
        client_for: Callable[[], AmplifyClient],
        retries: Callable[[], RetryPolicy] | None = None,
    ) -> None:
        self._client_for = client_for
        self._retries = retries
        self.calls: Counter[str] = Counter()
        self.last_operation = "GetJob"

    def _call(self, operation: str, timeout: float, **kwargs: Any) -> Mapping[str, Any]:
        if self._retries is None:
            return self._attempt(operation, timeout, kwargs)

        def verdict(exc: Exception) -> Verdict | None:
            problem = classify(exc, operation, "")
            return problem.kind if problem is not None else None

        return call_with_retries(
            self._retries(),
            lambda left: self._attempt(operation, min(timeout, left), kwargs),
            verdict,
        )

    def _attempt(
        self, operation: str, timeout: float, kwargs: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        method = getattr(self._client_for(), _SNAKE[operation])
        self.last_operation = operation
        try:
            with call_limit(timeout):
                result: Mapping[str, Any] = method(**kwargs)
        except Exception as exc:
            problem = classify(exc, operation, "")
            if problem is None or problem.sent:
                self.calls[operation] += 1
            raise
        self.calls[operation] += 1
        return result

    def get_job(
        self, app_id: str, branch: str, job_id: str, timeout: float = READ_TIMEOUT
    ) -> Mapping[str, Any]:
        return self._call("GetJob", timeout, appId=app_id, branchName=branch, jobId=job_id)

    def list_jobs(
        self, app_id: str, branch: str, next_token: str | None = None, timeout: float = READ_TIMEOUT
    ) -> Mapping[str, Any]:
        kwargs: dict[str, Any] = {"appId": app_id, "branchName": branch, "maxResults": 50}
        if next_token:
            kwargs["nextToken"] = next_token
        return self._call("ListJobs", timeout, **kwargs)

    def get_app(self, app_id: str, timeout: float = READ_TIMEOUT) -> Mapping[str, Any]:
        return self._call("GetApp", timeout, appId=app_id)

    def get_branch(
        self, app_id: str, branch: str, timeout: float = READ_TIMEOUT
    ) -> Mapping[str, Any]:
        return self._call("GetBranch", timeout, appId=app_id, branchName=branch)

    def list_artifacts(
        self,
        app_id: str,
        branch: str,
        job_id: str,
        next_token: str | None = None,
        timeout: float = READ_TIMEOUT,
    ) -> Mapping[str, Any]:
        kwargs: dict[str, Any] = {
            "appId": app_id,
            "branchName": branch,
            "jobId": job_id,
            "maxResults": 50,
        }
        if next_token:
            kwargs["nextToken"] = next_token
        return self._call("ListArtifacts", timeout, **kwargs)

    def list_domain_associations(
        self, app_id: str, next_token: str | None = None, timeout: float = READ_TIMEOUT
    ) -> Mapping[str, Any]:
        kwargs: dict[str, Any] = {"appId": app_id, "maxResults": 50}
        if next_token:
            kwargs["nextToken"] = next_token
        return self._call("ListDomainAssociations", timeout, **kwargs)

    def get_artifact_url(
        self, artifact_id: str, timeout: float = READ_TIMEOUT
    ) -> Mapping[str, Any]:
        return self._call("GetArtifactUrl", timeout, artifactId=artifact_id)


_SNAKE = {
    "GetJob": "get_job",
    "ListJobs": "list_jobs",
    "GetApp": "get_app",
    "GetBranch": "get_branch",
    "ListArtifacts": "list_artifacts",
    "GetArtifactUrl": "get_artifact_url",
    "ListDomainAssociations": "list_domain_associations",
}


@contextlib.contextmanager
def failures_as(
    api: AmplifyApi, resource: str, error: Callable[[CallProblem], AmplifyError]
) -> Iterator[None]:
    """Turn a failed call made in the block into ``error(problem)``, without
    botocore's traceback; exceptions that are not about the call pass through."""
    try:
        yield
    except GaveUp as gave_up:
        problem = classify(gave_up.last, api.last_operation, resource)
        if problem is None:  # pragma: no cover - only sorted failures are retried
            raise
        retried = dataclasses.replace(problem, summary=f"{problem.summary} ({gave_up.why})")
        raise error(retried) from None
    except Exception as exc:
        problem = classify(exc, api.last_operation, resource)
        if problem is None:
            raise
        raise error(problem) from None
