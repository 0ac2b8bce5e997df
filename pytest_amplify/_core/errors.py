"""The project's exceptions, in one place (syrupy keeps its own in ``exceptions.py``)."""

from __future__ import annotations

from typing import Any, TypeVar

PUBLIC_MODULE = "pytest_amplify"

_E = TypeVar("_E", bound=type[BaseException])


def shown_as_public(cls: _E) -> _E:
    """Tracebacks and reprs name an exception as users import it
    (``pytest_amplify.NotAnImage``), not by the private module that defines it."""
    cls.__module__ = PUBLIC_MODULE
    return cls


@shown_as_public
class AmplifyError(Exception):
    """Base class of every error pytest-amplify raises.

    The message is given as lines: each is redacted and kept on one line (a line
    break in a status reason or a service's message cannot start a line of pytest's
    output), then they are joined, so that every line break is the plugin's own.
    """

    def __init__(self, *lines: str) -> None:
        from .redact import lines_text

        super().__init__(lines_text(lines))

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt from its lines, not from the joined message (one line each).
        return (_rebuild, (type(self), str(self)))

    def told_as(self, *lines: str) -> AmplifyError:
        """The same error (its type and state) told in other words: for a later test,
        a line that points to where the whole story was told."""
        return type(self)(*lines)


def _rebuild(cls: type[AmplifyError], message: str) -> AmplifyError:
    return cls(*message.split("\n"))


@shown_as_public
class AmplifyAssertionError(AmplifyError, AssertionError):
    """An ``assert_*`` helper found the job, a step or a file not as expected."""


@shown_as_public
class AmplifyScreenshotsChangedError(AmplifyAssertionError):
    """``assert_screenshots_unchanged`` found screenshots that changed past its bound.

    ``changes`` holds one ``ScreenshotChange`` per such device: its figure and both
    images, which the pytest-html report shows side by side (typed loosely because
    errors sit below the images; not kept when the error is pickled).
    """

    def __init__(self, *lines: str, changes: tuple[Any, ...] = ()) -> None:
        super().__init__(*lines)
        self.changes = changes


@shown_as_public
class AmplifyConfigError(AmplifyError):
    """A setting is missing or wrong (or an optional dependency a check needs); the
    message names the setting, its source and the fix."""


@shown_as_public
class AmplifyStepNotFoundError(AmplifyError, LookupError):
    """``job.step(name)`` found no such step; the message lists the steps the job has."""


@shown_as_public
class AmplifyResponseError(AmplifyError):
    """An Amplify answer could not be read as a job (a field of the wrong type, no job id)."""


@shown_as_public
class AmplifyWaitError(AmplifyError):
    """The wait for a job ended without a finished job.

    ``last_job`` is the last :class:`~pytest_amplify.AmplifyJob` seen (``None`` when
    the job was never found; typed loosely because errors sit below the model),
    ``polls`` the number of polls made and ``waited`` the seconds waited.
    """

    def __init__(
        self,
        *lines: str,
        last_job: Any = None,
        polls: int = 0,
        waited: float = 0.0,
    ) -> None:
        super().__init__(*lines)
        self.message = str(self)
        self.last_job = last_job
        self.polls = polls
        self.waited = waited

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only state does not survive pickling by default.
        return (_rebuild_wait_error, (type(self), self.message, self.polls, self.waited))

    def told_as(self, *lines: str) -> AmplifyWaitError:
        return type(self)(*lines, last_job=self.last_job, polls=self.polls, waited=self.waited)


def _rebuild_wait_error(
    cls: type[AmplifyWaitError], message: str, polls: int, waited: float
) -> AmplifyWaitError:
    return cls(*message.split("\n"), polls=polls, waited=waited)


@shown_as_public
class AmplifyTimeoutError(AmplifyWaitError):
    """The job did not finish before ``amplify_timeout``."""


@shown_as_public
class AmplifyServiceError(AmplifyWaitError):
    """Amplify answered with an error that waiting longer cannot fix (not found, denied, ...)."""


@shown_as_public
class AmplifyUnreachableError(AmplifyWaitError):
    """The Amplify endpoint could not be reached at all (DNS failure, connection refused)."""


@shown_as_public
class AmplifyFetchError(AmplifyError):
    """A step's file (log, artifacts, screenshot) could not be downloaded."""


@shown_as_public
class AmplifyUrlExpiredError(AmplifyFetchError):
    """A presigned URL was refused as expired, even after fetching the job again."""
