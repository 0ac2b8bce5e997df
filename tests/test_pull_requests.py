"""Pull request previews as users run them: branch pr-N by number or from GitHub's
event file, a branch that Amplify creates late, the preview's site, closed pull
requests, and the settings that pick the branch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_amplify import AmplifyJob, AmplifyServiceError, AmplifyTimeoutError
from pytest_amplify.testing import FakeAmplify, SimulatedClock

from .conftest import fake_args
from .seam import (
    PREVIEW_CAUSES,
    PREVIEW_DELETED_HINT,
    InsideJob,
    PullRequestEvent,
    closed_message,
    make_wait,
    progress_line,
)

HEAD = "1f3e5d7c9b2a4f6e8d0c1b3a5f7e9d2c4b6a8f0e"
MERGE = "9999999999999999999999999999999999999999"

# The inner runs' conftest: a preview of pull request 42 whose branch Amplify
# creates 2 minutes after the run starts, built from HEAD, and a newer job on the
# same branch from another commit (so "latest" would pick the wrong one).
PREVIEW_CONFTEST = f"""
import pytest
pytest_plugins = ["pytest_amplify.testing"]

@pytest.fixture(autouse=True)
def preview(amplify_fake):
    job = amplify_fake.add_preview(
        "d1", 42, head_commit="{HEAD}", created_after=120, status="PENDING",
        pages={{"/": "<h1>Preview of 42</h1>"}},
    )
    job.then("RUNNING", after_seconds=30, running="BUILD").then("SUCCEED", after_seconds=240)
    amplify_fake.add_job("d1", "pr-42", commit_id="0" * 40, status="PENDING")
    amplify_fake.add_succeeded_job("d1", "main", commit_id="{MERGE}")
    return job
"""

PREVIEW_TEST = f"""
import urllib.request

def test_the_preview(amplify_job, amplify_fake):
    assert amplify_job.branch == "pr-42"
    assert amplify_job.job_id == "1"
    assert amplify_job.commit_id == "{HEAD}"
    assert amplify_job.succeeded
    with urllib.request.urlopen(amplify_job.branch_url + "/") as page:
        assert page.read() == b"<h1>Preview of 42</h1>"
    # The branch did not exist at first: ListJobs answered that it was not found.
    refused = [r for r in amplify_fake.requests if r.operation == "ListJobs" and r.status == 400]
    assert refused
"""


def write_event(directory: Path, action: str = "synchronize", **pull_request: object) -> Path:
    """A GitHub pull_request event file, with the fields the plugin reads."""
    fields: dict[str, object] = {"number": 42, "head": {"sha": HEAD, "ref": "feature"}}
    fields.update(pull_request)
    path = directory / "event.json"
    path.write_text(json.dumps({"action": action, "number": 42, "pull_request": fields}))
    return path


def in_pull_request_run(
    monkeypatch: pytest.MonkeyPatch, event: Path, name: str = "pull_request"
) -> None:
    """The environment GitHub Actions gives a pull_request run."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_EVENT_NAME", name)
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_SHA", MERGE)
    monkeypatch.setenv("GITHUB_REF_NAME", "42/merge")


def test_by_number_waits_for_the_late_branch_and_serves_the_preview(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(PREVIEW_CONFTEST)
    pytester.makepyfile(test_preview=PREVIEW_TEST)
    result = pytester.runpytest(
        "--amplify-app-id=d1", "--amplify-pull-request=42", f"--amplify-commit-id={HEAD}"
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "app d1, branch pr-42, job 1: SUCCEED in *",
            f"  matched commit {HEAD} (from --amplify-commit-id)",
        ]
    )


@pytest.mark.parametrize("event_name", ["pull_request", "pull_request_target"])
def test_from_the_event_file_with_no_branch_given(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, event_name: str
) -> None:
    in_pull_request_run(monkeypatch, write_event(pytester.path), event_name)
    pytester.makeconftest(PREVIEW_CONFTEST)
    pytester.makepyfile(test_preview=PREVIEW_TEST)
    result = pytester.runpytest("--amplify-app-id=d1", "--amplify-github-event")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            f"amplify: app d1, branch pr-42, commit {HEAD}, timeout 30m*",
            "app d1, branch pr-42, job 1: SUCCEED in *",
            f"  matched commit {HEAD} (from the {event_name} event in GITHUB_EVENT_PATH)",
        ]
    )


