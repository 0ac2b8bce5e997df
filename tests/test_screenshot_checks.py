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
import re
import sys
from collections.abc import Callable

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
    FakeAmplify,
    FakeStep,
    SimulatedClock,
    make_png,
    rendered_screenshots,
    typical_steps,
)

from .seam import handed_out_job, quick_fetcher

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
    "{check} needs Pillow to read the screenshots' pixels: pip install 'pytest-amplify[images]'"
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
    assert failure(lambda: assert_screenshots_unchanged(job, fetcher=QUICK)).endswith(
        "'desktop' could not be compared (job 1's with job 2's): the earlier screenshot is not "
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
