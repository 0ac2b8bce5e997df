"""What a wait is for: the key of the session's cache of waits, and how messages name it."""

from __future__ import annotations

import dataclasses

from .vocabulary import LATEST


def describe_job(app_id: str, branch: str, which: str | None = None) -> str:
    """How every message names a job: ``app d1, branch main, job 7``."""
    return f"app {app_id}, branch {branch}, {which}" if which else f"app {app_id}, branch {branch}"


@dataclasses.dataclass(frozen=True)
class Target:
    """What to wait for; also the key of the session's cache of waits."""

    app_id: str
    branch: str
    job_id: str = LATEST
    commit_id: str | None = None
    endpoint_url: str | None = None
    region: str | None = None
    # Set when the branch is a pull request's preview: Amplify creates it some time
    # after the pull request opens, so the wait waits for it to appear.
    pull_request: int | None = None
    # Where the commit id came from, for the summary (the GitHub event, a flag).
    commit_source: str | None = dataclasses.field(default=None, compare=False)

    @property
    def which(self) -> str:
        """``job 7``, ``latest job`` or ``newest job of commit abc``."""
        if self.commit_id:
            return f"newest job of commit {self.commit_id[:12]}"
        if self.job_id == LATEST:
            return "latest job"
        return f"job {self.job_id}"

    def describe(self) -> str:
        return describe_job(self.app_id, self.branch, self.which)

    @property
    def endpoint(self) -> str:
        return self.endpoint_url or f"https://amplify.{self.region or '<region>'}.amazonaws.com"

    def to_dict(self) -> dict[str, str | int | None]:
        return dataclasses.asdict(self)
