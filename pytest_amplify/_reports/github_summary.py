"""The GitHub Actions job summary: one Markdown section per run, appended to the
file that ``GITHUB_STEP_SUMMARY`` names.

Each job waited for gets a row (app, branch, job, commit, status, duration, links
to the console and the site) and its steps; a failed job shows its failed steps'
reasons, its failed end-to-end tests and its log tails, a failed wait its message,
inside ``<details>``; a job whose end-to-end tests passed, how many in a line. Text
from outside (names, titles, reasons, logs, messages) is escaped for Markdown, or
fenced with more backticks than it holds, and redacted. GitHub drops a step
summary over 1 MiB whole, so the section fits in what is left of that, up to a cap:
log tails go first, then the lists of failed end-to-end tests, then whole waits.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .._amplify.downloads import Fetcher
from .._checks.step_files import LogTail, read_tail
from .._core.durations import format_duration, format_elapsed
from .._core.e2e_results import MAX_LISTED, E2eResults
from .._core.model import AmplifyJob, JobStatus, JobStep
from .._core.records import OUTCOMES, ReportedWait
from .._core.redact import one_line, redact_text
from .._core.target import Target
from .text import ended, headline, shortened, tests_phrase

TITLE = "## Amplify deployments"
GITHUB_LIMIT = 1024 * 1024  # bytes; GitHub shows nothing of a step summary over it
MAX_SECTION = 256 * 1024
MARGIN = 1024
MAX_LINE = 1000
MAX_MESSAGE = 8000
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&])")
_BACKTICKS = re.compile(r"`+")


TailKey = tuple[Target, str]


def read_tail_again(job: AmplifyJob, step: JobStep, fetcher: Fetcher) -> LogTail:
    """The step's log tail, read once more: the plain URL, no second GetJob (the
    service the job came from may be gone by the end of the run)."""
    return read_tail(job.with_resolver(None), step, fetcher)


def failed_steps(job: AmplifyJob) -> list[JobStep]:
    return [step for step in job.steps if step.status == JobStatus.FAILED]


def read_tails(
    waits: Sequence[ReportedWait], read: Callable[[AmplifyJob, JobStep], LogTail]
) -> dict[TailKey, LogTail]:
    """The log tail of each failed step of each job that did not succeed."""
    tails: dict[TailKey, LogTail] = {}
    for wait in waits:
        job = wait.record.job
        if job is not None and not job.succeeded:
            for step in failed_steps(job):
                tails[(wait.record.target, step.name)] = read(job, step)
    return tails


# -- Markdown ----------------------------------------------------------------------


def text(value: object) -> str:
    """Outside text as literal Markdown on one line: punctuation escaped, redacted."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(str(value)))


def fenced(body: str, info: str = "text") -> str:
    """``body`` in a code fence longer than any run of backticks in it."""
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}\n"


def details(summary: str, body: str) -> str:
    """A collapsed block; ``summary`` is outside text (HTML-escaped here)."""
    shown = html.escape(one_line(summary))
    return f"<details><summary>{shown}</summary>\n\n{fenced(body)}\n</details>\n\n"


# Characters a link target in angle brackets cannot hold, or that end a table cell (a
# `|` does, even inside a link): percent-encoded, which URLs allow anywhere.
_LINK_UNSAFE = {"<": "%3C", ">": "%3E", " ": "%20", "|": "%7C"}


def _link(label: str, url: str) -> str:
    safe = "".join(_LINK_UNSAFE.get(char, char) for char in redact_text(url))
    return f"[{text(label)}](<{safe}>)"


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |\n"


OVERVIEW_HEADER = _row(
    ["", "app", "branch", "job", "commit", "status", "duration", "waited", "tests", "links"]
) + _row(["---"] * 10)


def overview_row(wait: ReportedWait) -> str:
    record, job = wait.record, wait.record.job
    target = record.target
    polls = f"{record.polls} poll{'s' if record.polls != 1 else ''}"
    commit = (job.commit_id if job else target.commit_id) or ""
    links = "-"
    if job is not None:
        site = job.with_resolver(None).branch_url
        links = f"{_link('console', job.console_url)} · {_link('site', site)}"
    return _row(
        [
            OUTCOMES[record.outcome].icon,
            text(target.app_id),
            text(target.branch),
            text(job.job_id if job else target.which),
            f"`{text(commit[:12])}`" if commit else "",
            text(ended(wait)),
            format_elapsed(job.duration) if job else "-",
            f"{format_duration(record.waited)}, {polls}",
            text(tests_phrase(wait.tests)),
            links,
        ]
    )


def _steps_table(job: AmplifyJob) -> str:
    if not job.steps:
        return "No steps reported.\n\n"
    rows = _row(["step", "status", "duration", "reason"]) + _row(["---"] * 4)
    for step in job.steps:
        reason = step.status_reason if step.status_reason and not step.succeeded else ""
        rows += _row(
            [text(step.name), text(step.status), format_elapsed(step.duration), text(reason)]
        )
    return rows + "\n"


def _tail_block(step: JobStep, tail: LogTail | None) -> str:
    reason = f": {step.status_reason}" if step.status_reason else ""
    if tail is None:
        return f"{text(f'{step.name} {step.status}{reason}')}: log tail left out (size cap).\n\n"
    if tail.problem:
        body = tail.problem
        what = "no log tail"
    else:
        body = "\n".join(shortened(redact_text(line), MAX_LINE) for line in tail.lines)
        what = f"last {len(tail.lines)} lines of its log"
    return details(f"{step.name} {step.status}{reason} ({what})", redact_text(body))


