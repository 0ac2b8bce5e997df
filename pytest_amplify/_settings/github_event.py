"""The GitHub Actions event of the run, read when ``amplify_github_event`` is on.

On a ``pull_request`` or ``pull_request_target`` event, ``GITHUB_SHA`` and
``GITHUB_REF_NAME`` (``N/merge``) describe GitHub's merge commit, which Amplify
does not build. The pull request's number and its head commit are in the event
file at ``GITHUB_EVENT_PATH``: ``pull_request.number`` and
``pull_request.head.sha``. That Amplify records the head commit for a preview's
build is our reading of how it builds previews, not checked against a real app.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._core.errors import AmplifyConfigError
from .._core.vocabulary import preview_branch
from .settings import Settings, values_given

PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")
SWITCH = "amplify_github_event"


@dataclasses.dataclass(frozen=True)
class PullRequestEvent:
    """What a pull request event says about the pull request."""

    event_name: str
    number: int
    head_sha: str
    action: str | None = None

    @property
    def source(self) -> str:
        """Where the number and the head commit came from (in messages and the summary)."""
        return _source(self.event_name)


def _source(event_name: str) -> str:
    return f"the {event_name} event in GITHUB_EVENT_PATH"


def _event_error(reason: str) -> AmplifyConfigError:
    return AmplifyConfigError(f"{SWITCH} is on, but {reason}")


def _read_json(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise _event_error(
            f"the event file GITHUB_EVENT_PATH = {path!r} cannot be read ({exc.strerror or exc})"
        ) from None
    except ValueError:
        raise _event_error(f"the event file GITHUB_EVENT_PATH = {path!r} is not JSON") from None


def read_pull_request_event(environ: Mapping[str, str]) -> PullRequestEvent | None:
    """The pull request of a ``pull_request`` / ``pull_request_target`` run; ``None``
    for other events and outside GitHub Actions (no ``GITHUB_EVENT_NAME``)."""
    name = environ.get("GITHUB_EVENT_NAME", "")
    if name not in PULL_REQUEST_EVENTS:
        return None
    path = environ.get("GITHUB_EVENT_PATH", "")
    if not path:
        raise _event_error(f"GITHUB_EVENT_NAME is {name} and GITHUB_EVENT_PATH is not set")
    data = _read_json(path)
    pull_request = data.get("pull_request") if isinstance(data, dict) else None
    if not isinstance(pull_request, dict):
        raise _event_error(f"the {name} event in {path} has no pull_request object")
    number = pull_request.get("number")
    head = pull_request.get("head")
    sha = head.get("sha") if isinstance(head, dict) else None
    if number is None:
        raise _event_error(f"the {name} event in {path} has no pull_request.number")
    if sha is None:
        raise _event_error(f"the {name} event in {path} has no pull_request.head.sha")
    action = data.get("action")
    # Read as every setting's values are read: a bad one is named with its source.
    read = values_given({"pull_request": number, "commit_id": sha}, lambda setting: _source(name))
    return PullRequestEvent(
        name,
        read["pull_request"].value,
        read["commit_id"].value,
        action if isinstance(action, str) else None,
    )


def closed_message(event: PullRequestEvent) -> str:
    return (
        f"pull request {event.number} was closed (the {event.event_name} event's action is "
        f"'closed'): Amplify deletes its preview, branch {preview_branch(event.number)}, when "
        "the pull request closes, so there is no deployment to test. Run the smoke tests on "
        "the opened, synchronize and reopened actions (the event's default types)"
    )


def apply_event(settings: Settings, event: PullRequestEvent | None) -> Settings:
    """The settings with the event's pull request and head commit, when the switch is
    on and the run is a pull request's: they take the place of the branch, pull
    request, job and commit from the command line, the ini and the environment."""
    if event is None or not settings.github_event.value:
        return settings
    if event.action == "closed":
        raise AmplifyConfigError(closed_message(event))
    # One source for both: a marker that picks another branch drops the commit too.
    values = {"pull_request": event.number, "commit_id": event.head_sha}
    return settings.given(values_given(values, lambda name: event.source))
