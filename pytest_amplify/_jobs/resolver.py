"""The session's resolver: the network work a job may need after its wait.

Jobs are plain values; the plugin attaches this resolver to the jobs it hands out,
so that ``job.branch_url`` (GetApp and GetBranch, once per branch),
``job.refetched()`` (GetJob, for fresh presigned URLs), the test artifacts
(ListArtifacts, GetArtifactUrl) and what a check of the site needs (the app's
platform, the previous successful job, the custom domains) reach the service that
the job came from. Each of these calls is retried by the session's
:class:`RetryPolicy` (``amplify_retry_timeout``), as are the downloads of the job's
files (``retry_policy``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from .._amplify.api import AmplifyApi, failures_as
from .._amplify.aws import Connection
from .._amplify.call_problems import CallProblem
from .._core.api_values import job_number
from .._core.e2e_results import E2eResults
from .._core.errors import AmplifyFetchError, AmplifyServiceError
from .._core.model import AmplifyJob
from .._core.policies import E2eReports, RetryPolicy, SiteChecks
from .._core.target import Target, describe_job
from .._core.vocabulary import DEFAULT_SERVE_TIMEOUT
from .listing import PAGE_LIMIT, previous_success


@dataclasses.dataclass(frozen=True)
class JobOrigin:
    """Where a job came from: its target, the connection, ``amplify_site_url``, and
    the settings of the checks that need them."""

    target: Target
    connection: Connection
    site_url: str | None = None
    site_checks: SiteChecks = dataclasses.field(
        default_factory=lambda: SiteChecks(DEFAULT_SERVE_TIMEOUT)
    )
    e2e_reports: E2eReports = dataclasses.field(default_factory=E2eReports)


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
        self._apps: dict[tuple[Any, ...], Mapping[str, Any]] = {}
        self._e2e_read: dict[tuple[Any, ...], dict[tuple[str, str], E2eResults]] = {}

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
            app = self._app(origin, api)
            branch = api.get_branch(target.app_id, target.branch)["branch"]
        return f"https://{branch['displayName']}.{app['defaultDomain']}"

    def _app(self, origin: JobOrigin, api: AmplifyApi) -> Mapping[str, Any]:
        """GetApp's ``app``, once per app."""
        target = origin.target
        key = (target.endpoint_url, target.region, target.app_id)
        if key not in self._apps:
            self._apps[key] = api.get_app(target.app_id)["app"]
        return self._apps[key]

    def app_platform(self, job: AmplifyJob) -> str | None:
        origin = self._origin(job)
        api = self._api_for(origin.connection)
        with failures_as(api, describe_job(job.app_id, job.branch), _fetch_error):
            platform = self._app(origin, api).get("platform")
        return platform if isinstance(platform, str) else None

    def previous_successful_job(self, job: AmplifyJob) -> AmplifyJob | None:
        origin = self._origin(job)
        api = self._api_for(origin.connection)
        with failures_as(api, job.describe(), _fetch_error):
            listed = previous_success(api, job.app_id, job.branch, job_number(job.job_id))
            if listed is None:
                return None
            answer = api.get_job(job.app_id, job.branch, listed.job_id)
        previous = AmplifyJob.from_api(
            answer, app_id=job.app_id, branch=job.branch, site_url=origin.site_url
        )
        return self.attach(previous, origin)

    def domain_associations(self, job: AmplifyJob) -> list[Mapping[str, Any]]:
        api = self._api_for(self._origin(job).connection)
        found: list[Mapping[str, Any]] = []
        token: str | None = None
        for _ in range(PAGE_LIMIT):
            with failures_as(api, f"the custom domains of app {job.app_id}", _fetch_error):
                answer = api.list_domain_associations(job.app_id, token)
            found.extend(answer.get("domainAssociations") or [])
            token = answer.get("nextToken") or None
            if token is None:
                break
        return found

    def site_checks(self, job: AmplifyJob) -> SiteChecks:
        return self._origin(job).site_checks

    def e2e_reports(self, job: AmplifyJob) -> E2eReports:
        return self._origin(job).e2e_reports

    def e2e_read(self, job: AmplifyJob) -> dict[tuple[str, str], E2eResults]:
        """The end-to-end results read for the job (``_e2e.lookup``), by step and
        glob: a finished job's test artifacts do not change, so the run's reports and
        its tests share one read."""
        target = self._origin(job).target
        key = (target.endpoint_url, target.region, job.app_id, job.branch, job.job_id)
        return self._e2e_read.setdefault(key, {})

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
