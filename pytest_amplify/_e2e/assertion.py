"""``assert_e2e_passed``: the job's end-to-end tests passed, or a failure that lists
each failed test and hook, the tests a hook kept from running, their errors and
screenshots, and where the results came from.

Titles, errors and file names are outside text: every line of the message goes
through :class:`~pytest_amplify.AmplifyError`, which redacts it and keeps it on one
line; images embedded in a report are never printed.
"""

from __future__ import annotations

from .._amplify.downloads import Fetcher
from .._core.e2e_results import E2eResults
from .._core.errors import AmplifyAssertionError, AmplifyStepNotFoundError
from .._core.model import AmplifyJob
from .._core.vocabulary import TEST_STEP
from .lookup import MAX_REPORT_BYTES, read_e2e_results


def explain_e2e(job: AmplifyJob, results: E2eResults) -> list[str]:
    """Why the results are not a pass, as lines."""
    counts = results.counts
    step = f"the {results.step} step ({results.step_status})"
    if not counts.tests:
        headline = f"{step} ran no end-to-end test"
    elif counts.ran == 0 and not counts.failed_hooks:
        headline = f"{step} ran none of its {counts.tests} end-to-end tests: {counts.describe()}"
    elif not (counts.failed or counts.failed_hooks or counts.not_run or counts.skipped):
        headline = f"{step} FAILED, though its results show no failure: {counts.describe()}"
    else:
        headline = counts.describe()
    lines = [
        f"expected the end-to-end tests of {job.describe()} to pass: {headline}",
        f"results from {results.described_source()}",
    ]
    if results.looked:
        lines.append("where the plugin looked:")
        lines.extend(f"  {place}" for place in results.looked)
    lines.extend(results.failure_lines())
    lines.extend(f"note: {note}" for note in results.notes)
    lines.extend(results.screenshots_line())
    lines.append(f"console: {job.console_url}")
    return lines


def assert_e2e_passed(
    job: AmplifyJob,
    report: str | None = None,
    *,
    step: str = TEST_STEP,
    missing_step_ok: bool = False,
    fetcher: Fetcher | None = None,
    max_report_bytes: int = MAX_REPORT_BYTES,
) -> E2eResults | None:
    """The job's end-to-end tests (its TEST step) ran and passed.

    The failure lists each failed test and hook (spec, full title, the error's first
    line, its screenshot), the tests a failed hook kept from running, and where the
    results came from: the report in the test artifacts (``report``, a glob; default
    ``amplify_e2e_report``), or the TEST step's log. A step that ran no test is not a
    pass. A job without the step fails, unless ``missing_step_ok`` (then ``None`` is
    returned); on a pass the results are returned::

        results = assert_e2e_passed(amplify_job)
        assert results.counts.passed >= 10
    """
    __tracebackhide__ = True
    try:
        job.step(step)
    except AmplifyStepNotFoundError:
        if missing_step_ok:
            return None
        have = ", ".join(job.step_names) or "no steps"
        raise AmplifyAssertionError(
            f"expected the end-to-end tests of {job.describe()} to pass, but it has no "
            f"{step} step (it has: {have})",
            "Amplify runs the tests of a top-level test: section of amplify.yml in a TEST "
            "step; pass missing_step_ok=True where a job without one is expected",
        ) from None
    results = read_e2e_results(
        job, report, step=step, fetcher=fetcher, max_report_bytes=max_report_bytes
    )
    if results.passed:
        return results
    raise AmplifyAssertionError(*explain_e2e(job, results))
