"""The fault matrix: every way Amplify, or the network in front of it, misbehaves
during a wait, each case through real HTTP against the local service with the
clock injected.

For each case the wait must end with the right outcome (a job status, or an error
class whose message names what happened), within its deadline plus the maximum
poll interval plus one call's timeout. Sleeps are simulated; the time calls really
take is added to the clock (:class:`LatencyClock`), so a call that hangs until its
read timeout counts against the deadline as it would in CI.

The table of outcomes is printed by ``test_the_matrix_table`` (shown with ``-s``
and in ``-rA``'s PASSES section); :func:`failure_modes_markdown` renders the
the "Failure modes" table of docs/reliability.md from :data:`MATRIX` without running anything::

    python -c "from tests.test_fault_matrix import failure_modes_markdown as f; print(f())"
"""

from __future__ import annotations

import dataclasses
import json
import socket
import time
from collections.abc import Callable, Mapping
from types import MappingProxyType

import pytest

from pytest_amplify import (
    AmplifyJob,
    AmplifyServiceError,
    AmplifyTimeoutError,
    AmplifyUnreachableError,
    AmplifyWaitError,
)
from pytest_amplify.testing import FakeAmplify, SimulatedClock

from .seam import LATEST, MAX_UNREACHABLE, CallProblem, JobWait, make_wait

