"""Which tests used which jobs (or failed waits): for JUnit and pytest-html."""

from __future__ import annotations

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
    item.user_properties.extend(junit_properties(target, job))
    item.stash.setdefault(_USES, []).append(ItemJob(target, job, error))


def uses_of(item: pytest.Item) -> list[ItemJob]:
    return item.stash.get(_USES, [])
