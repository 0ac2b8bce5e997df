"""The end-to-end results the run's reports show, and the failures' screenshots that
pytest-html embeds.

Reading the results downloads the TEST step's test artifacts (or its log), so the
run reads them once per job, where the wait's record is made: the record carries
them, as plain data, to every test, every pytest-xdist worker and the controller's
reports. A job whose failed step is TEST is always read (its explanation lists the
failed tests); any other job with a TEST step only when a report lists every job's
results (``every_job``: the end-to-end JUnit file, the JSON report). A job without
a TEST step costs nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable

from .._amplify.downloads import Fetcher
from .._checks.assertions import stopping_step
from .._checks.step_files import download_test_artifact, fetcher_for, opened_test_artifacts
from .._core.e2e_results import E2eResults
from .._core.errors import AmplifyError
from .._core.model import AmplifyJob, JobStatus, JobStep
from .._core.vocabulary import TEST_STEP
from .lookup import NO_SOURCE, read_e2e_results

# The failures whose screenshots a report embeds, at most; and the largest screenshot
# read (Cypress's are full-page PNGs of a few hundred KB).
MAX_SCREENSHOTS = 10
MAX_SCREENSHOT_BYTES = 16 * 1024 * 1024


def _test_step(job: AmplifyJob) -> JobStep | None:
    return next((step for step in job.steps if step.name.upper() == TEST_STEP), None)


def failed_in_test(job: AmplifyJob) -> bool:
    """Whether the job FAILED in its TEST step."""
    stopped = stopping_step(job)
    return (
        stopped is not None
        and stopped.status == JobStatus.FAILED
        and stopped.name.upper() == TEST_STEP
    )


def results_to_report(job: AmplifyJob, every_job: bool) -> E2eResults | None:
    """The job's end-to-end results when the run's reports show them (see the
    module's docstring), else None, with no call made."""
    step = _test_step(job)
    if step is None or not (every_job or failed_in_test(job)):
        return None
    try:
        return read_e2e_results(job, step=step.name)
    except AmplifyError as exc:
        # What goes wrong where it looks, read_e2e_results records; this is the rest.
        return E2eResults(step.name, step.status, NO_SOURCE, looked=(f"could not be read: {exc}",))


@dataclasses.dataclass(frozen=True)
class FailureScreenshot:
    """A failure's screenshot: its bytes, or why it could not be read."""

    name: str
    data: bytes = b""
    problem: str = ""


def failure_screenshots(
    job: AmplifyJob, results: E2eResults, fetcher: Fetcher | None = None
) -> list[FailureScreenshot]:
    """The screenshots of the first :data:`MAX_SCREENSHOTS` failures, each read once:
    from the zip at ``testArtifactsUrl`` (one download for all), else through
    ListArtifacts (one file each)."""
    names = list(dict.fromkeys(t.screenshot for t in results.failures if t.screenshot))
    names = names[:MAX_SCREENSHOTS]
    if not names:
        return []
    fetcher = fetcher_for(job, fetcher)
    found: dict[str, FailureScreenshot] = {}
    # No zip, or not readable: ListArtifacts may have them.
    with contextlib.suppress(AmplifyError):
        found.update(_from_zip(job, results.step, names, fetcher))
    for name in names:
        if name not in found:
            try:
                data = download_test_artifact(job, name, fetcher)
                found[name] = FailureScreenshot(name, data)
            except AmplifyError as exc:
                found[name] = FailureScreenshot(name, problem=str(exc))
    return [found[name] for name in names]


def _from_zip(
    job: AmplifyJob, step: str, names: Iterable[str], fetcher: Fetcher
) -> dict[str, FailureScreenshot]:
    if not job.step(step).test_artifacts_url:
        return {}
    found = {}
    with opened_test_artifacts(job, step, fetcher) as archive:
        members = {info.filename: info for info in archive.infolist()}
        for name in names:
            info = members.get(name)
            if info is None:
                continue
            if info.file_size > MAX_SCREENSHOT_BYTES:
                problem = f"it is {info.file_size:,} bytes, larger than {MAX_SCREENSHOT_BYTES:,}"
                found[name] = FailureScreenshot(name, problem=problem)
                continue
            with archive.open(info) as member:
                found[name] = FailureScreenshot(name, member.read(MAX_SCREENSHOT_BYTES + 1))
    return found
