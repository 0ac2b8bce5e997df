"""What the screenshots show: ``assert_screenshots_rendered`` (not a blank page) and
``assert_screenshots_unchanged`` (against the branch's previous successful job).

The screenshots are the local service's real renders (headless Chromium, committed
in ``pytest_amplify/testing/screenshots/`` with the pages and ``render.sh``). Jobs
are handed out as the plugin hands them out under the ``amplify_fake`` fixture (the
session's resolver over real boto3 and HTTP). The checks need Pillow (the
``images`` extra): without it they fail in one line, which runs here with Pillow
blocked and, in ``.ci/run``'s ``[test]``-only environments, without it for real.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_amplify import (
    AmplifyAssertionError,
    AmplifyConfigError,
    AmplifyJob,
    AmplifyScreenshotsChangedError,
    assert_screenshots_rendered,
    assert_screenshots_unchanged,
)
from pytest_amplify.testing import (
    SCREENSHOT_DEVICES,
    SCREENSHOT_PAGES,
    FakeAmplify,
    FakeStep,
    SimulatedClock,
    make_png,
    rendered_screenshots,
    typical_steps,
)

from .conftest import REPO
from .doc_blocks import doc_block
from .seam import (
    DEFAULT_MAX_CHANGED,
    DEFAULT_MIN_CONTENT,
    handed_out_job,
    page_content,
    pixel_change,
    quick_fetcher,
)

try:
    import PIL  # noqa: F401

    HAVE_PILLOW = True
except ImportError:
    HAVE_PILLOW = False

needs_pillow = pytest.mark.skipif(
    not HAVE_PILLOW,
    reason="Pillow is not installed (pip install -e '.[dev]' or '.[images]'); "
    "the one-line message without it is tested instead",
)
QUICK = quick_fetcher()
PILLOW_MESSAGE = (
    "{check} needs Pillow to read the screenshots' pixels (the images extra): "
    "pip install 'pillow>=10.1'"
)
EXPIRED = "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"


def verify(page: str | dict[str, str] = "login") -> list[FakeStep]:
    """The typical steps, VERIFY showing ``page`` (or device -> page)."""
    steps = typical_steps()
    pages = (
        page if isinstance(page, dict) else dict.fromkeys(("desktop", "iphone-14", "pixel-7"), page)
    )
    shots = {device: rendered_screenshots(name)[device] for device, name in pages.items()}
    steps[-1] = FakeStep("VERIFY", screenshots=shots)
    return steps


@pytest.fixture
def deploy(fake: FakeAmplify, clock: SimulatedClock) -> Callable[..., AmplifyJob]:
    """Add a job of d1/main with these steps; the job as the plugin hands it out."""

    def make(steps: list[FakeStep | str] | None = None, **kwargs: object) -> AmplifyJob:
        job = fake.add_job("d1", "main", steps=steps, **kwargs)  # type: ignore[arg-type]
        return handed_out_job(fake, clock, job.job_id)

    return make


def glob_escaped(text: str) -> str:
    """``text`` as an fnmatch pattern that matches it literally."""
    return re.sub(r"[][*?]", lambda match: f"[{match.group()}]", text)


def failure(call: Callable[[], object]) -> str:
    with pytest.raises(AmplifyAssertionError) as raised:
        call()
    return str(raised.value)


# -- the rendered-page check -------------------------------------------------------------


@needs_pillow
def test_the_sign_in_page_passes_on_every_device(deploy: Callable[..., AmplifyJob]) -> None:
    shares = assert_screenshots_rendered(deploy(verify("login")), fetcher=QUICK)
    assert list(shares) == ["desktop", "iphone-14", "pixel-7"]
    assert all(share > 0.02 for share in shares.values())


@needs_pillow
def test_a_blank_screenshot_fails_naming_its_device(deploy: Callable[..., AmplifyJob]) -> None:
    job = deploy(verify({"desktop": "login", "iphone-14": "blank", "pixel-7": "login"}))
    assert failure(lambda: assert_screenshots_rendered(job, fetcher=QUICK)) == (
        "the screenshots of step VERIFY of app d1, branch main, job 1 do not show a rendered page:\n"
        "  'iphone-14' (390x844) looks blank: 0.00% of its pixels differ from its background "
        "#ffffff (min_content 0.50%)"
    )


@needs_pillow
def test_the_spinner_page_fails_with_its_figures(deploy: Callable[..., AmplifyJob]) -> None:
    job = deploy(verify("spinner"))
    message = failure(lambda: assert_screenshots_rendered(job, fetcher=QUICK))
    assert re.findall(r"'([\w-]+)' \((\d+x\d+)\) looks blank: (\d\.\d\d)%", message) == [
        ("desktop", "1280x800", "0.06"),
        ("iphone-14", "390x844", "0.17"),
        ("pixel-7", "412x915", "0.15"),
    ]
    # A looser threshold is the caller's to choose: the spinner passes under 0.05%.
    assert assert_screenshots_rendered(job, min_content=0.0005, fetcher=QUICK)


@needs_pillow
def test_names_checks_those_screenshots_only_and_each_problem_is_named(
    deploy: Callable[..., AmplifyJob],
) -> None:
    shots = {
        "desktop": rendered_screenshots("login")["desktop"],
        "mobile": b"<Error><Code>AccessDenied</Code></Error>",
        "tablet": make_png(8, 8)[:40],
    }
    job = deploy([*typical_steps()[:-1], FakeStep("VERIFY", screenshots=shots)])
    assert list(assert_screenshots_rendered(job, names=["desktop"], fetcher=QUICK)) == ["desktop"]
    assert failure(lambda: assert_screenshots_rendered(job, fetcher=QUICK)) == (
        "the screenshots of step VERIFY of app d1, branch main, job 1 do not show a rendered page:\n"
        "  'mobile' is not a usable image: it is a text document, not an image "
        "(starts b'<Error><Code>AccessDenied</Cod')\n"
        "  'tablet' is not a usable image: it is a truncated PNG (40 bytes, no IEND chunk)"
    )
    missing = failure(lambda: assert_screenshots_rendered(job, names=["ipad"], fetcher=QUICK))
    assert missing.endswith(
        "  'ipad' could not be downloaded: step VERIFY of app d1, branch main, job 1 has no "
        "screenshot 'ipad'; it has: desktop, mobile, tablet"
    )


@needs_pillow
def test_a_step_without_screenshots_fails(deploy: Callable[..., AmplifyJob]) -> None:
    job = deploy(["BUILD", "DEPLOY"])
    assert failure(lambda: assert_screenshots_rendered(job)) == (
        "app d1, branch main, job 1 has no step 'VERIFY'; it has: BUILD, DEPLOY"
    )
    assert failure(lambda: assert_screenshots_rendered(job, "DEPLOY")) == (
        "step DEPLOY of app d1, branch main, job 1 has no screenshots: nothing shows a rendered page"
    )


@needs_pillow
@pytest.mark.parametrize("value", [5, -0.1, "1%", True, None])
def test_a_bound_that_is_not_a_share_is_refused(
    deploy: Callable[..., AmplifyJob], value: object
) -> None:
    job = deploy()
    with pytest.raises(ValueError, match=re.escape(f"min_content = {value!r} is not a share")):
        assert_screenshots_rendered(job, min_content=value)  # type: ignore[arg-type]
    with pytest.raises(
        ValueError, match=r"max_changed = .* give a number from 0 to 1 \(0.01 is 1%\)"
    ):
        assert_screenshots_unchanged(job, max_changed=value)  # type: ignore[arg-type]


@needs_pillow
def test_a_jpeg_screenshot_is_read_too(deploy: Callable[..., AmplifyJob]) -> None:
    from PIL import Image

    def jpeg(page: str) -> bytes:
        out = io.BytesIO()
        Image.open(io.BytesIO(rendered_screenshots(page)["desktop"])).save(out, "JPEG", quality=80)
        return out.getvalue()

    shots = {"login": jpeg("login"), "spinner": jpeg("spinner")}
    job = deploy([*typical_steps()[:-1], FakeStep("VERIFY", screenshots=shots)])
    message = failure(lambda: assert_screenshots_rendered(job, fetcher=QUICK))
    assert "'spinner' (1280x800) looks blank" in message
    assert "'login'" not in message


# -- the change check --------------------------------------------------------------------


@needs_pillow
def test_a_changed_page_fails_past_the_bound_and_passes_under_a_looser_one(
    deploy: Callable[..., AmplifyJob],
) -> None:
    deploy(verify("login"))
    job = deploy(verify("login-changed"))
    with pytest.raises(AmplifyScreenshotsChangedError) as raised:
        assert_screenshots_unchanged(job, fetcher=QUICK)
    assert str(raised.value) == (
        "the VERIFY screenshots of app d1, branch main, job 2 changed against job 1, the "
        "branch's previous successful job:\n"
        "  'desktop': 8.33% of its pixels changed (max_changed 1.00%)\n"
        "  'iphone-14': 15.27% of its pixels changed (max_changed 1.00%)\n"
        "  'pixel-7': 13.89% of its pixels changed (max_changed 1.00%)"
    )
    changes = raised.value.changes
    assert [(c.device, c.before_job, c.after_job) for c in changes] == [
        ("desktop", "1", "2"),
        ("iphone-14", "1", "2"),
        ("pixel-7", "1", "2"),
    ]
    assert changes[0].before == rendered_screenshots("login")["desktop"]
    assert changes[0].after == rendered_screenshots("login-changed")["desktop"]
    shares = assert_screenshots_unchanged(job, max_changed=0.2, fetcher=QUICK)
    assert {device: round(share, 4) for device, share in shares.items()} == {
        "desktop": 0.0833,
        "iphone-14": 0.1527,
        "pixel-7": 0.1389,
    }


@needs_pillow
def test_the_same_page_again_is_unchanged(deploy: Callable[..., AmplifyJob]) -> None:
    deploy(verify("login"))
    job = deploy(verify("login"))
    assert assert_screenshots_unchanged(job, fetcher=QUICK) == {
        "desktop": 0.0,
        "iphone-14": 0.0,
        "pixel-7": 0.0,
    }


@needs_pillow
def test_a_page_gone_blank_fails_the_default_bound_on_every_device(
    deploy: Callable[..., AmplifyJob],
) -> None:
    deploy(verify("login"))
    job = deploy(verify("blank"))
    message = failure(lambda: assert_screenshots_unchanged(job, fetcher=QUICK))
    assert re.findall(r"'([\w-]+)': (\d+\.\d\d)% of its pixels changed", message) == [
        ("desktop", "2.44"),
        ("iphone-14", "7.08"),
        ("pixel-7", "6.41"),
    ]


@needs_pillow
def test_the_previous_job_is_the_branchs_previous_successful_one(
    fake: FakeAmplify, deploy: Callable[..., AmplifyJob]
) -> None:
    deploy(verify("login"))
    fake.add_failed_job("d1", "main")
    job = deploy(verify("login"))
    assert set(assert_screenshots_unchanged(job, fetcher=QUICK).values()) == {0.0}


@needs_pillow
def test_a_branchs_first_job_skips_with_the_reason(deploy: Callable[..., AmplifyJob]) -> None:
    job = deploy(verify("login"))
    with pytest.raises(pytest.skip.Exception) as skipped:
        assert_screenshots_unchanged(job, fetcher=QUICK)
    assert skipped.value.msg == (
        "assert_screenshots_unchanged: no job of branch main (app d1) succeeded before job 1: "
        "no earlier VERIFY screenshots to compare with"
    )


@needs_pillow
def test_a_previous_job_without_the_step_or_the_devices_skips_with_the_reason(
    deploy: Callable[..., AmplifyJob],
) -> None:
    deploy(["BUILD", "DEPLOY"])
    job = deploy(verify("login"))
    with pytest.raises(
        pytest.skip.Exception,
        match="job 1, the previous successful job of branch main, has no VERIFY step",
    ):
        assert_screenshots_unchanged(job, fetcher=QUICK)
    deploy([*typical_steps()[:-1], FakeStep("VERIFY", screenshots={"tv": make_png()})])
    job = deploy(verify("login"))
    with pytest.raises(pytest.skip.Exception) as skipped:
        assert_screenshots_unchanged(job, fetcher=QUICK)
    assert skipped.value.msg.endswith(
        "job 3, the previous successful job of branch main, has no VERIFY screenshot of the "
        "same devices (it has: tv; job 4 has: desktop, iphone-14, pixel-7)"
    )


@needs_pillow
def test_a_device_gone_fails_and_a_new_one_is_named_in_a_warning(
    deploy: Callable[..., AmplifyJob],
) -> None:
    deploy(verify({"desktop": "login", "pixel-7": "login"}))
    job = deploy(verify({"desktop": "login", "iphone-14": "login"}))
    with pytest.warns(
        UserWarning,
        match=r"'iphone-14' of app d1, branch main, job 2 not compared: job 1 has no screenshot of it",
    ):
        message = failure(lambda: assert_screenshots_unchanged(job, fetcher=QUICK))
    assert message.endswith("\n  'pixel-7': job 1 has a screenshot of it, this job has none")
    assert "'desktop'" not in message


@needs_pillow
def test_screenshots_of_different_sizes_count_what_only_one_covers(
    deploy: Callable[..., AmplifyJob],
) -> None:
    deploy(verify({"desktop": "login"}))
    phone = rendered_screenshots("login")["iphone-14"]
    job = deploy([*typical_steps()[:-1], FakeStep("VERIFY", screenshots={"desktop": phone})])
    message = failure(lambda: assert_screenshots_unchanged(job, max_changed=0.5, fetcher=QUICK))
    # 1280x844 laid over each other: 1 - 390*800/(1280*844) is outside the overlap,
    # and the sign-in page's content inside it differs too.
    assert message.endswith(
        "'desktop': 73.20% of its pixels changed (max_changed 50.00%); its size changed from "
        "1280x800 to 390x844, and what only one covers counts as changed"
    )


@needs_pillow
def test_expired_urls_of_both_jobs_are_fetched_again(
    clock: SimulatedClock,
) -> None:
    with FakeAmplify(clock=clock, url_expires=60) as fake:
        fake.add_job("d1", "main", steps=verify("login"))
        fake.add_job("d1", "main", steps=verify("login-changed"))
        job = handed_out_job(fake, clock, "2")
        clock.advance(120)  # job 2's URLs have expired
        # The previous job is fetched now: its first URL is refused as expired once.
        fake.respond_raw_next("GetObject", status=403, body=EXPIRED)
        calls_before = fake.calls("GetJob")
        assert len(assert_screenshots_unchanged(job, max_changed=0.2, fetcher=QUICK)) == 3
        # GetJob: job 1 once to find it and once again for fresh URLs, job 2 again.
        assert fake.calls("GetJob") - calls_before == 3


@needs_pillow
def test_a_job_without_the_resolver_cannot_be_compared(
    deploy: Callable[..., AmplifyJob],
) -> None:
    job = deploy().with_resolver(None)
    assert failure(lambda: assert_screenshots_unchanged(job, fetcher=QUICK)) == (
        "assert_screenshots_unchanged: app d1, branch main, job 1 came without the plugin's "
        "resolver, so the branch's previous successful job cannot be found (use a job from the "
        "amplify_job or amplify_jobs fixture)"
    )


@needs_pillow
def test_a_previous_screenshot_that_is_not_an_image_is_named(
    deploy: Callable[..., AmplifyJob],
) -> None:
    deploy([*typical_steps()[:-1], FakeStep("VERIFY", screenshots={"desktop": b"GIF89a...."})])
    job = deploy(verify({"desktop": "login"}))
    assert failure(lambda: assert_screenshots_unchanged(job, fetcher=QUICK)) == (
        "the VERIFY screenshots of app d1, branch main, job 2 could not all be compared with "
        "job 1, the branch's previous successful job:\n"
        "  'desktop' could not be compared (job 1's with job 2's): the earlier screenshot is not "
        "a usable image: it has neither a PNG nor a JPEG signature (starts b'GIF89a..')"
    )


# -- without Pillow ----------------------------------------------------------------------


@pytest.fixture
def without_pillow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pillow as missing as it is where the extra is not installed: ``import PIL``
    raises ImportError (a None in sys.modules does that)."""
    if HAVE_PILLOW:
        for name in [m for m in sys.modules if m == "PIL" or m.startswith("PIL.")]:
            monkeypatch.setitem(sys.modules, name, None)
        monkeypatch.setitem(sys.modules, "PIL", None)
        monkeypatch.setitem(sys.modules, "PIL.Image", None)