def test_the_event_takes_the_place_of_the_merge_ref_and_merge_commit(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workflow for push and pull_request passes GITHUB_SHA for pushes; on a pull
    request the event's head commit replaces GitHub's merge commit."""
    in_pull_request_run(monkeypatch, write_event(pytester.path))
    pytester.makeini("[pytest]\namplify_branch = main\namplify_github_event = true\n")
    pytester.makeconftest(PREVIEW_CONFTEST)
    pytester.makepyfile(test_preview=PREVIEW_TEST)
    result = pytester.runpytest("--amplify-app-id=d1", f"--amplify-commit-id={MERGE}")
    result.assert_outcomes(passed=1)


def test_a_marker_for_another_branch_drops_the_events_commit_too(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_pull_request_run(monkeypatch, write_event(pytester.path))
    pytester.makeconftest(PREVIEW_CONFTEST)
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.amplify(branch="main")
        def test_production(amplify_job):
            assert (amplify_job.branch, amplify_job.commit_id) == ("main", "{MERGE}")
        """
    )
    result = pytester.runpytest("--amplify-app-id=d1", "--amplify-github-event")
    result.assert_outcomes(passed=1)


def test_on_a_push_the_switch_changes_nothing(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_EVENT_NAME", "push")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(pytester.path / "no-such-file.json"))
    pytester.makeconftest(PREVIEW_CONFTEST)
    pytester.makepyfile(
        f"""
        def test_main(amplify_job):
            assert (amplify_job.branch, amplify_job.commit_id) == ("main", "{MERGE}")
        """
    )
    result = pytester.runpytest(
        "--amplify-app-id=d1",
        "--amplify-branch=main",
        f"--amplify-commit-id={MERGE}",
        "--amplify-github-event",
    )
    result.assert_outcomes(passed=1)


def test_a_closed_pull_request_is_said_at_once(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_pull_request_run(monkeypatch, write_event(pytester.path, action="closed"))
    pytester.makeconftest(PREVIEW_CONFTEST)
    pytester.makepyfile(
        """
        def test_preview(amplify_job):
            pass

        def test_nothing_was_called(amplify_fake):
            assert amplify_fake.calls() == 0
        """
    )
    result = pytester.runpytest("--amplify-app-id=d1", "--amplify-github-event")
    result.assert_outcomes(errors=1, passed=1)
    message = closed_message(PullRequestEvent("pull_request", 42, HEAD, "closed"))
    assert "Amplify deletes its preview, branch pr-42, when the pull request closes" in message
    assert message in result.stdout.lines


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            None,
            "amplify_github_event is on, but the event file GITHUB_EVENT_PATH = * cannot be read *",
        ),
        (
            "{not json",
            "amplify_github_event is on, but the event file GITHUB_EVENT_PATH = * is not JSON",
        ),
        (
            json.dumps({"action": "opened", "pull_request": {"number": 42}}),
            "amplify_github_event is on, but the pull_request event in the event file "
            "GITHUB_EVENT_PATH = '*event.json' has no pull_request.head.sha",
        ),
        (
            json.dumps({"action": "opened", "pull_request": {"head": {"sha": HEAD}}}),
            "amplify_github_event is on, but the pull_request event in the event file "
            "GITHUB_EVENT_PATH = '*event.json' has no pull_request.number",
        ),
        (
            json.dumps({"action": "opened", "number": 42}),
            "amplify_github_event is on, but the pull_request event in the event file "
            "GITHUB_EVENT_PATH = '*event.json' has no pull_request object",
        ),
        (
            json.dumps({"action": "opened", "pull_request": {"number": 0, "head": {"sha": HEAD}}}),
            "amplify_pull_request = 0 (from the pull_request event in GITHUB_EVENT_PATH): it is "
            "not a pull request number*",
        ),
    ],
    ids=["missing", "not-json", "no-head", "no-number", "no-pull-request", "number-zero"],
)
def test_an_unusable_or_incomplete_event_file_is_one_line_naming_github_event_path(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, content: str | None, expected: str
) -> None:
    event = pytester.path / "event.json"
    if content is not None:
        event.write_text(content)
    in_pull_request_run(monkeypatch, event)
    pytester.makeconftest(PREVIEW_CONFTEST)
    pytester.makepyfile("def test_preview(amplify_job):\n    pass\n")
    result = pytester.runpytest("--amplify-app-id=d1", "--amplify-github-event")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([expected])


