"""Reading what a job's steps produced: logs, artifact zips, test artifacts, screenshots.

Each function takes a job and a step name, so that users can write their own
checks. A presigned URL that has expired is retried once with a fresh one, from a
new GetJob (when the plugin attached its resolver to the job).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import itertools
import tempfile
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TypeVar

from .._amplify.downloads import Fetcher, default_fetcher
from .._core.errors import AmplifyError, AmplifyFetchError, AmplifyUrlExpiredError
from .._core.model import AmplifyJob, JobBackend, JobStep
from .log_lines import decode_block, line_blocks, text_lines

# pytest prints the arguments of every frame in a traceback, and these frames hold
# presigned URLs: hide them (the errors raised here already say what happened).
__tracebackhide__ = True

T = TypeVar("T")

_URL_FIELDS = {
    "log_url": "log",
    "artifacts_url": "artifacts",
    "test_artifacts_url": "test artifacts",
    "test_config_url": "test configuration",
}


def fetcher_for(job: AmplifyJob, fetcher: Fetcher | None) -> Fetcher:
    """The fetcher given, else the default one with the retries of the session that
    handed the job out (``amplify_retry_timeout``, the local service's clock)."""
    if fetcher is not None:
        return fetcher
    # Resolvers written for tests may not have one.
    policy = getattr(job.resolver, "retry_policy", None)
    return default_fetcher().retrying(policy()) if policy is not None else default_fetcher()


def _step_url(step: JobStep, field: str, job: AmplifyJob) -> str:
    url: str | None = getattr(step, field)
    if not url:
        raise AmplifyFetchError(
            f"step {step.name} of {job.describe()} has no {_URL_FIELDS[field]} URL "
            f"(status {step.status})"
        )
    return url


def _read_fresh(
    job: AmplifyJob,
    url_for: Callable[[AmplifyJob], str],
    read: Callable[[str], T],
    refresh: Callable[[], AmplifyJob | None] | None = None,
) -> T:
    """``read(url_for(job))``; when the URL has expired, once more with a fresh job."""
    try:
        return read(url_for(job))
    except AmplifyUrlExpiredError as error:
        fresh = (refresh or job.refetched)()
        if fresh is None:
            raise error from None
    return read(url_for(fresh))


def _from_step(step: str, field: str) -> Callable[[AmplifyJob], str]:
    def url_for(job: AmplifyJob) -> str:
        found = job.step(step)
        return _step_url(found, field, job)

    return url_for


def _primed(blocks: Iterator[bytes]) -> Iterator[bytes]:
    """Start the download now (so that an expired URL is seen here), not on first use."""
    try:
        first = next(blocks)
    except StopIteration:
        return iter(())
    return itertools.chain((first,), blocks)


def iter_log_blocks(job: AmplifyJob, step: str, fetcher: Fetcher | None = None) -> Iterator[bytes]:
    """The step's log as raw blocks of whole lines (``log_lines.line_blocks``),
    streamed: the fastest way to search it."""
    fetcher = fetcher_for(job, fetcher)
    what = f"the {job.step(step).name} log of {job.describe()}"
    yield from _read_fresh(
        job,
        _from_step(step, "log_url"),
        lambda url: _primed(line_blocks(fetcher.iter_bytes(url, what))),
    )


def iter_log_lines(job: AmplifyJob, step: str, fetcher: Fetcher | None = None) -> Iterator[str]:
    """The step's log, line by line, streamed: a 500 MB log never sits in memory.

    Lines are read as ``assert_log_contains`` reads them: split at ``\\n`` only (a
    lone ``\\r`` is not a line break), one ``\\r`` at a line's end removed, invalid
    UTF-8 replaced by U+FFFD."""
    for block in iter_log_blocks(job, step, fetcher):
        yield from text_lines(decode_block(block))


# How much of a failed step's log its explanation shows (errors, the job summary).
LOG_TAIL_LINES = 30


@dataclasses.dataclass(frozen=True)
class LogTail:
    """The last lines of a step's log, or why there are none."""

    lines: tuple[str, ...] = ()
    problem: str = ""


def read_tail(job: AmplifyJob, step: JobStep, fetcher: Fetcher | None = None) -> LogTail:
    """The last :data:`LOG_TAIL_LINES` lines of ``step``'s log, or why they could not
    be read (a failure to read it is part of the explanation, not an error)."""
    if not step.log_url:
        return LogTail(problem=f"{step.name} has no log URL")
    try:
        tail = deque(iter_log_lines(job, step.name, fetcher), LOG_TAIL_LINES)
    except AmplifyError as exc:
        return LogTail(problem=f"the {step.name} log could not be read: {exc}")
    return LogTail(tuple(tail)) if tail else LogTail(problem=f"the {step.name} log is empty")


def read_log(job: AmplifyJob, step: str, fetcher: Fetcher | None = None) -> str:
    """The whole log of ``step`` as text (use :func:`iter_log_lines` for large logs)."""
    fetcher = fetcher_for(job, fetcher)
    what = f"the {job.step(step).name} log of {job.describe()}"
    data = _read_fresh(job, _from_step(step, "log_url"), lambda url: fetcher.read_bytes(url, what))
    return data.decode("utf-8", "replace")


def download_artifacts(
    job: AmplifyJob, step: str = "BUILD", fetcher: Fetcher | None = None
) -> zipfile.ZipFile:
    """The step's artifacts zip, opened."""
    fetcher = fetcher_for(job, fetcher)
    what = f"the {job.step(step).name} artifacts of {job.describe()}"
    data = _read_fresh(
        job, _from_step(step, "artifacts_url"), lambda url: fetcher.read_bytes(url, what)
    )
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise AmplifyFetchError(f"{what} is not a zip file ({exc}; {len(data):,} bytes)") from None


# Test artifacts hold videos: past this size their zip goes to a temporary file.
SPOOL_IN_MEMORY = 16 * 1024 * 1024


def spooled(
    chunks: Iterable[bytes], files: contextlib.ExitStack, in_memory: int = SPOOL_IN_MEMORY
) -> IO[bytes]:
    """The chunks in one seekable file, at its start: in memory up to ``in_memory``
    bytes, then in a temporary file that ``files`` closes. Not SpooledTemporaryFile:
    zipfile asks for ``seekable()``, which it has only from Python 3.11."""
    in_memory_spool = io.BytesIO()
    spool: IO[bytes] = in_memory_spool
    for chunk in chunks:
        if spool is in_memory_spool and spool.tell() + len(chunk) > in_memory:
            # ``files`` closes it: the zip is read after this function returns.
            spool = files.enter_context(tempfile.TemporaryFile())  # noqa: SIM115
            spool.write(in_memory_spool.getvalue())
            in_memory_spool.close()
        spool.write(chunk)
    spool.seek(0)
    return spool


@contextlib.contextmanager
def opened_test_artifacts(
    job: AmplifyJob, step: str = "TEST", fetcher: Fetcher | None = None
) -> Iterator[zipfile.ZipFile]:
    """The zip at the step's ``testArtifactsUrl``, opened: streamed to a temporary
    file (held in memory while small), within the fetcher's size cap."""
    fetcher = fetcher_for(job, fetcher)
    what = f"the {job.step(step).name} test artifacts of {job.describe()}"
    with contextlib.ExitStack() as files:

        def read(url: str) -> zipfile.ZipFile:
            with fetcher.open(url, what) as chunks:
                spool = spooled(chunks, files)
            try:
                return zipfile.ZipFile(spool)
            except zipfile.BadZipFile as exc:
                size = spool.seek(0, io.SEEK_END)
                raise AmplifyFetchError(
                    f"{what} is not a zip file ({exc}; {size:,} bytes)"
                ) from None

        with _read_fresh(job, _from_step(step, "test_artifacts_url"), read) as archive:
            yield archive


def screenshot_reader(
    job: AmplifyJob, step: str = "VERIFY", fetcher: Fetcher | None = None
) -> Callable[[str], bytes]:
    """Reads the step's screenshots by name, one after another: when their URLs have
    expired, the job is fetched again once and its fresh URLs serve the rest."""
    fetcher = fetcher_for(job, fetcher)
    current = [job]

    def refresh() -> AmplifyJob | None:
        fresh = current[0].refetched()
        if fresh is not None:
            current[0] = fresh
        return fresh

    def read(name: str) -> bytes:
        found = current[0].step(step)
        if name not in found.screenshots:
            have = ", ".join(found.screenshots) or "none"
            raise AmplifyFetchError(
                f"step {found.name} of {job.describe()} has no screenshot {name!r}; it has: {have}"
            )
        what = f"screenshot {name!r} of step {found.name} of {job.describe()}"
        return _read_fresh(
            current[0],
            lambda fresh: fresh.step(step).screenshots[name],
            lambda url: fetcher.read_bytes(url, what),
            refresh,
        )

    return read


def screenshot_bytes(
    job: AmplifyJob, name: str, step: str = "VERIFY", fetcher: Fetcher | None = None
) -> bytes:
    """One screenshot of the step (``name`` as in ``step.screenshots``), as bytes."""
    return screenshot_reader(job, step, fetcher)(name)


def resolver_of(job: AmplifyJob, what: str) -> JobBackend:
    if job.resolver is None:
        raise AmplifyFetchError(
            f"{what} of {job.describe()} need the Amplify API (ListArtifacts, GetArtifactUrl); "
            "use a job from the amplify_job or amplify_jobs fixture"
        )
    return job.resolver


def list_test_artifacts(job: AmplifyJob) -> list[str]:
    """The end-to-end test artifacts of the job (ListArtifacts), by file name."""
    return [name for name, _ in resolver_of(job, "test artifacts").test_artifacts(job)]


def test_artifact_ids(job: AmplifyJob) -> dict[str, str]:
    """The job's end-to-end test artifacts (ListArtifacts): file name to artifact id."""
    return dict(resolver_of(job, "test artifacts").test_artifacts(job))


def download_test_artifact(job: AmplifyJob, name: str, fetcher: Fetcher | None = None) -> bytes:
    """One end-to-end test artifact (GetArtifactUrl, then the file)."""
    fetcher = fetcher_for(job, fetcher)
    resolver = resolver_of(job, "test artifacts")
    artifacts = test_artifact_ids(job)
    if name not in artifacts:
        have = ", ".join(sorted(artifacts)[:20]) or "none"
        raise AmplifyFetchError(f"{job.describe()} has no test artifact {name!r}; it has: {have}")
    what = f"test artifact {name!r} of {job.describe()}"
    # An expired artifact URL needs only a new GetArtifactUrl, not a new GetJob.
    return _read_fresh(
        job,
        lambda current: resolver.artifact_url(current, artifacts[name]),
        lambda url: fetcher.read_bytes(url, what),
        refresh=lambda: job,
    )
