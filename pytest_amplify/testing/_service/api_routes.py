"""The local service's HTTP API: routing a request to its operation, the operations'
handlers over the store (with their pagination), and faults and the request log
applied to every request."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from .._state.content import FileBody, make_zip
from .._state.steps import FakeStep
from .._state.store import FakeBranch, Store
from .._state.timeline import FakeJob, StepTimes
from .faults import Faults
from .file_serving import FILES_PREFIX, SITES_PREFIX, FileServer
from .http import Response
from .operations import MODEL_ERRORS, ApiError, error_response, error_status, json_response
from .request_log import RequestLog
from .sites import DOMAINS_PREFIX, SiteServer

_MAX_RESULTS = 50
_ACCOUNT = "123456789012"


# The REST paths of the operations served; "*" is a path argument.
_ROUTES = (
    (("artifacts", "*"), "GetArtifactUrl"),
    (("apps", "*"), "GetApp"),
    (("apps", "*", "domains"), "ListDomainAssociations"),
    (("apps", "*", "branches", "*"), "GetBranch"),
    (("apps", "*", "branches", "*", "jobs"), "ListJobs"),
    (("apps", "*", "branches", "*", "jobs", "*"), "GetJob"),
    (("apps", "*", "branches", "*", "jobs", "*", "artifacts"), "ListArtifacts"),
)


def route(method: str, segments: list[str]) -> tuple[str, list[str]] | None:
    """The operation a request's path names, and its path arguments."""
    if method not in ("GET", "HEAD"):
        return None
    for pattern, operation in _ROUTES:
        if len(pattern) == len(segments) and all(
            part in ("*", segment) for part, segment in zip(pattern, segments, strict=True)
        ):
            arguments = [s for p, s in zip(pattern, segments, strict=True) if p == "*"]
            return operation, arguments
    return None


