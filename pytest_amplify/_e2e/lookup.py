"""Finding a job's end-to-end results: where the plugin looks, in order, and what
it found in each place.

1. The zip at the TEST step's ``testArtifactsUrl``.
2. The end-to-end test artifacts that ListArtifacts lists (GetArtifactUrl for the
   report's URL).
3. Within either, the report ``amplify_e2e_report`` names (a glob, by default
   ``**/mochawesome.json``, the file mochawesome-merge writes), else each spec's
   ``**/mochawesome*.json`` (the merge did not run).
4. When no report is found or read (or the calls are denied), the TEST step's log.

Where the report sits inside a real app's test artifacts has not been checked
against one (docs/e2e-results.md): the zip is our reading of
aws-amplify/amplify-hosting#2358. Every place looked at is recorded in the results.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

from .._amplify.downloads import Fetcher
from .._checks.step_files import fetcher_for, iter_log_lines, opened_test_artifacts, resolver_of
from .._core.e2e_results import HOOK, E2eCounts, E2eResults, E2eState, E2eTest
from .._core.errors import AmplifyError
from .._core.model import AmplifyJob, JobStatus, JobStep
from .._core.policies import E2eReports
from .._core.redact import strip_query
from .._core.vocabulary import PER_SPEC_E2E_REPORTS, TEST_STEP
from .cypress_log import parse_log
from .mochawesome import ParsedReport, ReportProblem, parse_report

# A report is JSON the plugin parses whole: larger than this, it is not read (a
# report that embeds hundreds of base64 screenshots can reach it).
MAX_REPORT_BYTES = 64 * 1024 * 1024
# Per-spec reports read at most (a large suite has a few hundred specs).
MAX_REPORTS = 1000

# mochawesome's reports of a run's specs (overwrite=false): mochawesome.json, then
# mochawesome_001.json, mochawesome_002.json, ...
_FIRST = "mochawesome.json"
_NEXT = re.compile(r"mochawesome_\d+\.json")

ZIP_SOURCE = "the test artifacts zip (testArtifactsUrl)"
LISTED_SOURCE = "the test artifacts ListArtifacts lists"
NO_SOURCE = "nowhere"


def log_source(step: str) -> str:
    return f"the {step} log"


def glob_pattern(pattern: str) -> re.Pattern[str]:
    """A glob over paths: ``**/`` any folders (none too), ``*`` and ``?`` within one
    name, ``[...]`` a set of characters."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            inside = pattern[i + 1 : end]
            out.append("[" + ("^" + inside[1:] if inside.startswith("!") else inside) + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def matching(names: Iterable[str], pattern: str) -> list[str]:
    compiled = glob_pattern(pattern)
    return sorted(name for name in names if compiled.fullmatch(name))


def combined(parsed: Sequence[tuple[str, ParsedReport]]) -> tuple[list[str], list[E2eTest]]:
    """The reports' tests, each spec once and with the report it came from: a merged
    report that covers every spec of the others is read alone (mochawesome-merge's
    output beside its inputs)."""
    every = frozenset().union(*(report.specs for _, report in parsed))
    for name, report in parsed:
        if every and report.specs >= every:
            return [name], _from(name, report.tests)
    return [name for name, _ in parsed], [
        test for name, report in parsed for test in _from(name, report.tests)
    ]


def _from(source: str, tests: Iterable[E2eTest]) -> list[E2eTest]:
    return [dataclasses.replace(test, source=source) for test in tests]


class _Lookup:
    def __init__(
        self, job: AmplifyJob, step: JobStep, reports: E2eReports, fetcher: Fetcher, cap: int
    ) -> None:
        self.job = job
        self.step = step
        self.reports = reports
        self.fetcher = fetcher
        self.cap = cap
        self.looked: list[str] = []
        self.notes: list[str] = []
        self.names: set[str] = set()

    def _chosen(self, names: Sequence[str], where: str) -> list[str]:
        if not names:
            self.looked.append(f"{where}: there are none")
            return []
        pattern = self.reports.pattern
        setting = f"{pattern} (amplify_e2e_report, from {self.reports.source})"
        found = matching(names, pattern)
        # mochawesome names the first spec's report mochawesome.json too: beside it
        # are the other specs' (mochawesome_001.json, ...), read with it.
        firsts = {PurePosixPath(n).parent for n in found if PurePosixPath(n).name == _FIRST}
        found += [
            name
            for name in names
            if PurePosixPath(name).parent in firsts and _NEXT.fullmatch(PurePosixPath(name).name)
        ]
        found = sorted(set(found))
        if not found and pattern != PER_SPEC_E2E_REPORTS:
            found = matching(names, PER_SPEC_E2E_REPORTS)
            if found:
                self.looked.append(
                    f"{where}: none of its files matches {setting}; each spec's report "
                    f"({PER_SPEC_E2E_REPORTS}) read instead"
                )
        if not found:
            self.looked.append(
                f"{where}: {len(names)} file{'s' if len(names) != 1 else ''}, none matches "
                f"{setting} or {PER_SPEC_E2E_REPORTS}"
            )
        return found[:MAX_REPORTS]

    def _parsed(
        self, where: str, reads: Iterable[tuple[str, bytes]]
    ) -> tuple[list[str], list[E2eTest]] | None:
        parsed: list[tuple[str, ParsedReport]] = []
        for name, data in reads:
            try:
                report = parse_report(data)
            except ReportProblem as problem:
                self.looked.append(f"{where}: {name}: {problem}")
                return None
            parsed.append((name, report))
            self.notes.extend(f"{name}: {note}" for note in report.notes)
        return combined(parsed)

    def from_zip(self) -> tuple[list[str], list[E2eTest]] | None:
        url = self.step.test_artifacts_url
        where = "testArtifactsUrl"
        if not url:
            self.looked.append(f"{where}: step {self.step.name} has none")
            return None
        where = f"{where} ({strip_query(url)})"
        try:
            with opened_test_artifacts(self.job, self.step.name, self.fetcher) as archive:
                infos = {info.filename: info for info in archive.infolist() if not info.is_dir()}
                self.names.update(infos)
                chosen = self._chosen(list(infos), where)
                if not chosen:
                    return None
                reads = []
                for name in chosen:
                    size = infos[name].file_size
                    with archive.open(infos[name]) as member:
                        data = member.read(self.cap + 1)
                    if max(size, len(data)) > self.cap:
                        self.looked.append(f"{where}: {name}: {self._too_large(size)}")
                        return None
                    reads.append((name, data))
        except AmplifyError as exc:
            self.looked.append(f"{where}: could not be read: {exc}")
            return None
        return self._parsed(where, reads)

    def _too_large(self, size: int) -> str:
        return f"it is {size:,} bytes, larger than the {self.cap:,} bytes a report may be"

    def from_listed(self) -> tuple[list[str], list[E2eTest]] | None:
        where = "ListArtifacts"
        try:
            resolver = resolver_of(self.job, "test artifacts")
            ids = dict(resolver.test_artifacts(self.job))
        except AmplifyError as exc:
            self.looked.append(f"{where}: {exc}")
            return None
        self.names.update(ids)
        chosen = self._chosen(list(ids), where)
        if not chosen:
            return None
        reads = []
        for name in chosen:
            try:
                url = resolver.artifact_url(self.job, ids[name])
                what = f"test artifact {name!r} of {self.job.describe()}"
                reads.append((name, self.fetcher.read_bytes(url, what, max_bytes=self.cap)))
            except AmplifyError as exc:
                self.looked.append(f"{where}: {name}: {exc}")
                return None
        return self._parsed(where, reads)

    def from_log(self) -> list[E2eTest] | None:
        where = log_source(self.step.name)
        if not self.step.log_url:
            self.looked.append(f"{where}: step {self.step.name} has no log URL")
            return None
        try:
            tests, notes = parse_log(iter_log_lines(self.job, self.step.name, self.fetcher))
        except AmplifyError as exc:
            self.looked.append(f"{where}: could not be read: {exc}")
            return None
        self.notes.extend(notes)
        if not tests:
            self.looked.append(f"{where}: no Cypress run in it (no 'Running:' line)")
        return _from(where, tests)


def read_e2e_results(
    job: AmplifyJob,
    report: str | None = None,
    *,
    step: str = TEST_STEP,
    fetcher: Fetcher | None = None,
    max_report_bytes: int = MAX_REPORT_BYTES,
) -> E2eResults:
    """The results of the job's end-to-end tests (its TEST step), and where they came
    from: the test artifacts' report, or the step's log (see the module's docstring).

    ``report`` is a glob within the test artifacts (default: ``amplify_e2e_report``).
    Raises :class:`~pytest_amplify.AmplifyStepNotFoundError` when the job has no such
    step; anything else that goes wrong is recorded in ``looked``. A job the plugin
    handed out is read once per process for each glob (its test artifacts do not
    change), unless a ``fetcher`` or ``max_report_bytes`` of the call's own is given."""
    if report is not None and (not isinstance(report, str) or not report.strip()):
        raise TypeError(f"report is a glob such as '**/mochawesome.json', not {report!r}")
    found = job.step(step)
    reports = E2eReports(report, "the call's report=") if report else _configured(job)
    # Resolvers written for tests may not keep them.
    kept = getattr(job.resolver, "e2e_read", None)
    if kept is None or fetcher is not None or max_report_bytes != MAX_REPORT_BYTES:
        return _read(job, found, reports, fetcher, max_report_bytes)
    try:
        read_before: dict[tuple[str, str], E2eResults] = kept(job)
    except AmplifyError:  # not a job this resolver handed out
        return _read(job, found, reports, fetcher, max_report_bytes)
    key = (found.name, reports.pattern)
    if key not in read_before:
        read_before[key] = _read(job, found, reports, fetcher, max_report_bytes)
    return read_before[key]


def _read(
    job: AmplifyJob,
    found: JobStep,
    reports: E2eReports,
    fetcher: Fetcher | None,
    max_report_bytes: int,
) -> E2eResults:
    lookup = _Lookup(job, found, reports, fetcher_for(job, fetcher), max_report_bytes)
    source, chosen, tests = NO_SOURCE, None, None
    for where, read in ((ZIP_SOURCE, lookup.from_zip), (LISTED_SOURCE, lookup.from_listed)):
        got = read()
        if got is not None:
            source, (chosen, tests) = where, got
            break
    if tests is None:
        tests = lookup.from_log()
        source = log_source(found.name) if tests is not None else NO_SOURCE
    tests = with_files(tests or [], lookup.names)
    notes = [*lookup.notes, *_disagreement(found, tests, source)]
    return E2eResults(
        step=found.name,
        step_status=found.status,
        source=source,
        tests=tuple(tests),
        report=", ".join(chosen) if chosen else None,
        looked=tuple(lookup.looked),
        notes=tuple(notes),
    )


def _configured(job: AmplifyJob) -> E2eReports:
    # Resolvers written for tests may not have it.
    configured = getattr(job.resolver, "e2e_reports", None)
    return configured(job) if configured is not None else E2eReports()


def _disagreement(step: JobStep, tests: Sequence[E2eTest], source: str) -> list[str]:
    counts = E2eCounts.of(tests)
    failing = counts.failed + counts.failed_hooks
    if step.status == JobStatus.FAILED and not failing and counts.tests:
        return [f"the {step.name} step FAILED, but {source} shows no failed test or hook"]
    if step.status == JobStatus.SUCCEED and failing:
        return [
            f"the {step.name} step SUCCEEDed, but {source} shows {failing} failed "
            f"test{'s' if failing != 1 else ''} or hook{'s' if failing != 1 else ''}"
        ]
    return []


# -- screenshots and videos, by Cypress's names --------------------------------------

_ATTEMPT = re.compile(r" \(attempt (\d+)\)\.png$")
_HOOK_FOR = re.compile(r'^"([a-z ]+)" hook(?: for "(.*)")?$')


def screenshot_stem(test: E2eTest) -> str:
    """What Cypress names the test's failure screenshot, before ``(failed)``: the
    titles joined by `` -- ``; a hook's adds ``<kind> hook`` after the test it ran for."""
    titles = [*test.suites, test.title]
    hook = _HOOK_FOR.match(test.title) if test.kind == HOOK else None
    if hook:
        titles = [
            *test.suites,
            *([hook.group(2)] if hook.group(2) else []),
            f"{hook.group(1)} hook",
        ]
    return " -- ".join(titles)


def with_files(tests: Sequence[E2eTest], names: Iterable[str]) -> list[E2eTest]:
    """The tests with their failure screenshot and their spec's video, found among
    the test artifacts' ``names`` (Cypress keeps them in a folder named after the
    spec); a retried test's attempts counted from its screenshots (``(attempt N)``)."""
    in_folder: dict[tuple[str, str], str] = {}
    for name in names:
        path = PurePosixPath(name)
        in_folder[(path.parent.name, path.name)] = name
    videos = {file: name for (_, file), name in in_folder.items() if file.endswith(".mp4")}
    out = []
    for test in tests:
        spec = PurePosixPath(test.spec).name
        stem = f"{screenshot_stem(test)} (failed)"
        shots = sorted(
            (_attempt_of(file), name)
            for (folder, file), name in in_folder.items()
            if folder == spec
            and (
                file == f"{stem}.png"
                or (file.startswith(f"{stem} (attempt ") and _ATTEMPT.search(file))
            )
        )
        attempts = test.attempts
        if shots:
            attempts = max(attempts, shots[-1][0] + (test.state == E2eState.PASSED))
        out.append(
            dataclasses.replace(
                test,
                screenshot=shots[-1][1] if shots else test.screenshot,
                video=videos.get(f"{spec}.mp4", test.video),
                attempts=attempts,
            )
        )
    return out


def _attempt_of(name: str) -> int:
    found = _ATTEMPT.search(name)
    return int(found.group(1)) if found else 1
