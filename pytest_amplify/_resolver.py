"""The session's resolver: the network work a job may need after its wait.

Jobs are plain values; the plugin attaches this resolver to the jobs it hands out,
so that ``job.branch_url`` (GetApp and GetBranch, once per branch),
``job.refetched()`` (GetJob, for fresh presigned URLs) and the test artifacts
(ListArtifacts, GetArtifactUrl) reach the service that the job came from. Each of
these calls is retried by the session's :class:`RetryPolicy` (``amplify_retry_timeout``),
as are the downloads of the job's files (``retry_policy``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ._amplify_api import AmplifyApi, failures_as
from ._aws import Connection
from ._call_problems import CallProblem
from ._call_retries import RetryPolicy
from ._errors import AmplifyFetchError, AmplifyServiceError
from ._model import AmplifyJob, describe_job
from ._target import Target


@dataclasses.dataclass(frozen=True)
class JobOrigin:
    """Where a job came from: its target, the connection, and ``amplify_site_url``."""

    target: Target
    connection: Connection
    site_url: str | None = None


def _key(job: AmplifyJob) -> tuple[str, str, str, str | None]:
    return (job.app_id, job.branch, job.job_id, job.region)


class JobResolver:
    """Does, for the jobs it was attached to, what needs the network."""

    def __init__(
        self,
        api_for: Callable[[Connection], AmplifyApi],
        retry_policy: Callable[[], RetryPolicy] = RetryPolicy,
    ) -> None:
        self._api_for = api_for
        self.retry_policy = retry_policy
        self._origins: dict[tuple[str, str, str, str | None], JobOrigin] = {}
        self._branch_urls: dict[tuple[Any, ...], str] = {}

    def attach(self, job: AmplifyJob, origin: JobOrigin) -> AmplifyJob:
        self._origins[_key(job)] = origin
        return job.with_resolver(self)

    def _origin(self, job: AmplifyJob) -> JobOrigin:
        origin = self._origins.get(_key(job))
        if origin is None:
            raise AmplifyFetchError(
                f"{job.describe()} was not handed out by this session; use a job from the "
                "amplify_job or amplify_jobs fixture"
            )
        return origin

    def branch_url(self, job: AmplifyJob) -> str:
        origin = self._origin(job)
        if origin.site_url:
            return origin.site_url
        target = origin.target
        key = (target.endpoint_url, target.region, target.app_id, target.branch)
        if key not in self._branch_urls:
            self._branch_urls[key] = self._look_up_branch_url(origin)
        return self._branch_urls[key]

    def _look_up_branch_url(self, origin: JobOrigin) -> str:
        target = origin.target
        api = self._api_for(origin.connection)

        def error(problem: CallProblem) -> AmplifyServiceError:
            return AmplifyServiceError(
                f"Could not find where branch {target.branch} is served: {problem.describe()}; "
                "or set amplify_site_url"
            )

        with failures_as(api, describe_job(target.app_id, target.branch), error):
            app = api.get_app(target.app_id)["app"]
            branch = api.get_branch(target.app_id, target.branch)["branch"]
        return f"https://{branch['displayName']}.{app['defaultDomain']}"

    def refetch(self, job: AmplifyJob) -> AmplifyJob:
        """GetJob once more, for fresh presigned URLs."""
        origin = self._origin(job)
        api = self._api_for(origin.connection)
        described = job.describe()

        def error(problem: CallProblem) -> AmplifyServiceError:
            return AmplifyServiceError(f"Could not fetch {described} again: {problem.describe()}")

        with failures_as(api, described, error):
            answer = api.get_job(job.app_id, job.branch, job.job_id)
        fresh = AmplifyJob.from_api(
            answer, app_id=job.app_id, branch=job.branch, site_url=origin.site_url
        )
        return self.attach(fresh, origin)

    def test_artifacts(self, job: AmplifyJob) -> list[tuple[str, str]]:
        """ListArtifacts, every page: (file name, artifact id) pairs."""
        api = self._api_for(self._origin(job).connection)
        found: list[tuple[str, str]] = []
        token: str | None = None
        while True:
            with failures_as(api, job.describe(), _fetch_error):
                answer = api.list_artifacts(job.app_id, job.branch, job.job_id, token)
            found.extend(
                (a["artifactFileName"], a["artifactId"]) for a in answer.get("artifacts") or []
            )
            token = answer.get("nextToken") or None
            if token is None:
                return found

    def artifact_url(self, job: AmplifyJob, artifact_id: str) -> str:
        api = self._api_for(self._origin(job).connection)
        with failures_as(api, job.describe(), _fetch_error):
            answer = api.get_artifact_url(artifact_id)
        return str(answer["artifactUrl"])


def _fetch_error(problem: CallProblem) -> AmplifyFetchError:
    return AmplifyFetchError(problem.describe())
