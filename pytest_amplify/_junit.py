"""JUnit: the Amplify facts of each test as testcase properties."""

from __future__ import annotations

from ._model import AmplifyJob
from ._target import Target


def junit_properties(target: Target, job: AmplifyJob | None) -> list[tuple[str, str]]:
    return [
        ("amplify_app_id", target.app_id),
        ("amplify_branch", target.branch),
        ("amplify_job_id", job.job_id if job else target.job_id),
        ("amplify_job_status", job.status if job else "WAIT_FAILED"),
    ]
