"""The project's exceptions, in one place (syrupy keeps its own in ``exceptions.py``)."""

from __future__ import annotations

from typing import Any


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


class AmplifyAssertionError(AmplifyError, AssertionError):
    """An ``assert_*`` helper found the job, a step or a file not as expected."""


class AmplifyConfigError(AmplifyError):
    """A setting is missing or wrong; the message names the setting, its source and the fix."""


class AmplifyStepNotFoundError(AmplifyError, LookupError):
    """``job.step(name)`` found no such step; the message lists the steps the job has."""


class AmplifyResponseError(AmplifyError):
    """An Amplify answer could not be read as a job (a field of the wrong type, no job id)."""


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


class AmplifyTimeoutError(AmplifyWaitError):
    """The job did not finish before ``amplify_timeout``."""


class AmplifyServiceError(AmplifyWaitError):
    """Amplify answered with an error that waiting longer cannot fix (not found, denied, ...)."""


class AmplifyUnreachableError(AmplifyWaitError):
    """The Amplify endpoint could not be reached at all (DNS failure, connection refused)."""


class AmplifyFetchError(AmplifyError):
    """A step's file (log, artifacts, screenshot) could not be downloaded."""


class AmplifyUrlExpiredError(AmplifyFetchError):
    """A presigned URL was refused as expired, even after fetching the job again."""


# Tracebacks and reprs name these as users import them: pytest_amplify.AmplifyError,
# not the private module that defines them.
for _public in (
    AmplifyError,
    AmplifyAssertionError,
    AmplifyConfigError,
    AmplifyStepNotFoundError,
    AmplifyResponseError,
    AmplifyWaitError,
    AmplifyTimeoutError,
    AmplifyServiceError,
    AmplifyUnreachableError,
    AmplifyFetchError,
    AmplifyUrlExpiredError,
):
    _public.__module__ = "pytest_amplify"
