"""The internals that tests need, in one place: tests import them from here."""

from __future__ import annotations

from pytest_amplify.plugin import NOT_SUCCEEDED, NOT_SUCCEEDED_SESSION

__all__ = ["NOT_SUCCEEDED", "NOT_SUCCEEDED_SESSION"]
