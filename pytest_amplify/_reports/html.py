"""pytest-html: the job as a small table, links, the VERIFY screenshots and the
failed end-to-end tests' screenshots embedded; for a failed
``assert_screenshots_unchanged``, each changed device's two screenshots side by side.

Only used when pytest-html is installed and active. Extras go on the call report,
or on the setup report when the wait (or the job) failed there; pytest-html
renders both. Screenshots are downloaded once per job, not once per test, and put
in the report once per job: pytest-html writes (or embeds) every image extra of every
test, so later tests of the same job say which test shows them.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._checks.step_files import screenshot_reader
from .._core.durations import format_elapsed
from .._core.errors import AmplifyError, AmplifyScreenshotsChangedError
from .._core.images import ImageInfo, NotAnImage, image_info
from .._core.model import AmplifyJob
from .._core.redact import one_line, redact_text, redact_url
from .._e2e.reported import failure_screenshots

if TYPE_CHECKING:
    import pytest

    from .._core.records import ItemJob
    from .._core.target import Target

SCREENSHOT_STEP = "VERIFY"
E2E_SCREENSHOTS = "e2e"
# The screenshots a test's extras may hold, by kind, and what the report calls them.
SCREENSHOT_KINDS = {
    SCREENSHOT_STEP: f"{SCREENSHOT_STEP} screenshots",
    E2E_SCREENSHOTS: "failed end-to-end tests' screenshots",
}


def _cell(text: object) -> str:
    return f"<td>{html.escape(redact_text(str(text)))}</td>"


def job_table(use: ItemJob) -> str:
    """The job's status and steps, or why the wait failed, as an HTML table."""
    target, job = use.target, use.job
    if job is None:
        return (
            '<table class="amplify-job"><tr><th>Amplify</th>'
            f"{_cell(target.describe())}</tr><tr><th>wait failed</th>{_cell(use.error or '')}</tr></table>"
        )
    duration = format_elapsed(job.duration)
    rows = [
        f"<tr><th>Amplify job</th>{_cell(job.describe())}{_cell(job.status)}{_cell(duration)}<td></td></tr>"
    ]
    for step in job.steps:
        step_duration = format_elapsed(step.duration)
        rows.append(
            f"<tr><td>step</td>{_cell(step.name)}{_cell(step.status)}{_cell(step_duration)}"
            f"{_cell(step.status_reason or '')}</tr>"
        )
    return '<table class="amplify-job">' + "".join(rows) + "</table>"


def _link(url: str, name: str, extras: Any) -> dict[str, Any]:
    link: dict[str, Any] = extras.url(redact_url(url), name=name)
    return link


@dataclasses.dataclass(frozen=True)
class Screenshot:
    """One VERIFY screenshot, checked once: its bytes and kind, or why not shown."""

    name: str
    data: bytes = b""
    info: ImageInfo | None = None
    problem: str = ""


def _screenshot_extras(
    job: AmplifyJob, shots: list[Screenshot], extras: Any
) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for shot in shots:
        if shot.info is None:
            text = f"screenshot {shot.name}: {redact_text(shot.problem)}"
            result.append(extras.html(f"<p>{html.escape(text)}</p>"))
            continue
        result.append(
            extras.image(
                base64.b64encode(shot.data).decode(),
                name=one_line(f"{job.describe()}: {shot.name}"),
                mime_type=shot.info.mime_type,
                extension=shot.info.kind,
            )
        )
    return result


