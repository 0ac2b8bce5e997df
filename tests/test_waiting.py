"""The wait, unit by unit: real HTTP to the local service, time simulated."""

from __future__ import annotations

import json
import socket

import pytest

from pytest_amplify import (
    AmplifyServiceError,
    AmplifyTimeoutError,
    AmplifyUnreachableError,
)
from pytest_amplify.testing import FakeAmplify, SimulatedClock

from .seam import MAX_CALLS_RATIO, InsideJob, make_wait, run_waits


def test_a_finished_job_costs_one_call_and_no_sleep(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="4")
    job = make_wait(fake, clock, job_id="4").run()
    assert job.succeeded
    assert fake.calls() == 1
    assert clock.slept == []


def test_only_terminal_statuses_end_the_wait(fake: FakeAmplify, clock: SimulatedClock) -> None:
    job = fake.add_job(app_id="d1", branch="main", job_id="1", status="CREATED")
    for status in ("PENDING", "PROVISIONING", "RUNNING", "CANCELLING", "CANCELLED"):
        job.then(status, after_calls=1)
    wait = make_wait(fake, clock, job_id="1")
    finished = wait.run()
    assert finished.status == "CANCELLED"
    assert wait.polls == 6
    assert fake.calls("GetJob") == 6


def test_a_status_nobody_has_seen_keeps_the_wait_going(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    job = fake.add_job(app_id="d1", branch="main", job_id="1", status="RUNNING")
    job.then("DEPLOYING_TO_EDGE", after_calls=1, allow_unknown_status=True).then(
        "SUCCEED", after_calls=2
    )
    assert make_wait(fake, clock, job_id="1").run().succeeded
    assert fake.calls("GetJob") == 4


def test_latest_is_the_highest_job_number_whatever_the_order(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="9", status="FAILED")
    fake.add_job(app_id="d1", branch="main", job_id="10")
    listing = {
        "jobSummaries": [
            {
                "jobId": "9",
                "status": "FAILED",
                "commitId": "a",
                "startTime": 1.0,
                "jobArn": "x",
                "commitMessage": "m",
                "commitTime": 1.0,
                "jobType": "RELEASE",
            },
            {
                "jobId": "10",
                "status": "SUCCEED",
                "commitId": "b",
                "startTime": 2.0,
                "jobArn": "y",
                "commitMessage": "m",
                "commitTime": 1.0,
                "jobType": "RELEASE",
            },
        ]
    }
    fake.respond_raw_next(
        "ListJobs",
        status=200,
        body=json.dumps(listing),
        headers={"Content-Type": "application/json"},
    )
    job = make_wait(fake, clock).run()
    assert job.job_id == "10"
    assert job.succeeded


def test_a_commit_picks_its_newest_job(fake: FakeAmplify, clock: SimulatedClock) -> None:
    fake.add_job(app_id="d1", branch="main", commit_id="abc", status="FAILED")
    fake.add_job(app_id="d1", branch="main", commit_id="abc")
    fake.add_job(app_id="d1", branch="main", commit_id="def", status="FAILED")
    job = make_wait(fake, clock, commit_id="abc").run()
    assert (job.job_id, job.status, job.commit_id) == ("2", "SUCCEED", "abc")


def test_a_commit_not_listed_yet_is_waited_for(fake: FakeAmplify, clock: SimulatedClock) -> None:
    fake.add_job(app_id="d1", branch="main", commit_id="old")
    fake.add_job(
        app_id="d1", branch="main", commit_id="new", status="RUNNING", listed_after=3
    ).then("SUCCEED", after_seconds=100)
    wait = make_wait(fake, clock, commit_id="new")
    job = wait.run()
    assert (job.job_id, job.succeeded) == ("2", True)
    assert fake.calls("ListJobs") == 4
    assert wait.waiting_to_be_listed is False


def test_latest_on_a_branch_without_jobs_waits_for_one(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    fake.add_branch("d1", "main")
    wait = make_wait(fake, clock, timeout=60)
    with pytest.raises(
        AmplifyTimeoutError, match="waiting for a job to be listed on app d1, branch main"
    ):
        wait.run()


def test_a_commit_that_never_appears_times_out_saying_so(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    fake.add_job(app_id="d1", branch="main", commit_id="old")
    wait = make_wait(fake, clock, commit_id="f00dfeed", timeout=120)
    with pytest.raises(AmplifyTimeoutError) as raised:
        wait.run()
    message = str(raised.value)
    assert "waiting for a job of commit f00dfeed to be listed on app d1, branch main" in message
    assert "auto-build" in message
    assert raised.value.polls == wait.polls == fake.calls("ListJobs")


def test_a_timeout_names_the_job_its_last_state_and_the_polls(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="7", status="RUNNING")
    wait = make_wait(fake, clock, job_id="7", timeout=300)
    start = clock()
    with pytest.raises(AmplifyTimeoutError) as raised:
        wait.run()
    message = str(raised.value)
    assert message.startswith(
        "Timed out after 5m 00s waiting for app d1, branch main, job 7 to finish"
    )
    assert "last status RUNNING, step BUILD RUNNING" in message
    assert f"{wait.polls} polls" in message
    assert "amplify_timeout = 5m 00s (from default)" in message
    assert raised.value.last_job is not None
    assert raised.value.last_job.status == "RUNNING"
    # Never sleeps past the deadline: the last poll happens exactly at it.
    assert clock() - start == pytest.approx(300)
    assert sum(clock.slept) == pytest.approx(300)


def test_without_history_the_wait_grows_with_the_jobs_age_to_the_cap(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="1", status="RUNNING").then(
        "SUCCEED", after_seconds=400
    )
    make_wait(fake, clock, job_id="1", first=5, cap=30).run()
    # Each sleep is the job's age, between the first interval and the cap; jitter
    # only shortens it.
    age = 0.0
    for slept in clock.slept:
        nominal = min(30.0, max(5.0, age))
        assert nominal * 0.9 <= slept <= nominal
        age += slept
    assert clock.slept[0] <= 5
    assert clock.slept[-1] > 0.9 * 30


def test_with_history_the_wait_polls_at_the_cap_until_the_expected_end_nears(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    for _ in range(10):
        fake.add_job(app_id="d1", branch="main", duration=600)
    start = clock()
    fake.add_job(app_id="d1", branch="main", job_id="11", status="RUNNING").then(
        "SUCCEED", after_seconds=603
    )
    wait = make_wait(fake, clock, job_id="11", timeout=1800)
    assert wait.run().succeeded
    assert wait.schedule.forecast is not None
    assert wait.schedule.forecast.typical_duration == pytest.approx(600)
    assert max(clock.slept) <= 30, "no sleep is longer than the cap"
    assert clock.slept[0] > 0.9 * 30, "far from the expected end, the cap"
    assert min(clock.slept) < 15, "near it, shorter sleeps"
    assert clock() - (start + 603) < 15, "seen soon after it ended"
    # A few polls more than a fixed poll at the cap, within the schedule's goal.
    assert wait.polls > 2 + 603 / 30
    assert wait.polls <= MAX_CALLS_RATIO * (2 + 603 / 30)
    assert fake.calls("ListJobs") == 1


@pytest.mark.parametrize(("fails", "learns"), [(1, True), (2, True), (3, False)])
def test_a_throttled_history_is_tried_again_at_the_next_polls(
    fake: FakeAmplify, clock: SimulatedClock, fails: int, learns: bool
) -> None:
    """The history is optional: a transient failure costs no sleep of its own, it is
    tried again at the next poll, three times at most."""
    for _ in range(10):
        fake.add_job(app_id="d1", branch="main", duration=600)
    fake.add_job(app_id="d1", branch="main", job_id="11", status="RUNNING").then(
        "SUCCEED", after_seconds=610
    )
    fake.fail_next("ListJobs", "LimitExceededException", times=fails)
    wait = make_wait(fake, clock, job_id="11", timeout=1800)
    assert wait.run().succeeded
    assert (wait.schedule.forecast is not None) is learns
    assert fake.calls("ListJobs") == min(fails + 1, 3)


def test_a_denied_history_is_not_asked_again(fake: FakeAmplify, clock: SimulatedClock) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="1", status="RUNNING").then(
        "SUCCEED", after_calls=3
    )
    fake.fail_next("ListJobs", "UnauthorizedException")
    assert make_wait(fake, clock, job_id="1").run().succeeded
    assert fake.calls("ListJobs") == 1


@pytest.mark.parametrize(
    "error", ["LimitExceededException", "TooManyRequestsException", "InternalFailureException"]
)
def test_throttling_and_server_errors_are_retried(
    fake: FakeAmplify, clock: SimulatedClock, error: str
) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="1")
    fake.fail_next("GetJob", error, times=6)
    wait = make_wait(fake, clock, job_id="1")
    assert wait.run().succeeded
    assert fake.calls("GetJob") == 7


def test_throttling_backs_off(fake: FakeAmplify, clock: SimulatedClock) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="1")
    fake.fail_next("GetJob", "LimitExceededException", times=4)
    make_wait(fake, clock, job_id="1", first=5, cap=60).run()
    assert clock.slept[0] < clock.slept[1] < clock.slept[2] < clock.slept[3]


def test_dropped_connections_and_proxy_pages_are_retried(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="1")
    fake.drop_next("GetJob")
    fake.respond_raw_next(
        "GetJob", status=502, body="<html>Bad Gateway</html>", headers={"Content-Type": "text/html"}
    )
    fake.respond_raw_next(
        "GetJob", status=200, body="{not json", headers={"Content-Type": "application/json"}
    )
    wait = make_wait(fake, clock, job_id="1")
    assert wait.run().succeeded
    assert wait.polls == 4


@pytest.mark.slow  # a real read timeout
def test_a_slow_answer_is_abandoned_and_retried(fake: FakeAmplify, clock: SimulatedClock) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="1")
    fake.delay_next("GetJob", 0.5)
    wait = make_wait(fake, clock, job_id="1", call_timeout=0.2)
    assert wait.run().succeeded
    assert wait.polls == 2
    assert wait.last_problem is not None
    assert "timed out" in wait.last_problem.summary


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        ("NotFoundException", "check amplify_job_id"),
        ("UnauthorizedException", "needs the IAM permission amplify:GetJob"),
        ("AccessDeniedException", "needs the IAM permission amplify:GetJob"),
        ("ExpiredTokenException", "credentials have expired"),
        ("UnrecognizedClientException", "credentials are not valid"),
        ("BadRequestException", "check amplify_job_id"),
    ],
)
def test_errors_waiting_cannot_fix_end_the_wait_at_once(
    fake: FakeAmplify, clock: SimulatedClock, error: str, hint: str
) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="1")
    fake.fail_next("GetJob", error, message=f"{error} says no")
    wait = make_wait(fake, clock, job_id="1")
    with pytest.raises(AmplifyServiceError) as raised:
        wait.run()
    message = str(raised.value)
    # The job is named once, by the failed call's own summary.
    assert message.startswith("GetJob for app d1, branch main, job 1 failed with ")
    assert message.count("app d1, branch main") == 1
    assert f"{error}" in message and f"{error} says no" in message
    assert hint in message
    assert wait.polls == 1
    assert clock.slept == []


