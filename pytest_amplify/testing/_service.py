"""``FakeAmplify``: an in-memory Amplify Hosting control plane that boto3 really talks to."""

from __future__ import annotations

import base64
import dataclasses
import ipaddress
import json
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from .._redact import is_signing_parameter
from ._clock import Clock, SimulatedClock, real_clock
from ._content import FileBody, make_zip
from ._http import HttpServer, Response
from ._presign import UrlSigner
from ._timeline import (
    APP_ID_PATTERN,
    JOB_TYPES,
    FakeJob,
    FakeStep,
    Stage,
    StepsArgument,
    StepTimes,
    check_status,
    failed_build_step,
    to_steps,
    typical_steps,
)

if TYPE_CHECKING:
    from mypy_boto3_amplify import AmplifyClient

OPERATIONS = (
    "GetJob",
    "ListJobs",
    "ListArtifacts",
    "GetArtifactUrl",
    "GetApp",
    "GetBranch",
    "GetObject",
)

# The errors botocore's Amplify model lists for each operation: the service answers
# with no others of its own accord.
MODEL_ERRORS: Mapping[str, frozenset[str]] = {
    "GetJob": frozenset(
        {
            "BadRequestException",
            "UnauthorizedException",
            "InternalFailureException",
            "NotFoundException",
            "LimitExceededException",
        }
    ),
    "ListJobs": frozenset(
        {
            "BadRequestException",
            "UnauthorizedException",
            "InternalFailureException",
            "LimitExceededException",
        }
    ),
    "ListArtifacts": frozenset(
        {
            "BadRequestException",
            "UnauthorizedException",
            "InternalFailureException",
            "LimitExceededException",
        }
    ),
    "GetArtifactUrl": frozenset(
        {
            "BadRequestException",
            "UnauthorizedException",
            "InternalFailureException",
            "NotFoundException",
            "LimitExceededException",
        }
    ),
    "GetApp": frozenset(
        {
            "BadRequestException",
            "NotFoundException",
            "UnauthorizedException",
            "InternalFailureException",
        }
    ),
    "GetBranch": frozenset(
        {
            "BadRequestException",
            "UnauthorizedException",
            "NotFoundException",
            "InternalFailureException",
        }
    ),
}

# HTTP status of each error type, including those AWS's front door sends that are
# not in Amplify's model (throttling by the gateway, credential problems).
ERROR_STATUS: Mapping[str, int] = {
    "BadRequestException": 400,
    "UnauthorizedException": 401,
    "NotFoundException": 404,
    "LimitExceededException": 429,
    "InternalFailureException": 500,
    "TooManyRequestsException": 429,
    "ThrottlingException": 400,
    "AccessDeniedException": 403,
    "ExpiredTokenException": 403,
    "UnrecognizedClientException": 403,
    "InvalidSignatureException": 403,
    "ServiceUnavailableException": 503,
}

_MAX_RESULTS = 50
_ACCOUNT = "123456789012"
_FILES_PREFIX = "/_files/"
_SITES_PREFIX = "/_sites/"
_BUCKET = "aws-amplify-prod-artifacts"


@dataclasses.dataclass(frozen=True)
class FakeRequest:
    """One request the service received: ``params`` never holds signing parameters."""

    operation: str
    method: str
    path: str
    params: Mapping[str, str]
    status: int
    at: float


@dataclasses.dataclass
class FakeApp:
    app_id: str
    name: str
    default_domain: str
    created_at: float


@dataclasses.dataclass
class FakeBranch:
    app_id: str
    branch: str
    display_name: str
    created_at: float
    site_pages: dict[str, bytes] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class _Fault:
    kind: str  # error | delay | drop | raw
    remaining: int
    error_type: str = ""
    status: int = 500
    message: str = ""
    seconds: float = 0.0
    body: bytes = b""
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class _File:
    body: Callable[[], FileBody]
    content_type: str


class _ApiError(Exception):
    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


def _check_loopback(host: str) -> str:
    try:
        if host == "localhost" or ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise ValueError(f"host {host!r}: the local service listens on loopback only (127.0.0.1)")


def _check_operation(operation: str) -> str:
    if operation not in OPERATIONS:
        raise ValueError(
            f"unknown operation {operation!r}; the service serves {', '.join(OPERATIONS)}"
        )
    return operation


