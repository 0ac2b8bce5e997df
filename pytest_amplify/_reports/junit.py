"""JUnit XML: the Amplify facts as testcase properties (xunit1, legacy), as
testsuite properties (every family), and in the text of a failed test's failure.

xunit2's schema (``junit-10.xsd``, pytest's default family) has no ``<properties>``
inside ``<testcase>``: that is why pytest warns about ``record_property`` under
xunit2. There the facts go to the testsuite's properties, one indexed set per
target, unless ``amplify_junit_testcase_properties`` asks for the invalid ones too.
Suite properties are added by the process that writes the file (the controller
under pytest-xdist: ``record_testsuite_property`` does nothing on workers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .._core.model import AmplifyJob
from .._core.redact import one_line
from .._core.target import Target

if TYPE_CHECKING:
    import pytest

    from .._core.records import ItemJob, ReportedWait

WAIT_FAILED = "WAIT_FAILED"
# junit_family values whose schema allows properties inside a testcase.
TESTCASE_PROPERTY_FAMILIES = frozenset({"xunit1", "legacy"})


def writes_testcase_properties(family: str, keep_under_xunit2: bool) -> bool:
    return family in TESTCASE_PROPERTY_FAMILIES or keep_under_xunit2


def junit_properties(target: Target, job: AmplifyJob | None) -> list[tuple[str, str]]:
    """The testcase properties of a test that used ``job`` (or a failed wait)."""
    properties = [
        ("amplify_app_id", target.app_id),
        ("amplify_branch", target.branch),
        ("amplify_job_id", job.job_id if job else target.job_id),
        ("amplify_job_status", job.status if job else WAIT_FAILED),
    ]
    return [(name, one_line(value)) for name, value in properties]


def failure_facts(uses: Sequence[ItemJob]) -> str:
    """What a failed test ran against, for the text of its failure: GitLab shows a
    JUnit failure's text and ignores properties, Jenkins keeps properties only with
    ``keepProperties: true`` but always shows the text (its "Stacktrace")."""
    lines = []
    for use in uses:
        if use.job is not None:
            job = use.job
            lines.append(f"{job.describe()}: {job.status}; console: {job.console_url}")
        else:
            error = (use.error or "").split("\n")[0]
            lines.append(f"{use.target.describe()}: {WAIT_FAILED}: {error}")
    return "\n".join(one_line(line) for line in lines)


def suite_properties(waits: Sequence[ReportedWait]) -> list[tuple[str, str]]:
    """``amplify_waits``, then ``amplify_N_app_id``, ``amplify_N_branch``, ... for
    the N-th wait (from 1)."""
    properties = [("amplify_waits", str(len(waits)))]
    for number, wait in enumerate(waits, start=1):
        record, job = wait.record, wait.record.job
        target = record.target
        values: list[tuple[str, str | None]] = [
            ("app_id", target.app_id),
            ("branch", target.branch),
            ("target", target.which),
            ("job_id", job.job_id if job else target.job_id),
            ("job_status", job.status if job else WAIT_FAILED),
            ("outcome", record.outcome),
            ("commit_id", job.commit_id if job else target.commit_id),
            ("console_url", job.console_url if job else None),
            ("error", record.error_line or None),
            ("tests", str(len(wait.tests))),
        ]
        properties.extend(
            (f"amplify_{number}_{name}", one_line(value))
            for name, value in values
            if value is not None
        )
    return properties


def add_suite_properties(config: pytest.Config, waits: Sequence[ReportedWait]) -> None:
    """Add the suite properties to the JUnit file pytest is about to write, if any."""
    # The writer's stash key is what pytest's own record_testsuite_property uses;
    # should a later pytest move it, the suite properties are left out, not the run.
    try:
        from _pytest.junitxml import xml_key
    except ImportError:
        return
    writer = config.stash.get(xml_key, None)
    if writer is None or not waits:
        return
    for name, value in suite_properties(waits):
        writer.add_global_property(name, value)
