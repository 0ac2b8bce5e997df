"""Which tests used which jobs (or failed waits): for JUnit and pytest-html."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import pytest

from ._errors import AmplifyError
from ._junit import junit_properties
from ._wait_record import ItemJob

if TYPE_CHECKING:
    from ._model import AmplifyJob
    from ._session import AmplifySession
    from ._settings import Settings

_USES: pytest.StashKey[list[ItemJob]] = pytest.StashKey()
SESSION_JOB_FIXTURE = "amplify_job_session"


@dataclasses.dataclass
class SessionJobUse:
    """How the session-scoped job's fixture ended, and the fixtures through which
    tests reach it (``base_url`` too when it comes from the deployment)."""

    settings: Settings
    job: AmplifyJob | None
    error: str | None
    through: set[str] = dataclasses.field(default_factory=lambda: {SESSION_JOB_FIXTURE})


_SESSION_JOB: pytest.StashKey[SessionJobUse] = pytest.StashKey()


def record_use(
    item: pytest.Item,
    session: AmplifySession,
    settings: Settings,
    job: AmplifyJob | None,
    error: str | None = None,
) -> None:
    """Note that ``item`` used ``job`` (or a wait that failed with ``error``)."""
    try:
        target, _ = session.target(settings)
    except AmplifyError:
        return
    if any(use.target == target for use in uses_of(item)):
        return  # amplify_job and amplify_job_session in one test: one job
    item.user_properties.extend(junit_properties(target, job))
    item.stash.setdefault(_USES, []).append(ItemJob(target, job, error))


def uses_of(item: pytest.Item) -> list[ItemJob]:
    return item.stash.get(_USES, [])


def set_session_job(config: pytest.Config, use: SessionJobUse) -> None:
    config.stash[_SESSION_JOB] = use


def session_job_reached_through(config: pytest.Config, fixture_name: str) -> None:
    """Tests that use ``fixture_name`` (``base_url``) use the session's job too."""
    use = config.stash.get(_SESSION_JOB, None)
    if use is not None:
        use.through.add(fixture_name)


def record_session_job_use(item: pytest.Item, session: AmplifySession) -> None:
    """Note the session-scoped job on ``item`` when its fixtures reach it."""
    use = item.config.stash.get(_SESSION_JOB, None)
    if use is not None and use.through.intersection(getattr(item, "fixturenames", ())):
        record_use(item, session, use.settings, use.job, use.error)
