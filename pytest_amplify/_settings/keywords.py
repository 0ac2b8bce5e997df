"""``@pytest.mark.amplify`` and ``amplify_jobs.wait(...)``: keywords that retarget
the job, each value made a setting by the one path (``Option.value_of``), over the
settings that declare themselves settable by the marker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._core.errors import AmplifyConfigError
from .settings import MARKER_KEYWORDS, Settings, closest_name, values_given

if TYPE_CHECKING:
    import pytest

MARKER = "@pytest.mark.amplify"


def apply_keywords(
    settings: Settings, kwargs: Mapping[str, object], caller: str, where: str
) -> Settings:
    """``caller``'s keywords (``@pytest.mark.amplify``, ``amplify_jobs.wait``) over the
    settings; raises on unknown ones. ``where`` names the test in messages."""
    unknown = sorted(set(kwargs) - set(MARKER_KEYWORDS))
    if unknown:
        named = ", ".join(
            f"{name} (did you mean {match}?)"
            if (match := closest_name(name, MARKER_KEYWORDS))
            else name
            for name in unknown
        )
        raise AmplifyConfigError(
            f"{caller} got unknown keyword{'s' if len(unknown) > 1 else ''} {named} "
            f"in {where}; it takes {', '.join(MARKER_KEYWORDS)}"
        )
    return settings.given(values_given(kwargs, lambda name: f"{caller}({name}=...)"))


def apply_marker(settings: Settings, kwargs: Mapping[str, object], where: str) -> Settings:
    """``@pytest.mark.amplify`` keywords over the settings."""
    return apply_keywords(settings, kwargs, MARKER, where)


def marker_kwargs(item: pytest.Item) -> dict[str, Any]:
    """``@pytest.mark.amplify`` keywords, the closest marker winning per keyword."""
    merged: dict[str, Any] = {}
    for marker in item.iter_markers("amplify"):
        if marker.args:
            raise AmplifyConfigError(
                f"{MARKER} takes keywords only, not {marker.args!r} ({item.nodeid})"
            )
        for key, value in marker.kwargs.items():
            merged.setdefault(key, value)
    return merged
