"""One verdict per run for each site check (``assert_serves_build``): a stale site
costs the whole bound, so the same job, URLs, expectation and bound are checked
once, and every later call gets that verdict at once, in this process or, under
xdist, in any worker (through the run's shared folder, as waits are shared)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .xdist_sharing import SharedWaits


class ServeVerdicts:
    """The run's :class:`~pytest_amplify._core.policies.SiteVerdicts`. ``where``
    names the test running now; ``shared`` is the run's shared folder under xdist."""

    def __init__(self, where: Callable[[], str], shared: Callable[[], SharedWaits | None]) -> None:
        self._where = where
        self._shared = shared
        # key -> (verdict, the test that decided it, what decided it: a callable
        # compared by identity must outlive its key)
        self._kept: dict[str, tuple[dict[str, Any], str, object]] = {}

    def once(
        self, key: str, shareable: bool, decide: Callable[[], dict[str, Any]]
    ) -> tuple[dict[str, Any], str | None]:
        kept = self._kept.get(key)
        if kept is not None:
            return kept[0], kept[1]
        where = self._where()
        shared = self._shared() if shareable else None
        if shared is None:
            verdict, first = decide(), None
            self._kept[key] = (verdict, where, decide)
            return verdict, first

        def decided_here() -> dict[str, Any]:
            return {"verdict": decide(), "where": where}

        found, computed = shared.once(
            f"serve verdict {key}", decided_here, write=_plain, read=_plain
        )
        self._kept[key] = (found["verdict"], found["where"], decide)
        return found["verdict"], None if computed else found["where"]


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return data
