"""The line the plugin adds to pytest's report header.

Every run calls it, the plugin's unused runs too, so it imports only what start-up
has already loaded until it has something to say.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._core.durations import format_duration
from .._core.errors import AmplifyConfigError
from .._settings.settings import Settings
from .._settings.sources import apply_deferred


def header_lines(
    settings: Settings, deferred: dict[str, tuple[str, str]], environ: Mapping[str, str]
) -> list[str]:
    """``amplify: app d1, branch main, latest job, region eu-west-1``, and with
    ``amplify_github_event`` on, what the event decided and why; nothing when no app
    is configured (the plugin is installed but unused)."""
    event_line = None
    try:
        settings = apply_deferred(settings, deferred)
        if settings.github_event.value:
            from .._settings.github_event import apply_event, event_note, read_event

            event = read_event(environ)
            applied = apply_event(settings, event)
            event_line = "amplify: " + event_note(settings, applied, event)
            settings = applied
    except AmplifyConfigError:
        return []  # said by the first test that uses a fixture; unused, it is no one's business
    line = _target_line(settings)
    if line is None:
        return []
    from .._core.redact import one_line

    return [one_line(text) for text in (line, event_line) if text]


def _target_line(settings: Settings) -> str | None:
    app_id, branch = settings.app_id.value, settings.branch_to_test().value
    if not app_id and not branch:
        return None
    from .._core.target import Target, describe_job

    commit = settings.commit_id.value
    which = f"commit {commit}" if commit else Target("?", "?", settings.job_id.value).which
    parts = [describe_job(app_id or "?", branch or "?", which)]
    if settings.region.value:
        parts.append(f"region {settings.region.value}")
    elif settings.endpoint_url.value:
        # Said, not silent: requests to an endpoint with no region are signed for us-east-1.
        parts.append("region: AWS_DEFAULT_REGION or the profile's, else us-east-1")
    if settings.endpoint_url.value:
        parts.append(f"endpoint {settings.endpoint_url.value}")
    parts.append(f"timeout {format_duration(settings.timeout.value)}")
    if settings.base_url.value:
        parts.append("base_url: the deployed site unless given")
    return "amplify: " + ", ".join(parts)
