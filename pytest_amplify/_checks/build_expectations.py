"""What ``assert_serves_build`` looks for on a page: a file of the build (one the
previous build does not have byte for byte), or what the user expects of a body."""

from __future__ import annotations

import dataclasses
import re
import zipfile
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from .._amplify.downloads import Fetcher
from .._core.errors import AmplifyAssertionError, AmplifyError, AmplifyStepNotFoundError
from .._core.model import AmplifyJob
from .build_files import choose_file, url_paths
from .site_probe import SiteAnswer
from .step_files import download_artifacts

Expectation = str | re.Pattern[str] | re.Pattern[bytes] | Callable[[str], object]

MAX_PAGE_BYTES = 1024 * 1024
SHORT = 80


class Check(Protocol):
    """What to look for at a path of the site."""

    @property
    def path(self) -> str: ...

    @property
    def max_bytes(self) -> int: ...

    def expected(self) -> str: ...

    def mismatch(self, answer: SiteAnswer) -> str | None:
        """Why a 200 answer is not what was expected; None when it is."""
        ...


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= SHORT else text[: SHORT - 4] + "...'"


@dataclasses.dataclass(frozen=True)
class FileCheck:
    """The bytes of a file of the build (and of the previous build, to name it when
    it is served instead)."""

    path: str
    content: bytes
    description: str
    previous_content: bytes | None = None
    previous_what: str = ""

    @property
    def max_bytes(self) -> int:
        return max(len(self.content), len(self.previous_content or b""))

    def expected(self) -> str:
        return self.description

    def mismatch(self, answer: SiteAnswer) -> str | None:
        if not answer.truncated and answer.body == self.content:
            return None
        if not answer.truncated and answer.body == self.previous_content:
            return f"it serves {self.previous_what} (the previous build)"
        return "it serves other bytes than the build's"


def _name_of(expect: Callable[[str], object]) -> str:
    return getattr(expect, "__name__", None) or repr(expect)


@dataclasses.dataclass(frozen=True)
class BodyCheck:
    """A 200 answer whose body satisfies the user's expectation."""

    path: str
    expect: Expectation
    max_bytes: int = MAX_PAGE_BYTES

    def expected(self) -> str:
        if isinstance(self.expect, str):
            return f"a body containing {_short(self.expect)}"
        if isinstance(self.expect, re.Pattern):
            return f"a body matching re.compile({_short(self.expect.pattern)})"
        return f"a body for which {_name_of(self.expect)}(body) is true"

    def mismatch(self, answer: SiteAnswer) -> str | None:
        text = answer.body.decode("utf-8", "replace")
        expect = self.expect
        if isinstance(expect, str):
            found = expect in text
        elif isinstance(expect, re.Pattern):
            subject: Any = answer.body if isinstance(expect.pattern, bytes) else text
            found = expect.search(subject) is not None
        else:
            try:
                found = bool(expect(text))
            except Exception as exc:
                return f"{_name_of(expect)}(body) raised {type(exc).__name__}: {exc}"
        return None if found else "the body is not as expected"


def previous_build(
    job: AmplifyJob, step: str, fetcher: Fetcher, notes: list[str]
) -> tuple[zipfile.ZipFile | None, str]:
    """The previous successful job's artifacts of ``step``, and how to name that build."""
    if job.resolver is None:
        notes.append(
            f"job {job.job_id} came without the plugin's resolver, so no earlier build was "
            "compared (use a job from the amplify_job or amplify_jobs fixture)"
        )
        return None, ""
    previous = job.resolver.previous_successful_job(job)
    if previous is None:
        notes.append(
            f"job {job.job_id} is the branch's first successful job: no earlier build to "
            "tell it from"
        )
        return None, ""
    what = f"job {previous.job_id}'s build"
    try:
        return download_artifacts(previous, step, fetcher), what
    except AmplifyError as exc:
        notes.append(
            f"{what} could not be compared ({exc}): had the checked file not changed, a "
            f"site still serving job {previous.job_id} would pass"
        )
        return None, what


def file_check(
    job: AmplifyJob, step: str, files: Mapping[str, str] | None, fetcher: Fetcher, notes: list[str]
) -> FileCheck:
    try:
        found = job.step(step)
    except AmplifyStepNotFoundError as exc:
        raise AmplifyAssertionError(
            f"{exc}: no artifacts to take a file of the build from (a manual deployment "
            "has no BUILD step); check a page with expect= instead"
        ) from None
    what = f"the {found.name} artifacts of job {job.job_id}"
    with download_artifacts(job, found.name, fetcher) as current:
        platform = None
        if files is None and job.resolver is not None:
            platform = job.resolver.app_platform(job)
        names = [info.filename for info in current.infolist() if not info.is_dir()]
        mapping = url_paths(names, files, platform, what)
        previous, previous_what = previous_build(job, found.name, fetcher, notes)
        try:
            chosen = choose_file(current, previous, mapping, what, previous_what)
        finally:
            if previous is not None:
                previous.close()
    file = chosen.file
    description = f"the {len(file.content):,} bytes of {file.zip_path} from {what}"
    if previous is not None:
        description += (
            f", which differ from those in {previous_what}"
            if chosen.previous_content is not None
            else f", a file {previous_what} does not have"
        )
    return FileCheck(
        file.url_path, file.content, description, chosen.previous_content, previous_what
    )