def test_a_job_that_disappears_mid_wait_ends_it(fake: FakeAmplify, clock: SimulatedClock) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="1", status="RUNNING")
    wait = make_wait(fake, clock, job_id="1")
    assert wait.advance() > 0
    fake.fail_next("GetJob", "NotFoundException", message="Job 1 not found")
    with pytest.raises(AmplifyServiceError, match=r"NotFoundException.*Job 1 not found"):
        wait.run()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_endpoint_that_never_answers_gets_a_few_tries(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    wait = make_wait(fake, clock, job_id="1", endpoint_url=endpoint)
    with pytest.raises(AmplifyUnreachableError) as raised:
        wait.run()
    assert wait.polls == 3
    assert f"Could not reach the Amplify endpoint {endpoint} in 3 attempts" in str(raised.value)
    assert "amplify_endpoint_url" in str(raised.value)


def test_waiting_for_the_job_this_run_is_part_of_fails_at_once(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="1")
    fake.add_job(app_id="d1", branch="main", job_id="2", status="RUNNING")
    wait = make_wait(fake, clock, inside_job=InsideJob("d1", "main", "0000000002"))
    with pytest.raises(
        AmplifyServiceError, match=r"inside Amplify job 2 .*AWS_JOB_ID=0000000002.*cannot finish"
    ):
        wait.run()
    assert wait.polls == 1
    done = make_wait(
        fake, clock, job_id="1", inside_job=InsideJob("d1", "main", "0000000002")
    ).run()
    assert done.succeeded


def test_many_waits_take_as_long_as_the_slowest(fake: FakeAmplify, clock: SimulatedClock) -> None:
    durations = {"a": 120, "b": 300, "c": 600}
    for branch, seconds in durations.items():
        fake.add_job(app_id="d1", branch=branch, status="RUNNING").then(
            "SUCCEED", after_seconds=seconds
        )
    waits = [make_wait(fake, clock, branch=branch, cap=10) for branch in durations]
    start = clock()
    results = run_waits(waits)
    assert [r.branch for r in results] == ["a", "b", "c"]  # type: ignore[union-attr]
    assert 600 <= clock() - start <= 615
    for wait, seconds in zip(waits, durations.values(), strict=True):
        assert wait.polls <= seconds / 10 + 6
