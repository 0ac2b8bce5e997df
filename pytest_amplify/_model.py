"""The job model: plain, immutable data that round-trips through JSON.

Nothing here does I/O, so jobs can cross process boundaries (pytest-xdist workers)
and be built from any GetJob answer, whether botocore parsed it or not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, Final, Protocol
from urllib.parse import quote

from ._errors import AmplifyResponseError, AmplifyStepNotFoundError
from ._redact import redact_url


class JobLinks(Protocol):
    """What the plugin attaches to a job so that it can reach the service again."""

    def branch_url(self) -> str: ...

    def refetch(self) -> AmplifyJob: ...

    def test_artifacts(self) -> list[tuple[str, str]]:
        """ListArtifacts: (file name, artifact id) pairs."""
        ...

    def artifact_url(self, artifact_id: str) -> str:
        """GetArtifactUrl: a presigned URL for one test artifact."""
        ...


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


def parse_timestamp(value: object, field: str) -> dt.datetime | None:
    """A timestamp as botocore parses it (datetime), as the wire carries it (epoch
    seconds) or as :meth:`AmplifyJob.to_dict` writes it (ISO 8601), in UTC."""
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


def _optional_str(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        # The type only: the value may be a presigned URL inside something else.
        raise AmplifyResponseError(f"{where}.{key} is not a string: {type(value).__name__}")
    return value


def _required_str(data: Mapping[str, Any], key: str, where: str) -> str:
    value = _optional_str(data, key, where)
    if value is None:
        raise AmplifyResponseError(f"{where}.{key} is missing")
    return value


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise AmplifyResponseError(f"{where} is not an object: {type(value).__name__}")
    return value


def _duration(start: dt.datetime | None, end: dt.datetime | None) -> dt.timedelta | None:
    if start is None or end is None:
        return None
    return end - start


def _isoformat(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def json_safe(value: Any) -> Any:
    """botocore's answer with datetimes as ISO strings, so that it survives JSON."""
    if isinstance(value, dt.datetime):
        return parse_timestamp(value, "timestamp").isoformat()  # type: ignore[union-attr]
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


