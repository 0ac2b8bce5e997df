"""pytest-amplify: wait for AWS Amplify Hosting jobs and assert on what they deployed.

Everything users import comes from here; the modules behind it are private.

PYTEST_DONT_REWRITE: the package has no asserts for pytest to rewrite, and users'
conftest files often import it before pytest would get the chance.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._amplify.aws import Credentials
    from ._amplify.downloads import Fetcher
    from ._checks.assertions import (
        assert_job_status,
        assert_job_succeeded,
        assert_step_status,
        assert_step_succeeded,
        assert_steps_succeeded,
    )
    from ._checks.file_assertions import (
        assert_artifacts,
        assert_screenshots,
        assert_screenshots_rendered,
        assert_screenshots_unchanged,
        assert_test_artifacts,
    )
    from ._checks.log_assertions import assert_log_contains, assert_log_not_contains
    from ._checks.serves_build import ServedBuild, assert_serves_build
    from ._checks.step_files import (
        download_artifacts,
        download_test_artifact,
        iter_log_lines,
        list_test_artifacts,
        read_log,
        screenshot_bytes,
    )
    from ._core.clock import WaitClock
    from ._core.e2e_results import E2eResults, E2eState, E2eTest
    from ._core.errors import (
        AmplifyAssertionError,
        AmplifyConfigError,
        AmplifyError,
        AmplifyFetchError,
        AmplifyResponseError,
        AmplifyScreenshotsChangedError,
        AmplifyServiceError,
        AmplifyStepNotFoundError,
        AmplifyTimeoutError,
        AmplifyUnreachableError,
        AmplifyUrlExpiredError,
        AmplifyWaitError,
    )
    from ._core.images import ImageInfo, NotAnImage, image_info
    from ._core.model import TERMINAL_STATUSES, AmplifyJob, JobStatus, JobStep
    from ._core.redact import redact_text, redact_url
    from ._e2e.assertion import assert_e2e_passed
    from ._e2e.lookup import read_e2e_results
    from ._run.amplify_jobs import AmplifyJobs
    from ._run.stash import override_settings
    from ._settings.overrides import SettingsOverride

# The plugin module is imported in every pytest run once the package is installed,
# and importing it runs this file first: names load on first use, so that a run
# that never uses them pays nothing for them.
_LAZY = {
    "AmplifyAssertionError": "._core.errors",
    "AmplifyConfigError": "._core.errors",
    "AmplifyError": "._core.errors",
    "AmplifyFetchError": "._core.errors",
    "AmplifyJob": "._core.model",
    "AmplifyJobs": "._run.amplify_jobs",
    "AmplifyResponseError": "._core.errors",
    "AmplifyScreenshotsChangedError": "._core.errors",
    "AmplifyServiceError": "._core.errors",
    "AmplifyStepNotFoundError": "._core.errors",
    "AmplifyTimeoutError": "._core.errors",
    "AmplifyUnreachableError": "._core.errors",
    "AmplifyUrlExpiredError": "._core.errors",
    "AmplifyWaitError": "._core.errors",
    "Credentials": "._amplify.aws",
    "E2eResults": "._core.e2e_results",
    "E2eState": "._core.e2e_results",
    "E2eTest": "._core.e2e_results",
    "Fetcher": "._amplify.downloads",
    "ImageInfo": "._core.images",
    "JobStatus": "._core.model",
    "JobStep": "._core.model",
    "NotAnImage": "._core.images",
    "ServedBuild": "._checks.serves_build",
    "SettingsOverride": "._settings.overrides",
    "TERMINAL_STATUSES": "._core.model",
    "WaitClock": "._core.clock",
    "assert_artifacts": "._checks.file_assertions",
    "assert_e2e_passed": "._e2e.assertion",
    "assert_job_status": "._checks.assertions",
    "assert_job_succeeded": "._checks.assertions",
    "assert_log_contains": "._checks.log_assertions",
    "assert_log_not_contains": "._checks.log_assertions",
    "assert_screenshots": "._checks.file_assertions",
    "assert_screenshots_rendered": "._checks.file_assertions",
    "assert_screenshots_unchanged": "._checks.file_assertions",
    "assert_serves_build": "._checks.serves_build",
    "assert_step_status": "._checks.assertions",
    "assert_step_succeeded": "._checks.assertions",
    "assert_steps_succeeded": "._checks.assertions",
    "assert_test_artifacts": "._checks.file_assertions",
    "download_artifacts": "._checks.step_files",
    "download_test_artifact": "._checks.step_files",
    "image_info": "._core.images",
    "iter_log_lines": "._checks.step_files",
    "list_test_artifacts": "._checks.step_files",
    "override_settings": "._run.stash",
    "read_e2e_results": "._e2e.lookup",
    "read_log": "._checks.step_files",
    "redact_text": "._core.redact",
    "redact_url": "._core.redact",
    "screenshot_bytes": "._checks.step_files",
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
    "AmplifyScreenshotsChangedError",
    "AmplifyServiceError",
    "AmplifyStepNotFoundError",
    "AmplifyTimeoutError",
    "AmplifyUnreachableError",
    "AmplifyUrlExpiredError",
    "AmplifyWaitError",
    "Credentials",
    "E2eResults",
    "E2eState",
    "E2eTest",
    "Fetcher",
    "ImageInfo",
    "JobStatus",
    "JobStep",
    "NotAnImage",
    "ServedBuild",
    "SettingsOverride",
    "WaitClock",
    "assert_artifacts",
    "assert_e2e_passed",
    "assert_job_status",
    "assert_job_succeeded",
    "assert_log_contains",
    "assert_log_not_contains",
    "assert_screenshots",
    "assert_screenshots_rendered",
    "assert_screenshots_unchanged",
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
    "read_e2e_results",
    "read_log",
    "redact_text",
    "redact_url",
    "screenshot_bytes",
]