@pytest.mark.usefixtures("without_pillow")
@pytest.mark.parametrize("check", [assert_screenshots_rendered, assert_screenshots_unchanged])
def test_without_pillow_the_checks_fail_in_one_line_naming_the_extra(
    deploy: Callable[..., AmplifyJob], fake: FakeAmplify, check: Callable[..., object]
) -> None:
    job = deploy()
    with pytest.raises(AmplifyConfigError) as raised:
        check(job, fetcher=QUICK)
    assert str(raised.value) == PILLOW_MESSAGE.format(check=check.__name__)
    assert fake.calls("GetObject") == 0, "nothing is downloaded for a check that cannot run"


# -- as users run them: pytest, the amplify_job fixture, a scenario, pytest-html ---------

DEVICES = ("desktop", "iphone-14", "pixel-7")
SCENARIO = {
    "jobs": [
        # main: the sign-in page (a list of devices), then the same page redesigned.
        {
            "app_id": "d1",
            "branch": "main",
            "steps": ["BUILD", {"name": "VERIFY", "screenshots": list(DEVICES)}],
        },
        {
            "app_id": "d1",
            "branch": "main",
            "steps": [
                "BUILD",
                {"name": "VERIFY", "screenshots": dict.fromkeys(DEVICES, "login-changed")},
            ],
        },
        # broken: one device's screenshot is blank; loading: a spinner on every device.
        {
            "app_id": "d1",
            "branch": "broken",
            "steps": [
                "BUILD",
                {
                    "name": "VERIFY",
                    "screenshots": {"desktop": "login", "iphone-14": "blank", "pixel-7": "login"},
                },
            ],
        },
        {
            "app_id": "d1",
            "branch": "loading",
            "steps": [
                "BUILD",
                {"name": "VERIFY", "screenshots": dict.fromkeys(DEVICES, "spinner")},
            ],
        },
    ]
}
USERS_SUITE = f"""
import pytest

from pytest_amplify import assert_screenshots_rendered, assert_screenshots_unchanged

pytest_plugins = ["pytest_amplify.testing"]


@pytest.fixture(scope="session", autouse=True)
def deployments(amplify_fake_session):
    amplify_fake_session.load_scenario({SCENARIO!r})


def test_main_is_rendered(amplify_job):
    assert_screenshots_rendered(amplify_job)


def test_main_is_unchanged(amplify_job):
    assert_screenshots_unchanged(amplify_job)


def test_main_is_unchanged_within_20_percent(amplify_job):
    assert_screenshots_unchanged(amplify_job, max_changed=0.2)


@pytest.mark.amplify(branch="broken")
def test_broken_is_rendered(amplify_job):
    assert_screenshots_rendered(amplify_job)


@pytest.mark.amplify(branch="broken")
def test_broken_is_unchanged(amplify_job):
    assert_screenshots_unchanged(amplify_job)


@pytest.mark.amplify(branch="loading")
def test_loading_is_rendered(amplify_job):
    assert_screenshots_rendered(amplify_job)
"""
TARGET = ["--amplify-app-id=d1", "--amplify-branch=main", "-p", "no:randomly"]
DOCS_SAMPLE = doc_block("docs/screenshots.md", "# test_screens.py")
TWO_DEPLOYMENTS = """
import pytest

pytest_plugins = ["pytest_amplify.testing"]


@pytest.fixture(scope="session", autouse=True)
def deployments(amplify_fake_session):
    amplify_fake_session.add_job("d1", "main")
    amplify_fake_session.add_job("d1", "first")
    amplify_fake_session.add_job("d1", "main")
"""


