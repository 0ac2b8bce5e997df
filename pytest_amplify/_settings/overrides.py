"""Settings overrides: values that beat the command line, the ini and the environment
while a block runs (the local service's fixtures, a demo conftest)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from .._amplify.aws import Credentials
from .._core.clock import WaitClock
from .._core.errors import AmplifyConfigError
from .settings import OVERRIDABLE, Settings, values_given
from .values import Setting


@dataclasses.dataclass(frozen=True)
class SettingsOverride:
    """Values that beat the command line, the ini and the environment while active.

    The local service's fixtures use one to point the plugin at themselves; a
    conftest can use one to run a demo when nothing is configured. ``clock``
    makes waits run on a simulated clock; ``credentials`` replace boto3's chain.
    Values are read as a marker's are, when the override is made: a bad one raises
    :class:`AmplifyConfigError` naming the setting, the value and ``source``.
    ``values`` holds them as the plugin uses them (``"90s"`` becomes ``90.0``).
    """

    values: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    credentials: Credentials | None = None
    clock: WaitClock | None = None
    source: str = "an override"
    settings: Mapping[str, Setting[Any]] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        __tracebackhide__ = True
        unknown = sorted(set(self.values) - set(OVERRIDABLE))
        if unknown:
            raise AmplifyConfigError(
                f"override_settings cannot set {', '.join(unknown)} ({self.source}); "
                f"it sets {', '.join(OVERRIDABLE)}"
            )
        given = values_given(self.values, lambda name: self.source)
        object.__setattr__(self, "settings", given)
        object.__setattr__(self, "values", {name: s.value for name, s in given.items()})

    def apply(self, settings: Settings) -> Settings:
        return settings.given(self.settings)


class OverrideStack:
    """The overrides active now, newest last."""

    def __init__(self) -> None:
        self._active: list[SettingsOverride] = []

    @contextlib.contextmanager
    def active(self, override: SettingsOverride) -> Iterator[SettingsOverride]:
        self._active.append(override)
        try:
            yield override
        finally:
            self._active.remove(override)

    def apply(self, settings: Settings) -> Settings:
        for override in self._active:
            settings = override.apply(settings)
        return settings

    def credentials(self) -> Credentials | None:
        return next((o.credentials for o in reversed(self._active) if o.credentials), None)

    def clock(self) -> WaitClock | None:
        return next((o.clock for o in reversed(self._active) if o.clock), None)
