"""The job model: plain, immutable values read from (and written back as) the API's own dicts.

Nothing here does I/O: what needs the network later (the branch's site, fresh
presigned URLs, test artifacts) is asked of the session's resolver, which the
plugin attaches to the jobs it hands out. One schema, the API's, is used both
ways, so jobs cross process boundaries (pytest-xdist workers) as GetJob answers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Protocol
from urllib.parse import quote

from .api_values import json_safe, mapping, optional_str, required_str, string_map, timestamp
from .errors import AmplifyResponseError, AmplifyStepNotFoundError
from .policies import E2eReports, SiteChecks
from .redact import redact_url
from .target import describe_job
from .vocabulary import display_name

if TYPE_CHECKING:
    from .policies import RetryPolicy


class JobBackend(Protocol):
    """What does, for a job, the work that needs the network: the session's
    ``_jobs.resolver.JobResolver``, which the model cannot name (it builds on the model)."""

    def branch_url(self, job: AmplifyJob) -> str: ...

    def refetch(self, job: AmplifyJob) -> AmplifyJob: ...

    def test_artifacts(self, job: AmplifyJob) -> list[tuple[str, str]]:
        """ListArtifacts: (file name, artifact id) pairs."""

    def artifact_url(self, job: AmplifyJob, artifact_id: str) -> str:
        """GetArtifactUrl: a presigned URL for one test artifact."""

    def app_platform(self, job: AmplifyJob) -> str | None:
        """GetApp's ``platform``: WEB (static hosting), WEB_COMPUTE or WEB_DYNAMIC."""

    def previous_successful_job(self, job: AmplifyJob) -> AmplifyJob | None:
        """The branch's newest job before this one that SUCCEEDed (ListJobs, GetJob)."""

    def domain_associations(self, job: AmplifyJob) -> list[Mapping[str, Any]]:
        """ListDomainAssociations, every page: the app's custom domains."""

    def site_checks(self, job: AmplifyJob) -> SiteChecks:
        """The settings of checks on the job's site."""

    def e2e_reports(self, job: AmplifyJob) -> E2eReports:
        """Where the job's end-to-end report is looked for (``amplify_e2e_report``)."""

    def retry_policy(self) -> RetryPolicy:
        """How the downloads of the job's files are retried (``amplify_retry_timeout``)."""


# The jobType of a manual (zip) deployment (create-deployment, start-deployment): its
# commitId is a placeholder, not a git SHA, and it has no BUILD step.
MANUAL_JOB_TYPE = "MANUAL"


class JobStatus:
    """The status strings Amplify uses for jobs and steps.

    Statuses are kept as the service's strings: ``job.status == JobStatus.SUCCEED``
    and ``job.status == "SUCCEED"`` are the same test. Amplify adds statuses without
    notice (``CREATED`` arrived in December 2024), so a status not listed here is
    kept as it is and treated as not finished.
    """

    CREATED: Final = "CREATED"
    PENDING: Final = "PENDING"
    PROVISIONING: Final = "PROVISIONING"
    RUNNING: Final = "RUNNING"
    CANCELLING: Final = "CANCELLING"
    SUCCEED: Final = "SUCCEED"
    FAILED: Final = "FAILED"
    CANCELLED: Final = "CANCELLED"


KNOWN_STATUSES: Final = (
    JobStatus.CREATED,
    JobStatus.PENDING,
    JobStatus.PROVISIONING,
    JobStatus.RUNNING,
    JobStatus.CANCELLING,
    JobStatus.SUCCEED,
    JobStatus.FAILED,
    JobStatus.CANCELLED,
)
TERMINAL_STATUSES: Final = frozenset({JobStatus.SUCCEED, JobStatus.FAILED, JobStatus.CANCELLED})


def is_finished(status: str) -> bool:
    """Only SUCCEED, FAILED and CANCELLED end a job; anything else may still change."""
    return status in TERMINAL_STATUSES


def job_duration(start: dt.datetime | None, end: dt.datetime | None) -> dt.timedelta | None:
    if start is None or end is None:
        return None
    return end - start


# The API's field names, the model's attribute names and the reader of each: the one
# schema, read by ``from_api`` and written back by ``to_dict``.
_Reader = Callable[[Mapping[str, Any], str, str], Any]
_Fields = tuple[tuple[str, str, _Reader], ...]


