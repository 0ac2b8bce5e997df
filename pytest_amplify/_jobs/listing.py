"""ListJobs: finding the job to wait for, and how long the branch's jobs took."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from .._amplify.api import AmplifyApi
from .._amplify.aws import READ_TIMEOUT
from .._core.api_values import job_number, mapping, optional_str, required_str, timestamp
from .._core.errors import AmplifyResponseError
from .._core.model import MANUAL_JOB_TYPE, JobStatus, job_duration
from .._core.target import Target


@dataclasses.dataclass(frozen=True)
class ListedJob:
    """A ListJobs summary: enough to pick a job and learn how long jobs take."""

    job_id: str
    status: str
    commit_id: str | None
    start_time: dt.datetime | None
    end_time: dt.datetime | None
    job_type: str | None = None

    @property
    def manual(self) -> bool:
        """A manual (zip) deployment: its commitId is a placeholder, not a git SHA."""
        return self.job_type == MANUAL_JOB_TYPE

    @property
    def number(self) -> int:
        return job_number(self.job_id)

    @property
    def duration(self) -> dt.timedelta | None:
        return job_duration(self.start_time, self.end_time)

    @classmethod
    def from_api(cls, data: Mapping[str, Any], where: str = "jobSummaries[]") -> ListedJob:
        data = mapping(data, where)
        job_id = required_str(data, "jobId", where)
        job_number(job_id, where)
        return cls(
            job_id=job_id,
            status=required_str(data, "status", where),
            commit_id=optional_str(data, "commitId", where),
            start_time=timestamp(data, "startTime", where),
            end_time=timestamp(data, "endTime", where),
            job_type=optional_str(data, "jobType", where),
        )


# ListJobs pages read at most while looking for a job (50 jobs each).
PAGE_LIMIT = 200


def _page(answer: Mapping[str, Any]) -> list[ListedJob]:
    raw = answer.get("jobSummaries")
    if not isinstance(raw, list):
        # The model requires the list: without it this is no answer at all.
        raise AmplifyResponseError("ListJobs: jobSummaries is missing or not a list")
    return [ListedJob.from_api(item, f"jobSummaries[{i}]") for i, item in enumerate(raw)]


def find_in_listing(
    api: AmplifyApi, target: Target, *, timeout: float
) -> tuple[ListedJob | None, list[ListedJob]]:
    """The job to wait for (the newest, or the newest of the target's commit), and
    the first page (for history).

    ListJobs' order is not documented: jobs are ranked by number. The first page is
    enough when it is in descending order; otherwise every page is read.
    """
    token: str | None = None
    first_page: list[ListedJob] = []
    best: ListedJob | None = None
    for page_number in range(PAGE_LIMIT):
        answer = api.list_jobs(target.app_id, target.branch, token, timeout=timeout)
        page = _page(answer)
        if page_number == 0:
            first_page = page
        for listed in page:
            if target.commit_id is not None and (
                listed.manual or listed.commit_id != target.commit_id
            ):
                continue
            if best is None or listed.number > best.number:
                best = listed
        token = answer.get("nextToken") or None
        numbers = [listed.number for listed in page]
        descending = numbers == sorted(numbers, reverse=True)
        if token is None or (best is not None and descending):
            break
    return best, first_page


def previous_success(
    api: AmplifyApi, app_id: str, branch: str, before: int, *, timeout: float = READ_TIMEOUT
) -> ListedJob | None:
    """The branch's newest job numbered below ``before`` that SUCCEEDed, read as
    :func:`find_in_listing` reads: ranked by number, every page unless in order."""
    token: str | None = None
    best: ListedJob | None = None
    for _ in range(PAGE_LIMIT):
        answer = api.list_jobs(app_id, branch, token, timeout=timeout)
        page = _page(answer)
        for listed in page:
            if listed.status != JobStatus.SUCCEED or listed.number >= before:
                continue
            if best is None or listed.number > best.number:
                best = listed
        token = answer.get("nextToken") or None
        numbers = [listed.number for listed in page]
        if token is None or (best is not None and numbers == sorted(numbers, reverse=True)):
            break
    return best


def history(api: AmplifyApi, target: Target, *, timeout: float) -> list[ListedJob]:
    """One ListJobs page: the branch's recent jobs."""
    answer = api.list_jobs(target.app_id, target.branch, timeout=timeout)
    return [ListedJob.from_api(item) for item in answer.get("jobSummaries") or []]


def successful_durations(listing: Sequence[ListedJob], waited_for: str | None) -> list[float]:
    """How long the listed jobs that succeeded took, newest first, leaving out the
    job being waited for."""
    return [
        listed.duration.total_seconds()
        for listed in sorted(listing, key=lambda j: -j.number)
        if listed.status == JobStatus.SUCCEED
        and listed.duration is not None
        and listed.job_id != waited_for
    ]