class _Outcome:
    """What jobs and steps share: a status and when they ran."""

    status: str
    start_time: dt.datetime | None
    end_time: dt.datetime | None

    @property
    def duration(self) -> dt.timedelta | None:
        return _duration(self.start_time, self.end_time)

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
        data = _mapping(data, where)
        screenshots = data.get("screenshots") or {}
        screenshots = _mapping(screenshots, f"{where}.screenshots")
        for key, url in screenshots.items():
            if not isinstance(key, str) or not isinstance(url, str):
                raise AmplifyResponseError(f"{where}.screenshots has a non-string entry: {key!r}")
        return cls(
            name=_required_str(data, "stepName", where),
            status=_required_str(data, "status", where),
            start_time=parse_timestamp(data.get("startTime"), f"{where}.startTime"),
            end_time=parse_timestamp(data.get("endTime"), f"{where}.endTime"),
            log_url=_optional_str(data, "logUrl", where),
            artifacts_url=_optional_str(data, "artifactsUrl", where),
            test_artifacts_url=_optional_str(data, "testArtifactsUrl", where),
            test_config_url=_optional_str(data, "testConfigUrl", where),
            screenshots=dict(screenshots),
            status_reason=_optional_str(data, "statusReason", where),
            context=_optional_str(data, "context", where),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "start_time": _isoformat(self.start_time),
            "end_time": _isoformat(self.end_time),
            "log_url": self.log_url,
            "artifacts_url": self.artifacts_url,
            "test_artifacts_url": self.test_artifacts_url,
            "test_config_url": self.test_config_url,
            "screenshots": dict(self.screenshots),
            "status_reason": self.status_reason,
            "context": self.context,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JobStep:
        return cls(
            name=data["name"],
            status=data["status"],
            start_time=parse_timestamp(data.get("start_time"), "start_time"),
            end_time=parse_timestamp(data.get("end_time"), "end_time"),
            log_url=data.get("log_url"),
            artifacts_url=data.get("artifacts_url"),
            test_artifacts_url=data.get("test_artifacts_url"),
            test_config_url=data.get("test_config_url"),
            screenshots=dict(data.get("screenshots") or {}),
            status_reason=data.get("status_reason"),
            context=data.get("context"),
        )


def default_branch_url(app_id: str, branch: str) -> str:
    """Where Amplify serves a branch by default: the branch's display name (``/`` made
    ``-``) as a subdomain of the app's ``amplifyapp.com`` domain."""
    return f"https://{branch.replace('/', '-')}.{app_id}.amplifyapp.com"


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
    # Set by the plugin: the way back to the service (GetApp/GetBranch for the
    # site, GetJob for fresh URLs). Not data, so it neither compares nor serialises.
    links: JobLinks | None = dataclasses.field(default=None, repr=False, compare=False)

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
        if self.links is not None:
            return self.links.branch_url()
        return default_branch_url(self.app_id, self.branch)

    @property
    def step_names(self) -> tuple[str, ...]:
        return tuple(step.name for step in self.steps)

    def step(self, name: str) -> JobStep:
        """The step called ``name``, case-insensitively (``job.step("build")``)."""
        wanted = name.casefold()
        for step in self.steps:
            if step.name.casefold() == wanted:
                return step
        have = ", ".join(self.step_names) or "no steps"
        raise AmplifyStepNotFoundError(
            f"job {self.job_id} of app {self.app_id}, branch {self.branch} has no step "
            f"{name!r}; it has: {have}"
        )

    def __iter__(self) -> Iterator[JobStep]:
        return iter(self.steps)

    def describe(self) -> str:
        """``app d1, branch main, job 7``: how messages name a job."""
        return f"app {self.app_id}, branch {self.branch}, job {self.job_id}"

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
        response = _mapping(response, "GetJob answer")
        job = _mapping(response.get("job"), "job")
        summary = _mapping(job.get("summary"), "job.summary")
        raw_steps = job.get("steps") or []
        if not isinstance(raw_steps, list | tuple):
            raise AmplifyResponseError(f"job.steps is not a list: {type(raw_steps).__name__}")
        steps = tuple(
            JobStep.from_api(step, f"job.steps[{index}]") for index, step in enumerate(raw_steps)
        )
        return cls(
            app_id=app_id,
            branch=branch,
            job_id=_required_str(summary, "jobId", "job.summary"),
            status=_required_str(summary, "status", "job.summary"),
            job_type=_optional_str(summary, "jobType", "job.summary"),
            commit_id=_optional_str(summary, "commitId", "job.summary"),
            commit_message=_optional_str(summary, "commitMessage", "job.summary"),
            commit_time=parse_timestamp(summary.get("commitTime"), "job.summary.commitTime"),
            start_time=parse_timestamp(summary.get("startTime"), "job.summary.startTime"),
            end_time=parse_timestamp(summary.get("endTime"), "job.summary.endTime"),
            steps=steps,
            job_arn=_optional_str(summary, "jobArn", "job.summary"),
            site_url=site_url,
            raw=json_safe(response),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; :meth:`from_dict` reads it back."""
        return {
            "app_id": self.app_id,
            "branch": self.branch,
            "job_id": self.job_id,
            "status": self.status,
            "job_type": self.job_type,
            "commit_id": self.commit_id,
            "commit_message": self.commit_message,
            "commit_time": _isoformat(self.commit_time),
            "start_time": _isoformat(self.start_time),
            "end_time": _isoformat(self.end_time),
            "steps": [step.to_dict() for step in self.steps],
            "job_arn": self.job_arn,
            "site_url": self.site_url,
            "raw": json_safe(self.raw),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AmplifyJob:
        return cls(
            app_id=data["app_id"],
            branch=data["branch"],
            job_id=data["job_id"],
            status=data["status"],
            job_type=data.get("job_type"),
            commit_id=data.get("commit_id"),
            commit_message=data.get("commit_message"),
            commit_time=parse_timestamp(data.get("commit_time"), "commit_time"),
            start_time=parse_timestamp(data.get("start_time"), "start_time"),
            end_time=parse_timestamp(data.get("end_time"), "end_time"),
            steps=tuple(JobStep.from_dict(step) for step in data.get("steps", ())),
            job_arn=data.get("job_arn"),
            site_url=data.get("site_url"),
            raw=data.get("raw") or {},
        )

    def with_links(self, links: JobLinks | None) -> AmplifyJob:
        return dataclasses.replace(self, links=links)

    def refetched(self) -> AmplifyJob | None:
        """The job fetched again with GetJob (fresh presigned URLs), when the plugin
        attached a way to; ``None`` otherwise."""
        return self.links.refetch() if self.links is not None else None


@dataclasses.dataclass(frozen=True)
class ListedJob:
    """A ListJobs summary: enough to pick a job and learn how long jobs take."""

    job_id: str
    status: str
    commit_id: str | None
    start_time: dt.datetime | None
    end_time: dt.datetime | None

    @property
    def number(self) -> int:
        return job_number(self.job_id)

    @property
    def duration(self) -> dt.timedelta | None:
        return _duration(self.start_time, self.end_time)

    @classmethod
    def from_api(cls, data: Mapping[str, Any], where: str = "jobSummaries[]") -> ListedJob:
        data = _mapping(data, where)
        job_id = _required_str(data, "jobId", where)
        job_number(job_id, where)
        return cls(
            job_id=job_id,
            status=_required_str(data, "status", where),
            commit_id=_optional_str(data, "commitId", where),
            start_time=parse_timestamp(data.get("startTime"), f"{where}.startTime"),
            end_time=parse_timestamp(data.get("endTime"), f"{where}.endTime"),
        )


def job_number(job_id: str, where: str = "jobId") -> int:
    """Job ids are decimal strings; the build environment pads them (``0000000007``),
    so they are compared as numbers."""
    if not (job_id.isascii() and job_id.isdigit()) or len(job_id) > 255:
        raise AmplifyResponseError(f"{where} is not a job number: {job_id[:40]!r}")
    return int(job_id)
