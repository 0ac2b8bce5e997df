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
from ._files import download_artifacts, iter_log_lines, read_log, screenshot_bytes
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
    "JobStatus",
    "JobStep",
    "SettingsOverride",
    "WaitClock",
    "assert_job_status",
    "assert_job_succeeded",
    "assert_step_status",
    "assert_step_succeeded",
    "assert_steps_succeeded",
    "download_artifacts",
    "iter_log_lines",
    "override_settings",
    "read_log",
    "redact_text",
    "redact_url",
    "screenshot_bytes",
]