APP, BRANCH, JOB = "d1", "main", "1"
JSON = {"Content-Type": "application/json"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
BURST = 8  # longer than botocore's own retries: 3 attempts (standard mode), 5 (legacy)
STEP_COUNT = 2_000
NEW_STATUS = "DEPLOYING_TO_EDGE"
PROXY_502 = (
    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    "</h1></center><hr><center>nginx</center></body></html>"
)
PROXY_504 = (
    "<html><body><h1>504 Gateway Time-out</h1>The server didn't respond in time.</body></html>"
)
PROXY_403 = "<html><body><h1>Access Denied</h1>Blocked by the corporate proxy policy.</body></html>"
PROXY_LOGIN = (
    '<!DOCTYPE html><html><body><form action="/login">Sign in to continue</form></body></html>'
)


class LatencyClock(SimulatedClock):
    """Simulated time that also moves by the real time spent between sleeps: waiting
    costs nothing, but a call that hangs for 0.2s moves the clock 0.2s."""

    def __init__(self) -> None:
        super().__init__()
        self.real_start = time.monotonic()

    def __call__(self) -> float:
        return super().__call__() + (time.monotonic() - self.real_start)


# -- scenarios -----------------------------------------------------------------------

Setup = Callable[[FakeAmplify], object]


def running_then(status: str = "SUCCEED", after: int = 1) -> Setup:
    """Job 1 RUNNING, then ``status`` after ``after`` more GetJob answers."""

    def setup(fake: FakeAmplify) -> None:
        fake.add_job(app_id=APP, branch=BRANCH, job_id=JOB, status="RUNNING").then(
            status, after_calls=after
        )

    return setup


def running_for_ever(fake: FakeAmplify) -> None:
    fake.add_job(app_id=APP, branch=BRANCH, job_id=JOB, status="RUNNING")


def finished(fake: FakeAmplify) -> None:
    fake.add_job(app_id=APP, branch=BRANCH, job_id=JOB)


def steps_backwards(fake: FakeAmplify) -> None:
    fake.add_job(app_id=APP, branch=BRANCH, job_id=JOB, status="RUNNING").then(
        "RUNNING", after_calls=1, running="DEPLOY"
    ).then("RUNNING", after_calls=1, steps={"BUILD": "RUNNING"}).then(
        "RUNNING", after_calls=1, steps={}
    ).then("SUCCEED", after_calls=1)


def new_status_then_succeed(fake: FakeAmplify) -> None:
    fake.add_job(app_id=APP, branch=BRANCH, job_id=JOB, status="RUNNING").then(
        NEW_STATUS, after_calls=1, allow_unknown_status=True
    ).then("SUCCEED", after_calls=2)


def new_status_for_ever(fake: FakeAmplify) -> None:
    fake.add_job(app_id=APP, branch=BRANCH, job_id=JOB, status="RUNNING").then(
        NEW_STATUS, after_calls=1, allow_unknown_status=True
    )


def huge_step_list(fake: FakeAmplify) -> None:
    half = STEP_COUNT // 2
    fake.add_job(app_id=APP, branch=BRANCH, job_id=JOB, status="RUNNING").then(
        "RUNNING",
        after_calls=1,
        steps={f"STEP{i}": "SUCCEED" if i < half else "RUNNING" for i in range(STEP_COUNT)},
    ).then("SUCCEED", after_calls=1, steps={f"STEP{i}": "SUCCEED" for i in range(STEP_COUNT)})


def get_job_answer(status: str, *, end_time: float | None = None) -> str:
    """A GetJob answer as the wire carries it (what ``respond_raw_next`` serves)."""
    summary: dict[str, object] = {
        "jobArn": f"arn:aws:amplify:us-east-1:123456789012:apps/{APP}/branches/{BRANCH}/jobs/0000000001",
        "jobId": JOB,
        "commitId": "0123456789abcdef0123456789abcdef01234567",
        "commitMessage": "Deploy",
        "commitTime": 1_767_225_000,
        "startTime": 1_767_225_060,
        "status": status,
        "jobType": "RELEASE",
    }
    if end_time is not None:
        summary["endTime"] = end_time
    step = {"stepName": "BUILD", "status": status, "startTime": 1_767_225_060}
    return json.dumps({"job": {"summary": summary, "steps": [step]}})


def fail(operation: str, error: str, times: int = 1, message: str | None = None) -> Setup:
    return lambda fake: fake.fail_next(operation, error, times=times, message=message)


def raw(
    operation: str, status: int, body: str, headers: Mapping[str, str], times: int = 1
) -> Setup:
    return lambda fake: fake.respond_raw_next(
        operation, status=status, body=body, headers=headers, times=times
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the matrix ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, repr=False)
class Outcome:
    """How one case's wait ended."""

    case: Case
    result: AmplifyJob | BaseException
    polls: int
    elapsed: float  # seconds on the (latency) clock
    slept: tuple[float, ...]
    get_job_calls: int
    list_jobs_calls: int
    last_problem: CallProblem | None

    @property
    def limit(self) -> float:
        """The deadline plus the maximum poll interval and one call's timeout."""
        return self.case.timeout + self.case.cap + self.case.call_timeout

    @property
    def outcome(self) -> str:
        if isinstance(self.result, AmplifyJob):
            return self.result.status
        return type(self.result).__name__

    @property
    def message(self) -> str:
        """The error's message, or for a wait that ended well the last problem it
        retried (what the progress line showed)."""
        if isinstance(self.result, AmplifyJob):
            return self.last_problem.summary if self.last_problem else ""
        return str(self.result)

    @property
    def said(self) -> str:
        """The part of the message that names what happened (from the phrase the
        case checks for, when it is there)."""
        message = " ".join(self.message.split())
        for wanted in (self.case.says, self.case.problem, "Last error: "):
            start = message.find(wanted) if wanted else -1
            if start >= 0:
                return message[start:]
        return message

    def __repr__(self) -> str:
        return f"Outcome({self.case.name}: {self.outcome}, {self.polls} polls, {self.elapsed:.1f}s)"


@dataclasses.dataclass(frozen=True, repr=False)
class Case:
    """One row of the matrix.

    ``setup`` scripts the service before the wait; ``before_poll`` injects faults
    mid-wait (key: the number of the poll about to happen). Exactly one of
    ``status`` (the job status the wait returns) and ``error`` (the error class it
    raises, whose message contains ``says``) is set. ``problem`` is a substring of
    the last retried failure of a wait that recovered.
    """

    name: str
    what: str
    expected: str
    setup: Setup
    status: str | None = None
    error: type[AmplifyWaitError] | None = None
    says: str = ""
    problem: str = ""
    polls: int | None = None
    job_id: str = JOB
    timeout: float = 600.0
    first: float = 5.0
    cap: float = 30.0
    call_timeout: float = 15.0
    before_poll: Mapping[int, Setup] = dataclasses.field(
        default_factory=lambda: MappingProxyType({})
    )
    unreachable: bool = False
    check: Callable[[Outcome], None] | None = None
    real_time: bool = False  # calls really time out (a slow answer against a short read timeout)

    def __repr__(self) -> str:
        return f"Case({self.name!r})"


def check_throttled_backoff(outcome: Outcome) -> None:
    # Sleep 0 follows the RUNNING answer; sleeps 1.. follow the 429s and grow
    # (first * 2, * 4, ... up to the cap, with +-10% jitter).
    throttled = outcome.slept[1:4]
    assert list(throttled) == sorted(throttled) and len(set(throttled)) == 3, outcome.slept
    assert throttled[0] > outcome.case.first, "a 429 backs off beyond the first interval"


def check_no_end_time(outcome: Outcome) -> None:
    job = outcome.result
    assert isinstance(job, AmplifyJob)
    assert job.end_time is None and job.duration is None
    assert job.start_time is not None


def check_steps_came_back(outcome: Outcome) -> None:
    job = outcome.result
    assert isinstance(job, AmplifyJob)
    assert job.step_names == ("BUILD", "TEST", "DEPLOY", "VERIFY")
    assert all(step.succeeded for step in job.steps)


def check_huge_step_list(outcome: Outcome) -> None:
    job = outcome.result
    assert isinstance(job, AmplifyJob)
    assert len(job.steps) == STEP_COUNT
    assert job.steps[0].name == "STEP0" and job.steps[-1].name == f"STEP{STEP_COUNT - 1}"
    assert all(step.succeeded for step in job.steps)


def check_new_status_was_waited_through(outcome: Outcome) -> None:
    assert outcome.get_job_calls == 4  # RUNNING, two of the new status, SUCCEED


def check_job_never_listed(outcome: Outcome) -> None:
    assert outcome.get_job_calls == 0, "the job was never resolved, so never fetched"


MATRIX: tuple[Case, ...] = (
    Case(
        "429-limit-exceeded-burst",
        f"GetJob answers 429 LimitExceededException {BURST} times in a row mid-wait "
        "(more than botocore's own 3 or 5 attempts)",
        "retried with a growing back-off; the wait succeeds",
        running_then(),
        before_poll={2: fail("GetJob", "LimitExceededException", BURST)},
        status="SUCCEED",
        problem="LimitExceededException (429)",
        polls=BURST + 2,
        check=check_throttled_backoff,
    ),
    Case(
        "429-too-many-requests-burst",
        f"GetJob answers 429 TooManyRequestsException (API Gateway) {BURST} times in a row",
        "retried with a growing back-off; the wait succeeds",
        running_then(),
        before_poll={2: fail("GetJob", "TooManyRequestsException", BURST)},
        status="SUCCEED",
        problem="TooManyRequestsException (429)",
        polls=BURST + 2,
        check=check_throttled_backoff,
    ),
    Case(
        "429-until-the-deadline",
        "GetJob is throttled (429) from the second poll until the deadline",
        "AmplifyTimeoutError naming the throttling as the last error",
        running_for_ever,
        before_poll={2: fail("GetJob", "LimitExceededException", 1000)},
        error=AmplifyTimeoutError,
        says="Last error: GetJob for app d1, branch main, job 1 failed with LimitExceededException (429)",
        timeout=300,
    ),
    Case(
        "500-burst",
        "GetJob answers 500 InternalFailureException 5 times in a row",
        "retried; the wait succeeds",
        running_then(),
        before_poll={2: fail("GetJob", "InternalFailureException", 5)},
        status="SUCCEED",
        problem="InternalFailureException (500)",
        polls=7,
    ),
    Case(
        "503-burst",
        "GetJob answers 503 ServiceUnavailableException 3 times",
        "retried; the wait succeeds",
        running_then(),
        before_poll={2: fail("GetJob", "ServiceUnavailableException", 3)},
        status="SUCCEED",
        problem="ServiceUnavailableException (503)",
        polls=5,
    ),
    Case(
        "500-until-the-deadline",
        "GetJob answers 500 until the deadline",
        "AmplifyTimeoutError naming the 500 as the last error",
        running_for_ever,
        before_poll={2: fail("GetJob", "InternalFailureException", 1000)},
        error=AmplifyTimeoutError,
        says="Last error: GetJob for app d1, branch main, job 1 failed with InternalFailureException (500)",
        timeout=120,
    ),
    Case(
        "dropped-connections",
        "the connection is closed without an answer, 3 polls in a row",
        "retried; the wait succeeds",
        running_then(),
        before_poll={2: lambda fake: fake.drop_next("GetJob", times=3)},
        status="SUCCEED",
        problem="the connection was dropped",
        polls=5,
    ),
    Case(
        "dropped-until-the-deadline",
        "every connection is closed without an answer until the deadline",
        "AmplifyTimeoutError naming the dropped connection as the last error",
        running_for_ever,
        before_poll={2: lambda fake: fake.drop_next("GetJob", times=1000)},
        error=AmplifyTimeoutError,
        says="Last error: GetJob for app d1, branch main, job 1: the connection was dropped",
        timeout=120,
    ),
    Case(
        "slower-than-the-read-timeout",
        "one GetJob answer takes 0.5s, the call's limit is 0.2s",
        "the call is abandoned at its timeout and retried; the wait succeeds",
        running_then(),
        before_poll={2: lambda fake: fake.delay_next("GetJob", 0.5)},
        status="SUCCEED",
        problem="GetJob for app d1, branch main, job 1 timed out",
        polls=3,
        call_timeout=0.2,
        real_time=True,
    ),
    Case(
        "slower-than-the-read-timeout-until-the-deadline",
        "every GetJob answer takes longer than the call's limit (0.5s vs 0.2s), "
        "the last one hanging at the deadline",
        "AmplifyTimeoutError naming the timed-out call; the wait ends one call "
        "timeout after its deadline at most",
        finished,
        before_poll={1: lambda fake: fake.delay_next("GetJob", 0.5, times=100)},
        error=AmplifyTimeoutError,
        says="Last error: GetJob for app d1, branch main, job 1 timed out",
        polls=3,
        timeout=10,
        cap=5,
        call_timeout=0.2,
        real_time=True,
    ),
    Case(
        "get-job-trickles",
        "one GetJob answer sends its headers, then one byte every 0.1s: every read "
        "arrives in time, the call's limit is 0.3s",
        "the call is cut at its limit, whatever its reads, and retried; the wait succeeds",
        running_then(),
        before_poll={2: lambda fake: fake.trickle_next("GetJob", chunk_size=1, every=0.1)},
        status="SUCCEED",
        problem="timed out (no complete answer within 0.3s (",
        polls=3,
        call_timeout=0.3,
    ),
    Case(
        "get-job-trickles-until-the-deadline",
        "every GetJob answer trickles one byte every 0.1s",
        "AmplifyTimeoutError naming the cut call, with the bytes received and the time; "
        "the wait ends one call's limit after its deadline at most",
        finished,
        before_poll={
            1: lambda fake: fake.trickle_next("GetJob", chunk_size=1, every=0.1, times=100)
        },
        error=AmplifyTimeoutError,
        says="Last error: GetJob for app d1, branch main, job 1 timed out (no complete answer "
        "within 0.3s (",
        timeout=10,
        cap=5,
        call_timeout=0.3,
    ),
    Case(
        "get-job-answers-in-slow-chunks-until-the-deadline",
        "every GetJob answer comes 100 bytes every 0.1s (about 1 s in all)",
        "AmplifyTimeoutError naming the cut call; the wait ends within its bound",
        finished,
        before_poll={
            1: lambda fake: fake.trickle_next("GetJob", chunk_size=100, every=0.1, times=100)
        },
        error=AmplifyTimeoutError,
        says="timed out (no complete answer within 0.3s (",
        timeout=10,
        cap=5,
        call_timeout=0.3,
    ),
    Case(
        "get-job-never-answers-until-the-deadline",
        "every GetJob connection is accepted and never answered",
        "AmplifyTimeoutError naming the cut call (0 bytes received); the wait ends within "
        "its bound",
        finished,
        before_poll={1: lambda fake: fake.hang_next("GetJob", times=100)},
        error=AmplifyTimeoutError,
        # The time the watch measured is the machine's: 0.4s under load.
        says="timed out (no complete answer within 0.3s (0 bytes received in ",
        timeout=10,
        cap=5,
        call_timeout=0.3,
    ),
    Case(
        "list-jobs-trickles-until-the-deadline",
        "waiting for the latest job, every ListJobs answer trickles one byte every 0.1s",
        "AmplifyTimeoutError naming the cut ListJobs call; the wait ends within its bound",
        finished,
        before_poll={
            1: lambda fake: fake.trickle_next("ListJobs", chunk_size=1, every=0.1, times=100)
        },
        job_id=LATEST,
        error=AmplifyTimeoutError,
        says="ListJobs for app d1, branch main, latest job timed out (no complete answer",
        timeout=10,
        cap=5,
        call_timeout=0.3,
        check=check_job_never_listed,
    ),
    Case(
        "malformed-json",
        "one GetJob answer is a 200 whose body is not JSON (`{not json`)",
        "retried; the wait succeeds, the progress line says the answer was not JSON",
        running_then(),
        before_poll={2: raw("GetJob", 200, "{not json", JSON)},
        status="SUCCEED",
        problem="not JSON",
        polls=3,
    ),
    Case(
        "malformed-json-until-the-deadline",
        "every GetJob answer is a 200 whose body is not JSON",
        "AmplifyTimeoutError saying the answer was not JSON",
        running_for_ever,
        before_poll={2: raw("GetJob", 200, '{"job": {"summary": ', JSON, 1000)},
        error=AmplifyTimeoutError,
        says="not JSON",
        timeout=120,
    ),
    Case(
        "html-502-from-a-proxy",
        "a proxy answers GetJob with its HTML 502 Bad Gateway page, 3 times",
        "retried; the wait succeeds",
        running_then(),
        before_poll={2: raw("GetJob", 502, PROXY_502, HTML, 3)},
        status="SUCCEED",
        problem="failed with 502",
        polls=5,
    ),
    Case(
        "html-504-from-a-proxy-until-the-deadline",
        "a proxy answers every GetJob with its HTML 504 Gateway Time-out page",
        "AmplifyTimeoutError naming the 504 as the last error",
        running_for_ever,
        before_poll={2: raw("GetJob", 504, PROXY_504, HTML, 1000)},
        error=AmplifyTimeoutError,
        says="Last error: GetJob for app d1, branch main, job 1 failed with 504",
        timeout=120,
    ),
    Case(
        "html-200-from-an-intercepting-proxy",
        "an intercepting proxy answers every GetJob with a 200 HTML login page",
        "AmplifyTimeoutError saying the answer was not JSON",
        running_for_ever,
        before_poll={2: raw("GetJob", 200, PROXY_LOGIN, HTML, 1000)},
        error=AmplifyTimeoutError,
        says="not JSON",
        timeout=120,
    ),
    Case(
        "html-403-from-a-proxy",
        "a proxy refuses GetJob with an HTML 403 page",
        "AmplifyServiceError at once, naming the 403 and quoting the page",
        running_then(),
        before_poll={2: raw("GetJob", 403, PROXY_403, HTML)},
        error=AmplifyServiceError,
        says="GetJob for app d1, branch main, job 1 failed with 403 (403): <html><body><h1>Access Denied",
        polls=2,
    ),
    Case(
        "job-disappears-404",
        "the job is RUNNING, then GetJob answers 404 NotFoundException",
        "AmplifyServiceError at once: not found, with the settings to check",
        running_then(),
        before_poll={2: fail("GetJob", "NotFoundException", message="Job 1 not found.")},
        error=AmplifyServiceError,
        says="failed with NotFoundException (404): Job 1 not found\ncheck amplify_job_id",
        polls=2,
    ),
    Case(
        "steps-go-backwards-then-vanish",
        "RUNNING with DEPLOY running, then only BUILD RUNNING, then no steps, then SUCCEED",
        "the wait goes on (only the job's status ends it); the job returned has its steps",
        steps_backwards,
        status="SUCCEED",
        polls=5,
        check=check_steps_came_back,
    ),
    Case(
        "a-status-never-seen",
        f"the job's status becomes {NEW_STATUS}, unknown to the plugin, then SUCCEED",
        "treated as not finished; the wait goes on and succeeds",
        new_status_then_succeed,
        status="SUCCEED",
        polls=4,
        check=check_new_status_was_waited_through,
    ),
    Case(
        "a-status-never-seen-until-the-deadline",
        f"the job's status stays {NEW_STATUS}",
        "AmplifyTimeoutError naming the last status seen",
        new_status_for_ever,
        error=AmplifyTimeoutError,
        says=f"last status {NEW_STATUS}",
        timeout=120,
    ),
    Case(
        "terminal-status-without-end-time",
        "GetJob answers SUCCEED with no endTime",
        "the wait ends: the job is returned, its end time and duration unknown",
        running_then(),
        before_poll={2: raw("GetJob", 200, get_job_answer("SUCCEED"), JSON)},
        status="SUCCEED",
        polls=2,
        check=check_no_end_time,
    ),
    Case(
        "huge-step-list",
        f"the job reports {STEP_COUNT:,} steps, half of them running, then all succeeded",
        "parsed whole; the wait succeeds",
        huge_step_list,
        status="SUCCEED",
        polls=3,
        check=check_huge_step_list,
    ),
    Case(
        "endpoint-refuses-connections",
        "nothing listens at the endpoint (connection refused)",
        f"AmplifyUnreachableError after {MAX_UNREACHABLE} attempts, naming the endpoint "
        "and the settings to check",
        finished,
        unreachable=True,
        error=AmplifyUnreachableError,
        says="Could not reach the Amplify endpoint",
        polls=MAX_UNREACHABLE,
    ),
    Case(
        "access-denied",
        "GetJob answers 403 AccessDeniedException",
        "AmplifyServiceError at once, naming the IAM permission needed",
        running_then(),
        before_poll={2: fail("GetJob", "AccessDeniedException", message="not authorized")},
        error=AmplifyServiceError,
        says="the AWS identity needs the IAM permission amplify:GetJob",
        polls=2,
    ),
    Case(
        "expired-credentials",
        "GetJob answers 403 ExpiredTokenException",
        "AmplifyServiceError at once: the credentials have expired",
        running_then(),
        before_poll={2: fail("GetJob", "ExpiredTokenException")},
        error=AmplifyServiceError,
        says="the AWS credentials have expired",
        polls=2,
    ),
    Case(
        "list-jobs-throttled-finding-the-latest-job",
        "waiting for the latest job, ListJobs answers 429 six times",
        "retried with back-off; the wait succeeds",
        finished,
        before_poll={1: fail("ListJobs", "LimitExceededException", 6)},
        job_id=LATEST,
        status="SUCCEED",
        problem="ListJobs for app d1, branch main, latest job failed with LimitExceededException (429)",
        polls=7,
    ),
    Case(
        "list-jobs-malformed-json-until-the-deadline",
        "waiting for the latest job, every ListJobs answer is a 200 whose body is not JSON",
        "AmplifyTimeoutError saying the ListJobs answer was not JSON (not that no job was listed)",
        finished,
        before_poll={1: raw("ListJobs", 200, "{not json", JSON, 1000)},
        job_id=LATEST,
        error=AmplifyTimeoutError,
        says="not JSON",
        timeout=120,
        check=check_job_never_listed,
    ),
)
CASES = {case.name: case for case in MATRIX}
OUTCOMES: dict[str, Outcome] = {}  # filled as cases run, for the table


def drive(wait: JobWait, fake: FakeAmplify, before_poll: Mapping[int, Setup]) -> AmplifyJob:
    """``JobWait.run`` with the case's mid-wait faults injected before their poll."""
    injected: set[int] = set()
    while True:
        upcoming = wait.polls + 1
        if upcoming in before_poll and upcoming not in injected:
            before_poll[upcoming](fake)
            injected.add(upcoming)
        step = wait.advance()
        if isinstance(step, AmplifyJob):
            return step
        wait.clock.sleep(step)


def run_case(case: Case) -> Outcome:
    clock = LatencyClock()
    with FakeAmplify(clock=clock) as fake:
        case.setup(fake)
        wait = make_wait(
            fake,
            clock,
            job_id=case.job_id,
            timeout=case.timeout,
            first=case.first,
            cap=case.cap,
            call_timeout=case.call_timeout,
            endpoint_url=f"http://127.0.0.1:{free_port()}" if case.unreachable else None,
        )
        start = clock()
        result: AmplifyJob | BaseException
        try:
            result = drive(wait, fake, case.before_poll)
        except Exception as exc:  # what escaped is the outcome (and fails the case)
            result = exc
        outcome = Outcome(
            case=case,
            result=result,
            polls=wait.polls,
            elapsed=clock() - start,
            slept=tuple(clock.slept),
            get_job_calls=fake.calls("GetJob"),
            list_jobs_calls=fake.calls("ListJobs"),
            last_problem=wait.last_problem,
        )
    OUTCOMES[case.name] = outcome
    return outcome


# -- the table -----------------------------------------------------------------------


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def matrix_table(outcomes: list[Outcome]) -> str:
    """The matrix as it ran: case, outcome, polls, simulated seconds, and what the
    error (or the last retried problem) said."""
    header = ("case", "outcome", "polls", "sim. s", "limit s", "message")
    rows = [
        (
            o.case.name,
            o.outcome,
            str(o.polls),
            f"{o.elapsed:.1f}",
            f"{o.limit:.1f}",
            _cut(o.said, 100),
        )
        for o in outcomes
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    rule = "  ".join("-" * width for width in widths)
    return "\n".join(
        ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)), rule, *lines]
    ).rstrip()