def _to_api(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return dict(value)
    return value


def _read_fields(fields: _Fields, data: Mapping[str, Any], where: str) -> dict[str, Any]:
    return {attribute: read(data, key, where) for key, attribute, read in fields}


def _write_fields(fields: _Fields, value: object) -> dict[str, Any]:
    written = {key: _to_api(getattr(value, attribute)) for key, attribute, _ in fields}
    return {key: item for key, item in written.items() if item not in (None, {})}


class _Outcome:
    """What jobs and steps share: a status and when they ran."""

    status: str
    start_time: dt.datetime | None
    end_time: dt.datetime | None

    @property
    def duration(self) -> dt.timedelta | None:
        return job_duration(self.start_time, self.end_time)

    @property
    def succeeded(self) -> bool:
        return self.status == JobStatus.SUCCEED

    @property
    def finished(self) -> bool:
        return is_finished(self.status)


@dataclasses.dataclass(frozen=True)
class JobStep(_Outcome):
    """One step of a job (BUILD, TEST, DEPLOY, VERIFY or any name Amplify gives)."""

    name: str
    status: str
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    # URLs take no part in equality: their signatures change with every GetJob.
    log_url: str | None = dataclasses.field(default=None, compare=False)
    artifacts_url: str | None = dataclasses.field(default=None, compare=False)
    test_artifacts_url: str | None = dataclasses.field(default=None, compare=False)
    test_config_url: str | None = dataclasses.field(default=None, compare=False)
    screenshots: Mapping[str, str] = dataclasses.field(
        default_factory=lambda: MappingProxyType({}), compare=False
    )
    status_reason: str | None = None
    context: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.screenshots, MappingProxyType):
            object.__setattr__(self, "screenshots", MappingProxyType(dict(self.screenshots)))

    def __repr__(self) -> str:
        urls = ", ".join(
            f"{name}={redact_url(url)!r}"
            for name, url in (("log_url", self.log_url), ("artifacts_url", self.artifacts_url))
            if url
        )
        extra = f", {urls}" if urls else ""
        return f"JobStep(name={self.name!r}, status={self.status!r}{extra})"

    @classmethod
    def from_api(cls, data: Mapping[str, Any], where: str = "step") -> JobStep:
        return cls(**_read_fields(_STEP_FIELDS, mapping(data, where), where))

    def to_api(self) -> dict[str, Any]:
        """The step as the API writes it (``stepName``, ``logUrl``, ...)."""
        return _write_fields(_STEP_FIELDS, self)


_STEP_FIELDS: _Fields = (
    ("stepName", "name", required_str),
    ("status", "status", required_str),
    ("startTime", "start_time", timestamp),
    ("endTime", "end_time", timestamp),
    ("logUrl", "log_url", optional_str),
    ("artifactsUrl", "artifacts_url", optional_str),
    ("testArtifactsUrl", "test_artifacts_url", optional_str),
    ("testConfigUrl", "test_config_url", optional_str),
    ("screenshots", "screenshots", string_map),
    ("statusReason", "status_reason", optional_str),
    ("context", "context", optional_str),
)


def default_branch_url(app_id: str, branch: str) -> str:
    """Where Amplify serves a branch by default: the branch's display name (``/`` made
    ``-``) as a subdomain of the app's ``amplifyapp.com`` domain."""
    return f"https://{display_name(branch)}.{app_id}.amplifyapp.com"


