"""Settings: every source, the precedence between them, and clear errors for bad values."""

from __future__ import annotations

import re

import pytest

from pytest_amplify.plugin import NOT_SUCCEEDED
from pytest_amplify.testing import FakeAmplify

from .conftest import fake_args
from .seam import OPTIONS, format_duration, parse_duration

USES_JOB = """
def test_job(amplify_job):
    print("APP", amplify_job.app_id, "BRANCH", amplify_job.branch, "JOB", amplify_job.job_id)
"""


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90),
        ("90s", 90),
        ("15m", 900),
        ("1h", 3600),
        ("1h30m", 5400),
        ("1.5m", 90),
        (" 2 m ", 120),
        ("500ms", 0.5),
        ("0.25s", 0.25),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "  ", "soon", "5x", "m", "1h 30", "1.2.3s", "-5", "90 s m"])
def test_not_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "text"), [(5, "5s"), (12.5, "12.5s"), (90, "1m 30s"), (3725, "1h 02m 05s")]
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_help_lists_every_setting_in_the_amplify_group(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*AWS Amplify Hosting deployments (pytest-amplify)*"])
    for option in OPTIONS:
        result.stdout.fnmatch_lines([f"*{option.flag}*"])
        result.stdout.fnmatch_lines([f"*{option.ini}*"])


def test_the_marker_is_registered(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.amplify(app_id="d1")
        def test_marked():
            pass
        """
    )
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)
    pytester.runpytest("--markers").stdout.fnmatch_lines(["@pytest.mark.amplify(app_id=, branch=*"])


def test_an_unused_plugin_needs_no_configuration(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_APP_ID", "not an app id")
    pytester.makepyfile("def test_plain(): pass")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert not [line for line in result.stdout.lines if line.startswith("amplify")]


@pytest.mark.parametrize(
    ("ini_line", "message"),
    [
        (
            "amplify_timeout = soon",
            "amplify_timeout = 'soon' (from amplify_timeout in pytest.ini): 'soon' is not a duration",
        ),
        (
            "amplify_timeout =",
            "amplify_timeout = '' (from amplify_timeout in pytest.ini): it is empty",
        ),
        (
            "amplify_timeout = 0",
            "amplify_timeout = '0' (from amplify_timeout in pytest.ini): it is zero",
        ),
        ("amplify_timeout = 48h", "longer than the 24h 00m 00s allowed"),
        (
            "amplify_poll_interval = -5",
            "amplify_poll_interval = '-5' (from amplify_poll_interval in pytest.ini): it is negative",
        ),
        ("amplify_max_poll_interval = abc", "amplify_max_poll_interval = 'abc'"),
        (
            "amplify_app_id = my-app",
            "amplify_app_id = 'my-app' (from amplify_app_id in pytest.ini): it is not an Amplify app id",
        ),
        (
            "amplify_app_id =    ",
            "amplify_app_id = '' (from amplify_app_id in pytest.ini): it is empty",
        ),
        (
            "amplify_branch = my branch",
            "amplify_branch = 'my branch' (from amplify_branch in pytest.ini): a branch name cannot contain spaces",
        ),
        (
            "amplify_job_id = first",
            "amplify_job_id = 'first' (from amplify_job_id in pytest.ini): it is neither 'latest' nor a job number",
        ),
        ("amplify_job_id = 0", "it is neither 'latest' nor a job number"),
        (
            "amplify_region = mars",
            "amplify_region = 'mars' (from amplify_region in pytest.ini): it is not an AWS region name",
        ),
        ("amplify_region = xx-nowhere-9", "Amplify is not available in xx-nowhere-9"),
        ("amplify_endpoint_url = localhost:4566", "it is not an http(s) URL"),
        (
            "amplify_site_url = https://{app}.example.com",
            "it uses {app}; the only placeholders are {app_id} and {branch}",
        ),
        (
            "amplify_require_success = maybe",
            "amplify_require_success = 'maybe' (from amplify_require_success in pytest.ini): it is not a boolean",
        ),
        ("amplify_html_screenshots = sometimes", "it is not one of failed, always, never"),
        ("amplify_commit_id = a b", "it is not a commit id"),
    ],
)
def test_bad_ini_values_are_usage_errors(
    pytester: pytest.Pytester, ini_line: str, message: str
) -> None:
    pytester.makefile(".ini", pytest=f"[pytest]\n{ini_line}\n")
    pytester.makepyfile("def test_plain(): pass")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--amplify-timeout=soon"], "amplify_timeout = 'soon' (from --amplify-timeout)"),
        (["-o", "amplify_timeout=soon"], "amplify_timeout = 'soon' (from -o amplify_timeout)"),
        (
            ["--amplify-poll-interval=60", "--amplify-max-poll-interval=30"],
            "amplify_max_poll_interval = 30s (from --amplify-max-poll-interval) is shorter than amplify_poll_interval = 1m 00s (from --amplify-poll-interval)",
        ),
        (
            ["--amplify-job-id=7", "--amplify-commit-id=abc"],
            "amplify_job_id = 7 (from --amplify-job-id) and amplify_commit_id = abc (from --amplify-commit-id) both pick the job; set only one of them",
        ),
    ],
)
def test_bad_flags_are_usage_errors(
    pytester: pytest.Pytester, args: list[str], message: str
) -> None:
    pytester.makepyfile("def test_plain(): pass")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()


def test_a_region_is_not_checked_when_an_endpoint_is_set(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain(): pass")
    result = pytester.runpytest(
        "--amplify-region=xx-local-1", "--amplify-endpoint-url=http://127.0.0.1:4566"
    )
    result.assert_outcomes(passed=1)


def test_pyproject_toml_is_read_too(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\namplify_timeout = "soon"\n')
    pytester.makepyfile("def test_plain(): pass")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "(from amplify_timeout in pyproject.toml)" in result.stderr.str()


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (
            "ini",
            "ERROR: amplify_timout = '20m' (from amplify_timout in pytest.ini): no such setting; "
            "did you mean amplify_timeout?",
        ),
        (
            "pyproject",
            "ERROR: amplify_timout = '20m' (from amplify_timout in pyproject.toml): no such "
            "setting; did you mean amplify_timeout?",
        ),
        (
            "-o",
            "ERROR: amplify_timout = '20m' (from -o amplify_timout): no such setting; did you "
            "mean amplify_timeout?",
        ),
    ],
)
def test_a_misspelt_ini_key_is_a_usage_error_naming_the_setting_meant(
    pytester: pytest.Pytester, where: str, message: str
) -> None:
    args: list[str] = []
    if where == "ini":
        pytester.makefile(".ini", pytest="[pytest]\namplify_timout = 20m\n")
    elif where == "pyproject":
        pytester.makepyprojecttoml('[tool.pytest.ini_options]\namplify_timout = "20m"\n')
    else:
        args = ["-o", "amplify_timout=20m"]
    pytester.makepyfile("def test_plain(): pass")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_every_unknown_key_is_named_and_others_are_left_to_pytest(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(
        ".ini",
        pytest="[pytest]\namplify_timout = 20m\namplify_zzz = 1\nsome_other_plugins_key = 1\n",
    )
    pytester.makepyfile("def test_plain(): pass")
    result = pytester.runpytest("-o", "amplify_brnach=main")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: amplify_brnach = 'main' (from -o amplify_brnach): no such setting; did you "
            "mean amplify_branch?",
            "amplify_timout = '20m' (from amplify_timout in pytest.ini): no such setting; did "
            "you mean amplify_timeout?",
            "amplify_zzz = '1' (from amplify_zzz in pytest.ini): no such setting; pytest --help "
            "lists the amplify_ ini keys",
        ]
    )
    assert "some_other_plugins_key" not in result.stderr.str()


def test_the_environment_is_not_checked_for_unknown_names(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMPLIFY_TIMOUT", "20m")
    monkeypatch.setenv("amplify_timout", "20m")
    pytester.makepyfile("def test_plain(): pass")
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("env", "flags", "message"),
    [
        (
            {},
            [],
            "No Amplify app to test: set amplify_app_id in the ini file, --amplify-app-id on the command line, or AWS_APP_ID in the environment",
        ),
        (
            {"AWS_APP_ID": "d1"},
            [],
            "No Amplify branch to test: set amplify_branch in the ini file, --amplify-branch on the command line, or AWS_BRANCH in the environment",
        ),
        (
            {"AWS_APP_ID": "D-1", "AWS_BRANCH": "main"},
            [],
            "amplify_app_id = 'D-1' (from environment variable AWS_APP_ID): it is not an Amplify app id",
        ),
        (
            {"AWS_APP_ID": "", "AWS_BRANCH": "main"},
            [],
            "amplify_app_id = '' (from environment variable AWS_APP_ID): it is empty",
        ),
    ],
)
def test_missing_or_bad_targets_are_one_line_errors_and_call_nothing(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    fake: FakeAmplify,
    env: dict[str, str],
    flags: list[str],
    message: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    pytester.makepyfile(USES_JOB + "\ndef test_plain():\n    pass\n")
    result = pytester.runpytest(*fake_args(fake), *flags)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([message + "*"])
    assert "Traceback" not in result.stdout.str()
    assert fake.calls() == 0


def test_precedence_marker_over_flag_over_ini_over_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, fake: FakeAmplify
) -> None:
    for app in ("d1", "d2", "d3", "d4"):
        fake.add_job(app_id=app, branch="main")
    monkeypatch.setenv("AWS_APP_ID", "d1")
    monkeypatch.setenv("AWS_BRANCH", "main")
    pytester.makepyfile(
        USES_JOB
        + """
import pytest

@pytest.mark.amplify(app_id="d4")
def test_marked(amplify_job):
    print("APP", amplify_job.app_id)
"""
    )

    def apps(*args: str, ini: str | None = None) -> list[str]:
        if ini:
            pytester.makefile(".ini", pytest=f"[pytest]\namplify_app_id = {ini}\n")
        out = pytester.runpytest("-s", *fake_args(fake), *args).stdout.str()
        return re.findall(r"APP (\S+)", out)

    assert apps() == ["d1", "d4"]
    assert apps(ini="d2") == ["d2", "d4"]
    assert apps("--amplify-app-id=d3", ini="d2") == ["d3", "d4"]


def test_the_marker_on_a_class_and_module_is_merged_closest_first(
    pytester: pytest.Pytester, fake: FakeAmplify
) -> None:
    fake.add_job(app_id="d1", branch="main")
    fake.add_job(app_id="d1", branch="dev")
    fake.add_job(app_id="d2", branch="dev")
    pytester.makepyfile(
        """
        import pytest
        pytestmark = pytest.mark.amplify(app_id="d1", branch="main")

        @pytest.mark.amplify(branch="dev")
        class TestDev:
            def test_dev(self, amplify_job):
                assert (amplify_job.app_id, amplify_job.branch) == ("d1", "dev")

            @pytest.mark.amplify(app_id="d2")
            def test_other_app(self, amplify_job):
                assert (amplify_job.app_id, amplify_job.branch) == ("d2", "dev")

        def test_module(amplify_job):
            assert (amplify_job.app_id, amplify_job.branch) == ("d1", "main")
        """
    )
    pytester.runpytest(*fake_args(fake)).assert_outcomes(passed=3)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            'app="d1"',
            "@pytest.mark.amplify got unknown keyword app (did you mean app_id?) in test_marker.py::test_marked; it takes app_id, branch, pull_request, job_id, commit_id, timeout, retry_timeout, serve_timeout, e2e_report, require_success",
        ),
        ('"d1"', "@pytest.mark.amplify takes keywords only"),
        (
            'timeout="soon"',
            "amplify_timeout = 'soon' (from @pytest.mark.amplify(timeout=...)): 'soon' is not a duration",
        ),
        (
            "require_success=1",
            "amplify_require_success = 1 (from @pytest.mark.amplify(require_success=...)): write True or False",
        ),
        (
            'job_id="7", commit_id="abc"',
            "amplify_job_id = 7 (from @pytest.mark.amplify(job_id=...)) and amplify_commit_id = abc (from @pytest.mark.amplify(commit_id=...)) both pick the job; set only one of them",
        ),
    ],
)
def test_bad_markers_error_the_test_even_without_the_fixture(
    pytester: pytest.Pytester, marker: str, message: str
) -> None:
    pytester.makepyfile(
        test_marker=f"""
        import pytest

        @pytest.mark.amplify({marker})
        def test_marked():
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*{message}*"])


@pytest.mark.slow  # the inner run waits on the real clock until its 0.2 s timeout
def test_a_numeric_marker_timeout_is_seconds(pytester: pytest.Pytester, fake: FakeAmplify) -> None:
    fake.add_job(app_id="d1", branch="main", status="RUNNING")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.amplify(app_id="d1", branch="main", timeout=0.2)
        def test_marked(amplify_job):
            pass
        """
    )
    result = pytester.runpytest(*fake_args(fake), "--amplify-poll-interval=0.1s")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*amplify_timeout = 0.2s (from @pytest.mark.amplify(timeout=...))*"]
    )


@pytest.mark.parametrize(
    ("how", "outcome"),
    [
        ([], {"errors": 1}),
        (["--amplify-allow-failed"], {"passed": 1}),
        (["-o", "amplify_require_success=false"], {"passed": 1}),
    ],
)
def test_failed_jobs_error_at_setup_unless_allowed(
    pytester: pytest.Pytester, fake: FakeAmplify, how: list[str], outcome: dict[str, int]
) -> None:
    fake.add_failed_job("d1", "main")
    pytester.makepyfile(
        """
        def test_failed(amplify_job):
            assert amplify_job.status == "FAILED"
        """
    )
    result = pytester.runpytest(
        *fake_args(fake), "--amplify-app-id=d1", "--amplify-branch=main", *how
    )
    result.assert_outcomes(**outcome)
    if "errors" in outcome:
        result.stdout.fnmatch_lines(
            ["Amplify job 1 FAILED in step BUILD: *", "*BUILD FAILED*", NOT_SUCCEEDED]
        )


def test_the_marker_can_allow_a_failed_job(pytester: pytest.Pytester, fake: FakeAmplify) -> None:
    fake.add_failed_job("d1", "main")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.amplify(require_success=False)
        def test_failed(amplify_job):
            assert not amplify_job.succeeded
        """
    )
    pytester.runpytest(
        *fake_args(fake), "--amplify-app-id=d1", "--amplify-branch=main"
    ).assert_outcomes(passed=1)


def test_the_environment_endpoint_is_honoured_as_boto3_does(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, fake: FakeAmplify
) -> None:
    fake.add_job(app_id="d1", branch="main")
    monkeypatch.setenv("AWS_ENDPOINT_URL_AMPLIFY", fake.endpoint_url)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    pytester.makepyfile(USES_JOB)
    result = pytester.runpytest("--amplify-app-id=d1", "--amplify-branch=main", "-s")
    result.assert_outcomes(passed=1)
    assert fake.calls("GetJob") == 1


def test_an_unknown_marker_keyword_is_reported_once(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.amplify(app="d1")
        def test_marked(amplify_job):
            pass
        """
    )
    result = pytester.runpytest("--amplify-app-id=d1", "--amplify-branch=main")
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    assert out.count("@pytest.mark.amplify got unknown keyword app") == 1
    assert "During handling of the above exception" not in out
    assert "Traceback" not in out
