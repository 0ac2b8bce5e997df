"""Manual deployments (create-deployment, upload, start-deployment) as CI waits for
them: by the job id create-deployment returned. Such a job has jobType MANUAL, no
BUILD step, and a placeholder for a commit id."""

from __future__ import annotations

import pytest

from .seam import MANUAL_HINT

# The inner run's conftest: job 3 of branch main, a manual deployment that CI has
# just started (PENDING), deploys for a minute and succeeds or fails.
MANUAL_CONFTEST = """
import pytest
from pytest_amplify.testing import FakeStep
pytest_plugins = ["pytest_amplify.testing"]

@pytest.fixture(autouse=True)
def deployment(amplify_fake, request):
    amplify_fake.add_succeeded_job("d1", "main", job_type="MANUAL")
    amplify_fake.add_succeeded_job("d1", "main", job_type="MANUAL")
    outcome = getattr(request.module, "OUTCOME", "SUCCEED")
    steps = None
    if outcome == "FAILED":
        steps = [FakeStep("DEPLOY", status="FAILED", reason="The zip has no index.html"), "VERIFY"]
    job = amplify_fake.add_job("d1", "main", status="PENDING", job_type="MANUAL", steps=steps)
    job.then("RUNNING", after_seconds=20, running="DEPLOY").then(outcome, after_seconds=60)
    amplify_fake.serve_site("d1", "main", {"/": "<h1>Deployed from CI</h1>"})
    return job
"""


def test_a_manual_deployment_is_waited_for_by_its_job_id(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(MANUAL_CONFTEST)
    pytester.makepyfile(
        """
        import urllib.request
        from pytest_amplify import assert_steps_succeeded

        def test_deployed(amplify_job):
            assert (amplify_job.job_id, amplify_job.job_type) == ("3", "MANUAL")
            assert [step.name for step in amplify_job.steps] == ["DEPLOY", "VERIFY"]
            assert amplify_job.commit_id == "HEAD"  # the local service's placeholder
            assert_steps_succeeded(amplify_job)
            with urllib.request.urlopen(amplify_job.branch_url + "/") as page:
                assert page.read() == b"<h1>Deployed from CI</h1>"
        """
    )
    result = pytester.runpytest(
        "--amplify-app-id=d1", "--amplify-branch=main", "--amplify-job-id=3"
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "app d1, branch main, job 3: SUCCEED in 1m 20s (*",
            "  manual deployment (no git commit)",
            "  DEPLOY     SUCCEED *",
            "  VERIFY     SUCCEED *",
        ]
    )
    assert "matched commit" not in result.stdout.str()


def test_a_failed_manual_deployment_is_explained_by_its_deploy_step(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(MANUAL_CONFTEST)
    pytester.makepyfile(
        """
        OUTCOME = "FAILED"

        def test_deployed(amplify_job):
            pass
        """
    )
    result = pytester.runpytest(
        "--amplify-app-id=d1", "--amplify-branch=main", "--amplify-job-id=3"
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "Amplify job 3 FAILED in step DEPLOY: *The zip has no index.html* (app d1, branch main)",
            "*DEPLOY FAILED*The zip has no index.html*",
        ]
    )
    assert "BUILD" not in result.stdout.str()


def test_a_manual_deployment_is_never_matched_as_a_commit(pytester: pytest.Pytester) -> None:
    """Its commit id is a placeholder: waiting for "a commit" would pick any manual
    deployment that carries the same placeholder."""
    pytester.makeconftest(MANUAL_CONFTEST)
    pytester.makepyfile("def test_deployed(amplify_job):\n    pass\n")
    result = pytester.runpytest(
        "--amplify-app-id=d1",
        "--amplify-branch=main",
        "--amplify-commit-id=HEAD",
        "--amplify-timeout=5m",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "Timed out after 5m 00s waiting for a job of commit HEAD to be listed on app d1, branch main*"
        ]
    )
    assert MANUAL_HINT in result.stdout.str()
