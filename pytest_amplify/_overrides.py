"""Settings overrides: values that beat the command line, the ini and the environment
while a block runs (the local service's fixtures, a demo conftest)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from ._aws import Credentials
from ._clock import WaitClock
from ._setting_parsers import SettingError
from ._settings import OPTIONS_BY_NAME, OVERRIDABLE, Settings


@dataclasses.dataclass(frozen=True)
class SettingsOverride:
    """Values that beat the command line, the ini and the environment while active.

    The local service's fixtures use one to point the plugin at themselves; a
    conftest can use one to run a demo when nothing is configured. ``clock``
    makes waits run on a simulated clock; ``credentials`` replace boto3's chain.
    """

    values: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    credentials: Credentials | None = None
    clock: WaitClock | None = None
    source: str = "an override"

    def __post_init__(self) -> None:
        unknown = sorted(set(self.values) - set(OVERRIDABLE))
        if unknown:
            raise ValueError(
                f"cannot override {', '.join(unknown)}; overridable: {', '.join(OVERRIDABLE)}"
            )
        parsed = {}
        for name, value in self.values.items():
            if isinstance(value, str):
                try:
                    value = OPTIONS_BY_NAME[name].parse(value)
                except SettingError as exc:
                    raise ValueError(f"override {name}={value!r}: {exc}") from None
            parsed[name] = value
        object.__setattr__(self, "values", parsed)

    def apply(self, settings: Settings) -> Settings:
        for name, value in self.values.items():
            settings = settings.replace(name, value, self.source)
        return settings.pick_job(self.values, self.source).pick_branch(self.values, self.source)


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
