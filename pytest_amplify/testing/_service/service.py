"""``FakeAmplify``: an in-memory Amplify Hosting control plane that boto3 really talks to.

The facade over the service's parts: the store (``_state.store``), injected faults
(``faults``), the API (``api_routes``), files and sites (``file_serving``) and the
request log (``request_log``).
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..._core.model import TERMINAL_STATUSES
from ..._core.vocabulary import fill_domain_url, preview_branch
from .._state.clock import Clock, SimulatedClock, real_clock
from .._state.scenario import load_scenario
from .._state.steps import failed_build_step
from .._state.store import FakeApp, FakeBranch, FakeDomain, Store
from .._state.timeline import FakeJob, StepsArgument
from .api_routes import ApiRoutes
from .faults import FaultInjection, Faults
from .file_serving import SITES_PREFIX, FileServer
from .http import HttpServer, Response
from .in_process import InProcessClient
from .presign import UrlSigner
from .request_log import FakeRequest, RequestLog
from .sites import DOMAINS_PREFIX

if TYPE_CHECKING:
    from mypy_boto3_amplify import AmplifyClient


def _check_loopback(host: str) -> str:
    try:
        if host == "localhost" or ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise ValueError(f"host {host!r}: the local service listens on loopback only (127.0.0.1)")


class FakeAmplify(FaultInjection):
    """An Amplify Hosting service on 127.0.0.1 for offline tests.

    ::

        with FakeAmplify() as fake:
            fake.add_job(app_id="d1", branch="main", job_id="1")
            client = fake.client()
            assert client.get_job(appId="d1", branchName="main", jobId="1")
            assert fake.calls("GetJob") == 1

    ``clock`` is any callable returning epoch seconds; pass a
    :class:`SimulatedClock` and jobs scripted ``after_seconds=`` move only when it
    does, presigned URLs expire by it, and no test has to sleep.
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        region: str = "us-east-1",
        url_expires: int = 3600,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._host = _check_loopback(host)
        self._port = port
        self._server: HttpServer | None = None
        # Each branch's site on an origin of its own, started on first use.
        self._site_origins: dict[tuple[str, str], HttpServer] = {}
        # One lock for all parts: an answer reads the store, registers files and
        # takes faults as one step.
        lock = threading.RLock()
        self._store = Store(clock or real_clock, region, lock)
        self._faults = Faults(lock)
        self._log = RequestLog(lock)
        signer = UrlSigner(self._store.clock, region, url_expires)
        self._files = FileServer(self._store, signer, lock, lambda: self.endpoint_url)
        self._api = ApiRoutes(self._store, self._faults, self._files, self._log)

    @property
    def clock(self) -> Clock:
        """What the service tells the time by (epoch seconds)."""
        return self._store.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self._store.clock = clock

    @property
    def region(self) -> str:
        """The region in the service's ARNs and of its clients."""
        return self._store.region

    @region.setter
    def region(self, region: str) -> None:
        self._store.region = region

    # -- life cycle ------------------------------------------------------------------

    def start(self) -> FakeAmplify:
        if self._server is not None:
            raise RuntimeError("this FakeAmplify is already running")
        self._server = HttpServer(self._api.dispatch, self._host, self._port)
        self._server.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        origins, self._site_origins = list(self._site_origins.values()), {}
        for origin in origins:
            origin.stop()
        if server is not None:
            server.stop()

    def __enter__(self) -> FakeAmplify:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:PORT``: pass it as boto3's ``endpoint_url``."""
        if self._server is None:
            raise RuntimeError(
                "the FakeAmplify is not running: call start() or use it in a with block"
            )
        return f"http://{self._server.host}:{self._server.port}"

    @property
    def site_url_template(self) -> str:
        """Where branches' sites are served, with ``{app_id}`` and ``{branch}`` (the
        branch's display name) to fill in: the plugin's ``amplify_site_url`` format."""
        return f"{self.endpoint_url}{SITES_PREFIX}{{app_id}}/{{branch}}"

    @property
    def domain_url_template(self) -> str:
        """Where custom domains are served, with ``{domain}`` (``www.example.com``) to
        fill in: the plugin's ``amplify_domain_url`` format."""
        return f"{self.endpoint_url}{DOMAINS_PREFIX}{{domain}}"

    def client(self, **client_kwargs: Any) -> AmplifyClient:
        """A boto3 Amplify client for this service, on its own session with dummy
        credentials (never boto3's default session)."""
        from ..._amplify.aws import new_boto3_session

        session = new_boto3_session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # a dummy, as moto uses
            region_name=self.region,
        )
        client_kwargs.setdefault("endpoint_url", self.endpoint_url)
        return session.client("amplify", **client_kwargs)

    def in_process_client(self) -> InProcessClient:
        """A client for this service's API in this process, without HTTP or botocore:
        the methods and keywords of boto3's Amplify client for the calls the plugin
        makes, answers as the wire carries them (timestamps as epoch seconds), errors
        as botocore's ``ClientError``. The jobs, injected errors and request log are
        those HTTP sees; faults that need a connection (delays, drops) need HTTP.
        For runs of millions of calls, where HTTP would take hours; it works whether
        or not the service is started."""
        return InProcessClient(self._api.answer_in_process)

    def advance(self, seconds: float) -> None:
        """Move a :class:`SimulatedClock` on (jobs scripted by time progress)."""
        if not isinstance(self.clock, SimulatedClock):
            raise TypeError("advance() needs FakeAmplify(clock=SimulatedClock())")
        self.clock.advance(seconds)

    # -- apps, branches, jobs --------------------------------------------------------

    def add_app(
        self,
        app_id: str,
        *,
        name: str | None = None,
        default_domain: str | None = None,
        platform: str | None = None,
    ) -> FakeApp:
        """Add an app (or change one); ``platform`` is GetApp's: ``WEB`` (static
        hosting, the default), ``WEB_COMPUTE`` or ``WEB_DYNAMIC``."""
        return self._store.add_app(
            app_id, name=name, default_domain=default_domain, platform=platform
        )

    def add_branch(
        self,
        app_id: str,
        branch: str,
        *,
        display_name: str | None = None,
        created_after: float = 0.0,
        list_order: str = "newest first",
    ) -> FakeBranch:
        """Add a branch; ``created_after=S`` makes it exist only ``S`` seconds from now
        on the service's clock (until then GetBranch, GetJob and ListJobs answer that
        it is not found, and its site is not served). ``list_order`` is the order of
        its ListJobs pages, ``"newest first"`` or ``"oldest first"``: Amplify does not
        document one."""
        return self._store.add_branch(
            app_id,
            branch,
            display_name=display_name,
            created_after=created_after,
            list_order=list_order,
        )

    def add_preview(
        self,
        app_id: str,
        pull_request: int,
        *,
        head_commit: str | None = None,
        created_after: float = 0.0,
        pages: Mapping[str, str | bytes] | None = None,
        **job: Any,
    ) -> FakeJob:
        """A pull request's preview, as Amplify makes it: branch ``pr-N`` (stage
        ``PULL_REQUEST``) created ``created_after`` seconds from now (the webhook's
        lag), a job built from ``head_commit`` on it, and ``pages`` served as the
        preview's site. ``job`` takes :meth:`add_job`'s keywords (``status``,
        ``steps``, ...); a job that is not finished starts when the branch appears.
        """
        if not isinstance(pull_request, int) or isinstance(pull_request, bool) or pull_request < 1:
            raise ValueError(
                f"pull_request is a pull request number such as 42, not {pull_request!r}"
            )
        branch = preview_branch(pull_request)
        self._store.add_branch(app_id, branch, created_after=created_after, stage="PULL_REQUEST")
        if job.get("status", "SUCCEED") not in TERMINAL_STATUSES:
            job.setdefault("started_at", self.clock() + created_after)
        added = self.add_job(app_id, branch, commit_id=head_commit, **job)
        if pages is not None:
            self._store.add_site_pages(app_id, branch, pages)
        return added

    def add_job(
        self,
        app_id: str,
        branch: str,
        job_id: str | None = None,
        commit_id: str | None = None,
        *,
        status: str = "SUCCEED",
        steps: StepsArgument = None,
        job_type: str = "RELEASE",
        commit_message: str | None = None,
        started_at: float | None = None,
        duration: float | None = None,
        listed_after: int = 0,
        allow_unknown_status: bool = False,
        deployed_after: float | None = 0.0,
    ) -> FakeJob:
        """Add a job; by default a finished SUCCEED job with the typical steps.

        ``status`` is where the job starts; script what follows with
        :meth:`FakeJob.then`. ``steps`` are names or :class:`FakeStep`s (default:
        BUILD, TEST, DEPLOY, VERIFY, or DEPLOY, VERIFY for ``job_type="MANUAL"``,
        a manual deployment, whose commit id is the placeholder ``HEAD`` unless given).
        A job added finished ran for ``duration`` seconds (120 by default) up to now,
        or from ``started_at``. ``listed_after=N`` hides it from the first N ListJobs
        answers of its branch that reach where it is listed (the page it is on, or
        the one before, whose next token leads there), as Amplify lags behind a push. Once it SUCCEEDs, the
        branch's site serves its BUILD artifacts ``deployed_after`` seconds after it
        ended (``None``: never, the previous build stays).
        """
        return self._store.add_job(
            app_id,
            branch,
            job_id,
            commit_id,
            status=status,
            steps=steps,
            job_type=job_type,
            commit_message=commit_message,
            started_at=started_at,
            duration=duration,
            listed_after=listed_after,
            allow_unknown_status=allow_unknown_status,
            deployed_after=deployed_after,
        )

    def add_succeeded_job(self, app_id: str, branch: str, **kwargs: Any) -> FakeJob:
        """A finished job whose typical steps all succeeded."""
        return self.add_job(app_id, branch, status="SUCCEED", **kwargs)

    def add_failed_job(
        self,
        app_id: str,
        branch: str,
        *,
        reason: str = "Build failed: npm ERR! missing script: build",
        log: str | None = None,
        **kwargs: Any,
    ) -> FakeJob:
        """A finished FAILED job whose BUILD step failed with ``reason`` and ``log``."""
        return self.add_job(
            app_id, branch, status="FAILED", steps=[failed_build_step(reason, log)], **kwargs
        )

    def job(self, app_id: str, branch: str, job_id: str) -> FakeJob:
        return self._store.job(app_id, branch, job_id)

    def jobs(self, app_id: str, branch: str) -> list[FakeJob]:
        """The branch's jobs, newest first."""
        return self._store.jobs(app_id, branch)

    def add_test_artifact(self, job: FakeJob, name: str, content: bytes | str) -> str:
        """Add an end-to-end test artifact (ListArtifacts); returns its artifact id."""
        return self._store.add_test_artifact(job, name, content)

    # -- sites -----------------------------------------------------------------------

    def serve_site(self, app_id: str, branch: str, pages: Mapping[str, str | bytes]) -> str:
        """Serve ``pages`` (path -> content) as the branch's deployed site; returns its URL."""
        self._store.add_site_pages(app_id, branch, pages)
        return self.site_url(app_id, branch)

    def site_url(self, app_id: str, branch: str) -> str:
        display = self._store.display_name(app_id, branch)
        return self.site_url_template.format(app_id=app_id, branch=display)

    def site_origin(self, app_id: str, branch: str) -> str:
        """The branch's site at the root of an origin of its own,
        ``http://127.0.0.1:PORT``, as Amplify serves each branch at the root of its
        domain: what a browser needs, where ``page.goto("/")`` and root-relative links
        (``/assets/app.js``) must reach the site. Pass it as ``amplify_site_url``.
        Pages are those of :meth:`serve_site`; :attr:`requests` logs their loads
        as ``GetSitePage``."""
        if self._server is None:
            raise RuntimeError("the FakeAmplify is not running: start it before site_origin()")
        key = (app_id, self._store.display_name(app_id, branch))
        origin = self._site_origins.get(key)
        if origin is None:
            prefix = f"{SITES_PREFIX}{key[0]}/{key[1]}"

            def dispatch(method: str, target: str, headers: dict[str, str]) -> Response:
                return self._api.dispatch(method, prefix + target, headers)

            origin = HttpServer(dispatch, self._host, 0)
            origin.start()
            self._site_origins[key] = origin
        return f"http://{origin.host}:{origin.port}"

    def add_domain(
        self,
        app_id: str,
        domain_name: str,
        subdomains: Mapping[str, str],
        *,
        status: str = "AVAILABLE",
        verified: bool = True,
        lag: float | None = 0.0,
    ) -> FakeDomain:
        """Associate a custom domain (ListDomainAssociations): ``subdomains`` maps each
        prefix ("" for the apex) to a branch, ``{"": "main", "www": "main"}``. It
        serves a new build ``lag`` seconds after the default domain does (``None``:
        never; it keeps the build it served when added), at :meth:`domain_url`."""
        return self._store.add_domain(
            app_id, domain_name, subdomains, status=status, verified=verified, lag=lag
        )

    def domain_url(self, host: str) -> str:
        """Where the local service serves the custom domain ``host`` (``www.example.com``)."""
        return fill_domain_url(self.domain_url_template, host)

    # -- request log -----------------------------------------------------------------

    def calls(self, operation: str | None = None) -> int:
        """How many requests the service received for ``operation`` (all when None)."""
        return self._log.calls(operation)

    @property
    def requests(self) -> list[FakeRequest]:
        """Every request received, oldest first."""
        return self._log.requests()

    def reset_requests(self) -> None:
        self._log.reset()

    # -- scenarios -------------------------------------------------------------------

    def load_scenario(self, scenario: Mapping[str, Any]) -> list[FakeJob]:
        """Add apps, jobs (with their ``then`` stages) and sites from plain data, as
        ``python -m pytest_amplify.testing serve --scenario FILE`` reads them."""
        return load_scenario(self, scenario)
