"""ListJobs: finding the job to wait for, and how long the branch's jobs took."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from .._amplify.api import AmplifyApi
from .._amplify.aws import READ_TIMEOUT
from .._amplify.call_problems import classify
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


NEWEST_FIRST, OLDEST_FIRST = "newest first", "oldest first"
# The newest jobs a wait keeps of what it read: its history and the manual-deployment
# hint come from them.
RECENT_JOBS = 50


def _order(numbers: Sequence[int]) -> str | None:
    """The order a run of job numbers is in, when it tells (two or more jobs)."""
    if len(numbers) < 2:
        return None
    if all(a > b for a, b in itertools.pairwise(numbers)):
        return NEWEST_FIRST
    if all(a < b for a, b in itertools.pairwise(numbers)):
        return OLDEST_FIRST
    return "unordered"


class BranchListing:
    """What a wait has read of its branch's ListJobs, so that looking again for a job
    not listed yet reads only what is new: on a branch with thousands of jobs, the
    first look reads every page, each later one a page or two.

    ListJobs' order is not documented, so it is learnt from the pages (jobs ranked by
    number): newest first, new jobs join the first page, which is read until a page
    reaches jobs seen before; oldest first, they join the last page, which is read
    again from the token that reached it, to the end. Amplify numbers a branch's jobs
    in the order it creates them. While the order is unknown (pages of one job) or
    the pages are in no order, every look reads every page.
    """

    def __init__(self, api: AmplifyApi, target: Target) -> None:
        self.api = api
        self.target = target
        self.order: str | None = None
        self.seen: set[str] = set()
        self.recent: list[ListedJob] = []  # the newest seen, newest first
        self._last_page_token: str | None = None  # oldest first: where the last page starts
        self._numbers: list[int] = []  # the order pages came in, for _order

    def _wanted(self, listed: ListedJob) -> bool:
        commit = self.target.commit_id
        return commit is None or (not listed.manual and listed.commit_id == commit)

    def _read(self, token: str | None, timeout: float) -> tuple[list[ListedJob], str | None]:
        answer = self.api.list_jobs(self.target.app_id, self.target.branch, token, timeout=timeout)
        page = _page(answer)
        new = [listed for listed in page if listed.job_id not in self.seen]
        self.seen.update(listed.job_id for listed in new)
        if new:
            merged = {listed.job_id: listed for listed in (*self.recent, *new)}
            self.recent = sorted(merged.values(), key=lambda j: -j.number)[:RECENT_JOBS]
        return page, answer.get("nextToken") or None

    def look(self, *, timeout: float) -> ListedJob | None:
        """The job to wait for (the newest, or the newest of the target's commit)
        among the jobs listed now, or None."""
        if self.order == NEWEST_FIRST:
            return self._look_newest_first(timeout)
        if self.order == OLDEST_FIRST:
            return self._look_from(self._last_page_token, timeout)
        return self._look_everywhere(timeout)

    def _look_everywhere(self, timeout: float) -> ListedJob | None:
        """Every page, but for a job found on pages that show the newest first."""
        token: str | None = None
        best: ListedJob | None = None
        numbers: list[int] = []
        for _ in range(PAGE_LIMIT):
            page_token = token
            page, token = self._read(token, timeout)
            numbers.extend(listed.number for listed in page)
            for listed in page:
                if self._wanted(listed) and (best is None or listed.number > best.number):
                    best = listed
            if page:
                self._last_page_token = page_token
            order = _order(numbers)
            if token is None or (best is not None and order == NEWEST_FIRST):
                break
        self.order = _order(numbers) if _order(numbers) != "unordered" else None
        return best

    def _look_newest_first(self, timeout: float) -> ListedJob | None:
        """New jobs come first: pages up to one that reaches jobs seen before."""
        token: str | None = None
        best: ListedJob | None = None
        for _ in range(PAGE_LIMIT):
            known = len(self.seen)
            page, token = self._read(token, timeout)
            for listed in page:
                if self._wanted(listed) and (best is None or listed.number > best.number):
                    best = listed
            if token is None or len(self.seen) - known < len(page):
                break
        return best

    def _look_from(self, token: str | None, timeout: float) -> ListedJob | None:
        """New jobs come last: from the page where the last look ended, to the end."""
        best: ListedJob | None = None
        for _ in range(PAGE_LIMIT):
            page_token = token
            try:
                page, token = self._read(token, timeout)
            except Exception as exc:
                problem = classify(exc, "ListJobs", self.target.describe())
                if page_token is None or problem is None or problem.kind != "fatal":
                    raise
                # A token the service no longer takes: read everything again (which
                # fails the same way when the token was not the problem).
                self.order = None
                return self._look_everywhere(timeout)
            for listed in page:
                if self._wanted(listed) and (best is None or listed.number > best.number):
                    best = listed
            if page:
                self._last_page_token = page_token
            if token is None:
                break
        return best

    def history(self, *, timeout: float) -> list[ListedJob]:
        """The branch's newest jobs, for how long its jobs take: the first page, or
        every page when they show the oldest first."""
        token: str | None = None
        numbers: list[int] = []
        for _ in range(PAGE_LIMIT):
            page, token = self._read(token, timeout)
            numbers.extend(listed.number for listed in page)
            if token is None or _order(numbers) != OLDEST_FIRST:
                break
        return list(self.recent)


def previous_success(
    api: AmplifyApi, app_id: str, branch: str, before: int, *, timeout: float = READ_TIMEOUT
) -> ListedJob | None:
    """The branch's newest job numbered below ``before`` that SUCCEEDed, read as
    ranked by number, every page unless they show the newest first."""
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
