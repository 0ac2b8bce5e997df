"""The samples of docs/*.md run as written, against the local service; the settings
table lists every setting and the fault-matrix table every case."""

from __future__ import annotations

import json
import textwrap

import pytest

import pytest_amplify
from pytest_amplify import AmplifyJob
from pytest_amplify.testing import FakeAmplify, typical_steps

from .conftest import REPO, fake_args
from .doc_blocks import doc_block

MARKER = doc_block("docs/settings.md", "import pytest\n\npytestmark = pytest.mark.amplify(")
SESSION_FIXTURE = doc_block("docs/jobs-and-assertions.md", "import pytest\n\n\n@pytest.fixture")
SEVERAL_JOBS = doc_block("docs/jobs-and-assertions.md", "import os\n\n\ndef test_release")
JOB_FIELDS = doc_block("docs/jobs-and-assertions.md", "job.app_id, job.branch")
ASSERTIONS = doc_block(
    "docs/jobs-and-assertions.md", "from pytest_amplify import (\n    assert_job_"
)
FILES = doc_block(
    "docs/jobs-and-assertions.md", "import re\n\nfrom pytest_amplify import (\n    assert_artifacts"
)
OFFLINE = doc_block("docs/local-service.md", "# test_offline.py")
SCHEMA = doc_block("docs/ci-reports.md", "from importlib.resources import files")
COMPUTE_FILES = doc_block("docs/serves-build.md", "assert_serves_build(amplify_job, files=")
OFFLINE_BUILDS = doc_block("docs/serves-build.md", "job = amplify_fake.add_job(")


def test_the_marker_example_retargets_a_test(pytester: pytest.Pytester, fake: FakeAmplify) -> None:
    fake.add_failed_job("d1abc2def3", "dev")
    pytester.makepyfile(test_marker=MARKER)
    # The configured app and branch are others: the markers alone pick app and branch.
    result = pytester.runpytest(*fake_args(fake), "--amplify-app-id=d9", "--amplify-branch=main")
    result.assert_outcomes(passed=1)
    assert fake.calls("GetJob") == 1


