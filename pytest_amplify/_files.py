"""Reading what a job's steps produced: logs, artifact zips, test artifacts, screenshots.

Each function takes a job and a step name, so that users can write their own
checks. A presigned URL that has expired is retried once with fresh URLs from a
new GetJob (when the plugin attached a way to fetch the job again).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from typing import TypeVar

from ._errors import AmplifyFetchError, AmplifyUrlExpiredError
from ._fetch import Fetcher, block_lines, default_fetcher
from ._model import AmplifyJob, JobLinks, JobStep

T = TypeVar("T")

_URL_FIELDS = {
    "log_url": "log",
    "artifacts_url": "artifacts",
    "test_artifacts_url": "test artifacts",
    "test_config_url": "test configuration",
}


def _what(job: AmplifyJob, step: JobStep, kind: str) -> str:
    return f"the {step.name} {kind} of {job.describe()}"


def _url(job: AmplifyJob, step: JobStep, field: str) -> str:
    url: str | None = getattr(step, field)
    if not url:
        raise AmplifyFetchError(
            f"step {step.name} of {job.describe()} has no {_URL_FIELDS[field]} URL "
            f"(status {step.status})"
        )
    return url


def _fresh_step(job: AmplifyJob, step: JobStep, error: AmplifyUrlExpiredError) -> JobStep:
    fresh = job.refetched()
    if fresh is None:
        raise error
    return fresh.step(step.name)


def _with_fresh_url(
    job: AmplifyJob, step_name: str, field: str, read: Callable[[str, str], T]
) -> T:
    step = job.step(step_name)
    what = _what(job, step, _URL_FIELDS[field])
    try:
        return read(_url(job, step, field), what)
    except AmplifyUrlExpiredError as error:
        step = _fresh_step(job, step, error)
        return read(_url(job, step, field), what)


def iter_log_blocks(job: AmplifyJob, step: str, fetcher: Fetcher | None = None) -> Iterator[str]:
    """The step's log as blocks of whole lines, streamed (the fastest way to search)."""
    fetcher = fetcher or default_fetcher()
    found = job.step(step)
    what = _what(job, found, "log")
    blocks = fetcher.iter_text_blocks(_url(job, found, "log_url"), what)
    try:
        first = next(blocks)
    except StopIteration:
        return
    except AmplifyUrlExpiredError as error:
        found = _fresh_step(job, found, error)
        blocks = fetcher.iter_text_blocks(_url(job, found, "log_url"), what)
    else:
        yield first
    yield from blocks


def iter_log_lines(job: AmplifyJob, step: str, fetcher: Fetcher | None = None) -> Iterator[str]:
    """The step's log, line by line, streamed: a 200 MB log never sits in memory."""
    for block in iter_log_blocks(job, step, fetcher):
        yield from block_lines(block)


def read_log(job: AmplifyJob, step: str, fetcher: Fetcher | None = None) -> str:
    """The whole log of ``step`` as text (use :func:`iter_log_lines` for large logs)."""
    fetcher = fetcher or default_fetcher()
    data = _with_fresh_url(job, step, "log_url", fetcher.read_bytes)
    return data.decode("utf-8", "replace")


def download_artifacts(
    job: AmplifyJob, step: str = "BUILD", fetcher: Fetcher | None = None
) -> zipfile.ZipFile:
    """The step's artifacts zip, opened."""
    fetcher = fetcher or default_fetcher()
    data = _with_fresh_url(job, step, "artifacts_url", fetcher.read_bytes)
    return _open_zip(data, f"the {step} artifacts of {job.describe()}")


def _open_zip(data: bytes, what: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise AmplifyFetchError(f"{what} is not a zip file ({exc}; {len(data):,} bytes)") from None


def screenshot_bytes(
    job: AmplifyJob, name: str, step: str = "VERIFY", fetcher: Fetcher | None = None
) -> bytes:
    """One screenshot of the step (``name`` as in ``step.screenshots``), as bytes."""
    fetcher = fetcher or default_fetcher()
    found = job.step(step)
    if name not in found.screenshots:
        have = ", ".join(found.screenshots) or "none"
        raise AmplifyFetchError(
            f"step {found.name} of {job.describe()} has no screenshot {name!r}; it has: {have}"
        )
    what = f"screenshot {name!r} of step {found.name} of {job.describe()}"
    try:
        return fetcher.read_bytes(found.screenshots[name], what)
    except AmplifyUrlExpiredError as error:
        fresh = _fresh_step(job, found, error)
        return fetcher.read_bytes(fresh.screenshots[name], what)


def _links(job: AmplifyJob, what: str) -> JobLinks:
    if job.links is None:
        raise AmplifyFetchError(
            f"{what} of {job.describe()} need the Amplify API (ListArtifacts, GetArtifactUrl); "
            "use a job from the amplify_job or amplify_jobs fixture"
        )
    return job.links


def list_test_artifacts(job: AmplifyJob) -> list[str]:
    """The end-to-end test artifacts of the job (ListArtifacts), by file name."""
    return [name for name, _ in _links(job, "test artifacts").test_artifacts()]


def download_test_artifact(job: AmplifyJob, name: str, fetcher: Fetcher | None = None) -> bytes:
    """One end-to-end test artifact (GetArtifactUrl, then the file)."""
    fetcher = fetcher or default_fetcher()
    links = _links(job, "test artifacts")
    artifacts = dict(links.test_artifacts())
    if name not in artifacts:
        have = ", ".join(sorted(artifacts)[:20]) or "none"
        raise AmplifyFetchError(f"{job.describe()} has no test artifact {name!r}; it has: {have}")
    what = f"test artifact {name!r} of {job.describe()}"
    try:
        return fetcher.read_bytes(links.artifact_url(artifacts[name]), what)
    except AmplifyUrlExpiredError:
        return fetcher.read_bytes(links.artifact_url(artifacts[name]), what)
