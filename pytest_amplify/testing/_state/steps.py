"""Steps as the local service serves them: what each typical step produces, and how
a step ends when its job fails or is cancelled."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from ..._core.model import KNOWN_STATUSES
from .content import TYPICAL_SITE_FILES, FileBody, build_log, typical_screenshots
from .cypress_runs import TEST_PHASE_CONFIG, TESTS_FAILED_REASON, cypress_run

GIT_STEPS = ("BUILD", "TEST", "DEPLOY", "VERIFY")
MANUAL_STEPS = ("DEPLOY", "VERIFY")


def check_status(status: object, where: str, allow_unknown: bool = False) -> str:
    if not isinstance(status, str) or not status:
        raise ValueError(f"{where}: a status is a non-empty string, not {status!r}")
    if status not in KNOWN_STATUSES and not allow_unknown:
        raise ValueError(
            f"{where}: unknown status {status!r}; Amplify's statuses are "
            f"{', '.join(KNOWN_STATUSES)} (pass allow_unknown_status=True to serve a new one)"
        )
    return status


@dataclasses.dataclass
class FakeStep:
    """A step as the local service serves it.

    ``log=None`` serves a generated log; ``with_log=False`` serves no ``logUrl``.
    ``artifacts``, ``test_artifacts`` (file name -> content) and ``screenshots``
    (device name -> image bytes) are served as files behind presigned-style URLs;
    ``test_artifacts`` both as a zip at ``testArtifactsUrl`` and through
    ListArtifacts, or only through ListArtifacts with ``test_artifacts_zip=False``.
    """

    name: str
    status: str = "SUCCEED"
    reason: str | None = None
    context: str | None = None
    log: FileBody | None = None
    with_log: bool = True
    artifacts: Mapping[str, bytes | str] | None = None
    test_artifacts: Mapping[str, bytes | str] | None = None
    test_config: str | None = None
    test_artifacts_zip: bool = True
    screenshots: Mapping[str, bytes] | None = None
    allow_unknown_status: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"a step needs a name, not {self.name!r}")
        check_status(self.status, f"step {self.name}", self.allow_unknown_status)

    def log_body(self) -> FileBody:
        if self.log is not None:
            return self.log
        return build_log(self.name, self.status, self.reason)

    def with_status(self, status: str, allow_unknown: bool = False) -> FakeStep:
        check_status(status, f"step {self.name}", allow_unknown)
        return dataclasses.replace(self, status=status, allow_unknown_status=True)


def typical_step(name: str) -> FakeStep:
    """A succeeded step with what Amplify's step of that name produces."""
    upper = name.upper()
    if upper == "BUILD":
        return FakeStep(name, artifacts=dict(TYPICAL_SITE_FILES))
    if upper == "TEST":
        # The passing run's report and files; the log is generated, so that a job
        # scripted to fail in its TEST step does not end with the passing run's log.
        return dataclasses.replace(cypress_test_step("passing", name=name), log=None)
    if upper == "VERIFY":
        return FakeStep(name, screenshots=typical_screenshots())
    return FakeStep(name)


def typical_steps(manual: bool = False) -> list[FakeStep]:
    """BUILD, TEST, DEPLOY, VERIFY for a git-connected app; DEPLOY, VERIFY for a
    manual (zip) deployment."""
    return [typical_step(name) for name in (MANUAL_STEPS if manual else GIT_STEPS)]


# Why a step that the job's failure or cancellation ended says it ended, by step
# name; a step of another name gets the generic reason.
FAILURE_REASONS: Mapping[str, str] = {
    "BUILD": "Build failed: npm ERR! missing script: build",
    "TEST": "Test failed: 1 of 3 Cypress specs failed",
    "DEPLOY": "Deploy failed: the build output has no index.html",
    "VERIFY": "Verify failed: the site answered 500",
}
CANCELLED_REASON = "Job was cancelled"
# The statuses a job or a step ends with when it did not succeed.
UNSUCCESSFUL = frozenset({"FAILED", "CANCELLED"})


def ended_step(name: str, status: str, reason: str | None = None) -> FakeStep:
    """Step ``name`` ended ``FAILED`` or ``CANCELLED`` with ``reason`` (a typical one
    by default) and a log that ends with it; it produced no files."""
    if reason is None:
        generic = f"{name} failed"
        reason = CANCELLED_REASON if status == "CANCELLED" else FAILURE_REASONS.get(name, generic)
    return FakeStep(name, status=status, reason=reason, log=build_log(name, status, reason))


def failed_build_step(reason: str = FAILURE_REASONS["BUILD"], log: str | None = None) -> FakeStep:
    step = ended_step("BUILD", "FAILED", reason)
    return step if log is None else dataclasses.replace(step, log=log)


def ended_steps(
    job_steps: Sequence[FakeStep], before: Sequence[FakeStep], status: str
) -> list[FakeStep]:
    """The steps of a job that ends ``status`` (FAILED or CANCELLED) without its
    script saying which step did: the step in progress in ``before`` (what the last
    answer showed), or the next one not started, or the first, ends ``status``;
    the steps before it are as they were, and the steps after it are absent, as
    Amplify runs no step after one that failed or was cancelled."""
    if not job_steps:
        return []
    unfinished = (i for i, step in enumerate(before) if step.status != "SUCCEED")
    index = next(unfinished, len(before))
    if index >= len(before) and index >= len(job_steps):
        index = len(before) - 1  # every step had succeeded: the last one ends instead
    name = before[index].name if index < len(before) else job_steps[index].name
    by_name = {step.name.upper(): step for step in job_steps}
    base = by_name.get(name.upper(), before[index] if index < len(before) else job_steps[0])
    ended = ended_step(base.name, status, base.reason)
    if base.log is not None or not base.with_log:
        ended = dataclasses.replace(ended, log=base.log, with_log=base.with_log)
    return [*before[:index], ended]


def cypress_test_step(
    run: str = "failing",
    *,
    artifacts: bool = True,
    zip_url: bool = True,
    merged: bool = True,
    name: str = "TEST",
) -> FakeStep:
    """A TEST step as Amplify's test phase leaves it after a Cypress run, from runs of
    the real tools (mocha, mochawesome, mochawesome-merge): ``"failing"`` (FAILED: a
    retried test, two failed tests, a pending one, a failing ``before all`` hook
    that kept two tests from running) or ``"passing"`` (SUCCEED, three tests).

    Its log is the run's; its test artifacts (the report, failure screenshots,
    videos) are served as a zip at ``testArtifactsUrl`` and through ListArtifacts;
    ``zip_url=False`` leaves out the zip, ``artifacts=False`` every artifact (the
    step then has only its log), ``merged=False`` has each spec's report instead of
    the merged one."""
    made = cypress_run(run)
    failed = made.status == "FAILED"
    return FakeStep(
        name,
        status=made.status,
        reason=TESTS_FAILED_REASON if failed else None,
        log=made.log,
        test_artifacts=made.test_artifacts(merged=merged) if artifacts else None,
        test_artifacts_zip=zip_url,
        test_config=TEST_PHASE_CONFIG,
    )


def verify_step(
    screenshots: Mapping[str, bytes] | None = None, status: str = "SUCCEED"
) -> FakeStep:
    return FakeStep(
        "VERIFY",
        status=status,
        screenshots=dict(screenshots) if screenshots else typical_screenshots(),
    )