@needs_pillow
def test_the_documented_sample_passes_and_skips_on_a_branchs_first_job(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(TWO_DEPLOYMENTS)
    pytester.makepyfile(test_screens=DOCS_SAMPLE)
    pytester.runpytest(*TARGET).assert_outcomes(passed=2)
    result = pytester.runpytest(*TARGET, "--amplify-branch=first", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        ["SKIPPED * no job of branch first (app d1) succeeded before job 1*"]
    )


def html_extras(path: object, test: str) -> list[dict[str, object]]:
    from .test_html_report import report_blob, results

    (report,) = [r for r in results(report_blob(path))[test] if r["result"] == "Failed"]  # type: ignore[arg-type]
    extras: list[dict[str, object]] = report["extras"]
    return extras


@needs_pillow
def test_users_see_blank_pages_changes_and_skips_with_their_figures(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_screens=USERS_SUITE)
    result = pytester.runpytest(*TARGET, "-rs", "--html=report.html", "--self-contained-html")
    result.assert_outcomes(passed=2, failed=3, skipped=1)
    # main's redesigned page is rendered, and changed past the default bound (passing
    # under 20%); broken's blank phone screenshot is named; loading's spinner fails on
    # every device; broken's first job skips the change check, saying why.
    result.stdout.fnmatch_lines(
        [
            "E * the VERIFY screenshots of app d1, branch main, job 2 changed against job 1, "
            "the branch's previous successful job:",
            "E *'desktop': 8.33% of its pixels changed (max_changed 1.00%)",
            "E *'iphone-14': 15.27% of its pixels changed (max_changed 1.00%)",
            "E *'pixel-7': 13.89% of its pixels changed (max_changed 1.00%)",
            "E * the screenshots of step VERIFY of app d1, branch broken, job 1 do not show a "
            "rendered page:",
            "E *'iphone-14' (390x844) looks blank: 0.00% of its pixels differ from its "
            "background #ffffff (min_content 0.50%)",
            "test_screens.py:*: AmplifyAssertionError",
            "E * the screenshots of step VERIFY of app d1, branch loading, job 1 do not show a "
            "rendered page:",
            "E *'desktop' (1280x800) looks blank: 0.06% *",
            "E *'iphone-14' (390x844) looks blank: 0.17% *",
            "E *'pixel-7' (412x915) looks blank: 0.15% *",
            "SKIPPED [[]1[]] test_screens.py:*: assert_screenshots_unchanged: no job of branch "
            "broken (app d1) succeeded before job 1: no earlier VERIFY screenshots to compare with",
        ]
    )
    assert "branch main, job 2 do not show a rendered page" not in result.stdout.str()
    # pytest-html: each changed device's two screenshots side by side, under the figure.
    changed = [
        extra["content"]
        for extra in html_extras(pytester.path / "report.html", "test_main_is_unchanged")
        if 'class="amplify-screenshot-change"' in str(extra["content"])
    ]
    assert len(changed) == 3
    for content, device in zip(changed, DEVICES, strict=True):
        assert isinstance(content, str)
        assert content.count('<img src="data:image/png;base64,iVBORw0KGgo') == 2
        assert f"<figcaption>{device}: job 1 (before)</figcaption>" in content
        assert f"<figcaption>{device}: job 2 (now)</figcaption>" in content
        assert f"&#x27;{device}&#x27;: " in content and "% of its pixels changed" in content
    # Other failures get no side-by-side images.
    assert not [
        extra
        for extra in html_extras(pytester.path / "report.html", "test_loading_is_rendered")
        if "amplify-screenshot-change" in str(extra["content"])
    ]


BLOCK_PILLOW = """
import sys

# As where the images extra is not installed: import PIL raises ImportError.
for name in [m for m in sys.modules if m == "PIL" or m.startswith("PIL.")] + ["PIL", "PIL.Image"]:
    sys.modules[name] = None
"""


def test_users_without_pillow_get_one_line_naming_the_extra(pytester: pytest.Pytester) -> None:
    if HAVE_PILLOW:
        pytester.makeconftest(BLOCK_PILLOW)
    pytester.makepyfile(test_screens=USERS_SUITE)
    result = pytester.runpytest(*TARGET, "-k", "main")
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        [
            f"E * pytest_amplify.AmplifyConfigError: {glob_escaped(PILLOW_MESSAGE.format(check=check))}"
            for check in (
                "assert_screenshots_rendered",
                "assert_screenshots_unchanged",
                "assert_screenshots_unchanged",
            )
        ]
    )
    # One line each, and no frame of the plugin in the tracebacks.
    assert len([line for line in result.stdout.lines if line.startswith("E ")]) == 3
    assert "pytest_amplify/_" not in result.stdout.str()


