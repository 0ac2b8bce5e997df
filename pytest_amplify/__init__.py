"""pytest-amplify: wait for AWS Amplify Hosting jobs and assert on what they deployed.

Everything users import comes from here; the modules behind it are private.

PYTEST_DONT_REWRITE: the package has no asserts for pytest to rewrite, and users'
conftest files often import it before pytest would get the chance.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._amplify_jobs import AmplifyJobs
    from ._assertions import (
        assert_job_status,
        assert_job_succeeded,
        assert_step_status,
        assert_step_succeeded,
        assert_steps_succeeded,
    )
    from ._aws import Credentials
    from ._clock import WaitClock
    from ._downloads import Fetcher
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
    from ._file_assertions import assert_artifacts, assert_screenshots, assert_test_artifacts
    from ._images import ImageInfo, NotAnImage, image_info
    from ._log_assertions import assert_log_contains, assert_log_not_contains
    from ._model import TERMINAL_STATUSES, AmplifyJob, JobStatus, JobStep
    from ._overrides import SettingsOverride
    from ._redact import redact_text, redact_url
    from ._serves_build import ServedBuild, assert_serves_build
    from ._stash import override_settings
    from ._step_files import (
        download_artifacts,
        download_test_artifact,
        iter_log_lines,
        list_test_artifacts,
        read_log,
        screenshot_bytes,
    )

# The plugin module is imported in every pytest run once the package is installed,
# and importing it runs this file first: names load on first use, so that a run
# that never uses them pays nothing for them.
_LAZY = {
    "AmplifyAssertionError": "._errors",
    "AmplifyConfigError": "._errors",
    "AmplifyError": "._errors",
    "AmplifyFetchError": "._errors",
    "AmplifyJob": "._model",
    "AmplifyJobs": "._amplify_jobs",
    "AmplifyResponseError": "._errors",
    "AmplifyServiceError": "._errors",
    "AmplifyStepNotFoundError": "._errors",
    "AmplifyTimeoutError": "._errors",
    "AmplifyUnreachableError": "._errors",
    "AmplifyUrlExpiredError": "._errors",
    "AmplifyWaitError": "._errors",
    "Credentials": "._aws",
    "Fetcher": "._downloads",
    "ImageInfo": "._images",
    "JobStatus": "._model",
    "JobStep": "._model",
    "NotAnImage": "._images",
    "ServedBuild": "._serves_build",
    "SettingsOverride": "._overrides",
    "TERMINAL_STATUSES": "._model",
    "WaitClock": "._clock",
    "assert_artifacts": "._file_assertions",
    "assert_job_status": "._assertions",
    "assert_job_succeeded": "._assertions",
    "assert_log_contains": "._log_assertions",
    "assert_log_not_contains": "._log_assertions",
    "assert_screenshots": "._file_assertions",
    "assert_serves_build": "._serves_build",
    "assert_step_status": "._assertions",
    "assert_step_succeeded": "._assertions",
    "assert_steps_succeeded": "._assertions",
    "assert_test_artifacts": "._file_assertions",
    "download_artifacts": "._step_files",
    "download_test_artifact": "._step_files",
    "image_info": "._images",
    "iter_log_lines": "._step_files",
    "list_test_artifacts": "._step_files",
    "override_settings": "._stash",
    "read_log": "._step_files",
    "redact_text": "._redact",
    "redact_url": "._redact",
    "screenshot_bytes": "._step_files",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_amplify' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


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
    "ServedBuild",
    "SettingsOverride",
    "WaitClock",
    "assert_artifacts",
    "assert_job_status",
    "assert_job_succeeded",
    "assert_log_contains",
    "assert_log_not_contains",
    "assert_screenshots",
    "assert_serves_build",
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
