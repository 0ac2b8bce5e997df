"""``@pytest.mark.amplify``: keywords merged closest-first, validated against the
settings that declare themselves settable by the marker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._errors import AmplifyConfigError
from ._setting_parsers import LATEST, SettingError
from ._settings import MARKER_KEYWORDS, OPTIONS_BY_NAME, Settings

if TYPE_CHECKING:
    import pytest

MARKER = "@pytest.mark.amplify"


def apply_marker(settings: Settings, kwargs: Mapping[str, object], where: str) -> Settings:
    """``@pytest.mark.amplify`` keywords over the settings; raises on unknown ones."""
    unknown = sorted(set(kwargs) - set(MARKER_KEYWORDS))
    if unknown:
        raise AmplifyConfigError(
            f"{MARKER} got unknown keyword{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)} ({where}); it takes {', '.join(MARKER_KEYWORDS)}"
        )
    if {"job_id", "commit_id"} <= set(kwargs) and kwargs["job_id"] not in (None, LATEST):
        raise AmplifyConfigError(
            f"{MARKER}(job_id=..., commit_id=...) ({where}) picks the job twice; "
            "give only one of them"
        )
    if {"branch", "pull_request"} <= set(kwargs) and None not in (
        kwargs["branch"],
        kwargs["pull_request"],
    ):
        raise AmplifyConfigError(
            f"{MARKER}(branch=..., pull_request=...) ({where}) picks the branch twice; "
            "give only one of them"
        )
    for name, value in kwargs.items():
        option = OPTIONS_BY_NAME[name]
        try:
            parsed = option.python_value(option, value)
        except SettingError as exc:
            raise AmplifyConfigError(f"{MARKER}({name}={value!r}) ({where}): {exc}") from None
        settings = settings.replace(name, parsed, f"{MARKER}({name}=...)")
    picked_by = "commit_id" if "commit_id" in kwargs else "job_id"
    settings = settings.pick_job(kwargs, f"{MARKER}({picked_by}=...)")
    branch_by = "pull_request" if "pull_request" in kwargs else "branch"
    settings = settings.pick_branch(kwargs, f"{MARKER}({branch_by}=...)")
    settings.check_consistent()
    return settings


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