# -- the committed renders, their figures, and the script that makes them ---------------

RENDERS = REPO / "pytest_amplify" / "testing" / "screenshots"
DOCS_PAGE = REPO / "docs" / "screenshots.md"
# The viewports render.sh gives Chromium, by device.
RENDER_SCRIPT_DEVICES = re.findall(
    r'^  "([\w-]+) (\d+),(\d+)"$', (RENDERS / "render.sh").read_text(), re.M
)
SIZES = {device: (int(w), int(h)) for device, w, h in RENDER_SCRIPT_DEVICES}


def test_every_page_is_rendered_on_every_device_small_and_at_its_size() -> None:
    from pytest_amplify import image_info

    assert list(SIZES) == list(SCREENSHOT_DEVICES)
    assert sorted(p.stem for p in RENDERS.glob("*.html")) == sorted(SCREENSHOT_PAGES)
    expected = {
        f"{page}-{device}.png" for page in SCREENSHOT_PAGES for device in SCREENSHOT_DEVICES
    }
    assert {p.name for p in RENDERS.glob("*.png")} == expected
    for page in SCREENSHOT_PAGES:
        for device, data in rendered_screenshots(page).items():
            info = image_info(data)
            assert (info.kind, info.width, info.height) == ("png", *SIZES[device])
            assert len(data) < 48 * 1024, f"{page}-{device}.png: keep the renders small"


