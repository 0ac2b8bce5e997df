"""What a setting's declaration says (:class:`Option`), and a value with its source
(:class:`Setting`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Generic, NamedTuple, TypeVar

from ._errors import AmplifyConfigError
from ._setting_parsers import SettingError, text_value

T = TypeVar("T")

ENVIRONMENT = "environment variable "


class Setting(Generic[T]):
    """A value and where it came from (``--amplify-timeout``, ``default``, ...);
    immutable, compared by value and source.

    Written out, not a frozen dataclass: every pytest run builds this class, the
    plugin's unused runs too, and the dataclass machinery cost start-up 2.6 million
    instructions more (0.12% of benchmarks/startup.py's run).
    """

    __slots__ = ("source", "value")
    value: T
    source: str

    def __init__(self, value: T, source: str) -> None:
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "source", source)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Setting is immutable: cannot assign {name}")

    def __repr__(self) -> str:
        return f"Setting(value={self.value!r}, source={self.source!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Setting):
            return NotImplemented
        return (self.value, self.source) == (other.value, other.source)

    def __hash__(self) -> int:
        return hash((self.value, self.source))

    def __reduce__(self) -> tuple[type[Setting[T]], tuple[T, str]]:
        # copy and pickle would otherwise restore the slots through __setattr__.
        return (Setting, (self.value, self.source))


class Option(NamedTuple):
    """Everything about one setting but its value (derived from its declaration).

    A NamedTuple, not a frozen dataclass: it is built in every pytest run, the
    plugin's unused ones too, and a frozen dataclass of these 15 fields takes about
    2.5 times as many instructions to build (10 million against 4, measured alone).
    """

    name: str
    flag: str
    parse: Callable[[str], Any]
    default: Any
    help: str
    metavar: str = "VALUE"
    env: tuple[str, ...] = ()
    # A flag that takes no value and sets this one (--amplify-allow-failed).
    flag_sets: Any = None
    ini_help: str | None = None
    marker: bool = False
    overridable: bool = False
    none_is_default: bool = False
    python_value: Callable[[Option, object], Any] = text_value
    # An environment variable that is set but blank counts as unset.
    blank_env_is_unset: bool = False
    # The environment's value is not used when this other setting was given on the
    # command line or in the ini (the command line beats the environment).
    env_yields_to: str | None = None

    @property
    def ini(self) -> str:
        return f"amplify_{self.name}"

    def value_of(self, raw: object, source: str) -> Setting[Any]:
        """The one path from a value to a setting, whatever the source (a flag, the
        ini, the environment, a marker, an override, the GitHub event): converted and
        checked by :attr:`python_value`, or an :class:`AmplifyConfigError` that names
        the setting, the value, its source and what to write instead."""
        try:
            return Setting(self.python_value(self, raw), source)
        except SettingError as exc:
            raise AmplifyConfigError(f"{self.ini} = {raw!r} (from {source}): {exc}") from None

    @property
    def dest(self) -> str:
        return f"amplify_{self.name}"


def declare(**spec: Any) -> Any:
    return dataclasses.field(metadata={"option": spec})
