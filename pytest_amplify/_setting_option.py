"""What a setting's declaration says (:class:`Option`), and a value with its source
(:class:`Setting`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ._setting_parsers import text_value

T = TypeVar("T")

ENVIRONMENT = "environment variable "


@dataclasses.dataclass(frozen=True)
class Setting(Generic[T]):
    """A value and where it came from (``--amplify-timeout``, ``default``, ...)."""

    value: T
    source: str


@dataclasses.dataclass(frozen=True)
class Option:
    """Everything about one setting but its value (derived from its declaration)."""

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

    @property
    def dest(self) -> str:
        return f"amplify_{self.name}"


def declare(**spec: Any) -> Any:
    return dataclasses.field(metadata={"option": spec})