def test_the_scenario_schema_offers_the_rendered_devices_and_pages() -> None:
    schema = json.loads((REPO / "pytest_amplify" / "testing" / "scenario.schema.json").read_text())
    assert schema["$defs"]["device"]["enum"] == list(SCREENSHOT_DEVICES)
    assert schema["$defs"]["rendered_page"]["enum"] == list(SCREENSHOT_PAGES)
    screenshots = schema["$defs"]["step"]["properties"]["screenshots"]
    assert list(screenshots["properties"]) == list(SCREENSHOT_DEVICES)


def test_a_scenario_chooses_the_render_of_each_device(fake: FakeAmplify) -> None:
    fake.load_scenario(
        {
            "jobs": [
                {
                    "app_id": "d1",
                    "branch": "main",
                    "steps": [{"name": "VERIFY", "screenshots": ["pixel-7"]}],
                },
                {
                    "app_id": "d1",
                    "branch": "main",
                    "steps": [
                        {
                            "name": "VERIFY",
                            "screenshots": {"desktop": "spinner", "iphone-14": "blank"},
                        }
                    ],
                },
            ]
        }
    )
    first, second = (handed_out_job(fake, None, job_id) for job_id in ("1", "2"))
    read = {job.job_id: job.step("VERIFY").screenshots for job in (first, second)}
    assert list(read["1"]) == ["pixel-7"]
    assert list(read["2"]) == ["desktop", "iphone-14"]
    from pytest_amplify import screenshot_bytes

    assert (
        screenshot_bytes(first, "pixel-7", fetcher=QUICK)
        == rendered_screenshots("login")["pixel-7"]
    )
    assert (
        screenshot_bytes(second, "desktop", fetcher=QUICK)
        == rendered_screenshots("spinner")["desktop"]
    )
    assert (
        screenshot_bytes(second, "iphone-14", fetcher=QUICK)
        == rendered_screenshots("blank")["iphone-14"]
    )