def test_a_branch_that_never_appears_times_out_naming_the_likely_causes(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        pytest_plugins = ["pytest_amplify.testing"]

        def test_preview(amplify_fake, request):
            amplify_fake.add_app("d1")
            request.getfixturevalue("amplify_job")
        """
    )
    result = pytester.runpytest(
        "--amplify-app-id=d1", "--amplify-pull-request=7", "--amplify-timeout=10m"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*Timed out after 10m 00s waiting for app d1, branch pr-7, the preview of pull request 7, "
            "to be created (* polls of ListJobs)*"
        ]
    )
    assert PREVIEW_CAUSES in result.stdout.str().replace("\n", "")


def test_a_preview_deleted_during_the_wait_ends_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        pytest_plugins = ["pytest_amplify.testing"]

        def test_preview(amplify_fake, request):
            amplify_fake.add_preview("d1", 5, status="RUNNING").then("SUCCEED", after_seconds=600)
            amplify_fake.fail_next("GetJob", "NotFoundException", message="Branch pr-5 not found.", times=99)
            request.getfixturevalue("amplify_job")
        """
    )
    result = pytester.runpytest("--amplify-app-id=d1", "--amplify-pull-request=5")
    result.assert_outcomes(failed=1)
    assert PREVIEW_DELETED_HINT in result.stdout.str().replace("\n", "")