def _e2e_block(results: E2eResults, listed: bool) -> str:
    """The job's end-to-end results: a line, then (unless ``listed`` is False, to fit
    the cap) each failed test and hook, or where the plugin looked for none."""
    block = (
        f"**End-to-end tests ({text(results.step)}):** {text(results.headline())} "
        f"(from {text(results.described_source())})"
    )
    if results.passed:
        return block + "\n\n"
    if not listed:
        return block + "; the list is left out (size cap).\n\n"
    items = []
    for test in results.failures[:MAX_LISTED]:
        error = shortened(test.error_line or "(no error message)", MAX_LINE)
        items.append(f"- ✖ {test.kind} {text(test.name)}: {text(error)}")
        if test.screenshot:
            items.append(f"  - screenshot: {text(test.screenshot)}")
        items.extend(f"  - did not run because of it: {text(name)}" for name in test.blocks)
    if len(results.failures) > MAX_LISTED:
        items.append(f"- ... and {len(results.failures) - MAX_LISTED} more failures")
    if not results.counts.tests:
        items.extend(f"- looked at {text(place)}" for place in results.looked)
    return block + "\n\n" + "".join(f"{item}\n" for item in items) + "\n"


def wait_block(
    wait: ReportedWait, tails: Mapping[TailKey, LogTail] | None, e2e_listed: bool = True
) -> str:
    """One wait's section; ``tails`` None leaves the log tails out, ``e2e_listed``
    False the list of failed end-to-end tests (to fit the cap)."""
    record, job = wait.record, wait.record.job
    block = f"### {OUTCOMES[record.outcome].icon} {text(headline(wait))}\n\n"
    block += f"Used by {text(tests_phrase(wait.tests))}.\n\n"
    if job is None:
        message = shortened(redact_text(str(record.error) or ""), MAX_MESSAGE)
        gist = shortened(record.error_line, 100) or OUTCOMES[record.outcome].words
        return block + details(f"{type(record.error).__name__}: {gist}", message)
    block += _steps_table(job)
    if record.e2e is not None:
        block += _e2e_block(record.e2e, e2e_listed)
    if not job.succeeded:
        for step in failed_steps(job):
            tail = None if tails is None else tails.get((record.target, step.name), LogTail())
            block += _tail_block(step, tail)
    return block


def _size(markdown: str) -> int:
    return len(markdown.encode("utf-8"))


class _Section:
    """Markdown parts and their size in bytes, counted as they are added."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def add(self, part: str) -> None:
        self.parts.append(part)
        self.size += _size(part)


def render(waits: Sequence[ReportedWait], tails: Mapping[TailKey, LogTail], budget: int) -> str:
    """The section, within ``budget`` bytes: the overview first, then each wait (the
    problems first). What does not fit goes in this order: log tails, then the lists
    of failed end-to-end tests, then whole waits (the table still lists them)."""
    ordered = sorted(waits, key=lambda wait: not wait.problem)
    section = _Section()
    section.add(f"{TITLE}\n\n{OVERVIEW_HEADER}")
    # The table takes at most half: the waits' own sections say more.
    rows_left_out = 0
    for wait in ordered:
        row = overview_row(wait)
        if rows_left_out or section.size + _size(row) > budget // 2:
            rows_left_out += 1
        else:
            section.add(row)
    if rows_left_out:
        section.add(
            f"\n{rows_left_out} more waits left out (size cap); "
            "pytest's amplify section lists them.\n"
        )
    section.add("\n")
    note = f"\n_Some waits left out: the section is capped at {budget // 1024} KiB._\n"
    room = budget - section.size - _size(note)
    # Every wait that fits without its log tails and end-to-end list first; then the
    # lists, in order, as long as they fit; then the tails.
    blocks: list[str | None] = []
    for wait in ordered:
        bare = wait_block(wait, None, e2e_listed=False)
        fits = _size(bare) <= room
        blocks.append(bare if fits else None)
        room -= _size(bare) if fits else 0
    for with_tails in (None, tails):
        for index, wait in enumerate(ordered):
            kept = blocks[index]
            if kept is None:
                continue
            fuller = wait_block(wait, with_tails)
            grown = _size(fuller) - _size(kept)
            if grown <= room:
                blocks[index] = fuller
                room -= grown
    for block in blocks:
        if block is not None:
            section.add(block)
    if None in blocks:
        section.add(note)
    return "".join(section.parts)


def append_summary(
    path: Path, waits: Sequence[ReportedWait], tails: Mapping[TailKey, LogTail]
) -> str:
    """Append the section to ``path``; what happened, in a line for the terminal."""
    existing = path.stat().st_size if path.exists() else 0
    budget = min(MAX_SECTION, GITHUB_LIMIT - existing - MARGIN)
    if budget < 4 * 1024:
        return f"GitHub job summary not written: {path} is already near GitHub's 1 MiB limit"
    markdown = render(waits, tails, budget)
    with path.open("a", encoding="utf-8") as out:
        out.write(("\n" if existing else "") + markdown)
    return (
        f"GitHub job summary: {len(waits)} wait{'s' if len(waits) != 1 else ''} appended to {path}"
    )