def _figure(data: bytes, caption: str) -> str:
    try:
        mime_type = image_info(data).mime_type
    except NotAnImage:
        mime_type = "image/png"
    source = f"data:{mime_type};base64,{base64.b64encode(data).decode()}"
    return (
        '<figure style="margin:0;flex:1 1 0;min-width:0">'
        f'<img src="{source}" alt="{html.escape(caption)}" style="max-width:100%;max-height:600px;border:1px solid #ccc">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def change_extras(error: AmplifyScreenshotsChangedError, extras: Any) -> list[dict[str, Any]]:
    """Each changed device's screenshots, the previous successful job's beside this
    job's, under the figure."""
    result: list[dict[str, Any]] = []
    for change in error.changes:
        result.append(
            extras.html(
                '<div class="amplify-screenshot-change">'
                f"<p>{html.escape(redact_text(change.describe()))}</p>"
                '<div style="display:flex;gap:12px;align-items:flex-start">'
                f"{_figure(change.before, f'{change.device}: job {change.before_job} (before)')}"
                f"{_figure(change.after, f'{change.device}: job {change.after_job} (now)')}"
                "</div></div>"
            )
        )
    return result


def screenshots_of(job: AmplifyJob) -> list[Screenshot]:
    """Each VERIFY screenshot, downloaded and checked, or the reason it cannot be shown."""
    try:
        step = job.step(SCREENSHOT_STEP)
    except AmplifyError:
        return []
    shots: list[Screenshot] = []
    read = screenshot_reader(job, step.name)
    for name in step.screenshots:
        try:
            data = read(name)
            shots.append(Screenshot(name, data, image_info(data)))
        except (AmplifyError, NotAnImage) as exc:
            shots.append(Screenshot(name, problem=f"not shown: {exc}"))
    return shots


def e2e_screenshots_of(use: ItemJob) -> list[Screenshot]:
    """The screenshots of the job's failed end-to-end tests (from the results the
    wait's record carries), downloaded and checked, or why one cannot be shown."""
    if use.job is None or use.e2e is None:
        return []
    shots = []
    for shot in failure_screenshots(use.job, use.e2e):
        if shot.problem:
            shots.append(Screenshot(shot.name, problem=f"not shown: {shot.problem}"))
            continue
        try:
            shots.append(Screenshot(shot.name, shot.data, image_info(shot.data)))
        except NotAnImage as exc:
            shots.append(Screenshot(shot.name, problem=f"not shown: {exc}"))
    return shots


_SCREENSHOTS_OF: dict[str, Callable[[ItemJob], list[Screenshot]]] = {
    SCREENSHOT_STEP: lambda use: screenshots_of(use.job) if use.job is not None else [],
    E2E_SCREENSHOTS: e2e_screenshots_of,
}


class HtmlExtras:
    """The extras of one run's report (of one xdist worker's tests, under xdist);
    each job's screenshots of each kind downloaded once, and shown by the first test
    that shows them."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self._screenshots: dict[tuple[Target, str, str], list[Screenshot]] = {}
        self._shown_by: dict[tuple[Target, str, str], str] = {}

    def screenshots(self, use: ItemJob, test: str, kind: str) -> list[Screenshot] | str:
        """The job's screenshots of ``kind`` for ``test``, or the test whose extras
        already hold them (none: an empty list)."""
        assert use.job is not None
        key = (use.target, use.job.job_id, kind)
        if key not in self._screenshots:
            self._screenshots[key] = _SCREENSHOTS_OF[kind](use)
            self._shown_by[key] = test
        shots = self._screenshots[key]
        return self._shown_by[key] if shots and self._shown_by[key] != test else shots

    def add(
        self,
        report: pytest.TestReport,
        uses: list[ItemJob],
        changed: AmplifyScreenshotsChangedError | None = None,
    ) -> None:
        add_extras(report, uses, self.mode, self.screenshots, changed)


def add_extras(
    report: pytest.TestReport,
    uses: list[ItemJob],
    mode: str,
    screenshots: Callable[[ItemJob, str, str], list[Screenshot] | str],
    changed: AmplifyScreenshotsChangedError | None = None,
) -> None:
    if report.when == "teardown" or (report.when == "setup" and not report.failed):
        return
    from pytest_html import extras

    added: list[dict[str, Any]] = []
    for use in uses:
        added.append(extras.html(job_table(use)))
        job = use.job
        if job is None:
            continue
        added.append(_link(job.console_url, f"Amplify console: job {job.job_id}", extras))
        # The table says enough; a branch link that cannot be found is left out.
        with contextlib.suppress(AmplifyError):
            added.append(_link(job.branch_url, f"deployed branch {job.branch}", extras))
        if mode == "always" or (mode == "failed" and report.failed):
            for kind, called in SCREENSHOT_KINDS.items():
                shots = screenshots(use, report.nodeid, kind)
                if isinstance(shots, str):
                    note = f"{called} of {job.describe()}: with {shots}"
                    added.append(extras.html(f"<p>{html.escape(redact_text(note))}</p>"))
                else:
                    added.extend(_screenshot_extras(job, shots, extras))
    if changed is not None and mode != "never":
        added.extend(change_extras(changed, extras))
    report.extras = [*getattr(report, "extras", []), *added]  # type: ignore[attr-defined]
