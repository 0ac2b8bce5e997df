"""``amplify_base_url`` under pytest-base-url and pytest-playwright, each alone and
together, loaded in either order, with and without pytest-xdist."""

from __future__ import annotations

import pytest

pytest.importorskip(
    "pytest_playwright",
    reason="needs pytest-playwright and pytest-base-url: .ci/run runs tests/browser "
    "in an environment of its own that has them",
)
pytest.importorskip("pytest_base_url", reason="needs pytest-base-url (see .ci/run)")

from pytest_amplify.testing import FakeAmplify

from ..conftest import fake_args
from .plugins import PLUGIN_SETS, load_order, run_with

pytestmark = pytest.mark.slow
TARGET = ["--amplify-app-id=d1", "--amplify-branch=main"]
EXPLICIT = "http://explicit.test:8000"
SHOW_BASE_URL = """
def test_base_url(base_url):
    print(f"base_url={base_url!r}")
"""


def base_url_shown(result: pytest.RunResult) -> str:
    (line,) = [line for line in result.stdout.lines if "base_url=" in line]
    return line.split("base_url=", 1)[1]


@pytest.mark.parametrize("xdist", [False, True], ids=["one process", "xdist -n 2"])
@pytest.mark.parametrize("amplify_first", [True, False], ids=["amplify first", "amplify last"])
@pytest.mark.parametrize("plugin_set", PLUGIN_SETS)
def test_base_url_is_the_deployed_site(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    real_time_fake: FakeAmplify,
    plugin_set: str,
    amplify_first: bool,
    xdist: bool,
) -> None:
    fake = real_time_fake
    fake.add_job(app_id="d1", branch="main")
    site = fake.site_url("d1", "main")
    tests = f"""
        import pytest

        @pytest.mark.parametrize("n", range(4))
        def test_base_url(base_url, n):
            assert base_url == {site!r}
        """
    if "pytest-playwright" in PLUGIN_SETS[plugin_set]:
        # What pytest-playwright hands to every browser context (starts no browser).
        tests += f"""
        def test_playwright_gets_it(browser_context_args):
            assert browser_context_args["base_url"] == {site!r}
        """
    pytester.makepyfile(tests)
    plugins = load_order(plugin_set, amplify_first)
    workers = ["-p", "xdist.plugin", "-n", "2"] if xdist else []
    result = run_with(
        pytester, monkeypatch, plugins, *workers, *fake_args(fake), *TARGET, "--amplify-base-url"
    )
    passed = 5 if "pytest-playwright" in PLUGIN_SETS[plugin_set] else 4
    result.assert_outcomes(passed=passed)
    # One wait for the run, whatever the number of workers.
    assert fake.calls("GetJob") == 1


def _explicitly(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, how: str) -> list[str]:
    if how == "--base-url":
        return ["--base-url", EXPLICIT]
    if how == "PYTEST_BASE_URL":
        monkeypatch.setenv("PYTEST_BASE_URL", EXPLICIT)
    elif how == "ini":
        pytester.makeini(f"[pytest]\nbase_url = {EXPLICIT}\n")
    else:
        pytester.makeconftest(
            f"""
            import pytest

            @pytest.fixture(scope="session")
            def base_url():
                return {EXPLICIT!r}
            """
        )
    return []


@pytest.mark.parametrize("how", ["--base-url", "PYTEST_BASE_URL", "ini", "conftest fixture"])
@pytest.mark.parametrize("plugin_set", ["pytest-base-url", "pytest-playwright"])
def test_an_explicit_base_url_wins_and_nothing_is_called(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    real_time_fake: FakeAmplify,
    plugin_set: str,
    how: str,
) -> None:
    real_time_fake.add_job(app_id="d1", branch="main")
    pytester.makepyfile(SHOW_BASE_URL)
    given = _explicitly(pytester, monkeypatch, how)
    result = run_with(
        pytester,
        monkeypatch,
        load_order(plugin_set, amplify_first=False),
        "-s",
        *given,
        *fake_args(real_time_fake),
        *TARGET,
        "--amplify-base-url",
    )
    result.assert_outcomes(passed=1)
    assert base_url_shown(result) == repr(EXPLICIT)
    assert real_time_fake.calls() == 0


@pytest.mark.parametrize("plugin_set", PLUGIN_SETS)
def test_off_base_url_is_what_it_is_without_pytest_amplify(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    real_time_fake: FakeAmplify,
    plugin_set: str,
) -> None:
    real_time_fake.add_job(app_id="d1", branch="main")
    pytester.makepyfile(SHOW_BASE_URL)
    others = list(PLUGIN_SETS[plugin_set])
    without = run_with(pytester, monkeypatch, others, "-s")
    with_it = run_with(
        pytester, monkeypatch, ["amplify", *others], "-s", *fake_args(real_time_fake), *TARGET
    )
    without.assert_outcomes(passed=1)
    with_it.assert_outcomes(passed=1)
    assert base_url_shown(with_it) == base_url_shown(without)
    assert real_time_fake.calls() == 0


@pytest.mark.parametrize("plugin_set", ["pytest-base-url", "pytest-playwright+pytest-base-url"])
def test_runs_that_use_no_base_url_call_nothing_unless_asked_to_verify_it(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    real_time_fake: FakeAmplify,
    plugin_set: str,
) -> None:
    # pytest-base-url's autouse _verify_url requests base_url in every session.
    fake = real_time_fake
    fake.add_job(app_id="d1", branch="main")
    fake.serve_site("d1", "main", {"/": "<h1>Shop</h1>"})
    pytester.makepyfile(
        """
        def test_unit():
            assert 1 + 1 == 2

        def test_another_unit():
            pass
        """
    )
    plugins = load_order(plugin_set, amplify_first=True)
    args = [*fake_args(fake), *TARGET, "--amplify-base-url"]
    run_with(pytester, monkeypatch, plugins, *args).assert_outcomes(passed=2)
    assert fake.calls() == 0

    run_with(pytester, monkeypatch, plugins, *args, "--verify-base-url").assert_outcomes(passed=2)
    assert fake.calls("GetJob") == 1
    # pytest-base-url's check fetched the deployed site.
    assert [r.path for r in fake.requests if r.operation == "GetSitePage"] == ["/_sites/d1/main"]
