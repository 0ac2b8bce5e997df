"""The GitHub Actions event of the run, read when ``amplify_github_event`` is on.

On a ``pull_request`` or ``pull_request_target`` event, ``GITHUB_SHA`` and
``GITHUB_REF_NAME`` (``N/merge``) describe GitHub's merge commit, which Amplify
does not build. The pull request's number and its head commit are in the event
file at ``GITHUB_EVENT_PATH``: ``pull_request.number`` and
``pull_request.head.sha``. That Amplify records the head commit for a preview's
build is our reading of how it builds previews, not checked against a real app.

Every other event (``push``, ``workflow_dispatch``, ``merge_group``, ...) leaves the
branch and the commit as given: there ``GITHUB_REF_NAME`` and ``GITHUB_SHA`` name a
branch and a commit that Amplify may build.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._core.errors import AmplifyConfigError
from .._core.vocabulary import preview_branch
from .settings import Settings, refuse_github_ref, values_given

PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")
SWITCH = "amplify_github_event"
# What the event may put in place of the values given below it.
EVENT_SETTINGS = ("branch", "pull_request", "commit_id", "job_id")


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


@dataclasses.dataclass(frozen=True)
class GitHubEvent:
    """The run's event: its name (``GITHUB_EVENT_NAME``; empty outside GitHub
    Actions) and, on a pull request event, the pull request."""

    name: str
    pull_request: PullRequestEvent | None = None

    def described(self) -> str:
        return (
            f"the {self.name} event" if self.name else "no GitHub event (GITHUB_EVENT_NAME unset)"
        )


def _source(event_name: str) -> str:
    return f"the {event_name} event in GITHUB_EVENT_PATH"


def _event_error(reason: str) -> AmplifyConfigError:
    return AmplifyConfigError(f"{SWITCH} is on, but {reason}")


def _event_file(path: str) -> str:
    return f"the event file GITHUB_EVENT_PATH = {path!r}"


def _read_json(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise _event_error(f"{_event_file(path)} cannot be read ({exc.strerror or exc})") from None
    except ValueError:
        raise _event_error(f"{_event_file(path)} is not JSON") from None


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
    where = f"the {name} event in {_event_file(path)}"
    if not isinstance(pull_request, dict):
        raise _event_error(f"{where} has no pull_request object")
    number = pull_request.get("number")
    head = pull_request.get("head")
    sha = head.get("sha") if isinstance(head, dict) else None
    if number is None:
        raise _event_error(f"{where} has no pull_request.number")
    if sha is None:
        raise _event_error(f"{where} has no pull_request.head.sha")
    action = data.get("action")
    # Read as every setting's values are read: a bad one is named with its source.
    read = values_given({"pull_request": number, "commit_id": sha}, lambda setting: _source(name))
    return PullRequestEvent(
        name,
        read["pull_request"].value,
        read["commit_id"].value,
        action if isinstance(action, str) else None,
    )


def read_event(environ: Mapping[str, str]) -> GitHubEvent:
    """The run's GitHub event; reads the event file only on a pull request event."""
    return GitHubEvent(environ.get("GITHUB_EVENT_NAME", ""), read_pull_request_event(environ))


def closed_message(event: PullRequestEvent) -> str:
    return (
        f"pull request {event.number} was closed (the {event.event_name} event's action is "
        f"'closed'): Amplify deletes its preview, branch {preview_branch(event.number)}, when "
        "the pull request closes, so there is no deployment to test. Run the smoke tests on "
        "the opened, synchronize and reopened actions (the event's default types)"
    )


def apply_event(settings: Settings, event: GitHubEvent | None) -> Settings:
    """The settings with the event applied, when the switch is on. A pull request
    event's number and head commit take the place of the branch, pull request, job
    and commit from the command line, the ini and the environment (GitHub's
    ``N/merge`` ref included); any other event leaves them as given, and a GitHub ref
    left as the branch is an error."""
    if event is None or not settings.github_event.value:
        return settings
    pull_request = event.pull_request
    if pull_request is None:
        refuse_github_ref(
            settings.branch,
            lambda number: (
                f"{SWITCH} puts the preview in its place only on a pull_request "
                f"or pull_request_target event, and this run has {event.described()}"
            ),
        )
        return settings
    if pull_request.action == "closed":
        raise AmplifyConfigError(closed_message(pull_request))
    # One source for both: a marker that picks another branch drops the commit too.
    values = {"pull_request": pull_request.number, "commit_id": pull_request.head_sha}
    return settings.given(values_given(values, lambda name: pull_request.source))


def event_note(before: Settings, after: Settings, event: GitHubEvent) -> str:
    """What the event decided and why, for the report header: the preview in place of
    which given values, or the branch as given because the event is no pull request."""
    pull_request = event.pull_request
    if pull_request is None:
        branch = before.branch_to_test()
        kept = f"branch {branch.value} as given (from {branch.source})" if branch.value else ""
        why = (
            f"{event.name} is not a pull request event"
            if event.name
            else "GITHUB_EVENT_NAME is not set (not a GitHub Actions run)"
        )
        return f"{SWITCH}: {why}{': ' + kept if kept else ''}"
    set_aside = [
        f"amplify_{name} = {old.value} (from {old.source})"
        for name in EVENT_SETTINGS
        if (old := before.get(name)).value is not None
        and old.source != "default"
        and old.value != after.get(name).value
    ]
    replaced = f", in place of {'; '.join(set_aside)}" if set_aside else ""
    return (
        f"{SWITCH}: {event.name} event: pull request {pull_request.number}'s preview, "
        f"branch {preview_branch(pull_request.number)}, at its head commit "
        f"{pull_request.head_sha}{replaced}"
    )
