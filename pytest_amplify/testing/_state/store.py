"""What the local service holds: apps, branches, jobs, test artifacts and sites'
pages, each checked as it is added."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Mapping

from ..._core.vocabulary import APP_ID, STATIC_PLATFORM
from ..._core.vocabulary import display_name as amplify_display_name
from .clock import Clock
from .steps import check_status, typical_steps
from .timeline import JOB_TYPES, FakeJob, Stage, StepsArgument, to_steps

PLATFORMS = (STATIC_PLATFORM, "WEB_DYNAMIC", "WEB_COMPUTE")
DOMAIN_STATUSES = (
    "PENDING_VERIFICATION",
    "IN_PROGRESS",
    "AVAILABLE",
    "IMPORTING_CUSTOM_CERTIFICATE",
    "PENDING_DEPLOYMENT",
    "AWAITING_APP_CNAME",
    "FAILED",
    "CREATING",
    "REQUESTING_CERTIFICATE",
    "UPDATING",
)
LIST_ORDERS = ("newest first", "oldest first")
# A manual deployment's commitId is a placeholder, not a git SHA; this one is ours.
MANUAL_COMMIT_ID = "HEAD"


@dataclasses.dataclass
class FakeApp:
    app_id: str
    name: str
    default_domain: str
    created_at: float
    platform: str = STATIC_PLATFORM


@dataclasses.dataclass
class FakeBranch:
    app_id: str
    branch: str
    display_name: str
    # A branch added to appear later (a pull request's preview) does not exist
    # for the API nor serves its site before this time.
    created_at: float
    site_pages: dict[str, bytes] = dataclasses.field(default_factory=dict)
    stage: str = "PRODUCTION"
    # ListJobs' order is not documented: both are served, so that both are tested.
    list_order: str = "newest first"


@dataclasses.dataclass
class FakeDomain:
    """A custom domain of an app: ``subdomains`` maps each prefix ("" for the apex)
    to the branch it serves. ``lag`` is how much later than the default domain it
    serves a new build; ``None``: never, it keeps the build it served when added."""

    app_id: str
    domain_name: str
    subdomains: dict[str, str]
    status: str
    verified: bool
    lag: float | None
    created_at: float


def _check_job_arguments(
    job_type: str,
    job_id: str | None,
    listed_after: int,
    duration: float | None,
    deployed_after: float | None,
) -> None:
    if job_type not in JOB_TYPES:
        raise ValueError(f"job_type {job_type!r} is not one of {', '.join(JOB_TYPES)}")
    if job_id is not None and not (
        isinstance(job_id, str) and job_id.isascii() and job_id.isdigit()
    ):
        raise ValueError(f"job_id {job_id!r} is not a job id: Amplify's are digits, e.g. '7'")
    if not isinstance(listed_after, int) or listed_after < 0:
        raise ValueError(f"listed_after must be 0 or more, not {listed_after!r}")
    for name, seconds in (("duration", duration), ("deployed_after", deployed_after)):
        if seconds is not None and seconds < 0:
            raise ValueError(f"{name} must not be negative, not {seconds!r}")


class Store:
    """The service's records, under its one lock.

    ``clock`` and ``region`` live here, not in the facade that exposes them: setting
    them on the facade then reaches everything made or answered afterwards.
    """

    def __init__(self, clock: Clock, region: str, lock: threading.RLock) -> None:
        self.clock = clock
        self.region = region
        # Jobs share this lock: a job's stage moves while an answer reads it.
        self.lock = lock
        self._apps: dict[str, FakeApp] = {}
        self._branches: dict[tuple[str, str], FakeBranch] = {}
        self._jobs: dict[tuple[str, str], dict[str, FakeJob]] = {}
        self._artifacts: dict[str, tuple[FakeJob, str, bytes | str]] = {}
        self._domains: dict[str, FakeDomain] = {}

    # -- adding ----------------------------------------------------------------------

    def add_app(
        self,
        app_id: str,
        *,
        name: str | None = None,
        default_domain: str | None = None,
        platform: str | None = None,
    ) -> FakeApp:
        if not isinstance(app_id, str) or not APP_ID.fullmatch(app_id):
            raise ValueError(
                f"app_id {app_id!r} is not an Amplify app id ('d' and up to 19 lower-case "
                "letters or digits, e.g. 'd1' or 'd2abc3def4')"
            )
        if platform is not None and platform not in PLATFORMS:
            raise ValueError(f"platform {platform!r} is not one of {', '.join(PLATFORMS)}")
        with self.lock:
            app = self._apps.get(app_id)
            if app is None:
                app = FakeApp(
                    app_id,
                    name or f"app-{app_id}",
                    default_domain or f"{app_id}.amplifyapp.com",
                    self.clock(),
                    platform or STATIC_PLATFORM,
                )
                self._apps[app_id] = app
            else:
                app.name = name or app.name
                app.default_domain = default_domain or app.default_domain
                app.platform = platform or app.platform
            return app

    def add_domain(
        self,
        app_id: str,
        domain_name: str,
        subdomains: Mapping[str, str],
        *,
        status: str,
        verified: bool,
        lag: float | None,
    ) -> FakeDomain:
        if not isinstance(domain_name, str) or "." not in domain_name or "/" in domain_name:
            raise ValueError(f"{domain_name!r} is not a domain name such as example.com")
        if status not in DOMAIN_STATUSES:
            raise ValueError(f"status {status!r} is not one of {', '.join(DOMAIN_STATUSES)}")
        if lag is not None and lag < 0:
            raise ValueError(f"lag must not be negative, not {lag!r}")
        if not subdomains:
            raise ValueError("a domain needs at least one subdomain: {'www': 'main'}")
        self.add_app(app_id)
        with self.lock:
            if domain_name in self._domains:
                raise ValueError(f"domain {domain_name} is already associated")
            domain = FakeDomain(
                app_id, domain_name, dict(subdomains), status, verified, lag, self.clock()
            )
            self._domains[domain_name] = domain
            return domain

    def add_branch(
        self,
        app_id: str,
        branch: str,
        *,
        display_name: str | None = None,
        created_after: float = 0.0,
        stage: str | None = None,
        list_order: str | None = None,
    ) -> FakeBranch:
        if not isinstance(branch, str) or not branch.strip():
            raise ValueError(f"a branch needs a name, not {branch!r}")
        if list_order is not None and list_order not in LIST_ORDERS:
            raise ValueError(
                f"list_order is one of {', '.join(map(repr, LIST_ORDERS))}, not {list_order!r}"
            )
        if not isinstance(created_after, int | float) or created_after < 0:
            raise ValueError(f"created_after must be 0 or more seconds, not {created_after!r}")
        self.add_app(app_id)
        with self.lock:
            key = (app_id, branch)
            record = self._branches.get(key)
            if record is None:
                record = FakeBranch(
                    app_id,
                    branch,
                    display_name or amplify_display_name(branch),
                    self.clock() + created_after,
                    stage=stage or "PRODUCTION",
                )
                self._branches[key] = record
                self._jobs[key] = {}
            elif display_name:
                record.display_name = display_name
            if list_order is not None:
                record.list_order = list_order
            return record

    def add_job(
        self,
        app_id: str,
        branch: str,
        job_id: str | None,
        commit_id: str | None,
        *,
        status: str,
        steps: StepsArgument,
        job_type: str,
        commit_message: str | None,
        started_at: float | None,
        duration: float | None,
        listed_after: int,
        allow_unknown_status: bool,
        deployed_after: float | None = 0.0,
    ) -> FakeJob:
        check_status(status, "add_job", allow_unknown_status)
        _check_job_arguments(job_type, job_id, listed_after, duration, deployed_after)
        finished = status in ("SUCCEED", "FAILED", "CANCELLED")
        if duration is not None and not finished:
            raise ValueError(
                f"duration= is for jobs added finished; script a {status} job's progress "
                "with then(..., after_seconds=...)"
            )
        step_list = (
            to_steps(steps) if steps is not None else typical_steps(manual=job_type == "MANUAL")
        )
        names = [s.name.upper() for s in step_list]
        if len(set(names)) != len(names):
            raise ValueError(f"step names must be unique, not {[s.name for s in step_list]}")
        self.add_branch(app_id, branch)
        now = self.clock()
        if finished:
            length = 120.0 if duration is None else float(duration)
            start = now - length if started_at is None else float(started_at)
            finished_at: float | None = start + length
        else:
            start = now if started_at is None else float(started_at)
            finished_at = None
        with self.lock:
            jobs = self._jobs[(app_id, branch)]
            if job_id is None:
                job_id = str(max((int(j) for j in jobs), default=0) + 1)
            elif str(int(job_id)) in {str(int(j)) for j in jobs}:
                raise ValueError(f"branch {branch} of app {app_id} already has job {job_id}")
            job = FakeJob(
                app_id=app_id,
                branch=branch,
                job_id=job_id,
                commit_id=commit_id
                or (
                    MANUAL_COMMIT_ID
                    if job_type == "MANUAL"
                    else uuid.uuid4().hex + uuid.uuid4().hex[:8]
                ),
                commit_message=commit_message or f"Deploy job {job_id}",
                job_type=job_type,
                steps=step_list,
                first_stage=Stage(status),
                started_at=start,
                listed_after=listed_after,
                clock=self.clock,
                lock=self.lock,
                finished_at=finished_at,
                deployed_after=deployed_after,
            )
            jobs[job_id] = job
            # A job added finished has only the steps it ran: a job that failed at
            # BUILD lists no test artifacts of the TEST step it never reached.
            ran = [step for step, _ in job.snapshot(count_call=False)[2]] if finished else step_list
            for step in ran:
                for name, content in (step.test_artifacts or {}).items():
                    self._register_artifact(job, name, content)
        return job

    def add_test_artifact(self, job: FakeJob, name: str, content: bytes | str) -> str:
        with self.lock:
            return self._register_artifact(job, name, content)

    def _register_artifact(self, job: FakeJob, name: str, content: bytes | str) -> str:
        artifact_id = uuid.uuid4().hex
        self._artifacts[artifact_id] = (job, name, content)
        job.test_artifacts[artifact_id] = name
        return artifact_id

    def add_site_pages(self, app_id: str, branch: str, pages: Mapping[str, str | bytes]) -> None:
        record = self.add_branch(app_id, branch)
        with self.lock:
            for path, content in pages.items():
                key = "/" + path.lstrip("/")
                record.site_pages[key] = content.encode() if isinstance(content, str) else content

    # -- reading ---------------------------------------------------------------------

    def app(self, app_id: str) -> FakeApp | None:
        with self.lock:
            return self._apps.get(app_id)

    def branch(self, app_id: str, branch: str) -> FakeBranch | None:
        """The branch, if it exists by now."""
        with self.lock:
            record = self._branches.get((app_id, branch))
            return record if record is not None and record.created_at <= self.clock() else None

    def branch_jobs(self, app_id: str, branch: str) -> dict[str, FakeJob]:
        """The branch's jobs by id (the branch must exist): the live mapping, to read
        under ``lock``."""
        return self._jobs[(app_id, branch)]

    def job(self, app_id: str, branch: str, job_id: str) -> FakeJob:
        with self.lock:
            try:
                return self._jobs[(app_id, branch)][job_id]
            except KeyError:
                raise KeyError(f"no job {job_id} on branch {branch} of app {app_id}") from None

    def jobs(self, app_id: str, branch: str) -> list[FakeJob]:
        with self.lock:
            return sorted(self._jobs.get((app_id, branch), {}).values(), key=lambda j: -j.number)

    def artifact(self, artifact_id: str) -> tuple[FakeJob, str, bytes | str] | None:
        with self.lock:
            return self._artifacts.get(artifact_id)

    def domains(self, app_id: str) -> list[FakeDomain]:
        with self.lock:
            return [d for d in self._domains.values() if d.app_id == app_id]

    def domain_for_host(self, host: str) -> tuple[FakeDomain, str] | None:
        """The custom domain that serves ``host`` (``www.example.com``), and its branch."""
        with self.lock:
            for domain in self._domains.values():
                for prefix, branch in domain.subdomains.items():
                    if host == (f"{prefix}.{domain.domain_name}" if prefix else domain.domain_name):
                        return domain, branch
        return None

    def branch_by_display_name(self, app_id: str, display_name: str) -> FakeBranch | None:
        with self.lock:
            for record in self._branches.values():
                if record.app_id == app_id and record.display_name == display_name:
                    return record
        return None

    def display_name(self, app_id: str, branch: str) -> str:
        """The branch's name in its site's address, also for a branch not added yet."""
        with self.lock:
            record = self._branches.get((app_id, branch))
        return record.display_name if record is not None else amplify_display_name(branch)

    def site_page(self, app_id: str, display_name: str, page: str) -> bytes | None:
        with self.lock:
            now = self.clock()
            for record in self._branches.values():
                if (
                    record.app_id == app_id
                    and record.display_name == display_name
                    and record.created_at <= now
                ):
                    content = record.site_pages.get(page) or record.site_pages.get(
                        page.rstrip("/") or "/"
                    )
                    if content is not None:
                        return content
        return None
