"""Finding the job in ListJobs (issue 24): a commit that is not listed yet costs the
first look's pages, then a page or two a poll, whatever the branch's history and
whichever order ListJobs lists in (it does not document one); the history comes
from what was read, once. Real HTTP to the local service, time simulated."""

from __future__ import annotations

import pytest

from pytest_amplify.testing import FakeAmplify, SimulatedClock

from .seam import make_wait

ORDERS = ["newest first", "oldest first"]
EARLIER_JOBS = 2000
PAGE = 50
# The commit's job joins ListJobs at the 6th look, as when the tests start before
# Amplify's webhook made the job.
HIDDEN_FOR = 5
COMMIT = "c0ffee" * 6 + "c0ff"


def branch_with_history(fake: FakeAmplify, order: str, jobs: int = EARLIER_JOBS) -> None:
    """``jobs`` finished jobs: the older ones took 100 s, the newest twenty 600 s."""
    fake.add_branch("d1", "main", list_order=order)
    for number in range(1, jobs + 1):
        duration = 600.0 if number > jobs - 20 else 100.0
        fake.add_job("d1", "main", duration=duration, steps=[], commit_id=f"old{number}")


def list_calls_before_each_get(fake: FakeAmplify) -> list[int]:
    """ListJobs calls per look: the requests in order, split at each sleep (a new time)."""
    looks: dict[float, int] = {}
    for request in fake.requests:
        if request.operation == "ListJobs":
            looks[request.at] = looks.get(request.at, 0) + 1
    return list(looks.values())


@pytest.mark.parametrize("order", ORDERS)
def test_an_unlisted_commit_costs_a_page_or_two_a_poll_after_the_first_look(
    fake: FakeAmplify, clock: SimulatedClock, order: str
) -> None:
    branch_with_history(fake, order)
    fake.add_job(
        "d1", "main", commit_id=COMMIT, status="RUNNING", listed_after=HIDDEN_FOR, steps=[]
    ).then("SUCCEED", after_seconds=900)
    wait = make_wait(fake, clock, commit_id=COMMIT, timeout=3600)

    job = wait.run()

    assert (job.job_id, job.commit_id, job.succeeded) == (str(EARLIER_JOBS + 1), COMMIT, True)
    looks = list_calls_before_each_get(fake)
    first_look = EARLIER_JOBS // PAGE
    assert looks[0] == first_look, "the first look reads every page"
    assert len(looks) == HIDDEN_FOR + 1, "listed at the 6th look, then GetJob only"
    assert all(calls <= 2 for calls in looks[1:]), looks
    assert fake.calls("ListJobs") <= first_look + 2 * HIDDEN_FOR
    # The history is the newest jobs', in either order, read with the looks.
    assert wait.schedule.forecast is not None
    assert wait.schedule.forecast.typical_duration == pytest.approx(600)


@pytest.mark.parametrize("order", ORDERS)
def test_a_commit_picks_its_newest_job_in_either_order(
    fake: FakeAmplify, clock: SimulatedClock, order: str
) -> None:
    branch_with_history(fake, order, jobs=120)
    fake.add_job("d1", "main", commit_id="abc", status="FAILED")
    fake.add_job("d1", "main", commit_id="abc")
    fake.add_job("d1", "main", commit_id="def", status="FAILED")
    job = make_wait(fake, clock, commit_id="abc").run()
    assert (job.job_id, job.status) == ("122", "SUCCEED")


@pytest.mark.parametrize("order", ORDERS)
def test_latest_is_the_newest_job_in_either_order(
    fake: FakeAmplify, clock: SimulatedClock, order: str
) -> None:
    branch_with_history(fake, order, jobs=120)
    fake.add_job("d1", "main", status="RUNNING", steps=[]).then("SUCCEED", after_seconds=60)
    job = make_wait(fake, clock).run()
    assert (job.job_id, job.succeeded) == ("121", True)


@pytest.mark.parametrize("order", ORDERS)
def test_a_job_given_by_id_reads_the_newest_history_once(
    fake: FakeAmplify, clock: SimulatedClock, order: str
) -> None:
    branch_with_history(fake, order, jobs=200)
    fake.add_job("d1", "main", status="RUNNING", steps=[]).then("SUCCEED", after_seconds=900)
    wait = make_wait(fake, clock, job_id="201", timeout=3600)
    assert wait.run().succeeded
    assert wait.schedule.forecast is not None
    assert wait.schedule.forecast.typical_duration == pytest.approx(600)
    # Newest first, the first page holds the newest jobs; oldest first, the last.
    assert fake.calls("ListJobs") == (1 if order == "newest first" else 200 // PAGE + 1)


def test_a_token_the_service_no_longer_takes_means_reading_everything_again(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    branch_with_history(fake, "oldest first", jobs=200)
    fake.add_job("d1", "main", commit_id=COMMIT, status="SUCCEED", listed_after=2, steps=[])
    wait = make_wait(fake, clock, commit_id=COMMIT)
    assert wait.advance() > 0  # the first look: not listed yet
    fake.fail_next("ListJobs", "BadRequestException", message="Invalid nextToken.")
    clock.advance(30)
    assert wait.advance() > 0  # the token failed: every page again, still not listed
    clock.advance(30)
    job = wait.advance()
    assert not isinstance(job, float)
    assert (job.job_id, job.succeeded) == ("201", True)
    assert list_calls_before_each_get(fake) == [4, 1 + 4, 2]