@dataclasses.dataclass(frozen=True)
class AmplifyJob(_Outcome):
    """A job of an Amplify Hosting branch, as GetJob described it.

    ``amplify_job`` hands tests a finished one::

        def test_deployed(amplify_job: AmplifyJob) -> None:
            assert amplify_job.step("deploy").succeeded
    """

    app_id: str
    branch: str
    job_id: str
    status: str
    job_type: str | None = None
    commit_id: str | None = None
    commit_message: str | None = None
    commit_time: dt.datetime | None = None
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    steps: tuple[JobStep, ...] = ()
    job_arn: str | None = None
    site_url: str | None = None
    raw: Mapping[str, Any] = dataclasses.field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False
    )
    # Set by the plugin: the session's resolver, which does the network work (GetApp
    # and GetBranch for the site, GetJob for fresh URLs). Not data: it neither
    # compares nor serialises.
    resolver: JobBackend | None = dataclasses.field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", tuple(self.steps))
        if not isinstance(self.raw, MappingProxyType):
            object.__setattr__(self, "raw", MappingProxyType(dict(self.raw)))

    def __repr__(self) -> str:
        steps = ", ".join(f"{s.name}={s.status}" for s in self.steps)
        return (
            f"AmplifyJob(app_id={self.app_id!r}, branch={self.branch!r}, "
            f"job_id={self.job_id!r}, status={self.status!r}, steps=[{steps}])"
        )

    @property
    def region(self) -> str | None:
        """The region, read from the job's ARN (``arn:aws:amplify:REGION:...``)."""
        if not self.job_arn:
            return None
        parts = self.job_arn.split(":")
        return (parts[3] or None) if len(parts) > 3 else None

    @property
    def console_url(self) -> str:
        """The job's page in the AWS console."""
        host = f"{self.region}.console.aws.amazon.com" if self.region else "console.aws.amazon.com"
        branch = quote(self.branch, safe="")
        return (
            f"https://{host}/amplify/apps/{self.app_id}/branches/{branch}/deployments/{self.job_id}"
        )

    @property
    def branch_url(self) -> str:
        """Where the deployed branch is served: ``amplify_site_url`` when set, else the
        app's default domain with the branch's display name."""
        if self.site_url:
            return self.site_url
        if self.resolver is not None:
            return self.resolver.branch_url(self)
        return default_branch_url(self.app_id, self.branch)

    @property
    def step_names(self) -> tuple[str, ...]:
        return tuple(step.name for step in self.steps)

    def step(self, name: str) -> JobStep:
        """The step called ``name``, case-insensitively (``job.step("build")``)."""
        __tracebackhide__ = True
        wanted = name.casefold()
        for step in self.steps:
            if step.name.casefold() == wanted:
                return step
        have = ", ".join(self.step_names) or "no steps"
        raise AmplifyStepNotFoundError(f"{self.describe()} has no step {name!r}; it has: {have}")

    def __iter__(self) -> Iterator[JobStep]:
        return iter(self.steps)

    def describe(self) -> str:
        """``app d1, branch main, job 7``: how messages name a job."""
        return describe_job(self.app_id, self.branch, f"job {self.job_id}")

    @classmethod
    def from_api(
        cls,
        response: Mapping[str, Any],
        *,
        app_id: str,
        branch: str,
        site_url: str | None = None,
    ) -> AmplifyJob:
        """Build a job from a GetJob answer (``{"job": {"summary": ..., "steps": [...]}}``).

        Fields the model marks optional may be absent and unknown fields are ignored;
        anything else raises :class:`AmplifyResponseError`.
        """
        response = mapping(response, "GetJob answer")
        job = mapping(response.get("job"), "job")
        summary = mapping(job.get("summary"), "job.summary")
        raw_steps = job.get("steps") or []
        if not isinstance(raw_steps, list | tuple):
            raise AmplifyResponseError(f"job.steps is not a list: {type(raw_steps).__name__}")
        steps = tuple(
            JobStep.from_api(step, f"job.steps[{index}]") for index, step in enumerate(raw_steps)
        )
        return cls(
            app_id=app_id,
            branch=branch,
            steps=steps,
            site_url=site_url,
            raw=json_safe(response),
            **_read_fields(_SUMMARY_FIELDS, summary, "job.summary"),
        )

    def to_api(self) -> dict[str, Any]:
        """The job as a GetJob answer: what :meth:`from_api` reads. A job read from an
        answer gives that answer back, fields the model does not know included."""
        if self.raw:
            return dict(json_safe(self.raw))
        return {
            "job": {
                "summary": _write_fields(_SUMMARY_FIELDS, self),
                "steps": [step.to_api() for step in self.steps],
            }
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the GetJob answer, and where it came from);
        :meth:`from_dict` reads it back."""
        return {
            "app_id": self.app_id,
            "branch": self.branch,
            "site_url": self.site_url,
            "answer": self.to_api(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AmplifyJob:
        """The job :meth:`to_dict` wrote; anything else raises
        :class:`AmplifyResponseError` saying what is missing or of the wrong type."""
        try:
            fields = mapping(data, "data")
            if "answer" not in fields:
                raise AmplifyResponseError("data.answer is missing")
            return cls.from_api(
                mapping(fields["answer"], "data.answer"),
                app_id=required_str(fields, "app_id", "data"),
                branch=required_str(fields, "branch", "data"),
                site_url=optional_str(fields, "site_url", "data"),
            )
        except AmplifyResponseError as exc:
            raise AmplifyResponseError(
                f"AmplifyJob.from_dict reads what AmplifyJob.to_dict writes: {exc}"
            ) from None

    def with_resolver(self, resolver: JobBackend | None) -> AmplifyJob:
        return dataclasses.replace(self, resolver=resolver)

    def refetched(self) -> AmplifyJob | None:
        """The job fetched again with GetJob (fresh presigned URLs), when the plugin
        attached a way to; ``None`` otherwise."""
        return self.resolver.refetch(self) if self.resolver is not None else None


_SUMMARY_FIELDS: _Fields = (
    ("jobId", "job_id", required_str),
    ("status", "status", required_str),
    ("jobType", "job_type", optional_str),
    ("commitId", "commit_id", optional_str),
    ("commitMessage", "commit_message", optional_str),
    ("commitTime", "commit_time", timestamp),
    ("startTime", "start_time", timestamp),
    ("endTime", "end_time", timestamp),
    ("jobArn", "job_arn", optional_str),
)
