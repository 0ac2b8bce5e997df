"""``amplify_jobs``: waiting for several jobs from one test, with the session's cache."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._core.errors import AmplifyError
from .._core.model import AmplifyJob
from .._settings.keywords import apply_keywords
from .._settings.settings import Settings

if TYPE_CHECKING:
    from .session import AmplifySession

# What to do about a job that did not succeed, after its cause, steps and log tail.
NOT_SUCCEEDED_JOBS = (
    "amplify_jobs raises this for a job that did not succeed; pass require_success=False "
    "to get failed jobs."
)


class AmplifyJobs:
    """Waits for any job, not just the configured one::

        def test_release(amplify_jobs):
            web = amplify_jobs.wait(app_id="d1", branch="main", commit_id=sha)
            docs, api = amplify_jobs.wait_all([
                {"app_id": "d2", "branch": "main"},
                {"app_id": "d3", "branch": "main", "job_id": "42"},
            ])

    Keywords not given come from the configuration. The wait for a target happens
    once per run, as for ``amplify_job``. Failed waits raise
    :class:`AmplifyWaitError`; jobs that did not succeed raise
    :class:`AmplifyAssertionError` unless ``require_success=False``.
    """

    def __init__(
        self,
        session: AmplifySession,
        on_job: Callable[[AmplifyJob | None, Settings, str | None], None],
    ) -> None:
        self._session = session
        self._on_job = on_job

    def _settings(self, kwargs: Mapping[str, Any], caller: str) -> Settings:
        item = self._session.current_item
        where = item.nodeid if item is not None else "amplify_jobs"
        return apply_keywords(self._session.settings(), kwargs, caller, where)

    def _test(self) -> str:
        item = self._session.current_item
        return item.nodeid if item is not None else "amplify_jobs"

    def _checked(self, job: AmplifyJob, settings: Settings) -> AmplifyJob:
        __tracebackhide__ = True
        self._on_job(job, settings, None)
        self._session.explanations.require_success(
            job,
            settings.require_success.value,
            NOT_SUCCEEDED_JOBS,
            self._test(),
            self._session.e2e_results(settings),
        )
        return job

    def wait(self, **target: Any) -> AmplifyJob:
        """The finished job for ``app_id``, ``branch`` (or ``pull_request``), ``job_id``
        or ``commit_id`` (``timeout`` and ``require_success`` too)."""
        __tracebackhide__ = True
        settings = self._settings(target, "amplify_jobs.wait")
        try:
            job = self._session.wait(settings)
        except AmplifyError as exc:
            self._on_job(None, settings, str(exc))
            raise self._session.explanations.error(exc, self._test()) from None
        return self._checked(job, settings)

    def wait_all(self, targets: Sequence[Mapping[str, Any]]) -> list[AmplifyJob]:
        """Wait for every target at once: about as long as the slowest job takes,
        not the sum. Raises the first failure after all waits have ended."""
        __tracebackhide__ = True
        settings_list = [self._settings(target, "amplify_jobs.wait_all") for target in targets]
        records = self._session.wait_all(settings_list)
        jobs = []
        for record, settings in zip(records, settings_list, strict=True):
            if record.error is not None:
                self._on_job(None, settings, str(record.error))
                raise self._session.explanations.error(record.error, self._test())
            jobs.append(self._session.handed_out(record, settings))
        return [
            self._checked(job, settings) for job, settings in zip(jobs, settings_list, strict=True)
        ]
