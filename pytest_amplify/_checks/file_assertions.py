"""Assertions on what a job's steps produced: artifacts, test artifacts, screenshots.

Same style as the status assertions: ``AmplifyAssertionError``, frames hidden,
messages naming app, branch, job and step, every URL redacted.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence

from .._amplify.downloads import Fetcher
from .._core.errors import AmplifyAssertionError, AmplifyError
from .._core.images import NotAnImage, image_info
from .._core.model import AmplifyJob
from .assertions import step_or_fail
from .step_files import (
    download_artifacts,
    fetcher_for,
    list_test_artifacts,
    resolver_of,
    screenshot_bytes,
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
    for name in have:
        try:
            image_info(screenshot_bytes(job, name, found.name, fetcher))
        except NotAnImage as exc:
            problems.append(f"{name!r} is not a usable image: {exc}")
        except AmplifyError as exc:
            problems.append(f"{name!r} could not be downloaded: {exc}")
    if problems:
        raise AmplifyAssertionError(
            f"the screenshots of {where} are not as expected:",
            *(f"  {p}" for p in problems),
        )
