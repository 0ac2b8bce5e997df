"""A user's typed code: it imports every name in ``pytest_amplify.__all__``.

``.ci/run`` runs ``mypy --strict`` on it, so that the names users import type-check
as they are exported (a derived ``__all__`` once made mypy reject them);
``tests/test_public_api.py`` checks that it imports them all.
"""

from __future__ import annotations

from pytest_amplify import (
    TERMINAL_STATUSES,
    AmplifyAssertionError,
    AmplifyConfigError,
    AmplifyError,
    AmplifyFetchError,
    AmplifyJob,
    AmplifyJobs,
    AmplifyResponseError,
    AmplifyScreenshotsChangedError,
    AmplifyServiceError,
    AmplifyStepNotFoundError,
    AmplifyTimeoutError,
    AmplifyUnreachableError,
    AmplifyUrlExpiredError,
    AmplifyWaitError,
    Credentials,
    E2eResults,
    E2eState,
    E2eTest,
    Fetcher,
    ImageInfo,
    JobStatus,
    JobStep,
    NotAnImage,
    ServedBuild,
    SettingsOverride,
    WaitClock,
    assert_artifacts,
    assert_e2e_passed,
    assert_job_status,
    assert_job_succeeded,
    assert_log_contains,
    assert_log_not_contains,
    assert_screenshots,
    assert_screenshots_rendered,
    assert_screenshots_unchanged,
    assert_serves_build,
    assert_step_status,
    assert_step_succeeded,
    assert_steps_succeeded,
    assert_test_artifacts,
    download_artifacts,
    download_test_artifact,
    image_info,
    iter_log_lines,
    list_test_artifacts,
    override_settings,
    read_e2e_results,
    read_log,
    redact_text,
    redact_url,
    screenshot_bytes,
)


def is_succeeded(job: AmplifyJob) -> bool:
    return job.status == JobStatus.SUCCEED
