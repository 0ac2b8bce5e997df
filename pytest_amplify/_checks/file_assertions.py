"""Assertions on what a job's steps produced: artifacts, test artifacts, screenshots,
and what the screenshots show (a rendered page; a page unchanged since the branch's
previous successful job).

Same style as the status assertions: ``AmplifyAssertionError``, frames hidden,
messages naming app, branch, job and step, every URL redacted.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import warnings
from collections.abc import Iterable, Sequence

import pytest

from .._amplify.downloads import Fetcher
from .._core.errors import (
    AmplifyAssertionError,
    AmplifyError,
    AmplifyScreenshotsChangedError,
    AmplifyStepNotFoundError,
)
from .._core.images import (
    DEFAULT_MAX_CHANGED,
    DEFAULT_MIN_CONTENT,
    NotAnImage,
    PixelChange,
    image_info,
    page_content,
    pixel_change,
    require_pillow,
)
from .._core.model import AmplifyJob, JobStep
from .assertions import step_or_fail
from .step_files import (
    download_artifacts,
    fetcher_for,
    list_test_artifacts,
    resolver_of,
    screenshot_reader,
    test_artifact_ids,
)

SAMPLE_SIZE = 15


def _check_contains(names: Sequence[str], contains: Iterable[str] | str | None, what: str) -> None:
    __tracebackhide__ = True
    if contains is None:
        return
    wanted = [contains] if isinstance(contains, str) else list(contains)
    missing = [pattern for pattern in wanted if not fnmatch.filter(names, pattern)]
    if missing:
        sample = ", ".join(sorted(names)[:SAMPLE_SIZE]) or "nothing"
        more = f" (and {len(names) - SAMPLE_SIZE} more)" if len(names) > SAMPLE_SIZE else ""
        raise AmplifyAssertionError(
            f"{what} lack {len(missing)} of {len(wanted)} expected path"
            f"{'s' if len(wanted) != 1 else ''}: {', '.join(missing)}",
            f"they hold {len(names)} file{'s' if len(names) != 1 else ''}: {sample}{more}",
        )


def assert_artifacts(
    job: AmplifyJob,
    step: str,
    contains: Iterable[str] | str | None = None,
    fetcher: Fetcher | None = None,
) -> None:
    """The step has an artifacts zip that downloads and, with ``contains``, holds those
    paths (glob patterns allowed: ``"assets/*.js"``)."""
    __tracebackhide__ = True
    found = step_or_fail(job, step)
    what = f"the {found.name} artifacts of {job.describe()}"
    try:
        with download_artifacts(job, found.name, fetcher) as archive:
            names = [info.filename for info in archive.infolist() if not info.is_dir()]
    except AmplifyError as exc:
        raise AmplifyAssertionError(f"{what} could not be downloaded: {exc}") from None
    _check_contains(names, contains, what)


def assert_test_artifacts(
    job: AmplifyJob, contains: Iterable[str] | str | None = None, fetcher: Fetcher | None = None
) -> None:
    """The job has end-to-end test artifacts (ListArtifacts), each matched one is served
    (GetArtifactUrl), and with ``contains`` their names match those patterns."""
    __tracebackhide__ = True
    what = f"the end-to-end test artifacts of {job.describe()}"
    fetcher = fetcher_for(job, fetcher)
    try:
        names = list_test_artifacts(job)
    except AmplifyError as exc:
        raise AmplifyAssertionError(f"{what} could not be listed: {exc}") from None
    if not names:
        raise AmplifyAssertionError(
            f"{what}: there are none (did the TEST phase run and upload its artifacts?)"
        )
    _check_contains(names, contains, what)
    wanted = [contains] if isinstance(contains, str) else list(contains or names[:1])
    resolver = resolver_of(job, "test artifacts")
    ids = test_artifact_ids(job)
    for name in sorted({n for pattern in wanted for n in fnmatch.filter(names, pattern)}):
        try:
            url = resolver.artifact_url(job, ids[name])
            fetcher.check_downloads(url, f"test artifact {name!r}")
        except AmplifyError as exc:
            raise AmplifyAssertionError(
                f"{what}: {name!r} is listed but not served: {exc}"
            ) from None


def assert_screenshots(
    job: AmplifyJob,
    step: str = "VERIFY",
    min_count: int = 1,
    names: Iterable[str] | None = None,
    fetcher: Fetcher | None = None,
) -> None:
    """The step has at least ``min_count`` screenshots, every name in ``names``, and
    each downloads as a real PNG or JPEG (signature and dimensions); the failure names
    each bad screenshot and why."""
    __tracebackhide__ = True
    found = step_or_fail(job, step)
    fetcher = fetcher_for(job, fetcher)
    where = f"step {found.name} of {job.describe()}"
    problems: list[str] = []
    have = list(found.screenshots)
    if len(have) < min_count:
        problems.append(
            f"expected at least {min_count} screenshot{'s' if min_count != 1 else ''}, it has {len(have)}"
        )
    missing = [name for name in (names or ()) if name not in found.screenshots]
    if missing:
        problems.append(
            f"missing: {', '.join(map(repr, missing))} (it has: {', '.join(have) or 'none'})"
        )
    read = screenshot_reader(job, found.name, fetcher)
    for name in have:
        try:
            image_info(read(name))
        except NotAnImage as exc:
            problems.append(f"{name!r} is not a usable image: {exc}")
        except AmplifyError as exc:
            problems.append(f"{name!r} could not be downloaded: {exc}")
    if problems:
        raise AmplifyAssertionError(
            f"the screenshots of {where} are not as expected:",
            *(f"  {p}" for p in problems),
        )


# -- what the screenshots show ---------------------------------------------------------


def _share_argument(check: str, name: str, value: float) -> None:
    __tracebackhide__ = True
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(
            f"{check}: {name} = {value!r} is not a share of the pixels: give a number "
            f"from 0 to 1 (0.01 is 1%)"
        )


def assert_screenshots_rendered(
    job: AmplifyJob,
    step: str = "VERIFY",
    *,
    min_content: float = DEFAULT_MIN_CONTENT,
    names: Iterable[str] | None = None,
    fetcher: Fetcher | None = None,
) -> dict[str, float]:
    """Each screenshot of the step (or each of ``names``) shows a rendered page, not a
    blank one: at least ``min_content`` of its pixels (a share, default 0.005 = 0.5%)
    differ from its background, its most common colour. A white page with only a
    small spinner has less; a mostly white sign-in page has several times more.

    Returns each screenshot's share; the failure names each blank one with its figure.
    Needs Pillow (the ``images`` extra)."""
    __tracebackhide__ = True
    check = "assert_screenshots_rendered"
    require_pillow(check)
    _share_argument(check, "min_content", min_content)
    found = step_or_fail(job, step)
    read = screenshot_reader(job, found.name, fetcher)
    where = f"step {found.name} of {job.describe()}"
    wanted = list(found.screenshots) if names is None else list(names)
    if not wanted:
        raise AmplifyAssertionError(f"{where} has no screenshots: nothing shows a rendered page")
    problems: list[str] = []
    shares: dict[str, float] = {}
    for name in wanted:
        try:
            content = page_content(read(name))
        except NotAnImage as exc:
            problems.append(f"{name!r} is not a usable image: {exc}")
            continue
        except AmplifyError as exc:
            problems.append(f"{name!r} could not be downloaded: {exc}")
            continue
        shares[name] = content.share
        if content.share < min_content:
            problems.append(
                f"{name!r} ({content.width}x{content.height}) looks blank: {content.share:.2%} "
                f"of its pixels differ from its background {content.background_hex} "
                f"(min_content {min_content:.2%})"
            )
    if problems:
        raise AmplifyAssertionError(
            f"the screenshots of {where} do not show a rendered page:",
            *(f"  {p}" for p in problems),
        )
    return shares


@dataclasses.dataclass(frozen=True)
class ScreenshotChange:
    """One device's screenshot that changed past the bound: the figure, and both
    images (the pytest-html report shows them side by side)."""

    device: str
    change: PixelChange
    max_changed: float
    before: bytes
    after: bytes
    before_job: str
    after_job: str

    def describe(self) -> str:
        text = (
            f"{self.device!r}: {self.change.share:.2%} of its pixels changed "
            f"(max_changed {self.max_changed:.2%})"
        )
        if not self.change.same_size:
            before, after = (
                f"{w}x{h}" for w, h in (self.change.before_size, self.change.after_size)
            )
            text += f"; its size changed from {before} to {after}, and what only one covers counts as changed"
        return text


def _previous_step(job: AmplifyJob, step: JobStep, check: str) -> tuple[AmplifyJob, JobStep]:
    """The branch's previous successful job and its step of that name; skips the test
    when there is none, fails when it cannot be known."""
    __tracebackhide__ = True
    if job.resolver is None:
        raise AmplifyAssertionError(
            f"{check}: {job.describe()} came without the plugin's resolver, so the branch's "
            "previous successful job cannot be found (use a job from the amplify_job or "
            "amplify_jobs fixture)"
        )
    try:
        previous = job.resolver.previous_successful_job(job)
    except AmplifyError as exc:
        raise AmplifyAssertionError(
            f"{check}: the previous successful job of branch {job.branch} could not be found: {exc}"
        ) from None
    if previous is None:
        pytest.skip(
            f"{check}: no job of branch {job.branch} (app {job.app_id}) succeeded before job "
            f"{job.job_id}: no earlier {step.name} screenshots to compare with"
        )
    try:
        return previous, previous.step(step.name)
    except AmplifyStepNotFoundError:
        pytest.skip(
            f"{check}: job {previous.job_id}, the previous successful job of branch "
            f"{job.branch}, has no {step.name} step: no earlier screenshots to compare with"
        )


def assert_screenshots_unchanged(
    job: AmplifyJob,
    step: str = "VERIFY",
    *,
    max_changed: float = DEFAULT_MAX_CHANGED,
    fetcher: Fetcher | None = None,
) -> dict[str, float]:
    """Each device's screenshot changed by at most ``max_changed`` (a share of its
    pixels, default 0.01 = 1%) against the same device's screenshot in the branch's
    previous successful job. Opt in where the page should look the same from one
    deployment to the next (intended changes of the UI fail it: loosen the bound).

    The test is skipped, saying why, when the branch has no earlier successful job
    (or it has no such step, or no screenshot of the same devices). A device that
    the previous job had and this one lacks fails; one new in this job is not
    compared (a warning names it). Screenshots of different sizes are laid over each
    other from the top left; what only one covers counts as changed. Expired URLs of
    either job are fetched again, as every download is.

    Returns each compared device's share; the failure names each device past the
    bound with its figure, and the pytest-html report shows both images side by side.
    Needs Pillow (the ``images`` extra)."""
    __tracebackhide__ = True
    check = "assert_screenshots_unchanged"
    require_pillow(check)
    _share_argument(check, "max_changed", max_changed)
    found = step_or_fail(job, step)
    fetcher = fetcher_for(job, fetcher)
    previous, previous_step = _previous_step(job, found, check)
    now, before = list(found.screenshots), list(previous_step.screenshots)
    compared = [device for device in now if device in before]
    if not compared:
        pytest.skip(
            f"{check}: job {previous.job_id}, the previous successful job of branch "
            f"{job.branch}, has no {found.name} screenshot of the same devices "
            f"(it has: {', '.join(before) or 'none'}; job {job.job_id} has: {', '.join(now) or 'none'})"
        )
    gone = [device for device in before if device not in now]
    problems = [
        f"{device!r}: job {previous.job_id} has a screenshot of it, this job has none"
        for device in gone
    ]
    new = [device for device in now if device not in before]
    if new:
        warnings.warn(
            f"{check}: {', '.join(map(repr, new))} of {job.describe()} not compared: job "
            f"{previous.job_id} has no screenshot of {'it' if len(new) == 1 else 'them'}",
            stacklevel=2,
        )
    read_before = screenshot_reader(previous, previous_step.name, fetcher)
    read_now = screenshot_reader(job, found.name, fetcher)
    shares: dict[str, float] = {}
    changes: list[ScreenshotChange] = []
    for device in compared:
        try:
            old, current = read_before(device), read_now(device)
            change = pixel_change(old, current)
        except NotAnImage as exc:
            problems.append(
                f"{device!r} could not be compared (job {previous.job_id}'s with job "
                f"{job.job_id}'s): {exc}"
            )
            continue
        except AmplifyError as exc:
            problems.append(f"{device!r} could not be downloaded: {exc}")
            continue
        shares[device] = change.share
        if change.share > max_changed:
            changes.append(
                ScreenshotChange(
                    device, change, max_changed, old, current, previous.job_id, job.job_id
                )
            )
            problems.append(changes[-1].describe())
    if problems:
        outcome = "changed against" if changes or gone else "could not all be compared with"
        raise AmplifyScreenshotsChangedError(
            f"the {found.name} screenshots of {job.describe()} {outcome} job "
            f"{previous.job_id}, the branch's previous successful job:",
            *(f"  {p}" for p in problems),
            changes=tuple(changes),
        )
    return shares
