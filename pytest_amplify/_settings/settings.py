"""Settings: each declared once, read with their source, validated at the boundary.

Each setting is one field of :class:`Settings`, and the field's declaration says
everything else about it: ini key, flag, environment variables, parser, default,
help, and whether ``@pytest.mark.amplify`` and ``override_settings`` may set it.
Every other list of names is derived from those declarations.

Which source wins is stated once, in docs/settings.md ("Precedence"), and
tests/test_settings_precedence.py holds the code to it. Every value remembers where
it came from, so an error can say "amplify_timeout = 'soon' (from amplify_timeout in
pytest.ini)".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .._core.durations import format_duration
from .._core.errors import AmplifyConfigError
from .._core.vocabulary import (
    DEFAULT_DOMAIN_URL,
    DEFAULT_E2E_REPORT,
    DEFAULT_MAX_POLL_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_RETRY_TIMEOUT,
    DEFAULT_SERVE_TIMEOUT,
    DEFAULT_TIMEOUT,
    LATEST,
    branch_under_test,
    preview_branch,
)
from .values import (
    ENVIRONMENT,
    Option,
    Setting,
    bool_value,
    declare,
    github_pull_request_ref,
    int_value,
    parse_app_id,
    parse_bool,
    parse_branch,
    parse_commit_id,
    parse_domain_url,
    parse_e2e_report,
    parse_endpoint_url,
    parse_html_screenshots,
    parse_interval,
    parse_job_id,
    parse_profile,
    parse_pull_request,
    parse_region,
    parse_report_path,
    parse_site_url,
    parse_timeout,
    seconds_value,
)


# Not compared (eq=False): dataclasses would build an __eq__ over every field in
# every pytest run, the plugin's unused ones too.
@dataclasses.dataclass(frozen=True, eq=False)
class Settings:
    """Every setting, with its source; each field declares its setting."""

    app_id: Setting[str | None] = declare(
        flag="--amplify-app-id",
        env=("AWS_APP_ID",),
        parse=parse_app_id,
        default=None,
        help="Amplify app id of the deployment to test (env AWS_APP_ID).",
        metavar="APP_ID",
        marker=True,
        overridable=True,
    )
    branch: Setting[str | None] = declare(
        flag="--amplify-branch",
        env=("AWS_BRANCH",),
        parse=parse_branch,
        default=None,
        help="Branch of the app whose job to wait for (env AWS_BRANCH).",
        metavar="BRANCH",
        marker=True,
        overridable=True,
    )
    pull_request: Setting[int | None] = declare(
        flag="--amplify-pull-request",
        env=("AWS_PULL_REQUEST_ID",),
        blank_env_is_unset=True,
        env_yields_to="branch",
        parse=parse_pull_request,
        default=None,
        help="Test the preview of this pull request: branch pr-N, waited for while Amplify "
        "creates it (env AWS_PULL_REQUEST_ID).",
        metavar="NUMBER",
        marker=True,
        overridable=True,
        none_is_default=True,
        python_value=int_value,
    )
    github_event: Setting[bool] = declare(
        flag="--amplify-github-event",
        flag_sets=True,
        parse=parse_bool,
        default=False,
        help="In GitHub Actions, on a pull_request or pull_request_target event, test the "
        "pull request's preview (pr-N) built from its head commit, both read from the "
        "event file, whatever branch is given (GITHUB_REF_NAME's N/merge included); other "
        "events keep the branch given (ini: amplify_github_event = true).",
        ini_help="true: on a GitHub pull_request or pull_request_target event, test the "
        "pull request's preview (pr-N) built from its head commit (from GITHUB_EVENT_PATH), "
        "whatever branch is given; other events keep the branch given.",
        python_value=bool_value,
    )
    job_id: Setting[str] = declare(
        flag="--amplify-job-id",
        parse=parse_job_id,
        default=LATEST,
        help="Job to wait for: a job number or 'latest', the newest job of the branch "
        "(default: latest).",
        metavar="JOB_ID",
        marker=True,
        overridable=True,
        none_is_default=True,
    )
    commit_id: Setting[str | None] = declare(
        flag="--amplify-commit-id",
        parse=parse_commit_id,
        default=None,
        help='Wait for the newest job built from this commit, e.g. "$GITHUB_SHA"; waits '
        "for it to be listed if it is not yet.",
        metavar="SHA",
        marker=True,
        overridable=True,
        none_is_default=True,
    )
    region: Setting[str | None] = declare(
        flag="--amplify-region",
        parse=parse_region,
        default=None,
        help="AWS region of the app (default: boto3's own chain, e.g. AWS_DEFAULT_REGION).",
        metavar="REGION",
        overridable=True,
    )
    profile: Setting[str | None] = declare(
        flag="--amplify-profile",
        parse=parse_profile,
        default=None,
        help="AWS profile to use (default: boto3's own chain, e.g. AWS_PROFILE).",
        metavar="PROFILE",
    )
    endpoint_url: Setting[str | None] = declare(
        flag="--amplify-endpoint-url",
        env=("AWS_ENDPOINT_URL_AMPLIFY", "AWS_ENDPOINT_URL"),
        parse=parse_endpoint_url,
        default=None,
        help="Amplify API endpoint (env AWS_ENDPOINT_URL_AMPLIFY, as boto3 reads it).",
        metavar="URL",
        overridable=True,
    )
    timeout: Setting[float] = declare(
        flag="--amplify-timeout",
        parse=parse_timeout,
        default=DEFAULT_TIMEOUT,
        help="Longest wait for a job to finish: 90, 90s, 15m, 1h (default: 30m).",
        metavar="DURATION",
        marker=True,
        overridable=True,
        python_value=seconds_value,
    )
    poll_interval: Setting[float] = declare(
        flag="--amplify-poll-interval",
        parse=parse_interval,
        default=DEFAULT_POLL_INTERVAL,
        help="Shortest wait between polls, the first for a young job (default: 5s).",
        metavar="DURATION",
        overridable=True,
        python_value=seconds_value,
    )
    max_poll_interval: Setting[float] = declare(
        flag="--amplify-max-poll-interval",
        parse=parse_interval,
        default=DEFAULT_MAX_POLL_INTERVAL,
        help="Longest wait between polls: no sleep is longer, history or not (default: 30s).",
        metavar="DURATION",
        overridable=True,
        python_value=seconds_value,
    )
    retry_timeout: Setting[float] = declare(
        flag="--amplify-retry-timeout",
        parse=parse_interval,
        default=DEFAULT_RETRY_TIMEOUT,
        help="How long a call outside the wait (GetApp, GetBranch, test artifacts, a log, "
        "a zip, a screenshot) keeps retrying throttling, 5xx and network failures "
        "(default: 1m).",
        metavar="DURATION",
        marker=True,
        overridable=True,
        python_value=seconds_value,
    )
    site_url: Setting[str | None] = declare(
        flag="--amplify-site-url",
        parse=parse_site_url,
        default=None,
        help="Where the deployed branch is served when not at Amplify's default domain; "
        "may contain {app_id} and {branch}.",
        metavar="URL",
        overridable=True,
    )
    serve_timeout: Setting[float] = declare(
        flag="--amplify-serve-timeout",
        parse=parse_timeout,
        default=DEFAULT_SERVE_TIMEOUT,
        help="Longest wait for the site to serve a job's build (assert_serves_build): "
        "90s, 5m, 15m (default: 5m).",
        metavar="DURATION",
        marker=True,
        overridable=True,
        python_value=seconds_value,
    )
    domain_url: Setting[str] = declare(
        flag="--amplify-domain-url",
        parse=parse_domain_url,
        default=DEFAULT_DOMAIN_URL,
        help="Where assert_serves_build(custom_domains=True) reaches a custom domain, "
        "{domain} being its host name, e.g. www.example.com (default: https://{domain}).",
        metavar="URL",
        overridable=True,
    )
    e2e_report: Setting[str] = declare(
        flag="--amplify-e2e-report",
        parse=parse_e2e_report,
        default=DEFAULT_E2E_REPORT,
        help="Where assert_e2e_passed finds the end-to-end report in the TEST step's test "
        "artifacts: a glob (default: **/mochawesome.json; then each spec's "
        "**/mochawesome*.json).",
        metavar="GLOB",
        marker=True,
        overridable=True,
    )
    require_success: Setting[bool] = declare(
        flag="--amplify-allow-failed",
        flag_sets=False,
        parse=parse_bool,
        default=True,
        help="Hand jobs that did not SUCCEED to tests instead of erroring them at setup "
        "(ini: amplify_require_success = false).",
        ini_help="true (default): a job that did not SUCCEED errors the test at setup; "
        "false: tests receive failed jobs to assert on.",
        marker=True,
        python_value=bool_value,
    )
    base_url: Setting[bool] = declare(
        flag="--amplify-base-url",
        flag_sets=True,
        parse=parse_bool,
        default=False,
        help="Provide the base_url fixture (pytest-base-url, pytest-playwright) as the "
        "deployed branch's site URL; --base-url and a base_url ini key still win "
        "(ini: amplify_base_url = true).",
        ini_help="false (default): base_url is left to pytest-base-url / pytest-playwright; "
        "true: base_url is the deployed branch's site URL unless one is given explicitly.",
        python_value=bool_value,
    )
    html_screenshots: Setting[str] = declare(
        flag="--amplify-html-screenshots",
        parse=parse_html_screenshots,
        default="failed",
        help="pytest-html: embed VERIFY screenshots for failed tests (failed), every test "
        "(always) or none (never).",
        metavar="WHEN",
    )
    github_summary: Setting[bool] = declare(
        flag="--amplify-no-github-summary",
        flag_sets=False,
        parse=parse_bool,
        default=True,
        help="Leave the GitHub Actions job summary alone (ini: amplify_github_summary = false).",
        ini_help="true (default): in GitHub Actions, append the jobs waited for to the job "
        "summary (GITHUB_STEP_SUMMARY).",
        python_value=bool_value,
    )
    github_annotations: Setting[bool] = declare(
        flag="--amplify-no-github-annotations",
        flag_sets=False,
        parse=parse_bool,
        default=True,
        help="No ::error annotations in GitHub Actions (ini: amplify_github_annotations = false).",
        ini_help="true (default): in GitHub Actions, an ::error annotation per failed wait.",
        python_value=bool_value,
    )
    junit_testcase_properties: Setting[bool] = declare(
        flag="--amplify-junit-testcase-properties",
        flag_sets=True,
        parse=parse_bool,
        default=False,
        help="Under junit_family = xunit2, write testcase properties too, which its schema "
        "does not allow (always written under xunit1 and legacy).",
        python_value=bool_value,
    )
    report: Setting[str | None] = declare(
        flag="--amplify-report",
        parse=parse_report_path,
        default=None,
        help="Write every wait (outcome, job, polls, tests) to this JSON file.",
        metavar="PATH",
    )
    e2e_junit: Setting[str | None] = declare(
        flag="--amplify-e2e-junit",
        parse=parse_report_path,
        default=None,
        help="Write the end-to-end (Cypress) tests of the TEST steps of the jobs waited for "
        "to this JUnit XML file: a testsuite per spec, a testcase per test.",
        metavar="PATH",
    )

    def replace(self, name: str, value: Any, source: str) -> Settings:
        return dataclasses.replace(self, **{name: Setting(value, source)})

    def get(self, name: str) -> Setting[Any]:
        setting: Setting[Any] = getattr(self, name)
        return setting

    def check_consistent(self) -> None:
        """Cross-setting rules; raises AmplifyConfigError naming both settings."""
        if self.max_poll_interval.value < self.poll_interval.value:
            raise AmplifyConfigError(
                f"amplify_max_poll_interval = {format_duration(self.max_poll_interval.value)} "
                f"(from {self.max_poll_interval.source}) is shorter than amplify_poll_interval = "
                f"{format_duration(self.poll_interval.value)} (from {self.poll_interval.source}); "
                "the cap must be at least the first interval"
            )
        if self.commit_id.value is not None and self.job_id.value != LATEST:
            raise AmplifyConfigError(
                f"amplify_job_id = {self.job_id.value} (from {self.job_id.source}) and "
                f"amplify_commit_id = {self.commit_id.value} (from {self.commit_id.source}) "
                "both pick the job; set only one of them"
            )
        self._check_one_branch()
        if not self.github_event.value:
            refuse_github_ref(self.branch, _without_the_event)

    def branch_to_test(self) -> Setting[str | None]:
        """The branch to wait on (:func:`branch_under_test`), with its source."""
        number = self.pull_request
        branch = branch_under_test(self.branch.value, number.value)
        return Setting(branch, number.source if number.value is not None else self.branch.source)

    def names_a_target(self) -> bool:
        """Whether an app and a branch to test are configured (nothing is called to
        know it): a run without them leaves ``base_url`` and the header alone."""
        return bool(self.app_id.value and self.branch_to_test().value)

    def _check_one_branch(self) -> None:
        branch, number = self.branch, self.pull_request
        tested = branch_under_test(branch.value, number.value)
        # AWS_BRANCH is the pull request's source branch in a preview's build, and
        # anything beats the environment: only values given here can disagree.
        if branch.value in (None, tested) or not (given_here(branch) and given_here(number)):
            return
        assert number.value is not None
        raise AmplifyConfigError(
            f"amplify_branch = {branch.value} (from {branch.source}) and amplify_pull_request = "
            f"{number.value} (from {number.source}) both pick the branch; set only one of them "
            f"(pull request {number.value}'s preview is branch {preview_branch(number.value)})"
        )

    def given(self, values: Mapping[str, Setting[Any]]) -> Settings:
        """``values`` given together, over these settings (a marker's keywords, an
        override, the GitHub event; each made by :meth:`Option.value_of`). Job id and
        commit id pick the job together, as branch and pull request pick the branch:
        giving one sets the other aside. The result is checked as a whole."""
        if "branch" in values:
            # These sit above the GitHub event: nothing would replace a GitHub ref.
            refuse_github_ref(values["branch"], _above_the_event)
        settings = dataclasses.replace(self, **values)._pick_job(values)._pick_branch(values)
        settings.check_consistent()
        return settings

    def _pick_job(self, given: Mapping[str, Setting[Any]]) -> Settings:
        settings = self
        if "commit_id" in given and "job_id" not in given:
            settings = settings.replace("job_id", LATEST, given["commit_id"].source)
        if "job_id" in given and "commit_id" not in given and settings.job_id.value != LATEST:
            settings = settings.replace("commit_id", None, given["job_id"].source)
        return settings

    def _pick_branch(self, given: Mapping[str, Setting[Any]]) -> Settings:
        if "branch" in given and "pull_request" not in given:
            source = given["branch"].source
            settings = self.replace("pull_request", None, source)
            # A commit that came with the pull request (the GitHub event's head
            # commit) is that pull request's: it goes with it.
            number, commit = self.pull_request, self.commit_id
            if "commit_id" not in given and number.value and commit.source == number.source:
                settings = settings.replace("commit_id", None, source)
            return settings
        if "pull_request" in given and "branch" not in given and self.pull_request.value:
            return self.replace("branch", None, given["pull_request"].source)
        return self


OPTIONS: tuple[Option, ...] = tuple(
    Option(name=field.name, **field.metadata["option"]) for field in dataclasses.fields(Settings)
)
OPTIONS_BY_NAME: Mapping[str, Option] = {option.name: option for option in OPTIONS}
MARKER_KEYWORDS = tuple(option.name for option in OPTIONS if option.marker)
OVERRIDABLE = tuple(option.name for option in OPTIONS if option.overridable)


def values_given(
    values: Mapping[str, object], source_of: Callable[[str], str]
) -> dict[str, Setting[Any]]:
    """Each value made a setting by the one path (:meth:`Option.value_of`)."""
    return {
        name: OPTIONS_BY_NAME[name].value_of(raw, source_of(name)) for name, raw in values.items()
    }


def marker_help() -> str:
    """The ``amplify`` marker's line in ``pytest --markers`` (here, not in ``keywords``,
    which start-up does not import: most tests carry no such marker)."""
    keywords = ", ".join(f"{name}=" for name in MARKER_KEYWORDS)
    return f"amplify({keywords}): retarget the amplify_job fixture for this test, class or module"


def _without_the_event(number: int) -> str:
    return (
        f"test its preview with amplify_pull_request = {number}, or turn on "
        "amplify_github_event (--amplify-github-event), which puts the preview in its place "
        "on a pull request event"
    )


def _above_the_event(number: int) -> str:
    return f"give the pull request instead: pull_request={number}"


def refuse_github_ref(branch: Setting[str | None], fix: Callable[[int], str]) -> None:
    """GitHub's ``N/merge`` or ``N/head`` as the branch is an error that says
    ``fix(N)``; only the GitHub event (``github_event``) puts the preview in its place."""
    number = github_pull_request_ref(branch.value)
    if number is not None:
        raise AmplifyConfigError(
            f"amplify_branch = {branch.value!r} (from {branch.source}): it is GitHub's ref of "
            f"pull request {number} (GITHUB_REF_NAME on a pull_request event), not a branch "
            f"Amplify builds; {fix(number)}"
        )


def closest_name(name: str, names: Iterable[str]) -> str | None:
    """The known name closest to a misspelt one (``amplify_timeout`` for
    ``amplify_timout``), if any is close. Only error paths call it: difflib is not
    imported at start-up."""
    import difflib

    matches = difflib.get_close_matches(name, list(names), n=1)
    return matches[0] if matches else None


def given_here(setting: Setting[Any]) -> bool:
    """Given on the command line, in the ini, by an override or a marker: not a
    default nor the environment's."""
    return setting.source != "default" and not setting.source.startswith(ENVIRONMENT)