def test_an_unknown_page_or_device_is_refused_naming_the_choices() -> None:
    with pytest.raises(
        ValueError,
        match="no rendered page 'home'; the renders are of login, login-changed, blank, spinner",
    ):
        rendered_screenshots("home")
    with pytest.raises(
        ValueError, match="no render for device 'ipad'; the devices are desktop, iphone-14, pixel-7"
    ):
        rendered_screenshots("login", ["ipad"])
    with pytest.raises(TypeError, match="devices is a list of device names"):
        rendered_screenshots("login", "desktop")


def content_rows() -> list[str]:
    """The figures of the rendered-page check for every render, as docs/screenshots.md
    shows them."""
    header = " | ".join(f"{d} ({w}x{h})" for d, (w, h) in SIZES.items())
    rows = [f"| render | {header} |"]
    for page in SCREENSHOT_PAGES:
        shares = [page_content(data).share for data in rendered_screenshots(page).values()]
        rows.append(f"| `{page}` | " + " | ".join(f"{share:.2%}" for share in shares) + " |")
    return rows


def change_rows() -> list[str]:
    """The figures of the change check from the sign-in page to each render."""
    rows = []
    before = rendered_screenshots("login")
    for page in SCREENSHOT_PAGES:
        after = rendered_screenshots(page)
        shares = [pixel_change(before[d], after[d]).share for d in SCREENSHOT_DEVICES]
        rows.append(f"| `login` → `{page}` | " + " | ".join(f"{s:.2%}" for s in shares) + " |")
    return rows


