"""How the fixtures fail: with the plugin's message alone, no traceback of ours."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest

from .._core.errors import AmplifyError

T = TypeVar("T")


def or_fail(call: Callable[[], T]) -> T:
    """``call()``, its AmplifyError failing the test with the message alone."""
    __tracebackhide__ = True
    try:
        return call()
    except AmplifyError as exc:
        message = str(exc)
    # Failing outside the except block keeps "During handling of the above
    # exception" out of the report: the message is the whole story.
    pytest.fail(message, pytrace=False)
