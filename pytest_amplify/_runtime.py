"""The session's Amplify state: settings, overrides, clients and the cache of waits.

One :class:`AmplifyRuntime` lives in ``config.stash`` for the whole run. Heavy
modules (boto3, tenacity) are imported by the methods that need them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pytest

from ._client import ClientFactory, Connection, Credentials
from ._errors import AmplifyConfigError, AmplifyError, AmplifyWaitError
from ._keys import RUNTIME_KEY, SETTINGS_KEY
from ._model import AmplifyJob
from ._settings import (
    LATEST,
    OPTIONS_BY_NAME,
    SettingError,
    Settings,
    apply_deferred,
    apply_marker,
    marker_kwargs,
)
from ._target import InsideJob, Target, WaitClock, WaitPolicy

if TYPE_CHECKING:
    from mypy_boto3_amplify import AmplifyClient

    from ._client import AmplifyApi
    from ._html import Screenshot
    from ._shared import SharedWaits
    from ._waiting import JobWait, WaitProgress

logger = logging.getLogger("pytest_amplify")

OVERRIDABLE = (
    "app_id",
    "branch",
    "job_id",
    "commit_id",
    "region",
    "endpoint_url",
    "site_url",
    "timeout",
    "poll_interval",
    "max_poll_interval",
)


@dataclasses.dataclass(frozen=True)
class SettingsOverride:
    """Values that beat the command line, the ini and the environment while active.

    The local service's fixtures use one to point the plugin at themselves; a
    conftest can use one to run a demo when nothing is configured. ``clock``
    makes waits run on a simulated clock; ``credentials`` replace boto3's chain.
    """

    values: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    credentials: Credentials | None = None
    clock: WaitClock | None = None
    source: str = "an override"

    def __post_init__(self) -> None:
        unknown = sorted(set(self.values) - set(OVERRIDABLE))
        if unknown:
            raise ValueError(
                f"cannot override {', '.join(unknown)}; overridable: {', '.join(OVERRIDABLE)}"
            )
        parsed = {}
        for name, value in self.values.items():
            if isinstance(value, str):
                try:
                    value = OPTIONS_BY_NAME[name].parse(value)
                except SettingError as exc:
                    raise ValueError(f"override {name}={value!r}: {exc}") from None
            parsed[name] = value
        object.__setattr__(self, "values", parsed)


@dataclasses.dataclass
class WaitRecord:
    """How a wait for one target ended, for the cache and the summary."""

    target: Target
    job: AmplifyJob | None = None
    error: AmplifyError | None = None
    polls: int = 0
    calls: int = 0
    waited: float = 0.0

    def result(self) -> AmplifyJob:
        if self.error is not None:
            raise self.error
        assert self.job is not None
        return self.job

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target.to_dict(),
            "job": self.job.to_dict() if self.job else None,
            "error": str(self.error) if self.error else None,
            "error_type": type(self.error).__name__ if self.error else None,
            "polls": self.polls,
            "calls": self.calls,
            "waited": self.waited,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WaitRecord:
        from . import _errors

        error: AmplifyError | None = None
        if data.get("error") is not None:
            error_type = getattr(_errors, str(data.get("error_type")), None)
            if not (isinstance(error_type, type) and issubclass(error_type, AmplifyError)):
                error_type = AmplifyWaitError
            error = error_type(data["error"])
        return cls(
            target=Target(**data["target"]),
            job=AmplifyJob.from_dict(data["job"]) if data.get("job") else None,
            error=error,
            polls=int(data.get("polls", 0)),
            calls=int(data.get("calls", 0)),
            waited=float(data.get("waited", 0.0)),
        )


@dataclasses.dataclass(frozen=True)
class ItemJob:
    """A job (or a failed wait) one test used: for JUnit and pytest-html."""

    target: Target
    job: AmplifyJob | None
    error: str | None = None


def fill_site_url(template: str, app_id: str, branch: str) -> str:
    return template.replace("{app_id}", app_id).replace("{branch}", branch.replace("/", "-"))


class AmplifyRuntime:
    """Everything the plugin keeps for one pytest run."""

    def __init__(
        self,
        config: pytest.Config,
        settings: Settings,
        deferred: Mapping[str, tuple[str, str]],
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self.base_settings = settings
        self.deferred = dict(deferred)
        self.environ = os.environ if environ is None else environ
        self.clients = ClientFactory()
        self.records: dict[Target, WaitRecord] = {}
        self.remote_records: list[WaitRecord] = []
        self.shared: SharedWaits | None = None
        self.shared_directories: set[str] = set()
        self.progress_factory: Callable[[], WaitProgress] | None = None
        self.current_item: pytest.Item | None = None
        self._overrides: list[SettingsOverride] = []
        self._branch_urls: dict[tuple[Any, ...], str] = {}
        self._screenshots: dict[tuple[Target, str], list[Screenshot]] = {}

    # -- overrides -------------------------------------------------------------------

    @contextlib.contextmanager
    def overridden(self, override: SettingsOverride) -> Iterator[SettingsOverride]:
        self._overrides.append(override)
        try:
            yield override
        finally:
            self._overrides.remove(override)

    # -- settings --------------------------------------------------------------------

    def settings(self, item: pytest.Item | None = None) -> Settings:
        """The settings for one test: environment, overrides and markers applied."""
        settings = apply_deferred(self.base_settings, self.deferred)
        for override in self._overrides:
            for name, value in override.values.items():
                settings = settings.replace(name, value, override.source)
            if "commit_id" in override.values and "job_id" not in override.values:
                settings = settings.replace("job_id", LATEST, override.source)
        if item is not None:
            kwargs = marker_kwargs(item)
            if kwargs:
                settings = apply_marker(settings, kwargs, item.nodeid)
        return settings

    def _overridden(self, name: str) -> Any:
        """The newest override's ``credentials`` or ``clock`` that is set."""
        for override in reversed(self._overrides):
            value = getattr(override, name)
            if value is not None:
                return value
        return None

    def connection(self, settings: Settings) -> Connection:
        credentials: Credentials | None = self._overridden("credentials")
        return Connection(
            endpoint_url=settings.endpoint_url.value,
            region=settings.region.value,
            profile=None if credentials else settings.profile.value,
            credentials=credentials,
            profile_source=settings.profile.source,
        )

    def target(self, settings: Settings) -> tuple[Target, Connection]:
        """The target for these settings; raises AmplifyConfigError, before any call,
        when app or branch is missing or the region cannot be used."""
        app_id, branch = settings.app_id.value, settings.branch.value
        if not app_id:
            raise AmplifyConfigError(
                "No Amplify app to test: set amplify_app_id in the ini file, "
                "--amplify-app-id on the command line, or AWS_APP_ID in the environment"
            )
        if not branch:
            raise AmplifyConfigError(
                "No Amplify branch to test: set amplify_branch in the ini file, "
                "--amplify-branch on the command line, or AWS_BRANCH in the environment"
            )
        connection = self.connection(settings)
        region = self.clients.region(connection)
        target = Target(
            app_id=app_id,
            branch=branch,
            job_id=settings.job_id.value,
            commit_id=settings.commit_id.value,
            endpoint_url=connection.endpoint_url,
            region=region,
        )
        return target, connection

    def clock(self) -> WaitClock:
        clock: WaitClock | None = self._overridden("clock")
        return clock or WaitClock()

    # -- clients ---------------------------------------------------------------------

    def api(self, connection: Connection) -> AmplifyApi:
        from ._client import AmplifyApi

        return AmplifyApi(lambda timeout: self.clients.client(connection, timeout))

    def user_client(self, settings: Settings) -> AmplifyClient:
        return self.clients.user_client(self.connection(settings))

    # -- waiting ---------------------------------------------------------------------

    def site_url(self, settings: Settings, target: Target) -> str | None:
        template = settings.site_url.value
        return fill_site_url(template, target.app_id, target.branch) if template else None

    def wait(self, settings: Settings) -> AmplifyJob:
        """The finished job for these settings, waiting once per target per run."""
        __tracebackhide__ = True
        target, connection = self.target(settings)
        record = self.records.get(target)
        if record is None:
            if self.shared is not None:
                record = self.shared.wait(
                    target, lambda: self._wait_now(settings, target, connection)
                )
            else:
                record = self._wait_now(settings, target, connection)
            self.records[target] = record
        return self._link(record.result(), settings, target, connection)

    def linked(self, record: WaitRecord, settings: Settings) -> AmplifyJob:
        """The record's job, able to reach the service again (site, fresh URLs)."""
        _, connection = self.target(settings)
        return self._link(record.result(), settings, record.target, connection)

    def _link(
        self, job: AmplifyJob, settings: Settings, target: Target, connection: Connection
    ) -> AmplifyJob:
        return job.with_links(_RuntimeLinks(self, settings, target, connection, job.job_id))

    def new_wait(self, settings: Settings, target: Target, connection: Connection) -> JobWait:
        from ._waiting import JobWait

        policy = WaitPolicy(
            timeout=settings.timeout.value,
            poll_interval=settings.poll_interval.value,
            max_poll_interval=settings.max_poll_interval.value,
            timeout_source=settings.timeout.source,
        )
        return JobWait(
            target,
            self.api(connection),
            policy,
            clock=self.clock(),
            progress=self.progress_factory() if self.progress_factory else None,
            site_url=self.site_url(settings, target),
            inside_job=InsideJob.from_environ(self.environ),
        )

    def _wait_now(self, settings: Settings, target: Target, connection: Connection) -> WaitRecord:
        wait = self.new_wait(settings, target, connection)
        return self.finish_wait(wait, run=wait.run)

    def finish_wait(self, wait: JobWait, run: Callable[[], AmplifyJob]) -> WaitRecord:
        record = WaitRecord(wait.target)
        try:
            record.job = run()
        except AmplifyWaitError as error:
            record.error = error
        record.polls, record.calls, record.waited = wait.polls, wait.calls, wait.elapsed()
        return record

    def wait_all(self, settings_list: Sequence[Settings]) -> list[WaitRecord]:
        """Wait for several targets at once; cached targets are not waited for again."""
        from ._waiting import run_waits

        pending: dict[Target, JobWait] = {}
        targets = []
        for settings in settings_list:
            target, connection = self.target(settings)
            targets.append(target)
            if target not in self.records and target not in pending:
                pending[target] = self.new_wait(settings, target, connection)
        if pending:
            waits = list(pending.values())
            outcomes = run_waits(waits, self.clock())
            for wait, outcome in zip(waits, outcomes, strict=True):
                record = WaitRecord(
                    wait.target, polls=wait.polls, calls=wait.calls, waited=wait.elapsed()
                )
                if isinstance(outcome, AmplifyJob):
                    record.job = outcome
                else:
                    record.error = outcome
                self.records[wait.target] = record
        return [self.records[target] for target in targets]

    # -- the way back to the service -------------------------------------------------

    def branch_url(self, settings: Settings, target: Target, connection: Connection) -> str:
        site = self.site_url(settings, target)
        if site:
            return site
        key = (target.endpoint_url, target.region, target.app_id, target.branch)
        if key not in self._branch_urls:
            self._branch_urls[key] = self._look_up_branch_url(target, connection)
        return self._branch_urls[key]

    def _look_up_branch_url(self, target: Target, connection: Connection) -> str:
        from ._call_errors import classify
        from ._errors import AmplifyServiceError

        api = self.api(connection)
        try:
            app = api.get_app(target.app_id)["app"]
            branch = api.get_branch(target.app_id, target.branch)["branch"]
        except Exception as exc:
            problem = classify(
                exc, api.last_operation, f"app {target.app_id}, branch {target.branch}"
            )
            if problem is None:
                raise
            raise AmplifyServiceError(
                f"Could not find where branch {target.branch} is served: {problem.describe()}; "
                "or set amplify_site_url"
            ) from None
        return f"https://{branch['displayName']}.{app['defaultDomain']}"

    def refetch(self, links: _RuntimeLinks) -> AmplifyJob:
        """GetJob once more, for fresh presigned URLs."""
        from ._call_errors import classify
        from ._errors import AmplifyServiceError

        target = links.target
        described = f"app {target.app_id}, branch {target.branch}, job {links.job_id}"
        api = self.api(links.connection)
        try:
            answer = api.get_job(target.app_id, target.branch, links.job_id)
        except Exception as exc:
            problem = classify(exc, "GetJob", described)
            if problem is None:
                raise
            raise AmplifyServiceError(
                f"Could not fetch {described} again: {problem.describe()}"
            ) from None
        fresh = AmplifyJob.from_api(
            answer,
            app_id=target.app_id,
            branch=target.branch,
            site_url=self.site_url(links.settings, target),
        )
        return fresh.with_links(links)

    def _calling(
        self, links: _RuntimeLinks, operation: str, call: Callable[[AmplifyApi], Any]
    ) -> Any:
        """One call for a job's files, its errors as AmplifyFetchError with the hint."""
        from ._call_errors import classify
        from ._errors import AmplifyFetchError

        target = links.target
        described = f"app {target.app_id}, branch {target.branch}, job {links.job_id}"
        api = self.api(links.connection)
        try:
            return call(api)
        except Exception as exc:
            problem = classify(exc, operation, described)
            if problem is None:
                raise
            raise AmplifyFetchError(problem.describe()) from None

    def test_artifacts(self, links: _RuntimeLinks) -> list[tuple[str, str]]:
        target = links.target
        found: list[tuple[str, str]] = []
        token: str | None = None
        while True:
            answer = self._calling(
                links,
                "ListArtifacts",
                lambda api, token=token: api.list_artifacts(  # type: ignore[misc]
                    target.app_id, target.branch, links.job_id, token
                ),
            )
            found.extend(
                (a["artifactFileName"], a["artifactId"]) for a in answer.get("artifacts") or []
            )
            token = answer.get("nextToken") or None
            if token is None:
                return found

    def artifact_url(self, links: _RuntimeLinks, artifact_id: str) -> str:
        answer = self._calling(
            links, "GetArtifactUrl", lambda api: api.get_artifact_url(artifact_id)
        )
        return str(answer["artifactUrl"])

    def screenshots(self, target: Target, job: AmplifyJob) -> list[Screenshot]:
        """The job's VERIFY screenshots, downloaded once per job for all tests."""
        from ._html import screenshots_of

        key = (target, job.job_id)
        if key not in self._screenshots:
            self._screenshots[key] = screenshots_of(job)
        return self._screenshots[key]

    # -- reporting -------------------------------------------------------------------

    def all_records(self) -> list[WaitRecord]:
        seen = {record.target for record in self.records.values()}
        return [*self.records.values(), *(r for r in self.remote_records if r.target not in seen)]