def failure_modes_markdown() -> str:
    """docs/reliability.md's "Failure modes" table: case | what happens | outcome."""
    lines = ["| case | what happens | outcome |", "| --- | --- | --- |"]
    lines += [f"| `{c.name}` | {c.what} | {c.expected} |" for c in MATRIX]
    return "\n".join(lines)


# -- the tests -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [pytest.param(case, marks=pytest.mark.slow) if case.real_time else case for case in MATRIX],
    ids=lambda case: case.name,
)
def test_fault(case: Case) -> None:
    outcome = run_case(case)
    print(matrix_table([outcome]))
    result = outcome.result
    assert isinstance(result, AmplifyJob | AmplifyWaitError), (
        f"{type(result).__name__} escaped the wait: {result!r}"
    )
    if case.status is not None:
        assert isinstance(result, AmplifyJob), f"expected job status {case.status}, got {result!r}"
        assert result.status == case.status
    else:
        assert case.error is not None
        assert type(result) is case.error, f"expected {case.error.__name__}, got {result!r}"
        assert case.says in str(result), f"{case.says!r} not in the message:\n{result}"
        assert result.polls == outcome.polls
    if case.problem:
        assert outcome.last_problem is not None, "the wait recorded no problem"
        summary = outcome.last_problem.summary
        assert case.problem in summary, f"{case.problem!r} not in the last problem: {summary}"
    if case.polls is not None:
        assert outcome.polls == case.polls
    assert outcome.elapsed <= outcome.limit, (
        f"the wait took {outcome.elapsed:.1f}s; its limit is {outcome.limit:.1f}s "
        "(deadline + maximum poll interval + one call's timeout)"
    )
    if case.job_id != LATEST and not case.unreachable:
        # One poll, one HTTP request: nothing (botocore) retries behind the wait's back.
        assert outcome.get_job_calls == outcome.polls
    if case.check is not None:
        case.check(outcome)


def test_failure_modes_table_has_a_row_per_case() -> None:
    table = failure_modes_markdown()
    assert table.count("\n") == len(MATRIX) + 1
    assert len(CASES) == len(MATRIX), "case names are unique"
    for case in MATRIX:
        assert (case.status is None) != (case.error is None), case.name
        assert f"`{case.name}`" in table


@pytest.mark.slow  # it runs again the cases that ran elsewhere, real read timeouts included
def test_the_matrix_table() -> None:
    """Prints the whole matrix; cases that ran in another process (pytest-xdist), or
    were deselected, are run again here so that the table is always complete."""
    outcomes = [OUTCOMES.get(case.name) or run_case(case) for case in MATRIX]
    table = matrix_table(outcomes)
    print(
        "\nFault matrix (sim. s: seconds on the simulated clock, limit s: deadline + "
        "maximum poll interval + one call's timeout)\n" + table
    )
    assert [o.case.name for o in outcomes] == [case.name for case in MATRIX]
    assert len(table.splitlines()) == len(MATRIX) + 2
    escaped = [
        o.case.name for o in outcomes if not isinstance(o.result, AmplifyJob | AmplifyWaitError)
    ]
    assert not escaped, f"exceptions escaped the wait in: {escaped}"
