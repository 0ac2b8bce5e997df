"""The local service's API answered in the same process: the calls a boto3 Amplify
client makes, without HTTP and without botocore, for runs that make millions of
them (the poll schedule's benchmark drives the plugin's real wait over thousands of
simulated jobs a cell, where HTTP would cost an hour).

Answers are what the wire carries (timestamps as epoch seconds), which the plugin
reads as it reads botocore's datetimes; a failed call raises botocore's
``ClientError`` with the code, message and status botocore would give it. The
store, its timelines, injected errors and the request log are the ones HTTP uses,
so a job moves and is counted the same either way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

AnswerInProcess = Callable[[str, Mapping[str, str]], tuple[str, int, dict[str, Any], "str | None"]]


def _part(value: str) -> str:
    return quote(value, safe="")


class InProcessClient:
    """The Amplify operations the plugin calls, with boto3's keyword arguments."""

    def __init__(self, answer: AnswerInProcess) -> None:
        self._answer = answer

    def _get(self, path: str, **query: object) -> dict[str, Any]:
        params = {name: str(value) for name, value in query.items() if value is not None}
        operation, status, payload, error = self._answer(path, params)
        if error is not None:
            from botocore.exceptions import ClientError

            response: Any = {
                "Error": {"Code": error, "Message": payload.get("message", "")},
                "ResponseMetadata": {"HTTPStatusCode": status},
            }
            raise ClientError(response, operation)
        return payload

    def get_job(self, *, appId: str, branchName: str, jobId: str) -> dict[str, Any]:
        return self._get(f"/apps/{_part(appId)}/branches/{_part(branchName)}/jobs/{_part(jobId)}")

    def list_jobs(
        self,
        *,
        appId: str,
        branchName: str,
        maxResults: int | None = None,
        nextToken: str | None = None,
    ) -> dict[str, Any]:
        return self._get(
            f"/apps/{_part(appId)}/branches/{_part(branchName)}/jobs",
            maxResults=maxResults,
            nextToken=nextToken,
        )

    def get_app(self, *, appId: str) -> dict[str, Any]:
        return self._get(f"/apps/{_part(appId)}")

    def get_branch(self, *, appId: str, branchName: str) -> dict[str, Any]:
        return self._get(f"/apps/{_part(appId)}/branches/{_part(branchName)}")

    def list_artifacts(
        self,
        *,
        appId: str,
        branchName: str,
        jobId: str,
        maxResults: int | None = None,
        nextToken: str | None = None,
    ) -> dict[str, Any]:
        return self._get(
            f"/apps/{_part(appId)}/branches/{_part(branchName)}/jobs/{_part(jobId)}/artifacts",
            maxResults=maxResults,
            nextToken=nextToken,
        )

    def get_artifact_url(self, *, artifactId: str) -> dict[str, Any]:
        return self._get(f"/artifacts/{_part(artifactId)}")

    def list_domain_associations(
        self, *, appId: str, maxResults: int | None = None, nextToken: str | None = None
    ) -> dict[str, Any]:
        return self._get(
            f"/apps/{_part(appId)}/domains", maxResults=maxResults, nextToken=nextToken
        )
