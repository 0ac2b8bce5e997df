"""pytest-amplify: wait for AWS Amplify Hosting jobs and assert on what they deployed.

Everything users import comes from here; the modules behind it are private.

PYTEST_DONT_REWRITE: the package has no asserts for pytest to rewrite, and users'
conftest files often import it before pytest would get the chance.
"""

from __future__ import annotations

from ._assertions import (
    assert_job_status,
    assert_job_succeeded,
    assert_step_status,
    assert_step_succeeded,
    assert_steps_succeeded,
)
from ._client import Credentials
from ._errors import (
    AmplifyAssertionError,
    AmplifyConfigError,
    AmplifyError,
    AmplifyFetchError,
    AmplifyResponseError,
    AmplifyServiceError,
    AmplifyStepNotFoundError,
    AmplifyTimeoutError,
    AmplifyUnreachableError,
    AmplifyUrlExpiredError,
    AmplifyWaitError,
)
from ._fetch import Fetcher
from ._file_assertions import (
    assert_artifacts,
    assert_log_contains,
    assert_log_not_contains,
    assert_screenshots,
    assert_test_artifacts,
)
from ._files import (
    download_artifacts,
    download_test_artifact,
    iter_log_lines,
    list_test_artifacts,
    read_log,
    screenshot_bytes,
)
from ._images import ImageInfo, NotAnImage, image_info
from ._jobs import AmplifyJobs
from ._model import TERMINAL_STATUSES, AmplifyJob, JobStatus, JobStep
from ._redact import redact_text, redact_url
from ._runtime import SettingsOverride, override_settings
from ._target import WaitClock

__all__ = [
    "TERMINAL_STATUSES",
    "AmplifyAssertionError",
    "AmplifyConfigError",
    "AmplifyError",
    "AmplifyFetchError",
    "AmplifyJob",
    "AmplifyJobs",
    "AmplifyResponseError",
    "AmplifyServiceError",
    "AmplifyStepNotFoundError",
    "AmplifyTimeoutError",
    "AmplifyUnreachableError",
    "AmplifyUrlExpiredError",
    "AmplifyWaitError",
    "Credentials",
    "Fetcher",
    "ImageInfo",
    "JobStatus",
    "JobStep",
    "NotAnImage",
    "SettingsOverride",
    "WaitClock",
    "assert_artifacts",
    "assert_job_status",
    "assert_job_succeeded",
    "assert_log_contains",
    "assert_log_not_contains",
    "assert_screenshots",
    "assert_step_status",
    "assert_step_succeeded",
    "assert_steps_succeeded",
    "assert_test_artifacts",
    "download_artifacts",
    "download_test_artifact",
    "image_info",
    "iter_log_lines",
    "list_test_artifacts",
    "override_settings",
    "read_log",
    "redact_text",
    "redact_url",
    "screenshot_bytes",
]
