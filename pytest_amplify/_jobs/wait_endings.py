"""How a wait ends without a finished job: each error says what the wait saw and
what to change (a setting, the app's configuration, the deadline)."""

from __future__ import annotations

from typing import Protocol

from .._amplify.call_problems import CallProblem
from .._core.durations import format_duration
from .._core.errors import AmplifyServiceError, AmplifyTimeoutError, AmplifyUnreachableError
from .._core.model import AmplifyJob
from .._core.policies import InsideJob, WaitPolicy
from .._core.target import Target, describe_job
from .._core.vocabulary import PREVIEW_PREFIX

# Why a pull request's preview branch may never appear (Amplify's user guide,
# "Web previews for pull requests").
PREVIEW_CAUSES = (
    "previews are off for the app or for the pull request's base branch (Amplify console: "
    "Hosting > Previews), the pull request comes from a fork (previews are off for forks "
    "by default), or the app has reached its quota of 50 branches (previews count)"
)
PREVIEW_DELETED_HINT = (
    "the pull request's preview branch is gone: Amplify deletes it when the pull request "
    "is closed or merged"
)
MANUAL_HINT = (
    "the branch's jobs are manual deployments, whose commit id is a placeholder, not a git "
    "SHA: wait for the job id that create-deployment returned (amplify_job_id)"
)


class EndingWait(Protocol):
    """What the messages read from a wait (``waiting.JobWait``)."""

    target: Target
    policy: WaitPolicy
    polls: int
    job_id: str | None
    status: str | None
    last_job: AmplifyJob | None
    branch_seen: bool
    manual_jobs_listed: bool

    @property
    def current_step(self) -> str | None: ...

    def elapsed(self) -> float: ...

    def describe_job(self) -> str: ...


def fatal_error(wait: EndingWait, problem: CallProblem) -> AmplifyServiceError:
    # A failed call's summary names the job already ("GetJob for app d1, branch main,
    # job 7 failed with ..."): the message names it once, after the cause.
    named = wait.describe_job() in problem.summary
    cause = problem.summary if named else f"{problem.summary}, waiting for {wait.describe_job()}"
    return AmplifyServiceError(
        cause,
        *([problem.hint] if problem.hint else []),
        last_job=wait.last_job,
        polls=wait.polls,
        waited=wait.elapsed(),
    )


def unreachable_error(wait: EndingWait, problem: CallProblem) -> AmplifyUnreachableError:
    return AmplifyUnreachableError(
        f"Could not reach the Amplify endpoint {wait.target.endpoint} in {wait.polls} "
        f"attempts ({problem.summary})",
        "Check amplify_endpoint_url and amplify_region, and the network (HTTPS_PROXY, NO_PROXY)",
        polls=wait.polls,
        waited=wait.elapsed(),
    )


def _not_listed(wait: EndingWait, waited: str, limit: str) -> list[str]:
    target = wait.target
    where = describe_job(target.app_id, target.branch)
    if target.pull_request is not None and not wait.branch_seen:
        return [
            f"Timed out after {waited} waiting for {where}, the preview of pull request "
            f"{target.pull_request}, to be created ({wait.polls} polls of ListJobs)",
            "Amplify creates the branch when it builds the pull request; likely causes: "
            f"{PREVIEW_CAUSES}; or raise {limit}",
        ]
    what = (
        f"a job of commit {target.commit_id} to be listed"
        if target.commit_id
        else "a job to be listed"
    )
    if wait.manual_jobs_listed and target.commit_id:
        check = MANUAL_HINT
    elif target.pull_request is not None or target.branch.startswith(PREVIEW_PREFIX):
        check = (
            "Check that Amplify built the pull request (a preview build starts when it opens "
            "or is pushed to) and that the commit id is its head, pull_request.head.sha, not "
            "GITHUB_SHA (GitHub's merge commit)"
        )
    else:
        check = (
            "Check that the push started a build (auto-build is on for the branch) and that "
            "the commit id is the full SHA"
        )
    return [
        f"Timed out after {waited} waiting for {what} on {where} ({wait.polls} polls of ListJobs)",
        f"{check}; or raise {limit}",
    ]


def timeout_error(wait: EndingWait, last_problem: CallProblem | None) -> AmplifyTimeoutError:
    """The deadline passed; ``last_problem`` is the failure of the last call, if it failed.
    The first line says what the wait saw last; what to change follows."""
    waited = format_duration(wait.elapsed())
    policy = wait.policy
    limit = f"amplify_timeout = {format_duration(policy.timeout)} (from {policy.timeout_source})"
    if wait.job_id is None:
        cause, advice = _not_listed(wait, waited, limit)
    else:
        seen = f"last status {wait.status or 'unknown'}"
        if wait.current_step:
            seen += f", step {wait.current_step}"
        cause = (
            f"Timed out after {waited} waiting for {wait.describe_job()} to finish: {seen} "
            f"({wait.polls} polls)"
        )
        advice = (
            f"Raise {limit}, or look at the job: "
            f"{wait.last_job.console_url if wait.last_job else wait.target.describe()}"
        )
    last_error = [f"Last error: {last_problem.summary}"] if last_problem is not None else []
    return AmplifyTimeoutError(
        cause,
        *last_error,
        advice,
        last_job=wait.last_job,
        polls=wait.polls,
        waited=wait.elapsed(),
    )


def inside_job_problem(job_id: str, inside: InsideJob) -> CallProblem:
    return CallProblem(
        "fatal",
        f"this run is inside Amplify job {job_id} of app {inside.app_id}, branch "
        f"{inside.branch} (AWS_JOB_ID={inside.job_id}), which cannot finish while its "
        "own tests run",
        "run the smoke tests after the deploy, or set amplify_job_id to an earlier job",
    )
