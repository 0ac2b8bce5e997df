"""The local service as users load it: fixtures, the plugin targeting it, moto beside it."""

from __future__ import annotations

import pytest

from .seam import MOTO_HINT


def test_a_users_test_file_adds_a_job_and_reads_it_back(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        pytest_plugins = ["pytest_amplify.testing"]

        def test_read_back(amplify_fake):
            amplify_fake.add_job(app_id="d1", branch="main", job_id="1")
            client = boto3.client(
                "amplify",
                endpoint_url=amplify_fake.endpoint_url,
                region_name="us-east-1",
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
            job = client.get_job(appId="d1", branchName="main", jobId="1")["job"]
            assert job["summary"]["status"] == "SUCCEED"
            assert amplify_fake.calls("GetJob") == 1
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_the_plugin_targets_the_fake_whatever_the_configuration_says(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_AMPLIFY", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    pytester.makeini(
        """
        [pytest]
        amplify_app_id = d1
        amplify_branch = main
        amplify_endpoint_url = http://127.0.0.1:9
        amplify_site_url = https://www.example.com
        """
    )
    pytester.makepyfile(
        """
        import urllib.request
        pytest_plugins = ["pytest_amplify.testing"]

        def test_smoke(amplify_fake, request):
            amplify_fake.add_job(app_id="d1", branch="main", status="RUNNING").then("SUCCEED", after_seconds=300)
            amplify_fake.serve_site("d1", "main", {"/": "<h1>Shop</h1>"})
            job = request.getfixturevalue("amplify_job")
            assert job.succeeded
            with urllib.request.urlopen(job.branch_url + "/") as page:
                assert page.read() == b"<h1>Shop</h1>"
            assert amplify_fake.calls("GetJob") >= 2
        """
    )
    result = pytester.runpytest(
        "--amplify-endpoint-url=http://127.0.0.1:9", "--amplify-region=eu-west-2"
    )
    result.assert_outcomes(passed=1)


def test_the_fixture_can_be_loaded_with_dash_p(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_fake(amplify_fake):
            assert amplify_fake.endpoint_url.startswith("http://127.0.0.1:")
        """
    )
    pytester.runpytest("-p", "pytest_amplify.testing").assert_outcomes(passed=1)


def test_session_fixture_is_shared_and_nothing_leaks(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["pytest_amplify.testing"]')
    pytester.makepyfile(
        """
        import threading
        seen = []

        def names():
            return {t.name for t in threading.enumerate() if t.name.startswith("pytest-amplify")}

        def test_one(amplify_fake_session):
            seen.append(amplify_fake_session.endpoint_url)

        def test_two(amplify_fake_session, amplify_fake):
            seen.append(amplify_fake_session.endpoint_url)
            assert seen[0] == seen[1]
            assert amplify_fake.endpoint_url != amplify_fake_session.endpoint_url
            assert len(names()) == 2

        def test_three_function_fake_is_gone(amplify_fake_session):
            assert len(names()) == 1
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=3)


def test_the_fake_and_the_plugin_work_inside_mock_aws(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        import pytest
        from moto import mock_aws
        pytest_plugins = ["pytest_amplify.testing"]

        @pytest.fixture(autouse=True)
        def aws():
            with mock_aws():
                yield

        @pytest.mark.amplify(app_id="d1", branch="main")
        def test_side_by_side(amplify_fake, request):
            s3 = boto3.client("s3", region_name="us-east-1")
            s3.create_bucket(Bucket="assets")
            amplify_fake.add_job(app_id="d1", branch="main")
            job = request.getfixturevalue("amplify_job")
            assert job.succeeded
            assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["assets"]
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_moto_swallowing_amplify_calls_is_explained(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from moto import mock_aws

        @pytest.fixture(autouse=True)
        def aws():
            with mock_aws():
                yield

        def test_smoke(amplify_job):
            pass
        """
    )
    result = pytester.runpytest(
        "--amplify-app-id=d1", "--amplify-branch=main", "--amplify-region=us-east-1"
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*Not yet implemented*", f"*{MOTO_HINT[:60]}*"])


def test_pytest_plugins_in_a_nested_conftest_is_pytests_error(pytester: pytest.Pytester) -> None:
    """What docs/local-service.md says: declare it in a test module or the rootdir conftest."""
    sub = pytester.mkpydir("sub")
    (sub / "conftest.py").write_text('pytest_plugins = ["pytest_amplify.testing"]\n')
    (sub / "test_x.py").write_text("def test_x(amplify_fake):\n    pass\n")
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["*Defining 'pytest_plugins' in a non-top-level conftest*"])