def test_the_session_fixture_example_serves_a_wider_scope(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_job(app_id="d1", branch="main", commit_id="4a6c8e0f2b4d")
    pytester.makeconftest(SESSION_FIXTURE)
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(scope="module")
        def banner(deployed_version):
            return f"version {deployed_version}"

        def test_version(banner):
            assert banner == "version 4a6c8e0"
        """
    )
    result = pytester.runpytest(*fake_args(fake), "--amplify-app-id=d1", "--amplify-branch=main")
    result.assert_outcomes(passed=1)


def test_the_several_jobs_example_waits_for_each(
    pytester: pytest.Pytester, fake: FakeAmplify, monkeypatch: pytest.MonkeyPatch
) -> None:
    sha = "4a6c8e0f2b4d6f8a0c2e4a6c8e0f2b4d6f8a0c2e"
    monkeypatch.setenv("GITHUB_SHA", sha)
    fake.add_job(app_id="d1abc2def3", branch="main", commit_id=sha)
    fake.add_job(app_id="d2abc", branch="main")
    for _ in range(42):
        fake.add_job(app_id="d3abc", branch="main")
    pytester.makepyfile(test_release=SEVERAL_JOBS)
    result = pytester.runpytest(*fake_args(fake), "--amplify-branch=main")
    result.assert_outcomes(passed=1)
    # One GetJob per job: web by its commit, docs as the latest, admin by number.
    assert fake.calls("GetJob") == 3


def test_the_job_fields_are_what_a_job_has(fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main", commit_id="abc", steps=typical_steps())
    answer = fake.client().get_job(appId="d1", branchName="main", jobId="1")
    job = AmplifyJob.from_api(answer, app_id="d1", branch="main")
    namespace = {"job": job, "step": job.steps[0], "AmplifyJob": AmplifyJob, "data": job.to_dict()}
    # Every line is an expression on a real job: a field that is gone raises here.
    exec(compile(JOB_FIELDS, "docs/jobs-and-assertions.md", "exec"), namespace)
    assert AmplifyJob.from_dict(job.to_dict()) == job


def test_the_assertions_it_lists_are_public() -> None:
    namespace: dict[str, object] = {}
    exec(compile(ASSERTIONS, "docs/jobs-and-assertions.md", "exec"), namespace)
    names = {name for name in namespace if name.startswith("assert_")}
    assert len(names) == 5
    assert names <= set(pytest_amplify.__all__)


def test_the_files_example_runs_against_the_local_service(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_files=FILES)
    pytester.makeconftest(
        """
        import pytest
        from pytest_amplify.testing import FakeStep, typical_steps
        pytest_plugins = ["pytest_amplify.testing"]

        @pytest.fixture(autouse=True)
        def deployment(amplify_fake):
            steps = typical_steps()
            steps[0] = FakeStep("BUILD", log="vite build\\nCompiled successfully\\n", artifacts={"index.html": "<h1>", "assets/app.js": ""})
            amplify_fake.add_job(app_id="d1", branch="main", steps=steps)
        """
    )
    result = pytester.runpytest("--amplify-app-id=d1", "--amplify-branch=main")
    result.assert_outcomes(passed=1)


def test_the_local_service_example_runs(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_offline=OFFLINE)
    result = pytester.runpytest("--amplify-app-id", "d1", "--amplify-branch", "main")
    result.assert_outcomes(passed=1)


def test_the_schema_example_reads_the_shipped_schema() -> None:
    namespace: dict[str, object] = {}
    exec(compile(SCHEMA, "docs/ci-reports.md", "exec"), namespace)
    schema = json.loads(str(namespace["schema"]))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_compute_app_samples_run_together(pytester: pytest.Pytester) -> None:
    """serves-build.md's offline set-up (a compute app, a build deployed 90 s after its
    job, a custom domain) and its ``files=`` mapping, in one suite as a user writes it."""
    pytester.makeconftest(
        "import pytest\n"
        "from pytest_amplify.testing import FakeStep, typical_steps\n"
        'pytest_plugins = ["pytest_amplify.testing"]\n\n'
        "@pytest.fixture(autouse=True)\n"
        "def deployment(amplify_fake):\n"
        "    steps = typical_steps()\n"
        '    steps[0] = FakeStep("BUILD", artifacts={\n'
        '        ".amplify-hosting/static/index.html": "<h1>build 1</h1>",\n'
        '        ".amplify-hosting/compute/default/server.js": "",\n'
        "    })\n" + textwrap.indent(OFFLINE_BUILDS, "    ")
    )
    pytester.makepyfile(
        "from pytest_amplify import assert_serves_build\n\n"
        "def test_the_static_files_are_live(amplify_job):\n"
        + textwrap.indent(COMPUTE_FILES, "    ")
    )
    result = pytester.runpytest("--amplify-app-id=d1", "--amplify-branch=main")
    result.assert_outcomes(passed=1)


def test_every_setting_is_in_the_settings_table() -> None:
    from .seam import OPTIONS

    table = (REPO / "docs" / "settings.md").read_text()
    for option in OPTIONS:
        assert f"| `{option.ini}` | `{option.flag}`" in table, option.ini


def test_every_fault_matrix_case_is_in_the_reliability_page() -> None:
    from .test_fault_matrix import MATRIX, failure_modes_markdown

    page = (REPO / "docs" / "reliability.md").read_text()
    assert failure_modes_markdown() in page
    for case in MATRIX:
        assert f"| `{case.name}` | {case.what} | {case.expected} |" in page, case.name


FAULTS = doc_block("docs/reliability.md", 'amplify_fake.trickle_next("GetJob"')


def test_the_fault_injection_sample_injects_what_it_says() -> None:
    from botocore.config import Config
    from botocore.exceptions import ClientError

    with FakeAmplify() as amplify_fake:
        amplify_fake.add_app("d1")
        exec(FAULTS, {"amplify_fake": amplify_fake})  # the sample, as written
        client = amplify_fake.client(config=Config(retries={"total_max_attempts": 1}))
        with pytest.raises(ClientError, match="LimitExceededException"):
            client.get_app(appId="d1")
        assert amplify_fake.calls("GetApp") == 1
