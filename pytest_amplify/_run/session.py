"""The run's Amplify session: settings per test, the targets they name, and the
cache of waits (shared with the other xdist workers when there are any).

One :class:`AmplifySession` lives in ``config.stash`` for the whole run. The
modules that bring boto3 and tenacity are imported by the methods that need them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from .._amplify.aws import ClientFactory, Connection
from .._checks.assertions import Explanations
from .._core.clock import WaitClock
from .._core.e2e_results import E2eResults
from .._core.errors import AmplifyConfigError, AmplifyWaitError
from .._core.model import AmplifyJob
from .._core.policies import E2eReports, InsideJob, RetryPolicy, SiteChecks, WaitPolicy
from .._core.records import WaitRecord
from .._core.target import Target
from .._core.vocabulary import fill_site_url
from .._jobs.resolver import JobOrigin, JobResolver
from .._settings.github_event import GitHubEvent, apply_event, read_event
from .._settings.keywords import apply_marker, marker_kwargs
from .._settings.overrides import OverrideStack
from .._settings.settings import Settings
from .._settings.sources import apply_deferred
from .verdicts import ServeVerdicts

if TYPE_CHECKING:
    import pytest
    from mypy_boto3_amplify import AmplifyClient

    from .._amplify.api import AmplifyApi
    from .._core.policies import WaitProgress
    from .._jobs.waiting import JobWait
    from .xdist_sharing import SharedWaits


class AmplifySession:
    """Everything the plugin keeps for one pytest run."""

    def __init__(
        self,
        settings: Settings,
        deferred: Mapping[str, tuple[str, str]],
        *,
        environ: Mapping[str, str] | None = None,
        progress_factory: Callable[[], WaitProgress | None] | None = None,
        current_item: Callable[[], pytest.Item | None] = lambda: None,
    ) -> None:
        self._current_item = current_item
        self.base_settings = settings
        self.deferred = dict(deferred)
        self.environ = os.environ if environ is None else environ
        self.overrides = OverrideStack()
        self.clients = ClientFactory()
        self.explanations = Explanations()
        self.resolver = JobResolver(
            lambda connection: self.api(connection, retrying=True), self.retry_policy
        )
        self.records: dict[Target, WaitRecord] = {}
        self._progress_factory = progress_factory
        self._shared: SharedWaits | None = None
        self._remote_records: list[WaitRecord] = []
        self._shared_directories: set[str] = set()
        self._event: GitHubEvent | AmplifyConfigError | None = None
        self._event_read = False
        self.serve_verdicts = ServeVerdicts(self._current_test, lambda: self._shared)

    @property
    def current_item(self) -> pytest.Item | None:
        """The test running now, if any."""
        return self._current_item()

    def _current_test(self) -> str:
        item = self.current_item
        return item.nodeid if item is not None else "this run"

    # -- settings and targets ----------------------------------------------------------

    def settings(self, item: pytest.Item | None = None) -> Settings:
        """The settings for one test: environment, overrides and markers applied."""
        settings = apply_deferred(self.base_settings, self.deferred)
        settings = self.overrides.apply(apply_event(settings, self.github_event(settings)))
        if item is not None:
            kwargs = marker_kwargs(item)
            if kwargs:
                settings = apply_marker(settings, kwargs, item.nodeid)
        return settings

    def github_event(self, settings: Settings) -> GitHubEvent | None:
        """The run's GitHub event, read once, when ``amplify_github_event`` is on."""
        if not settings.github_event.value:
            return None
        if not self._event_read:
            try:
                self._event = read_event(self.environ)
            except AmplifyConfigError as error:
                self._event = error
            self._event_read = True
        if isinstance(self._event, AmplifyConfigError):
            raise self._event
        return self._event

    def connection(self, settings: Settings) -> Connection:
        credentials = self.overrides.credentials()
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
        app_id, branch = settings.app_id.value, settings.branch_to_test().value
        for value, what, key, flag, env in (
            (app_id, "app", "amplify_app_id", "--amplify-app-id", "AWS_APP_ID"),
            (branch, "branch", "amplify_branch", "--amplify-branch", "AWS_BRANCH"),
        ):
            if not value:
                raise AmplifyConfigError(
                    f"No Amplify {what} to test: set {key} in the ini file, "
                    f"{flag} on the command line, or {env} in the environment"
                )
        assert app_id
        assert branch
        connection = self.connection(settings)
        commit = settings.commit_id
        target = Target(
            app_id=app_id,
            branch=branch,
            job_id=settings.job_id.value,
            commit_id=commit.value,
            endpoint_url=connection.endpoint_url,
            region=self.clients.region(connection),
            pull_request=settings.pull_request.value,
            commit_source=commit.source if commit.value else None,
        )
        return target, connection

    def clock(self) -> WaitClock:
        return self.overrides.clock() or WaitClock()

    def site_url(self, settings: Settings, target: Target) -> str | None:
        template = settings.site_url.value
        return fill_site_url(template, target.app_id, target.branch) if template else None

    # -- clients -----------------------------------------------------------------------

    def api(self, connection: Connection, *, retrying: bool = False) -> AmplifyApi:
        """The Amplify calls for ``connection``: one attempt each for a wait (which
        retries on its schedule), retried by :meth:`retry_policy` otherwise."""
        from .._amplify.api import AmplifyApi

        return AmplifyApi(
            lambda: self.clients.client(connection), self.retry_policy if retrying else None
        )

    def retry_policy(self) -> RetryPolicy:
        """The retries of calls outside a wait and of downloads, for the current test
        (``amplify_retry_timeout``, on the overrides' clock when there is one)."""
        setting = self.settings(self.current_item).retry_timeout
        return RetryPolicy(limit=setting.value, limit_source=setting.source, clock=self.clock())

    def user_client(self, settings: Settings) -> AmplifyClient:
        return self.clients.user_client(self.connection(settings))

    # -- waiting -----------------------------------------------------------------------

    def wait(self, settings: Settings) -> AmplifyJob:
        """The finished job for these settings, waiting once per target per run."""
        __tracebackhide__ = True
        target, connection = self.target(settings)
        record = self.records.get(target)
        if record is None:
            if self._shared is not None:
                record = self._shared.wait(
                    target, lambda: self._wait_now(settings, target, connection)
                )
            else:
                record = self._wait_now(settings, target, connection)
            self.records[target] = record
        return self.handed_out(record, settings)

    def handed_out(self, record: WaitRecord, settings: Settings) -> AmplifyJob:
        """The record's job, with the resolver that reaches the service again."""
        target, connection = self.target(settings)
        checks = SiteChecks(
            settings.serve_timeout.value,
            settings.domain_url.value,
            self.clock(),
            settings.serve_timeout.source,
            self.serve_verdicts,
        )
        reports = E2eReports(settings.e2e_report.value, settings.e2e_report.source)
        origin = JobOrigin(
            record.target, connection, self.site_url(settings, target), checks, reports
        )
        return self.resolver.attach(record.result(), origin)

    def new_wait(self, settings: Settings, target: Target, connection: Connection) -> JobWait:
        from .._jobs.waiting import JobWait

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
            progress=self._progress_factory() if self._progress_factory else None,
            site_url=self.site_url(settings, target),
            inside_job=InsideJob.from_environ(self.environ),
        )

    def _wait_now(self, settings: Settings, target: Target, connection: Connection) -> WaitRecord:
        wait = self.new_wait(settings, target, connection)
        outcome: AmplifyJob | AmplifyWaitError
        try:
            outcome = wait.run()
        except AmplifyWaitError as error:
            outcome = error
        return self._with_e2e(WaitRecord.of(wait, outcome), settings)

    def _with_e2e(self, record: WaitRecord, settings: Settings) -> WaitRecord:
        """The record with its job's end-to-end results where the reports show them:
        read here, once per job, so that the record brings them to every test, worker
        and report (``_e2e.reported``)."""
        if record.job is None or not record.job.steps:
            return record
        from .._e2e.reported import results_to_report

        every_job = bool(self.base_settings.report.value or self.base_settings.e2e_junit.value)
        record.e2e = results_to_report(self.handed_out(record, settings), every_job)
        return record

    def e2e_results(self, settings: Settings) -> E2eResults | None:
        """The end-to-end results the record of these settings' target carries."""
        record = self.records.get(self.target(settings)[0])
        return record.e2e if record is not None else None

    def wait_all(self, settings_list: Sequence[Settings]) -> list[WaitRecord]:
        """Wait for several targets at once; cached targets are not waited for
        again, and under xdist the run's workers share the waits."""
        pending: dict[Target, tuple[Settings, Connection]] = {}
        targets = []
        for settings in settings_list:
            target, connection = self.target(settings)
            targets.append(target)
            if target not in self.records and target not in pending:
                pending[target] = (settings, connection)

        def together(chosen: list[Target], publish: Callable[[Target, WaitRecord], None]) -> None:
            self._wait_together([(t, *pending[t]) for t in chosen], publish)

        if self._shared is not None and pending:
            found = self._shared.wait_all(
                list(pending), together, lambda t: self._wait_now(pending[t][0], t, pending[t][1])
            )
            self.records.update(found)
        elif pending:
            together(list(pending), self.records.__setitem__)
        return [self.records[target] for target in targets]

    def _wait_together(
        self,
        chosen: Sequence[tuple[Target, Settings, Connection]],
        publish: Callable[[Target, WaitRecord], None],
    ) -> None:
        """One thread polls every target on its own schedule; each record is
        published as soon as its wait ends."""
        from .._jobs.wait_all import run_waits

        waits = [
            self.new_wait(settings, target, connection) for target, settings, connection in chosen
        ]

        def done(index: int, outcome: AmplifyJob | AmplifyWaitError) -> None:
            record = self._with_e2e(WaitRecord.of(waits[index], outcome), chosen[index][1])
            publish(waits[index].target, record)

        run_waits(waits, self.clock(), on_done=done)

    # -- xdist -------------------------------------------------------------------------

    def share_waits(self, shared: SharedWaits) -> None:
        """Share this worker's waits, and which test each error was explained to,
        with the run's other workers (once)."""
        if self._shared is None:
            self._shared = shared
            self.explanations.share(shared.first_to_explain)

    @property
    def shared_directory(self) -> str | None:
        return str(self._shared.directory) if self._shared is not None else None

    def add_worker_records(self, records: Iterable[WaitRecord], directory: str | None) -> None:
        """What a worker waited for, for the controller's one summary."""
        if directory:
            self._shared_directories.add(directory)
        known = {r.target for r in self._remote_records}
        for record in records:
            if record.target not in known:
                self._remote_records.append(record)
                known.add(record.target)

    def shared_directories(self) -> set[str]:
        return set(self._shared_directories)

    # -- reporting ---------------------------------------------------------------------

    def all_records(self) -> list[WaitRecord]:
        seen = {record.target for record in self.records.values()}
        return [*self.records.values(), *(r for r in self._remote_records if r.target not in seen)]