@needs_pillow
def test_the_defaults_sort_every_render_and_the_docs_show_its_figures() -> None:
    for page in SCREENSHOT_PAGES:
        for device, data in rendered_screenshots(page).items():
            rendered = page_content(data).share >= DEFAULT_MIN_CONTENT
            assert rendered == page.startswith("login"), f"{page} on {device}"
    before = rendered_screenshots("login")
    for page in SCREENSHOT_PAGES:
        for device, data in rendered_screenshots(page).items():
            unchanged = pixel_change(before[device], data).share <= DEFAULT_MAX_CHANGED
            assert unchanged == (page == "login"), f"login -> {page} on {device}"
    documented = DOCS_PAGE.read_text().splitlines()
    for row in content_rows() + change_rows():
        assert row in documented, f"docs/screenshots.md lacks (or has other figures than) {row}"


@needs_pillow
@pytest.mark.slow
def test_render_sh_renders_pages_that_the_checks_sort_as_the_committed_ones(
    tmp_path: Path,
) -> None:
    if shutil.which("chromium") is None and shutil.which("chromium-browser") is None:
        pytest.skip("Debian's chromium is not on PATH (.ci/run installs it with apt-get)")
    out = tmp_path
    subprocess.run(
        ["bash", str(RENDERS / "render.sh"), str(out), "login", "spinner"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    from pytest_amplify import image_info

    for page in ("login", "spinner"):
        committed = rendered_screenshots(page)
        for device in SCREENSHOT_DEVICES:
            data = (out / f"{page}-{device}.png").read_bytes()
            assert (image_info(data).width, image_info(data).height) == SIZES[device]
            assert (page_content(data).share >= DEFAULT_MIN_CONTENT) == (page == "login")
            # Rendered again, the same page is the same page to the change check (the
            # spinner's arc may stand at another angle).
            assert pixel_change(committed[device], data).share <= DEFAULT_MAX_CHANGED


@needs_pillow
def test_a_screenshot_that_does_not_download_is_named(
    fake: FakeAmplify, deploy: Callable[..., AmplifyJob]
) -> None:
    deploy(verify({"desktop": "login"}))
    job = deploy(verify({"desktop": "login"}))
    fake.respond_raw_next(
        "GetObject", status=404, body="<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>"
    )
    message = failure(lambda: assert_screenshots_unchanged(job, fetcher=QUICK))
    assert message.startswith(
        "the VERIFY screenshots of app d1, branch main, job 2 could not all be compared with job 1"
    )
    assert re.search(
        r"\n  'desktop' could not be downloaded: screenshot 'desktop' of step VERIFY of app d1, "
        r"branch main, job 1 .*does not exist",
        message,
    ), message