class ApiRoutes:
    """Answers every request the HTTP server receives (its ``dispatch``)."""

    def __init__(self, store: Store, faults: Faults, files: FileServer, log: RequestLog) -> None:
        self._store = store
        self._faults = faults
        self._files = files
        self._sites = SiteServer(store)
        self._log = log

    def dispatch(self, method: str, target: str, headers: dict[str, str]) -> Response:
        parts = urlsplit(target)
        path = unquote(parts.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if parts.path.startswith(FILES_PREFIX):
            operation, args = "GetObject", [path[len(FILES_PREFIX) :]]
        elif parts.path.startswith((SITES_PREFIX, DOMAINS_PREFIX)):
            operation, args = "GetSitePage", [path]
        else:
            segments = [unquote(s) for s in parts.path.strip("/").split("/")]
            routed = route(method, segments)
            if routed is None:
                response = error_response(
                    "UnknownOperationException",
                    f"pytest_amplify.testing serves {', '.join(MODEL_ERRORS)}; not {method} {path}",
                    404,
                )
                return self._record("Unknown", method, path, params, response)
            operation, args = routed
        fault = self._faults.take(operation)
        if fault is None:
            response = self._answer(operation, args, params, headers)
        elif fault.answers:
            response = fault.shape(self._answer(operation, args, params, headers))
        else:
            response = fault.response()
        return self._record(operation, method, path, params, response)

    def answer_in_process(
        self, path: str, params: Mapping[str, str]
    ) -> tuple[str, int, dict[str, Any], str | None]:
        """A GET of the API answered without HTTP: (operation, status, the answer as
        the wire carries it, the error type or None). Faults that are errors apply;
        those that shape a connection (delays, drops, raw bodies) need HTTP."""
        segments = [unquote(s) for s in path.strip("/").split("/")]
        routed = route("GET", segments)
        if routed is None:
            raise ValueError(f"the in-process client serves the API only, not {path}")
        operation, args = routed
        fault = self._faults.take(operation)
        error: str | None = None
        if fault is not None and fault.kind != "error":
            raise RuntimeError(
                f"a {fault.kind} fault of {operation} needs HTTP: use the endpoint_url client"
            )
        if fault is not None:
            status, payload, error = fault.status, {"message": fault.message}, fault.error_type
        else:
            try:
                handler: Callable[..., dict[str, Any]] = getattr(self, f"_op_{operation}")
                status, payload = 200, handler(*args, params=params)
            except ApiError as failed:
                status, payload = error_status(failed.error_type), {"message": failed.message}
                error = failed.error_type
        self._log.record(operation, "GET", path, params, status=status, at=self._store.clock())
        return operation, status, payload, error

    def _record(
        self, operation: str, method: str, path: str, params: Mapping[str, str], response: Response
    ) -> Response:
        self._log.record(
            operation, method, path, params, status=response.status, at=self._store.clock()
        )
        return response

    def _answer(
        self, operation: str, args: list[str], params: Mapping[str, str], headers: Mapping[str, str]
    ) -> Response:
        if operation == "GetObject":
            return self._files.serve_file(args[0], params)
        if operation == "GetSitePage":
            return self._sites.serve(args[0])
        if not any(name.lower() == "authorization" for name in headers):
            return error_response(
                "UnauthorizedException", "Missing Authentication Token: sign the request"
            )
        try:
            handler: Callable[..., dict[str, Any]] = getattr(self, f"_op_{operation}")
            return json_response(200, handler(*args, params=params))
        except ApiError as error:
            if error.error_type not in MODEL_ERRORS[operation]:
                raise RuntimeError(f"{operation} cannot answer {error.error_type}") from None
            return error_response(error.error_type, error.message)

    # -- operations ------------------------------------------------------------------

    def _branch(self, app_id: str, branch: str, missing: str = "NotFoundException") -> FakeBranch:
        if self._store.app(app_id) is None:
            raise ApiError(missing, f"App {app_id} not found.")
        record = self._store.branch(app_id, branch)
        if record is None:
            raise ApiError(missing, f"Branch {branch} not found for app {app_id}.")
        return record

    def _op_GetApp(self, app_id: str, *, params: Mapping[str, str]) -> dict[str, Any]:
        with self._store.lock:
            app = self._store.app(app_id)
            if app is None:
                raise ApiError("NotFoundException", f"App {app_id} not found.")
            return {
                "app": {
                    "appId": app.app_id,
                    "appArn": f"arn:aws:amplify:{self._store.region}:{_ACCOUNT}:apps/{app.app_id}",
                    "name": app.name,
                    "description": "",
                    "repository": f"https://github.com/example/{app.name}",
                    "platform": app.platform,
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
        with self._store.lock:
            record = self._branch(app_id, branch)
            jobs = self._store.branch_jobs(app_id, branch)
            newest = max(jobs, key=int, default="0")
            return {
                "branch": {
                    "branchArn": f"arn:aws:amplify:{self._store.region}:{_ACCOUNT}:apps/{app_id}/branches/{quote(branch, safe='')}",
                    "branchName": branch,
                    "description": "",
                    "stage": record.stage,
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

    def _op_ListDomainAssociations(
        self, app_id: str, *, params: Mapping[str, str]
    ) -> dict[str, Any]:
        with self._store.lock:
            if self._store.app(app_id) is None:
                raise ApiError("BadRequestException", f"App {app_id} not found.")
            domains = self._store.domains(app_id)
            limit, offset = _max_results(params), _offset(params)
            answer: dict[str, Any] = {
                "domainAssociations": [
                    {
                        "domainAssociationArn": f"arn:aws:amplify:{self._store.region}:{_ACCOUNT}:apps/{app_id}/domains/{d.domain_name}",
                        "domainName": d.domain_name,
                        "enableAutoSubDomain": False,
                        "domainStatus": d.status,
                        "statusReason": "",
                        "certificate": {"type": "AMPLIFY_MANAGED"},
                        "subDomains": [
                            {
                                "subDomainSetting": {"prefix": prefix, "branchName": branch},
                                "verified": d.verified,
                                "dnsRecord": f"{prefix} CNAME d1example.cloudfront.net",
                            }
                            for prefix, branch in d.subdomains.items()
                        ],
                    }
                    for d in domains[offset : offset + limit]
                ]
            }
            if offset + limit < len(domains):
                answer["nextToken"] = _next_token(offset + limit)
            return answer

    def _summary(self, job: FakeJob, status: str, ended: float | None) -> dict[str, Any]:
        summary: dict[str, Any] = {
            "jobArn": f"arn:aws:amplify:{self._store.region}:{_ACCOUNT}:apps/{job.app_id}/branches/{quote(job.branch, safe='')}/jobs/{int(job.job_id):010d}",
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
        with self._store.lock:
            self._branch(app_id, branch)
            job = self._store.branch_jobs(app_id, branch).get(job_id)
            if job is None:
                raise ApiError(
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
        with self._store.lock:
            record = self._branch(app_id, branch, missing="BadRequestException")
            limit = _max_results(params)
            offset = _offset(params)
            jobs = self._store.jobs(app_id, branch)
            if record.list_order == "oldest first":
                jobs.reverse()
            visible = []
            for position, job in enumerate(jobs):
                # A job not listed yet counts the answers that reach where it would
                # be: its page, or the one before (whose next token leads there).
                if not job.listed_after:
                    visible.append(job)
                    continue
                if job.list_calls_seen <= job.listed_after and offset <= position <= offset + limit:
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
                answer["nextToken"] = _next_token(offset + limit)
            return answer

    def _op_ListArtifacts(
        self, app_id: str, branch: str, job_id: str, *, params: Mapping[str, str]
    ) -> dict[str, Any]:
        with self._store.lock:
            self._branch(app_id, branch, missing="BadRequestException")
            job = self._store.branch_jobs(app_id, branch).get(job_id)
            if job is None:
                raise ApiError(
                    "BadRequestException",
                    f"Job {job_id} not found for branch {branch} of app {app_id}.",
                )
            limit = _max_results(params)
            offset = _offset(params)
            items = list(job.test_artifacts.items())
            answer: dict[str, Any] = {
                "artifacts": [
                    {"artifactFileName": name, "artifactId": artifact_id}
                    for artifact_id, name in items[offset : offset + limit]
                ]
            }
            if offset + limit < len(items):
                answer["nextToken"] = _next_token(offset + limit)
            return answer

    def _op_GetArtifactUrl(self, artifact_id: str, *, params: Mapping[str, str]) -> dict[str, Any]:
        with self._store.lock:
            found = self._store.artifact(artifact_id)
            if found is None:
                raise ApiError("NotFoundException", f"Artifact {artifact_id} not found.")
            job, name, content = found
            key = f"{job.app_id}/{job.branch}/{job.job_id}/test-artifacts/{name}"
            return {"artifactId": artifact_id, "artifactUrl": self._files.url(key, lambda: content)}

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
            answer["logUrl"] = self._files.url(f"{base}/log.txt", step.log_body)
        if step.artifacts is not None:
            files = step.artifacts
            answer["artifactsUrl"] = self._files.url(
                f"{base}/artifacts.zip", lambda: make_zip(files)
            )
        if step.test_artifacts is not None and step.test_artifacts_zip:
            tests = step.test_artifacts
            answer["testArtifactsUrl"] = self._files.url(
                f"{base}/test-artifacts.zip", lambda: make_zip(tests)
            )
        if step.test_config is not None:
            config = step.test_config
            answer["testConfigUrl"] = self._files.url(f"{base}/test-config.yml", lambda: config)
        if step.screenshots:
            answer["screenshots"] = {
                name: self._files.url(f"{base}/screenshots/{name}.png", _constant(image))
                for name, image in step.screenshots.items()
            }
        if step.reason is not None:
            answer["statusReason"] = step.reason
        if step.context is not None:
            answer["context"] = step.context
        return answer


# -- pagination ----------------------------------------------------------------------


def _max_results(params: Mapping[str, str]) -> int:
    raw = params.get("maxResults")
    if raw is None:
        return _MAX_RESULTS
    if not raw.isdigit() or not 0 <= int(raw) <= _MAX_RESULTS:
        raise ApiError("BadRequestException", f"maxResults must be between 0 and {_MAX_RESULTS}.")
    return int(raw) or _MAX_RESULTS


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
        raise ApiError("BadRequestException", "Invalid nextToken.") from None


def _next_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _constant(body: FileBody) -> Callable[[], FileBody]:
    return lambda: body
