"""How the fixtures fail: with the plugin's message alone, no traceback of ours, and
its first line, the cause, as what pytest's short summary and JUnit's failure message
show."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from .._core.errors import AmplifyError

if TYPE_CHECKING:
    from .._checks.assertions import Explanations

T = TypeVar("T")

# Set on the failures the fixtures raise, so that their reports can be told apart: the
# test the failure was raised for.
FIXTURE_FAILURE = "amplify_fixture_failure"


def or_fail(call: Callable[[], T], explanations: Explanations | None = None, test: str = "") -> T:
    """``call()``, its AmplifyError failing the test with the message alone; with
    ``explanations``, in full for the first test it stops and in a line for later ones."""
    __tracebackhide__ = True
    try:
        return call()
    except AmplifyError as exc:
        told = explanations.error(exc, test) if explanations is not None else exc
        message = str(told)
    # Failing outside the except block keeps "During handling of the above
    # exception" out of the report: the message is the whole story.
    failure = pytest.fail.Exception(message, pytrace=False)
    setattr(failure, FIXTURE_FAILURE, test)
    raise failure


def is_fixture_failure(excinfo: pytest.ExceptionInfo[Any] | None) -> bool:
    """Whether the test failed with one of the fixtures' errors."""
    return excinfo is not None and isinstance(getattr(excinfo.value, FIXTURE_FAILURE, None), str)


def told_once(
    item: pytest.Item, report: pytest.TestReport, excinfo: pytest.ExceptionInfo[Any]
) -> None:
    """pytest raises a failed session- or module-scoped fixture's error again, cached,
    in every later test that uses it: those tests get the line that points to the
    first, as ``Explanations`` gives it to function-scoped fixtures."""
    first = getattr(excinfo.value, FIXTURE_FAILURE, "")
    lines = str(excinfo.value.msg).split("\n")
    if not first or first == item.nodeid or len(lines) == 1:
        return
    # Here, not at the top: pytest imports this module for any failed test.
    from .._checks.assertions import EXPLAINED_BEFORE

    pointer = EXPLAINED_BEFORE.format(cause=lines[0], first=first)
    try:
        raise pytest.fail.Exception(pointer, pytrace=False)
    except pytest.fail.Exception:
        report.longrepr = item.repr_failure(pytest.ExceptionInfo.from_current())


def summarize_by_cause(report: pytest.TestReport) -> None:
    """Make a fixture's failure show its first line, the cause, where pytest and the
    JUnit file give one line: the short test summary (which on CI, ``CI`` or
    ``BUILD_NUMBER`` set, would print the whole story again, log tail and all) and the
    failure's ``message`` attribute. The report's text keeps the whole story."""
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        crash.message = crash.message.split("\n")[0]