def test_the_progress_line_says_the_branch_is_not_created_yet(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    fake.add_preview("d1", 9, created_after=90, status="PENDING").then("SUCCEED", after_seconds=60)
    wait = make_wait(fake, clock, branch="pr-9", pull_request=9)
    lines = []
    step = wait.advance()
    while not isinstance(step, AmplifyJob):
        lines.append(progress_line(wait))
        clock.sleep(step)
        step = wait.advance()
    assert "branch pr-9 not created yet" in lines[0]
    assert not any("not created yet" in line for line in lines[-1:])
    assert step.succeeded
    assert 90 <= wait.elapsed() <= 90 + 60 + 30


def test_a_merge_commit_awaited_on_a_preview_branch_is_named_as_the_likely_mistake(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    """The issue's new user: --amplify-branch pr-42 with $GITHUB_SHA, GitHub's merge
    commit, which no preview job carries."""
    fake.add_preview("d1", 42, head_commit=HEAD)
    wait = make_wait(fake, clock, branch="pr-42", commit_id=MERGE, timeout=120)
    with pytest.raises(AmplifyTimeoutError) as raised:
        wait.run()
    assert "its head, pull_request.head.sha, not GITHUB_SHA (GitHub's merge commit)" in str(
        raised.value
    )


def test_a_missing_job_on_a_preview_is_not_a_missing_branch(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    fake.add_preview("d1", 42, head_commit=HEAD)
    wait = make_wait(fake, clock, branch="pr-42", job_id="7", pull_request=42)
    with pytest.raises(AmplifyServiceError, match=r"Job 7 not found for branch pr-42"):
        wait.run()
    assert wait.polls == 1


def test_the_preview_url_comes_from_get_app_and_get_branch(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_preview("d1", 42, head_commit=HEAD)
    pytester.makepyfile(
        """
        def test_url(amplify_job):
            assert amplify_job.branch_url == "https://pr-42.d1.amplifyapp.com"
        """
    )
    args = [a for a in fake_args(fake) if not a.startswith("--amplify-site-url")]
    result = pytester.runpytest(*args, "--amplify-app-id=d1", "--amplify-pull-request=42")
    result.assert_outcomes(passed=1)
    assert fake.calls("GetApp") == 1
    assert fake.calls("GetBranch") == 1


def test_the_local_service_serves_a_late_branch_and_its_site_only_once_created(
    fake: FakeAmplify,
) -> None:
    fake.add_preview("d1", 3, created_after=60, pages={"/": "<h1>3</h1>"})
    client = fake.client()
    with pytest.raises(client.exceptions.BadRequestException, match="Branch pr-3 not found"):
        client.list_jobs(appId="d1", branchName="pr-3")
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_branch(appId="d1", branchName="pr-3")
    fake.advance(60)
    branch = client.get_branch(appId="d1", branchName="pr-3")["branch"]
    assert (branch["displayName"], branch["stage"]) == ("pr-3", "PULL_REQUEST")
    assert [
        j["jobId"] for j in client.list_jobs(appId="d1", branchName="pr-3")["jobSummaries"]
    ] == ["1"]


# -- which branch the settings pick ---------------------------------------------------------

TARGET_TEST = """
def test_target(amplify_job):
    print("TARGET", amplify_job.branch)
"""


@pytest.fixture
def previews(fake: FakeAmplify) -> FakeAmplify:
    fake.add_preview("d1", 42)
    fake.add_preview("d1", 7)
    fake.add_succeeded_job("d1", "main")
    fake.add_succeeded_job("d1", "feature")
    return fake


def branch_used(result: pytest.RunResult) -> str:
    lines = [line for line in result.stdout.lines if "TARGET " in line]
    assert lines, result.stdout.str()
    return lines[0].split("TARGET ", 1)[1].split()[0]


@pytest.mark.parametrize(
    ("environ", "args", "expected"),
    [
        # A preview's build: AWS_BRANCH is the pull request's source branch.
        ({"AWS_BRANCH": "feature", "AWS_PULL_REQUEST_ID": "42"}, [], "pr-42"),
        # Amplify may leave it empty outside previews: unset.
        ({"AWS_BRANCH": "feature", "AWS_PULL_REQUEST_ID": " "}, [], "feature"),
        # The command line beats the environment, whichever setting it is.
        ({"AWS_PULL_REQUEST_ID": "42"}, ["--amplify-branch=main"], "main"),
        ({"AWS_BRANCH": "feature"}, ["--amplify-pull-request=7"], "pr-7"),
        ({}, ["--amplify-pull-request=#7"], "pr-7"),
        # Both given, but agreeing.
        ({}, ["--amplify-pull-request=7", "--amplify-branch=pr-7"], "pr-7"),
    ],
)
def test_which_branch_is_tested(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    previews: FakeAmplify,
    environ: dict[str, str],
    args: list[str],
    expected: str,
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    pytester.makepyfile(TARGET_TEST)
    result = pytester.runpytest(*fake_args(previews), "--amplify-app-id=d1", "-s", *args)
    result.assert_outcomes(passed=1)
    assert branch_used(result) == expected


# -- the GitHub event decides, whatever the branch given ----------------------------------


def in_github_run(monkeypatch: pytest.MonkeyPatch, directory: Path, event_name: str | None) -> None:
    """A GitHub Actions run of ``event_name`` (None: no GITHUB_EVENT_NAME at all),
    whose event file, on a pull request event, names pull request 42 at HEAD."""
    if event_name is None:
        monkeypatch.delenv("GITHUB_EVENT_NAME", raising=False)
        return
    monkeypatch.setenv("GITHUB_EVENT_NAME", event_name)
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(write_event(directory)))


@pytest.mark.parametrize("ref", ["42/merge", "42/head"])
@pytest.mark.parametrize("given_in", ["flag", "ini", "environment"])
def test_a_github_ref_gives_way_to_the_preview_on_a_pull_request_event(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    previews: FakeAmplify,
    ref: str,
    given_in: str,
) -> None:
    in_github_run(monkeypatch, pytester.path, "pull_request")
    previews.add_preview("d1", 42, head_commit=HEAD)
    args = ["--amplify-github-event"]
    if given_in == "flag":
        args.append(f"--amplify-branch={ref}")
    elif given_in == "ini":
        pytester.makeini(f"[pytest]\namplify_branch = {ref}\n")
    else:
        monkeypatch.setenv("AWS_BRANCH", ref)
    pytester.makepyfile(TARGET_TEST)
    result = pytester.runpytest(*fake_args(previews), "--amplify-app-id=d1", "-s", *args)
    result.assert_outcomes(passed=1)
    assert branch_used(result) == "pr-42"
    source = {
        "flag": "--amplify-branch",
        "ini": "amplify_branch in tox.ini",
        "environment": "environment variable AWS_BRANCH",
    }[given_in]
    result.stdout.fnmatch_lines(
        [
            "amplify: amplify_github_event: pull_request event: pull request 42's preview, "
            f"branch pr-42, at its head commit {HEAD}, in place of amplify_branch = {ref} "
            f"(from {source})"
        ]
    )


def test_the_header_says_the_event_took_the_place_of_the_branch_given(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, previews: FakeAmplify
) -> None:
    in_github_run(monkeypatch, pytester.path, "pull_request_target")
    previews.add_preview("d1", 42, head_commit=HEAD)
    pytester.makepyfile(TARGET_TEST)
    result = pytester.runpytest(
        *fake_args(previews),
        "--amplify-app-id=d1",
        "--amplify-branch=main",
        "--amplify-job-id=3",
        "--amplify-github-event",
        "-s",
    )
    result.assert_outcomes(passed=1)
    assert branch_used(result) == "pr-42"
    result.stdout.fnmatch_lines(
        [
            f"amplify: app d1, branch pr-42, commit {HEAD}, *",
            "amplify: amplify_github_event: pull_request_target event: pull request 42's "
            f"preview, branch pr-42, at its head commit {HEAD}, in place of amplify_branch = "
            "main (from --amplify-branch); amplify_job_id = 3 (from --amplify-job-id)",
        ]
    )


@pytest.mark.parametrize("event_name", ["push", "workflow_dispatch", "merge_group", None])
def test_other_events_test_the_branch_as_given_and_say_why(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    previews: FakeAmplify,
    event_name: str | None,
) -> None:
    in_github_run(monkeypatch, pytester.path, event_name)
    pytester.makepyfile(TARGET_TEST)
    result = pytester.runpytest(
        *fake_args(previews),
        "--amplify-app-id=d1",
        "--amplify-branch=feature",
        "--amplify-github-event",
        "-s",
    )
    result.assert_outcomes(passed=1)
    assert branch_used(result) == "feature"
    why = (
        f"{event_name} is not a pull request event"
        if event_name
        else "GITHUB_EVENT_NAME is not set (not a GitHub Actions run)"
    )
    result.stdout.fnmatch_lines(
        [f"amplify: amplify_github_event: {why}: branch feature as given (from --amplify-branch)"]
    )


@pytest.mark.parametrize("event_name", ["push", "merge_group", None])
def test_a_github_ref_on_another_event_is_an_error_naming_the_event(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    previews: FakeAmplify,
    event_name: str | None,
) -> None:
    in_github_run(monkeypatch, pytester.path, event_name)
    pytester.makepyfile(
        """
        def test_preview(amplify_job):
            pass

        def test_unrelated():
            pass
        """
    )
    calls = previews.calls()
    result = pytester.runpytest(
        *fake_args(previews),
        "--amplify-app-id=d1",
        "--amplify-branch=42/merge",
        "--amplify-github-event",
    )
    result.assert_outcomes(errors=1, passed=1)
    has = f"the {event_name} event" if event_name else "no GitHub event (GITHUB_EVENT_NAME unset)"
    result.stdout.fnmatch_lines(
        [
            "amplify_branch = '42/merge' (from --amplify-branch): it is GitHub's ref of pull "
            "request 42 (GITHUB_REF_NAME on a pull_request event), not a branch Amplify builds; "
            "amplify_github_event puts the preview in its place only on a pull_request or "
            f"pull_request_target event, and this run has {has}"
        ]
    )
    assert previews.calls() == calls, "no call for a target that cannot be"


def test_without_the_event_a_github_ref_from_the_environment_errors_the_fixture(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, previews: FakeAmplify
) -> None:
    monkeypatch.setenv("AWS_BRANCH", "42/merge")
    pytester.makepyfile(
        """
        def test_preview(amplify_job):
            pass

        def test_unrelated():
            pass
        """
    )
    result = pytester.runpytest(*fake_args(previews), "--amplify-app-id=d1")
    result.assert_outcomes(errors=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "amplify_branch = '42/merge' (from environment variable AWS_BRANCH): it is GitHub's "
            "ref of pull request 42 *; test its preview with amplify_pull_request = 42, or turn "
            "on amplify_github_event (--amplify-github-event)*"
        ]
    )


def test_a_marker_naming_a_github_ref_is_an_error_even_with_the_event(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, previews: FakeAmplify
) -> None:
    in_github_run(monkeypatch, pytester.path, "pull_request")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.amplify(branch="7/merge")
        def test_marked(amplify_job):
            pass
        """
    )
    result = pytester.runpytest(
        *fake_args(previews), "--amplify-app-id=d1", "--amplify-github-event"
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "amplify_branch = '7/merge' (from @pytest.mark.amplify(branch=...)): it is GitHub's "
            "ref of pull request 7 *; give the pull request instead: pull_request=7"
        ]
    )


def test_a_marker_retargets_a_pull_request_run(
    pytester: pytest.Pytester, previews: FakeAmplify
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.amplify(branch="main")
        def test_main(amplify_job):
            assert amplify_job.branch == "main"

        @pytest.mark.amplify(pull_request=7)
        def test_other_preview(amplify_job):
            assert amplify_job.branch == "pr-7"

        def test_configured(amplify_job):
            assert amplify_job.branch == "pr-42"
        """
    )
    result = pytester.runpytest(
        *fake_args(previews), "--amplify-app-id=d1", "--amplify-pull-request=42"
    )
    result.assert_outcomes(passed=3)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--amplify-branch=main", "--amplify-pull-request=42"],
            "ERROR: amplify_branch = main (from --amplify-branch) and amplify_pull_request = 42 "
            "(from --amplify-pull-request) both pick the branch; set only one of them *",
        ),
        (
            ["--amplify-pull-request=abc"],
            "ERROR: amplify_pull_request = 'abc' (from --amplify-pull-request): it is not a pull "
            "request number such as 42 *",
        ),
        (
            ["--amplify-branch=42/merge"],
            "ERROR: amplify_branch = '42/merge' (from --amplify-branch): it is GitHub's ref of pull "
            "request 42 (GITHUB_REF_NAME on a pull_request event), not a branch Amplify builds; "
            "test its preview with amplify_pull_request = 42, or turn on amplify_github_event "
            "(--amplify-github-event), which puts the preview in its place on a pull request event",
        ),
    ],
    ids=["both", "not-a-number", "merge-ref"],
)
def test_bad_pull_request_settings_are_usage_errors(
    pytester: pytest.Pytester, args: list[str], expected: str
) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("--amplify-app-id=d1", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([expected])


def test_a_marker_cannot_pick_the_branch_twice(
    pytester: pytest.Pytester, previews: FakeAmplify
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.amplify(branch="main", pull_request=7)
        def test_both(amplify_job):
            pass
        """
    )
    result = pytester.runpytest(*fake_args(previews), "--amplify-app-id=d1")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*amplify_branch = main (from @pytest.mark.amplify(branch=...)) and "
            "amplify_pull_request = 7 (from @pytest.mark.amplify(pull_request=...)) both pick "
            "the branch*"
        ]
    )


def test_a_run_inside_a_previews_own_build_knows_its_branch() -> None:
    environ = {
        "AWS_APP_ID": "d1",
        "AWS_BRANCH": "feature",
        "AWS_PULL_REQUEST_ID": "42",
        "AWS_JOB_ID": "0000000003",
    }
    inside = InsideJob.from_environ(environ)
    assert inside is not None
    assert (inside.branch, inside.job_id) == ("pr-42", "0000000003")