def _check_times(times: int) -> int:
    if not isinstance(times, int) or times < 1:
        raise ValueError(f"times must be 1 or more, not {times!r}")
    return times


def _json(status: int, payload: Mapping[str, Any]) -> Response:
    return Response(
        status,
        json.dumps(payload).encode(),
        {"Content-Type": "application/json", "x-amzn-RequestId": str(uuid.uuid4())},
    )


def _error_response(error_type: str, message: str, status: int | None = None) -> Response:
    response = _json(status or ERROR_STATUS.get(error_type, 400), {"message": message})
    response.headers["x-amzn-ErrorType"] = error_type
    return response


def _content_type(name: str) -> str:
    lowered = name.lower()
    for suffix, kind in (
        (".png", "image/png"),
        (".jpg", "image/jpeg"),
        (".jpeg", "image/jpeg"),
        (".zip", "application/zip"),
        (".html", "text/html; charset=utf-8"),
        (".js", "text/javascript"),
        (".css", "text/css"),
        (".json", "application/json"),
        (".yml", "text/yaml"),
    ):
        if lowered.endswith(suffix):
            return kind
    return "text/plain; charset=utf-8"


class FakeAmplify:
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
        self.clock: Clock = clock or real_clock
        self.region = region
        self._host = _check_loopback(host)
        self._port = port
        self._lock = threading.RLock()
        self._signer = UrlSigner(self.clock, region, url_expires)
        self._server: HttpServer | None = None
        self._apps: dict[str, FakeApp] = {}
        self._branches: dict[tuple[str, str], FakeBranch] = {}
        self._jobs: dict[tuple[str, str], dict[str, FakeJob]] = {}
        self._artifacts: dict[str, tuple[FakeJob, str, bytes | str]] = {}
        self._files: dict[str, _File] = {}
        self._faults: dict[str, deque[_Fault]] = {op: deque() for op in OPERATIONS}
        self._requests: list[FakeRequest] = []

    # -- life cycle ------------------------------------------------------------------

    def start(self) -> FakeAmplify:
        if self._server is not None:
            raise RuntimeError("this FakeAmplify is already running")
        self._server = HttpServer(self._dispatch, self._host, self._port)
        self._server.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
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
        return f"{self.endpoint_url}{_SITES_PREFIX}{{app_id}}/{{branch}}"

    def client(self, **client_kwargs: Any) -> AmplifyClient:
        """A boto3 Amplify client for this service, on its own session with dummy
        credentials (never boto3's default session)."""
        from .._aws import new_boto3_session

        session = new_boto3_session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # a dummy, as moto uses
            region_name=self.region,
        )
        client_kwargs.setdefault("endpoint_url", self.endpoint_url)
        return session.client("amplify", **client_kwargs)

    def advance(self, seconds: float) -> None:
        """Move a :class:`SimulatedClock` on (jobs scripted by time progress)."""
        if not isinstance(self.clock, SimulatedClock):
            raise TypeError("advance() needs FakeAmplify(clock=SimulatedClock())")
        self.clock.advance(seconds)

    # -- apps, branches, jobs --------------------------------------------------------

    def add_app(
        self, app_id: str, *, name: str | None = None, default_domain: str | None = None
    ) -> FakeApp:
        if not isinstance(app_id, str) or not APP_ID_PATTERN.fullmatch(app_id) or len(app_id) > 20:
            raise ValueError(
                f"app_id {app_id!r} is not an Amplify app id ('d' and up to 19 lower-case "
                "letters or digits, e.g. 'd1' or 'd2abc3def4')"
            )
        with self._lock:
            app = self._apps.get(app_id)
            if app is None:
                app = FakeApp(
                    app_id,
                    name or f"app-{app_id}",
                    default_domain or f"{app_id}.amplifyapp.com",
                    self.clock(),
                )
                self._apps[app_id] = app
            else:
                app.name = name or app.name
                app.default_domain = default_domain or app.default_domain
            return app

    def add_branch(
        self, app_id: str, branch: str, *, display_name: str | None = None
    ) -> FakeBranch:
        if not isinstance(branch, str) or not branch.strip():
            raise ValueError(f"a branch needs a name, not {branch!r}")
        self.add_app(app_id)
        with self._lock:
            key = (app_id, branch)
            record = self._branches.get(key)
            if record is None:
                record = FakeBranch(
                    app_id, branch, display_name or branch.replace("/", "-"), self.clock()
                )
                self._branches[key] = record
                self._jobs[key] = {}
            elif display_name:
                record.display_name = display_name
            return record

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
    ) -> FakeJob:
        """Add a job; by default a finished SUCCEED job with the typical steps.

        ``status`` is where the job starts; script what follows with
        :meth:`FakeJob.then`. ``steps`` are names or :class:`FakeStep`s (default:
        BUILD, TEST, DEPLOY, VERIFY, or DEPLOY, VERIFY for ``job_type="MANUAL"``).
        A job added finished ran for ``duration`` seconds (120 by default) up to now,
        or from ``started_at``. ``listed_after=N`` hides it from the first N ListJobs
        calls of its branch, as Amplify lags behind a push.
        """
        check_status(status, "add_job", allow_unknown_status)
        if job_type not in JOB_TYPES:
            raise ValueError(f"job_type {job_type!r} is not one of {', '.join(JOB_TYPES)}")
        if job_id is not None and not (
            isinstance(job_id, str) and job_id.isascii() and job_id.isdigit()
        ):
            raise ValueError(f"job_id {job_id!r} is not a job id: Amplify's are digits, e.g. '7'")
        if not isinstance(listed_after, int) or listed_after < 0:
            raise ValueError(f"listed_after must be 0 or more, not {listed_after!r}")
        if duration is not None and duration < 0:
            raise ValueError(f"duration must not be negative, not {duration!r}")
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
        with self._lock:
            jobs = self._jobs[(app_id, branch)]
            if job_id is None:
                job_id = str(max((int(j) for j in jobs), default=0) + 1)
            elif str(int(job_id)) in {str(int(j)) for j in jobs}:
                raise ValueError(f"branch {branch} of app {app_id} already has job {job_id}")
            job = FakeJob(
                app_id=app_id,
                branch=branch,
                job_id=job_id,
                commit_id=commit_id or uuid.uuid4().hex + uuid.uuid4().hex[:8],
                commit_message=commit_message or f"Deploy job {job_id}",
                job_type=job_type,
                steps=step_list,
                first_stage=Stage(status),
                started_at=start,
                listed_after=listed_after,
                clock=self.clock,
                lock=self._lock,
                finished_at=finished_at,
            )
            jobs[job_id] = job
            for step in step_list:
                for name, content in (step.test_artifacts or {}).items():
                    self._register_artifact(job, name, content)
        return job

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
        with self._lock:
            try:
                return self._jobs[(app_id, branch)][job_id]
            except KeyError:
                raise KeyError(f"no job {job_id} on branch {branch} of app {app_id}") from None

    def jobs(self, app_id: str, branch: str) -> list[FakeJob]:
        """The branch's jobs, newest first."""
        with self._lock:
            return sorted(self._jobs.get((app_id, branch), {}).values(), key=lambda j: -j.number)

    def add_test_artifact(self, job: FakeJob, name: str, content: bytes | str) -> str:
        """Add an end-to-end test artifact (ListArtifacts); returns its artifact id."""
        with self._lock:
            return self._register_artifact(job, name, content)

    def _register_artifact(self, job: FakeJob, name: str, content: bytes | str) -> str:
        artifact_id = uuid.uuid4().hex
        self._artifacts[artifact_id] = (job, name, content)
        job.test_artifacts[artifact_id] = name
        return artifact_id

    # -- sites -----------------------------------------------------------------------

    def serve_site(self, app_id: str, branch: str, pages: Mapping[str, str | bytes]) -> str:
        """Serve ``pages`` (path -> content) as the branch's deployed site; returns its URL."""
        record = self.add_branch(app_id, branch)
        with self._lock:
            for path, content in pages.items():
                key = "/" + path.lstrip("/")
                record.site_pages[key] = content.encode() if isinstance(content, str) else content
        return self.site_url(app_id, branch)

    def site_url(self, app_id: str, branch: str) -> str:
        display = (
            self._branches[(app_id, branch)].display_name
            if (app_id, branch) in self._branches
            else branch.replace("/", "-")
        )
        return self.site_url_template.format(app_id=app_id, branch=display)

    # -- faults ----------------------------------------------------------------------

    def _add_fault(self, operation: str, fault: _Fault) -> None:
        with self._lock:
            self._faults[_check_operation(operation)].append(fault)

    def fail_next(
        self,
        operation: str,
        error: str = "InternalFailureException",
        *,
        status: int | None = None,
        message: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``operation`` with ``error``.

        Any error type may be injected (``TooManyRequestsException``,
        ``ExpiredTokenException``, ...); types without a known status need ``status=``.
        """
        if status is None:
            if error not in ERROR_STATUS:
                raise ValueError(f"error {error!r} has no known HTTP status: pass status=")
            status = ERROR_STATUS[error]
        self._add_fault(
            operation,
            _Fault(
                "error",
                _check_times(times),
                error_type=error,
                status=status,
                message=message or f"{error} injected by FakeAmplify",
            ),
        )

    def delay_next(self, operation: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next ``times`` calls only after ``seconds`` of real time."""
        if seconds <= 0:
            raise ValueError(f"seconds must be positive, not {seconds!r}")
        self._add_fault(operation, _Fault("delay", _check_times(times), seconds=seconds))

    def drop_next(self, operation: str, *, times: int = 1) -> None:
        """Close the connection without an answer for the next ``times`` calls."""
        self._add_fault(operation, _Fault("drop", _check_times(times)))

    def respond_raw_next(
        self,
        operation: str,
        *,
        status: int,
        body: bytes | str = b"",
        headers: Mapping[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """The escape hatch: serve exactly this status, headers and body (a proxy's
        HTML page, malformed JSON, a status nobody has seen)."""
        if not 100 <= status <= 999:
            raise ValueError(f"status must be a three-digit HTTP status, not {status!r}")
        raw = body.encode() if isinstance(body, str) else body
        self._add_fault(
            operation,
            _Fault(
                "raw", _check_times(times), status=status, body=raw, headers=dict(headers or {})
            ),
        )

    def clear_faults(self) -> None:
        with self._lock:
            for queue in self._faults.values():
                queue.clear()

    def _take_fault(self, operation: str) -> _Fault | None:
        with self._lock:
            queue = self._faults[operation]
            if not queue:
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.popleft()
            return fault

    # -- request log -----------------------------------------------------------------

    def calls(self, operation: str | None = None) -> int:
        """How many requests the service received for ``operation`` (all when None)."""
        if operation is not None:
            _check_operation(operation)
        with self._lock:
            return sum(1 for r in self._requests if operation is None or r.operation == operation)

    @property
    def requests(self) -> list[FakeRequest]:
        """Every request received, oldest first."""
        with self._lock:
            return list(self._requests)

    def reset_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    # -- serving ---------------------------------------------------------------------

    def _route(self, method: str, segments: list[str]) -> tuple[str, list[str]] | None:
        if method not in ("GET", "HEAD"):
            return None
        if len(segments) == 2 and segments[0] == "artifacts":
            return "GetArtifactUrl", segments[1:]
        if segments[0] != "apps" or len(segments) < 2:
            return None
        if len(segments) == 2:
            return "GetApp", segments[1:]
        if segments[2] != "branches" or len(segments) < 4:
            return None
        app_and_branch = [segments[1], segments[3]]
        if len(segments) == 4:
            return "GetBranch", app_and_branch
        if segments[4] != "jobs":
            return None
        if len(segments) == 5:
            return "ListJobs", app_and_branch
        if len(segments) == 6:
            return "GetJob", [*app_and_branch, segments[5]]
        if len(segments) == 7 and segments[6] == "artifacts":
            return "ListArtifacts", [*app_and_branch, segments[5]]
        return None

    def _dispatch(self, method: str, target: str, headers: dict[str, str]) -> Response:
        parts = urlsplit(target)
        path = unquote(parts.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if parts.path.startswith(_FILES_PREFIX):
            operation, args = "GetObject", [path[len(_FILES_PREFIX) :]]
        elif parts.path.startswith(_SITES_PREFIX):
            return self._record("GetSitePage", method, path, {}, self._serve_site(path))
        else:
            segments = [unquote(s) for s in parts.path.strip("/").split("/")]
            routed = self._route(method, segments)
            if routed is None:
                response = _error_response(
                    "UnknownOperationException",
                    f"pytest_amplify.testing serves {', '.join(OPERATIONS[:-1])}; not {method} {path}",
                    404,
                )
                return self._record("Unknown", method, path, params, response)
            operation, args = routed
        fault = self._take_fault(operation)
        if fault is not None and fault.kind != "delay":
            response = self._fault_response(fault)
        else:
            response = self._answer(operation, args, params, headers)
            response.delay = fault.seconds if fault is not None else 0.0
        return self._record(operation, method, path, params, response)

    def _record(
        self, operation: str, method: str, path: str, params: Mapping[str, str], response: Response
    ) -> Response:
        safe = {k: v for k, v in params.items() if not is_signing_parameter(k)}
        request = FakeRequest(operation, method, path, safe, response.status, self.clock())
        with self._lock:
            self._requests.append(request)
        return response

    @staticmethod
    def _fault_response(fault: _Fault) -> Response:
        if fault.kind == "drop":
            return Response(0, drop_connection=True)
        if fault.kind == "raw":
            return Response(fault.status, fault.body, dict(fault.headers))
        return _error_response(fault.error_type, fault.message, fault.status)

    def _answer(
        self, operation: str, args: list[str], params: Mapping[str, str], headers: Mapping[str, str]
    ) -> Response:
        if operation == "GetObject":
            return self._serve_file(args[0], params)
        if not any(name.lower() == "authorization" for name in headers):
            return _error_response(
                "UnauthorizedException", "Missing Authentication Token: sign the request"
            )
        try:
            handler: Callable[..., dict[str, Any]] = getattr(self, f"_op_{operation}")
            return _json(200, handler(*args, params=params))
        except _ApiError as error:
            if error.error_type not in MODEL_ERRORS[operation]:
                raise RuntimeError(f"{operation} cannot answer {error.error_type}") from None
            return _error_response(error.error_type, error.message)

    # -- operations ------------------------------------------------------------------

    def _branch(self, app_id: str, branch: str, missing: str = "NotFoundException") -> FakeBranch:
        if app_id not in self._apps:
            raise _ApiError(missing, f"App {app_id} not found.")
        record = self._branches.get((app_id, branch))
        if record is None:
            raise _ApiError(missing, f"Branch {branch} not found for app {app_id}.")
        return record

    def _op_GetApp(self, app_id: str, *, params: Mapping[str, str]) -> dict[str, Any]:
        with self._lock:
            app = self._apps.get(app_id)
            if app is None:
                raise _ApiError("NotFoundException", f"App {app_id} not found.")
            return {
                "app": {
                    "appId": app.app_id,
                    "appArn": f"arn:aws:amplify:{self.region}:{_ACCOUNT}:apps/{app.app_id}",
                    "name": app.name,
                    "description": "",
                    "repository": f"https://github.com/example/{app.name}",
                    "platform": "WEB",
                    "createTime": app.created_at,
                    "updateTime": app.created_at,
                    "environmentVariables": {},
                    "defaultDomain": app.default_domain,
                    "enableBranchAutoBuild": True,
                    "enableBasicAuth": False,
                }
            }

    def _op_GetBranch(
        self, app_id: str, branch: str, *, params: Mapping[str, str]
    ) -> dict[str, Any]:
        with self._lock:
            record = self._branch(app_id, branch)
            jobs = self._jobs[(app_id, branch)]
            newest = max(jobs, key=int, default="0")
            return {
                "branch": {
                    "branchArn": f"arn:aws:amplify:{self.region}:{_ACCOUNT}:apps/{app_id}/branches/{quote(branch, safe='')}",
                    "branchName": branch,
                    "description": "",
                    "stage": "PRODUCTION",
                    "displayName": record.display_name,
                    "enableNotification": False,
                    "createTime": record.created_at,
                    "updateTime": record.created_at,
                    "environmentVariables": {},
                    "enableAutoBuild": True,
                    "customDomains": [],
                    "framework": "React",
                    "activeJobId": newest,
                    "totalNumberOfJobs": str(len(jobs)),
                    "enableBasicAuth": False,
                    "ttl": "5",
                    "enablePullRequestPreview": False,
                }
            }

    def _summary(self, job: FakeJob, status: str, ended: float | None) -> dict[str, Any]:
        summary: dict[str, Any] = {
            "jobArn": f"arn:aws:amplify:{self.region}:{_ACCOUNT}:apps/{job.app_id}/branches/{quote(job.branch, safe='')}/jobs/{int(job.job_id):010d}",
            "jobId": job.job_id,
            "commitId": job.commit_id,
            "commitMessage": job.commit_message,
            "commitTime": job.started_at - 60,
            "startTime": job.started_at,
            "status": status,
            "jobType": job.job_type,
        }
        if ended is not None:
            summary["endTime"] = ended
        return summary

    def _op_GetJob(
        self, app_id: str, branch: str, job_id: str, *, params: Mapping[str, str]
    ) -> dict[str, Any]:
        with self._lock:
            self._branch(app_id, branch)
            job = self._jobs[(app_id, branch)].get(job_id)
            if job is None:
                raise _ApiError(
                    "NotFoundException",
                    f"Job {job_id} not found for branch {branch} of app {app_id}.",
                )
            status, ended, steps = job.snapshot(count_call=True)
            return {
                "job": {
                    "summary": self._summary(job, status, ended),
                    "steps": [self._step(job, step, times) for step, times in steps],
                }
            }

    def _op_ListJobs(
        self, app_id: str, branch: str, *, params: Mapping[str, str]
    ) -> dict[str, Any]:
        with self._lock:
            self._branch(app_id, branch, missing="BadRequestException")
            limit = self._max_results(params)
            offset = self._offset(params)
            visible = []
            for job in self.jobs(app_id, branch):
                if offset == 0:
                    job.list_calls_seen += 1
                if job.list_calls_seen > job.listed_after:
                    visible.append(job)
            page = visible[offset : offset + limit]
            summaries = []
            for job in page:
                status, ended, _ = job.snapshot(count_call=False)
                summaries.append(self._summary(job, status, ended))
            answer: dict[str, Any] = {"jobSummaries": summaries}
            if offset + limit < len(visible):
                answer["nextToken"] = base64.urlsafe_b64encode(
                    f"offset:{offset + limit}".encode()
                ).decode()
            return answer

    def _op_ListArtifacts(
        self, app_id: str, branch: str, job_id: str, *, params: Mapping[str, str]
    ) -> dict[str, Any]:
        with self._lock:
            self._branch(app_id, branch, missing="BadRequestException")
            job = self._jobs[(app_id, branch)].get(job_id)
            if job is None:
                raise _ApiError(
                    "BadRequestException",
                    f"Job {job_id} not found for branch {branch} of app {app_id}.",
                )
            limit = self._max_results(params)
            offset = self._offset(params)
            items = list(job.test_artifacts.items())
            answer: dict[str, Any] = {
                "artifacts": [
                    {"artifactFileName": name, "artifactId": artifact_id}
                    for artifact_id, name in items[offset : offset + limit]
                ]
            }
            if offset + limit < len(items):
                answer["nextToken"] = base64.urlsafe_b64encode(
                    f"offset:{offset + limit}".encode()
                ).decode()
            return answer

    def _op_GetArtifactUrl(self, artifact_id: str, *, params: Mapping[str, str]) -> dict[str, Any]:
        with self._lock:
            found = self._artifacts.get(artifact_id)
            if found is None:
                raise _ApiError("NotFoundException", f"Artifact {artifact_id} not found.")
            job, name, content = found
            key = f"{job.app_id}/{job.branch}/{job.job_id}/test-artifacts/{name}"
            return {"artifactId": artifact_id, "artifactUrl": self._file_url(key, lambda: content)}

    @staticmethod
    def _max_results(params: Mapping[str, str]) -> int:
        raw = params.get("maxResults")
        if raw is None:
            return _MAX_RESULTS
        if not raw.isdigit() or not 0 <= int(raw) <= _MAX_RESULTS:
            raise _ApiError(
                "BadRequestException", f"maxResults must be between 0 and {_MAX_RESULTS}."
            )
        return int(raw) or _MAX_RESULTS

    @staticmethod
    def _offset(params: Mapping[str, str]) -> int:
        token = params.get("nextToken")
        if not token:
            return 0
        try:
            kind, _, value = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
            if kind != "offset":
                raise ValueError(kind)
            return int(value)
        except ValueError:
            raise _ApiError("BadRequestException", "Invalid nextToken.") from None

    # -- files -----------------------------------------------------------------------

    def _file_url(self, key: str, body: Callable[[], FileBody]) -> str:
        self._files[key] = _File(body, _content_type(key))
        return self._signer.sign(self.endpoint_url, f"{_FILES_PREFIX}{key}")

    def _step(self, job: FakeJob, step: FakeStep, times: StepTimes) -> dict[str, Any]:
        base = f"{job.app_id}/{job.branch}/{job.job_id}/{step.name}"
        answer: dict[str, Any] = {
            "stepName": step.name,
            "status": step.status,
            "startTime": times.start,
        }
        if times.end is not None:
            answer["endTime"] = times.end
        if step.with_log:
            answer["logUrl"] = self._file_url(f"{base}/log.txt", step.log_body)
        if step.artifacts is not None:
            files = step.artifacts
            answer["artifactsUrl"] = self._file_url(
                f"{base}/artifacts.zip", lambda: make_zip(files)
            )
        if step.test_artifacts is not None:
            tests = step.test_artifacts
            answer["testArtifactsUrl"] = self._file_url(
                f"{base}/test-artifacts.zip", lambda: make_zip(tests)
            )
        if step.test_config is not None:
            config = step.test_config
            answer["testConfigUrl"] = self._file_url(f"{base}/test-config.yml", lambda: config)
        if step.screenshots:
            answer["screenshots"] = {
                name: self._file_url(f"{base}/screenshots/{name}.png", _constant(image))
                for name, image in step.screenshots.items()
            }
        if step.reason is not None:
            answer["statusReason"] = step.reason
        if step.context is not None:
            answer["context"] = step.context
        return answer

    def _serve_file(self, key: str, params: Mapping[str, str]) -> Response:
        xml = {"Content-Type": "application/xml"}
        problem = self._signer.check(f"{_FILES_PREFIX}{key}", params)
        if problem is not None:
            extra = (
                self._signer.expiry_details(params)
                if problem.message == "Request has expired"
                else None
            )
            return Response(403, problem.as_s3_xml(key, extra), xml)
        with self._lock:
            entry = self._files.get(key)
        if entry is None:
            return Response(
                404,
                b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
                xml,
            )
        body = entry.body()
        headers = {"Content-Type": entry.content_type}
        if isinstance(body, str):
            return Response(200, body.encode(), headers)
        if isinstance(body, bytes):
            return Response(200, body, headers)
        return Response(200, _chunks(body()), headers)

    def _serve_site(self, path: str) -> Response:
        parts = path[len(_SITES_PREFIX) :].split("/", 2)
        if len(parts) < 2:
            return Response(404, b"Not Found", {"Content-Type": "text/plain"})
        app_id, display = parts[0], parts[1]
        page = "/" + (parts[2] if len(parts) > 2 else "")
        with self._lock:
            for record in self._branches.values():
                if record.app_id == app_id and record.display_name == display:
                    content = record.site_pages.get(page) or record.site_pages.get(
                        page.rstrip("/") or "/"
                    )
                    if content is not None:
                        return Response(
                            200,
                            content,
                            {"Content-Type": _content_type(page if "." in page else "index.html")},
                        )
        return Response(404, b"<h1>404 Not Found</h1>", {"Content-Type": "text/html"})

    # -- scenarios -------------------------------------------------------------------

    def load_scenario(self, scenario: Mapping[str, Any]) -> list[FakeJob]:
        """Add apps, jobs (with their ``then`` stages) and sites from plain data, as
        ``python -m pytest_amplify.testing serve --scenario FILE`` reads them."""
        from ._scenario import load_scenario

        return load_scenario(self, scenario)


def _constant(body: FileBody) -> Callable[[], FileBody]:
    return lambda: body


def _chunks(body: Iterable[bytes]) -> Iterable[bytes]:
    for chunk in body:
        yield chunk if isinstance(chunk, bytes) else bytes(chunk)
