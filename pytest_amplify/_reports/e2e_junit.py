"""The end-to-end JUnit file (``--amplify-e2e-junit PATH``): the Cypress tests of the
TEST steps of the jobs waited for, as a CI's test page lists pytest's own.

One ``<testsuite>`` per spec (per job, when the run has results of several), one
``<testcase>`` per test and per failed hook; a failed test or hook has a
``<failure>`` whose ``message`` is its error's first line and whose text is the
whole error, its screenshot and the tests it kept from running; pending tests and
tests that did not run are ``<skipped>``. Valid against ``junit-10.xsd`` (xunit2,
pytest's default family). Titles and errors are outside text: redacted, attributes
on one line, and stripped of the characters XML 1.0 cannot hold.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from .._core.e2e_results import HOOK, E2eResults, E2eState, E2eTest
from .._core.model import AmplifyJob
from .._core.records import ReportedWait
from .._core.redact import one_line, redact_text

SUITES_NAME = "end-to-end tests (pytest-amplify)"
# The testcase that stands for a TEST step whose results were not found.
NO_RESULTS_CASE = "end-to-end results"
# Characters XML 1.0 cannot hold, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# ``AssertionError: ...``, ``CypressError: ...``: the error's type, when it names one.
_ERROR_TYPE = re.compile(r"([A-Za-z_][\w.]*(?:Error|Exception))\b")

SKIPPED_BECAUSE = {
    E2eState.PENDING: "pending: skipped in the spec (it.skip)",
    E2eState.SKIPPED: "did not run (Cypress counts it as skipped)",
}


def _attribute(text: str) -> str:
    return _NOT_XML.sub("", one_line(text))


def _body(text: str) -> str:
    return _NOT_XML.sub("", redact_text(text))


def _seconds(milliseconds: int) -> str:
    return f"{max(0, milliseconds) / 1000:.3f}"


def _failure(test: E2eTest) -> ET.Element:
    failure = ET.Element("failure", message=_attribute(test.error_line or "(no error message)"))
    named = _ERROR_TYPE.match(test.error_line)
    if named:
        failure.set("type", named.group(1))
    lines = [test.error or test.error_line]
    if test.attempts > 1:
        lines.append(f"attempts: {test.attempts}")
    if test.screenshot:
        lines.append(f"screenshot: {test.screenshot}")
    lines.extend(f"did not run because of it: {blocked}" for blocked in test.blocks)
    failure.text = _body("\n".join(line for line in lines if line))
    return failure


def _skipped(test: E2eTest) -> ET.Element | None:
    if test.state == E2eState.NOT_RUN:
        return ET.Element("skipped", message=_attribute(f"did not run: {test.blocked_by} failed"))
    reason = SKIPPED_BECAUSE.get(test.state)
    return ET.Element("skipped", message=_attribute(reason)) if reason else None


def _testcase(test: E2eTest) -> ET.Element:
    case = ET.Element(
        "testcase",
        classname=_attribute(" > ".join(test.suites) or test.spec),
        name=_attribute(test.title),
    )
    if test.duration_ms is not None:
        case.set("time", _seconds(test.duration_ms))
    if test.failed:
        case.append(_failure(test))
    else:
        skipped = _skipped(test)
        if skipped is not None:
            case.append(skipped)
    return case


def _properties(job: AmplifyJob, results: E2eResults) -> ET.Element:
    properties = ET.Element("properties")
    for name, value in (
        ("amplify_app_id", job.app_id),
        ("amplify_branch", job.branch),
        ("amplify_job_id", job.job_id),
        ("amplify_step", f"{results.step} {results.step_status}"),
        ("amplify_source", results.described_source()),
        ("amplify_console_url", job.console_url),
    ):
        properties.append(ET.Element("property", name=name, value=_attribute(value)))
    return properties


def _suite(name: str, spec: str, job: AmplifyJob, results: E2eResults) -> ET.Element:
    tests = [test for test in results.tests if test.spec == spec]
    suite = ET.Element(
        "testsuite",
        name=_attribute(name),
        tests=str(len(tests)),
        failures=str(sum(test.failed for test in tests)),
        errors="0",
        skipped=str(sum(test.state != E2eState.PASSED and not test.failed for test in tests)),
        time=_seconds(sum(test.duration_ms or 0 for test in tests)),
        file=_attribute(spec),
    )
    suite.append(_properties(job, results))
    # Hooks after the tests of their suite: a CI lists a spec's tests first.
    for test in sorted(tests, key=lambda test: test.kind == HOOK):
        suite.append(_testcase(test))
    return suite


def _without_results(name: str, job: AmplifyJob, results: E2eResults) -> ET.Element:
    """A TEST step whose tests were not found: one testcase that says so, failed when
    the step failed, and where the plugin looked."""
    failed = results.step_status == "FAILED"
    suite = ET.Element(
        "testsuite",
        name=_attribute(name),
        tests="1",
        failures=str(int(failed)),
        errors="0",
        skipped=str(int(not failed)),
    )
    suite.append(_properties(job, results))
    case = ET.SubElement(suite, "testcase", classname=_attribute(results.step))
    case.set("name", NO_RESULTS_CASE)
    message = f"the {results.step} step {results.step_status}; {results.headline()}"
    element = ET.SubElement(case, "failure" if failed else "skipped", message=_attribute(message))
    element.text = _body("\n".join(f"looked at {place}" for place in results.looked))
    return suite


def _system_out(results: E2eResults) -> ET.Element | None:
    lines = [f"note: {note}" for note in results.notes]
    if not lines:
        return None
    out = ET.Element("system-out")
    out.text = _body("\n".join(lines))
    return out


def _reported(waits: Sequence[ReportedWait]) -> list[tuple[AmplifyJob, E2eResults]]:
    return [
        (wait.record.job, wait.record.e2e)
        for wait in waits
        if wait.record.job is not None and wait.record.e2e is not None
    ]


def e2e_document(waits: Sequence[ReportedWait]) -> ET.Element:
    """``<testsuites>`` of every job's end-to-end results, in the order of the waits."""
    reported = _reported(waits)
    root = ET.Element("testsuites", name=SUITES_NAME)
    several = len(reported) > 1
    for job, results in reported:
        qualifier = f" ({job.describe()})" if several else ""
        specs = list(dict.fromkeys(test.spec for test in results.tests))
        suites = [_suite(f"{spec}{qualifier}", spec, job, results) for spec in specs]
        if not suites:
            suites = [_without_results(f"{results.step}{qualifier}", job, results)]
        out = _system_out(results)
        if out is not None:
            suites[0].append(out)
        root.extend(suites)
    cases = list(root.iter("testcase"))
    root.set("tests", str(len(cases)))
    root.set("failures", str(sum(case.find("failure") is not None for case in cases)))
    root.set("errors", "0")
    return root


def write_e2e_junit(path: Path, waits: Sequence[ReportedWait]) -> str:
    """Write the file to ``path`` (its folder made if needed), atomically; what
    happened, in a line for the terminal."""
    root = e2e_document(waits)
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    ET.ElementTree(root).write(temporary, encoding="utf-8", xml_declaration=True)
    temporary.replace(path)
    jobs = len(_reported(waits))
    return (
        f"end-to-end JUnit file: {root.get('tests')} testcases of {jobs} "
        f"job{'s' if jobs != 1 else ''} written to {path}"
    )
