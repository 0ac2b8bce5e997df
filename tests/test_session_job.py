"""``amplify_job_session``: the configured job for fixtures of any scope."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from pytest_amplify.plugin import NOT_SUCCEEDED_SESSION
from pytest_amplify.testing import FakeAmplify

from .conftest import fake_args
from .seam import EXPLAINED_BEFORE

TARGET = ["--amplify-app-id=d1", "--amplify-branch=main"]


def test_class_and_session_scoped_fixtures_get_the_job(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="3")
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def deployed_commit(amplify_job_session):
            return amplify_job_session.commit_id

        @pytest.fixture(scope="class")
        def job_of_class(amplify_job_session):
            return amplify_job_session
        """
    )
    pytester.makepyfile(
        """
        class TestTheDeployment:
            def test_the_class_fixture(self, job_of_class, amplify_job):
                assert job_of_class.job_id == "3"
                assert job_of_class == amplify_job

            def test_the_session_fixture(self, deployed_commit, amplify_job):
                assert deployed_commit == amplify_job.commit_id
        """
    )
    pytester.runpytest(*fake_args(fake), *TARGET).assert_outcomes(passed=2)
    # One wait for amplify_job and amplify_job_session alike: one cache.
    assert fake.calls("ListJobs") == 1
    assert fake.calls("GetJob") == 1


def test_amplify_job_itself_cannot_serve_a_wider_scope(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    # Why amplify_job_session exists: amplify_job is function-scoped, for markers.
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(scope="class")
        def job_of_class(amplify_job):
            return amplify_job

        class TestIt:
            def test_it(self, job_of_class):
                pass
        """
    )
    result = pytester.runpytest(*fake_args(fake), *TARGET)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ScopeMismatch*amplify_job*"])
    assert fake.calls() == 0


def test_a_failed_job_errors_every_test_that_uses_it_unless_allowed(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_failed_job("d1", "main")
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(scope="module")
        def site(amplify_job_session):
            return amplify_job_session.status

        def test_one(site):
            assert site == "FAILED"

        def test_two(site):
            assert site == "FAILED"
        """
    )
    result = pytester.runpytest(*fake_args(fake), *TARGET)
    result.assert_outcomes(errors=2)
    # pytest raises the session fixture's error again in test_two: the story once, and
    # a line that points to it.
    assert result.stdout.str().count(NOT_SUCCEEDED_SESSION) == 1
    assert result.stdout.str().count("last 30 lines of the BUILD log") == 1
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_one*",
            "Amplify job 1 FAILED in step BUILD: *",
            "*BUILD FAILED*",
            "*ERROR at setup of test_two*",
            EXPLAINED_BEFORE.format(
                cause="Amplify job 1 FAILED in step BUILD: *", first="*::test_one"
            ),
        ]
    )
    pytester.runpytest(*fake_args(fake), *TARGET, "--amplify-allow-failed").assert_outcomes(
        passed=2
    )


def test_markers_do_not_apply_to_it(pytester: pytest.Pytester, fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="1")
    fake.add_job(app_id="d1", branch="dev", job_id="2")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.amplify(branch="dev")
        def test_marked(amplify_job_session, amplify_job):
            assert amplify_job.branch == "dev"
            assert amplify_job_session.branch == "main"
        """
    )
    pytester.runpytest(*fake_args(fake), *TARGET).assert_outcomes(passed=1)


def test_its_docstring_says_markers_do_not_apply(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures")
    result.stdout.fnmatch_lines(
        [
            "amplify_job_session [[]session scope[]] -- *",
            "    The configured job for fixtures of any scope; markers do not apply to it.",
        ]
    )


def test_amplify_jobs_wait_gives_the_configured_job_at_any_scope(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="5")
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(scope="module")
        def job_of_module(amplify_jobs):
            return amplify_jobs.wait()

        def test_it(job_of_module, amplify_job):
            assert job_of_module == amplify_job
            assert job_of_module.job_id == "5"
        """
    )
    pytester.runpytest(*fake_args(fake), *TARGET).assert_outcomes(passed=1)
    assert fake.calls("GetJob") == 1


def test_every_test_that_uses_it_gets_the_junit_properties(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_job(app_id="d1", branch="main", job_id="4")
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(scope="class")
        def job_of_class(amplify_job_session):
            return amplify_job_session

        class TestIt:
            def test_first(self, job_of_class):
                pass

            def test_second(self, job_of_class, amplify_job):
                pass

        def test_unrelated():
            pass
        """
    )
    # Per-test properties are written under xunit1 and legacy (xunit2 has no place
    # for them).
    result = pytester.runpytest(
        *fake_args(fake), *TARGET, "--junitxml=junit.xml", "-o", "junit_family=xunit1"
    )
    result.assert_outcomes(passed=3)
    cases = ET.parse(pytester.path / "junit.xml").getroot().iter("testcase")
    properties = {
        case.get("name"): [(p.get("name"), p.get("value")) for p in case.iter("property")]
        for case in cases
    }
    expected = [
        ("amplify_app_id", "d1"),
        ("amplify_branch", "main"),
        ("amplify_job_id", "4"),
        ("amplify_job_status", "SUCCEED"),
    ]
    assert properties["test_first"] == expected
    assert properties["test_second"] == expected  # once, though two fixtures gave it
    assert properties["test_unrelated"] == []