@dataclasses.dataclass(frozen=True)
class _RuntimeLinks:
    runtime: AmplifyRuntime
    settings: Settings
    target: Target
    connection: Connection
    job_id: str

    def branch_url(self) -> str:
        return self.runtime.branch_url(self.settings, self.target, self.connection)

    def refetch(self) -> AmplifyJob:
        return self.runtime.refetch(self)

    def test_artifacts(self) -> list[tuple[str, str]]:
        return self.runtime.test_artifacts(self)

    def artifact_url(self, artifact_id: str) -> str:
        return self.runtime.artifact_url(self, artifact_id)


def get_runtime(config: pytest.Config) -> AmplifyRuntime | None:
    """The session's runtime, created on first use; None when the plugin is not
    active (``-p no:amplify``)."""
    runtime = config.stash.get(RUNTIME_KEY, None)
    if runtime is not None:
        return runtime
    read = config.stash.get(SETTINGS_KEY, None)
    if read is None:
        return None
    runtime = AmplifyRuntime(config, *read)
    if not hasattr(config, "workerinput"):  # xdist workers' output is not shown
        from ._progress import TerminalProgress

        runtime.progress_factory = lambda: TerminalProgress(config)
    config.stash[RUNTIME_KEY] = runtime
    return runtime


@contextlib.contextmanager
def override_settings(
    config: pytest.Config,
    *,
    credentials: Credentials | None = None,
    clock: WaitClock | None = None,
    source: str = "an override",
    **values: Any,
) -> Iterator[SettingsOverride]:
    """Make the plugin use ``values`` (app_id, endpoint_url, site_url, ...) while the
    block runs, whatever the ini, flags and environment say::

        with override_settings(request.config, endpoint_url=url, source="my fixture"):
            ...

    Markers still retarget single tests. Does nothing when the plugin is disabled
    (``-p no:amplify``).
    """
    override = SettingsOverride(values, credentials, clock, source)
    runtime = get_runtime(config)
    if runtime is None:
        yield override
        return
    with runtime.overridden(override):
        yield override
