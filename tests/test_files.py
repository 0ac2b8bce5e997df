"""Logs, artifacts, test artifacts and screenshots: reading them and asserting on them."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import http.server
import io
import ipaddress
import json
import re
import ssl
import struct
import threading
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pytest_amplify import (
    AmplifyAssertionError,
    AmplifyFetchError,
    AmplifyJob,
    AmplifyUrlExpiredError,
    Fetcher,
    NotAnImage,
    assert_artifacts,
    assert_log_contains,
    assert_log_not_contains,
    assert_screenshots,
    assert_test_artifacts,
    download_artifacts,
    download_test_artifact,
    image_info,
    iter_log_lines,
    list_test_artifacts,
    read_log,
    screenshot_bytes,
)
from pytest_amplify.testing import FakeAmplify, FakeStep, SimulatedClock, make_png

from .seam import api_for, quick_fetcher, spooled

QUICK = quick_fetcher()


@dataclasses.dataclass
class Resolver:
    """What the plugin attaches to jobs, over the local service (counts GetJob calls)."""

    fake: FakeAmplify
    refetches: int = 0

    def branch_url(self, job: AmplifyJob) -> str:
        return "https://main.d1.amplifyapp.com"

    def refetch(self, job: AmplifyJob) -> AmplifyJob:
        self.refetches += 1
        return get(self.fake, resolver=self)

    def test_artifacts(self, job: AmplifyJob) -> list[tuple[str, str]]:
        answer = api_for(self.fake).list_artifacts("d1", "main", "1")
        return [(a["artifactFileName"], a["artifactId"]) for a in answer["artifacts"]]

    def artifact_url(self, job: AmplifyJob, artifact_id: str) -> str:
        return str(api_for(self.fake).get_artifact_url(artifact_id)["artifactUrl"])


def get(fake: FakeAmplify, resolver: Resolver | None = None) -> AmplifyJob:
    job = AmplifyJob.from_api(api_for(fake).get_job("d1", "main", "1"), app_id="d1", branch="main")
    return job.with_resolver(resolver if resolver is not None else Resolver(fake))


@pytest.fixture
def job_with(fake: FakeAmplify) -> Iterator[Callable[..., AmplifyJob]]:
    def make(**kwargs: object) -> AmplifyJob:
        fake.add_job(app_id="d1", branch="main", job_id="1", **kwargs)  # type: ignore[arg-type]
        return get(fake)

    return make


BUILD_LOG = (
    "npm ci\nadded 1204 packages\nvite v5 building for production...\nbuilt in 12.3s\nDone\n"
)


# -- reading ---------------------------------------------------------------------------


def test_reading_a_log_whole_and_line_by_line(job_with: Callable[..., AmplifyJob]) -> None:
    job = job_with(steps=[FakeStep("BUILD", log=BUILD_LOG)])
    assert read_log(job, "build", QUICK) == BUILD_LOG
    assert list(iter_log_lines(job, "BUILD", QUICK)) == BUILD_LOG.splitlines()


def test_downloading_artifacts_and_screenshots(job_with: Callable[..., AmplifyJob]) -> None:
    job = job_with()
    with download_artifacts(job, "BUILD", QUICK) as archive:
        assert sorted(archive.namelist()) == ["assets/index.css", "assets/index.js", "index.html"]
    info = image_info(screenshot_bytes(job, "desktop", fetcher=QUICK))
    assert (info.kind, info.width, info.height) == ("png", 1280, 800)
    with pytest.raises(
        AmplifyFetchError, match="has no screenshot 'ipad'; it has: desktop, iphone-14, pixel-7"
    ):
        screenshot_bytes(job, "ipad", fetcher=QUICK)


def test_test_artifacts_through_list_artifacts_and_get_artifact_url(
    fake: FakeAmplify, job_with: Callable[..., AmplifyJob]
) -> None:
    job = job_with()
    assert sorted(list_test_artifacts(job)) == [
        "cypress/report/mochawesome.json",
        "cypress/videos/home.cy.js.mp4",
    ]
    report = download_test_artifact(job, "cypress/report/mochawesome.json", QUICK)
    assert json.loads(report)["stats"]["passes"] == 3
    assert fake.calls("GetArtifactUrl") == 1
    with pytest.raises(AmplifyFetchError, match="no test artifact 'report.html'"):
        download_test_artifact(job, "report.html", QUICK)


def test_a_step_without_a_url_says_so(job_with: Callable[..., AmplifyJob]) -> None:
    job = job_with(steps=[FakeStep("DEPLOY", with_log=False)])
    with pytest.raises(
        AmplifyFetchError, match="step DEPLOY of app d1, branch main, job 1 has no log URL"
    ):
        read_log(job, "DEPLOY", QUICK)


def test_an_expired_url_is_fetched_again_once(clock: SimulatedClock) -> None:
    with FakeAmplify(clock=clock, url_expires=60) as fake:
        fake.add_job(
            app_id="d1", branch="main", job_id="1", steps=[FakeStep("BUILD", log=BUILD_LOG)]
        )
        resolver = Resolver(fake)
        job = get(fake, resolver)
        clock.advance(120)
        assert read_log(job, "BUILD", QUICK) == BUILD_LOG
        assert list(iter_log_lines(job, "BUILD", QUICK))[-1] == "Done"
        assert resolver.refetches == 2
        assert fake.calls("GetJob") == 3


def test_an_url_still_expired_after_fetching_again_is_an_error(clock: SimulatedClock) -> None:
    with FakeAmplify(clock=clock, url_expires=60) as fake:
        fake.add_job(app_id="d1", branch="main", job_id="1")
        job = get(fake)
        clock.advance(120)
        fake.respond_raw_next(
            "GetObject",
            status=403,
            times=2,
            body="<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
        )
        with pytest.raises(AmplifyUrlExpiredError) as raised:
            read_log(job, "BUILD", QUICK)
        message = str(raised.value)
        assert message.startswith(
            "the presigned URL of the BUILD log of app d1, branch main, job 1 has expired (AccessDenied: Request has expired)"
        )
        assert "X-Amz" not in message


def test_a_job_without_a_resolver_cannot_refresh_expired_urls(clock: SimulatedClock) -> None:
    with FakeAmplify(clock=clock, url_expires=60) as fake:
        fake.add_job(app_id="d1", branch="main", job_id="1")
        job = get(fake).with_resolver(None)
        clock.advance(120)
        with pytest.raises(AmplifyUrlExpiredError, match="fetch the job again for fresh URLs"):
            read_log(job, "BUILD", QUICK)


def test_server_errors_are_retried_then_reported(
    fake: FakeAmplify, job_with: Callable[..., AmplifyJob]
) -> None:
    job = job_with(steps=[FakeStep("BUILD", log=BUILD_LOG)])
    fake.fail_next("GetObject", "InternalFailureException", times=2)
    fake.fail_next("GetObject", "ServiceUnavailableException", times=1)
    fake.fail_next("GetObject", "LimitExceededException", times=1)
    assert read_log(job, "BUILD", QUICK) == BUILD_LOG
    fake.reset_requests()
    fake.fail_next("GetObject", "InternalFailureException", times=1000)
    with pytest.raises(AmplifyFetchError) as raised:
        read_log(job, "BUILD", quick_fetcher(retry_timeout=60))
    attempts = fake.calls("GetObject")
    message = str(raised.value)
    assert message.startswith(
        "could not download the BUILD log of app d1, branch main, job 1: HTTP 500 "
        f"({attempts} attempts in 1m "
    )
    assert "; retry_timeout = 1m 00s (from this Fetcher); http://127.0.0.1:" in message
    assert 5 <= attempts <= 20, "back-off: a few attempts a minute, not hundreds"


def test_a_permanent_error_is_not_retried(
    fake: FakeAmplify, job_with: Callable[..., AmplifyJob]
) -> None:
    job = job_with(steps=[FakeStep("BUILD", log=BUILD_LOG)])
    fake.respond_raw_next(
        "GetObject", status=403, body="<Error><Code>AccessDenied</Code></Error>", times=5
    )
    with pytest.raises(AmplifyFetchError, match="was denied"):
        read_log(job, "BUILD", QUICK)
    assert fake.calls("GetObject") == 1


def test_dropped_connections_are_retried(
    fake: FakeAmplify, job_with: Callable[..., AmplifyJob]
) -> None:
    job = job_with(steps=[FakeStep("BUILD", log=BUILD_LOG)])
    fake.drop_next("GetObject", times=2)
    assert read_log(job, "BUILD", QUICK) == BUILD_LOG
    assert fake.calls("GetObject") == 3


@pytest.mark.slow  # real-clock: the server trickles in real time
def test_a_trickling_download_is_cut_and_retried(
    fake: FakeAmplify, job_with: Callable[..., AmplifyJob]
) -> None:
    """Headers at once, then 1 byte every 0.05 s: each read arrives in time, but 20
    bytes a second is under the minimum; the retry gets the file whole."""
    log = "".join(f"line {n}\n" for n in range(2000))
    job = job_with(steps=[FakeStep("BUILD", log=log)])
    fake.trickle_next("GetObject", chunk_size=1, every=0.05)
    fetcher = quick_fetcher(min_rate=1000, rate_window=0.5, read_timeout=5)
    assert read_log(job, "BUILD", fetcher) == log
    assert list(iter_log_lines(job, "BUILD", fetcher)) == log.splitlines()
    assert fake.calls("GetObject") == 3


@pytest.mark.slow  # real-clock: the server trickles in real time
def test_a_download_that_keeps_progressing_is_not_cut(
    fake: FakeAmplify, job_with: Callable[..., AmplifyJob]
) -> None:
    """About 1.5s of 2,000-byte pieces every 0.05 s: longer than the stall limit
    (0.5s) several times over, but never stalled nor too slow."""
    log = "x" * 59_999 + "\n"
    job = job_with(steps=[FakeStep("BUILD", log=log)])
    fake.trickle_next("GetObject", chunk_size=2000, every=0.05)
    fetcher = quick_fetcher(min_rate=1000, rate_window=0.5, read_timeout=0.5, attempts=1)
    assert read_log(job, "BUILD", fetcher) == log
    assert fake.calls("GetObject") == 1


@pytest.mark.slow  # real-clock: the server trickles in real time
def test_a_download_that_never_ends_says_how_much_came_in_how_long(
    fake: FakeAmplify, job_with: Callable[..., AmplifyJob]
) -> None:
    job = job_with(steps=[FakeStep("BUILD", log="x" * 5000)])
    fake.trickle_next("GetObject", chunk_size=1, every=0.05, times=10)
    fetcher = quick_fetcher(min_rate=1000, rate_window=0.3, read_timeout=5, attempts=2)
    with pytest.raises(AmplifyFetchError) as raised:
        read_log(job, "BUILD", fetcher)
    assert re.match(
        r"could not download the BUILD log of app d1, branch main, job 1: too slow: \d+ bytes "
        r"in the last 0.3s \(at least 1,000 bytes a second expected\) \(\d+ bytes received "
        r"in 0.\ds\) \(2 attempts; http://127.0.0.1:\d+/_files/d1/main/1/BUILD/log.txt\)",
        str(raised.value),
    ), str(raised.value)


@pytest.mark.slow  # real-clock: the server trickles in real time
def test_a_silent_server_is_a_stall(fake: FakeAmplify, job_with: Callable[..., AmplifyJob]) -> None:
    job = job_with(steps=[FakeStep("BUILD", log=BUILD_LOG)])
    fake.hang_next("GetObject")
    assert read_log(job, "BUILD", quick_fetcher(read_timeout=0.3)) == BUILD_LOG
    fake.hang_next("GetObject", times=5)
    # The time the watch measured is the machine's (0.4s under load); the bound is ours.
    with pytest.raises(
        AmplifyFetchError, match=r": no data for 0.3s \(0 bytes received in [\d.]+s\)"
    ):
        read_log(job, "BUILD", quick_fetcher(read_timeout=0.3, attempts=2))


def test_forbidden_and_missing_files_say_which(
    fake: FakeAmplify, job_with: Callable[..., AmplifyJob]
) -> None:
    job = job_with()
    fake.respond_raw_next(
        "GetObject",
        status=403,
        body="<Error><Code>SignatureDoesNotMatch</Code><Message>nope</Message></Error>",
    )
    with pytest.raises(
        AmplifyFetchError,
        match=r"access to the BUILD log of app d1, branch main, job 1 was denied \(SignatureDoesNotMatch: nope;",
    ):
        read_log(job, "BUILD", QUICK)
    fake.respond_raw_next(
        "GetObject", status=404, body="<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>"
    )
    with pytest.raises(
        AmplifyFetchError,
        match=r"the BUILD log of app d1, branch main, job 1 does not exist \(NoSuchKey: gone;.*deleted",
    ):
        read_log(job, "BUILD", QUICK)


def test_a_size_cap_stops_runaway_downloads(job_with: Callable[..., AmplifyJob]) -> None:
    job = job_with(steps=[FakeStep("BUILD", log="x" * 10_000)])
    with pytest.raises(AmplifyFetchError, match="is larger than the 1,000 bytes allowed"):
        read_log(job, "BUILD", Fetcher(max_bytes=1000))


def test_the_proxy_environment_is_honoured(
    fake: FakeAmplify, job_with: Callable[..., AmplifyJob], monkeypatch: pytest.MonkeyPatch
) -> None:
    job = job_with(steps=[FakeStep("BUILD", log=BUILD_LOG)])
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(AmplifyFetchError, match="could not download the BUILD log"):
        read_log(job, "BUILD", quick_fetcher(attempts=1))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert read_log(job, "BUILD", quick_fetcher(attempts=1)) == BUILD_LOG


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by itself (a corporate CA that no public
    trust store holds), and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "corporate CA")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "corporate-ca.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class QuietTLSServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that refuses the certificate is expected here, not a traceback."""


@contextlib.contextmanager
def https_server(directory: Path, body: bytes) -> Iterator[tuple[str, Path]]:
    """An HTTPS server on 127.0.0.1 that answers ``body``: its URL and its certificate."""
    cert_file, key_file = self_signed(directory)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    with QuietTLSServer(("127.0.0.1", 0), Handler) as server:
        server.socket = context.wrap_socket(server.socket, server_side=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"https://127.0.0.1:{server.server_address[1]}/d1/main/1/BUILD/log.txt", cert_file
        finally:
            server.shutdown()
            thread.join()


def test_aws_ca_bundle_is_the_trust_store(tmp_path: Path) -> None:
    with https_server(tmp_path, BUILD_LOG.encode()) as (url, bundle):
        trusting = Fetcher(environ={"AWS_CA_BUNDLE": str(bundle)}, attempts=1)
        assert trusting.read_bytes(url, "the BUILD log") == BUILD_LOG.encode()
        # The same server without the bundle: the public trust store refuses it.
        default = Fetcher(environ={}, attempts=1)
        with pytest.raises(
            AmplifyFetchError,
            match="could not download the BUILD log .*TLS failed .*CERTIFICATE_VERIFY_FAILED",
        ):
            default.read_bytes(url, "the BUILD log")


def test_a_200_mb_log_is_searched_in_a_few_mb(fake: FakeAmplify) -> None:
    """Blocks of about 1 MiB are searched whole: a few MB at most (the goal is under
    64 MB; the service's own allocations count too, as it runs in this process)."""
    block = b"".join(
        f"[INFO]: compiling module {n:06d} of the application bundle\n".encode()
        for n in range(1000)
    )
    blocks = 200 * 1024 * 1024 // len(block)

    def log() -> Iterator[bytes]:
        for _ in range(blocks):
            yield block
        yield b"[INFO]: Compiled successfully in 212.4s\n"

    fake.add_job(app_id="d1", branch="main", job_id="1", steps=[FakeStep("BUILD", log=log)])
    job = get(fake)
    tracemalloc.start()
    try:
        assert_log_contains(job, "BUILD", re.compile(r"Compiled successfully in \d+"), QUICK)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert blocks * len(block) >= 200 * 1024 * 1024 - len(block)
    assert peak < 16 * 1024 * 1024, f"peak {peak:,} bytes"


# -- log assertions --------------------------------------------------------------------


def test_assert_log_contains_passes_on_a_plain_string_or_a_regex(
    job_with: Callable[..., AmplifyJob],
) -> None:
    job = job_with(steps=[FakeStep("BUILD", log=BUILD_LOG)])
    assert_log_contains(job, "build", "built in 12.3s", QUICK)
    assert_log_contains(job, "BUILD", re.compile(r"built in \d+\.\d+s"), QUICK)
    assert_log_not_contains(job, "BUILD", "ERROR", QUICK)
    assert_log_not_contains(
        job, "BUILD", re.compile(r"^error", re.IGNORECASE | re.MULTILINE), QUICK
    )


def test_a_plain_string_is_not_a_regex(job_with: Callable[..., AmplifyJob]) -> None:
    job = job_with(steps=[FakeStep("BUILD", log=BUILD_LOG)])
    with pytest.raises(AmplifyAssertionError):
        assert_log_contains(job, "BUILD", "built in 12.3.", QUICK)


def test_assert_log_contains_shows_the_closest_lines(job_with: Callable[..., AmplifyJob]) -> None:
    job = job_with(steps=[FakeStep("BUILD", log=BUILD_LOG)])
    with pytest.raises(AmplifyAssertionError) as raised:
        assert_log_contains(job, "BUILD", "built in 9.9s", QUICK)
    assert str(raised.value) == (
        "the BUILD log of app d1, branch main, job 1 has no line matching 'built in 9.9s' (5 lines searched)\n"
        "closest lines:\n"
        "  line 4: built in 12.3s"
    )


def test_without_close_lines_the_end_of_the_log_is_shown(
    job_with: Callable[..., AmplifyJob],
) -> None:
    job = job_with(steps=[FakeStep("BUILD", log=BUILD_LOG)])
    with pytest.raises(AmplifyAssertionError) as raised:
        assert_log_contains(job, "BUILD", re.compile("zzz+"), QUICK)
    assert str(raised.value) == (
        "the BUILD log of app d1, branch main, job 1 has no line matching /zzz+/ (5 lines searched)\n"
        "the log ends with:\n"
        "  line 1: npm ci\n  line 2: added 1204 packages\n  line 3: vite v5 building for production...\n"
        "  line 4: built in 12.3s\n  line 5: Done"
    )


def test_assert_log_not_contains_shows_the_first_match_and_its_line_number(
    job_with: Callable[..., AmplifyJob],
) -> None:
    job = job_with(steps=[FakeStep("BUILD", log="ok\nwarning: a\nok\nwarning: b\n")])
    with pytest.raises(AmplifyAssertionError) as raised:
        assert_log_not_contains(job, "BUILD", "warning", QUICK)
    assert str(raised.value) == (
        "the BUILD log of app d1, branch main, job 1 has 2 lines matching 'warning'; the first:\n"
        "  line 2: warning: a"
    )


def test_a_log_that_cannot_be_read_fails_the_assertion(
    fake: FakeAmplify, job_with: Callable[..., AmplifyJob]
) -> None:
    job = job_with()
    fake.fail_next("GetObject", "NotFoundException", status=404)
    with pytest.raises(
        AmplifyAssertionError,
        match="^the BUILD log of app d1, branch main, job 1 could not be read: ",
    ):
        assert_log_contains(job, "BUILD", "x", QUICK)


# -- artifacts -------------------------------------------------------------------------


def test_assert_artifacts_with_paths_and_globs(job_with: Callable[..., AmplifyJob]) -> None:
    job = job_with()
    assert_artifacts(job, "BUILD", fetcher=QUICK)
    assert_artifacts(job, "build", contains=["index.html", "assets/*.js"], fetcher=QUICK)
    assert_artifacts(job, "BUILD", contains="assets/index.css", fetcher=QUICK)


def test_assert_artifacts_lists_what_is_missing_and_what_is_there(
    job_with: Callable[..., AmplifyJob],
) -> None:
    job = job_with()
    with pytest.raises(AmplifyAssertionError) as raised:
        assert_artifacts(
            job, "BUILD", contains=["index.html", "robots.txt", "assets/*.map"], fetcher=QUICK
        )
    assert str(raised.value) == (
        "the BUILD artifacts of app d1, branch main, job 1 lack 2 of 3 expected paths: robots.txt, assets/*.map\n"
        "they hold 3 files: assets/index.css, assets/index.js, index.html"
    )


def test_assert_artifacts_without_an_artifacts_url(job_with: Callable[..., AmplifyJob]) -> None:
    job = job_with(steps=["DEPLOY"])
    with pytest.raises(
        AmplifyAssertionError,
        match="the DEPLOY artifacts of app d1, branch main, job 1 could not be downloaded: .*has no artifacts URL",
    ):
        assert_artifacts(job, "DEPLOY", fetcher=QUICK)


def test_an_artifacts_file_that_is_not_a_zip(
    job_with: Callable[..., AmplifyJob], fake: FakeAmplify
) -> None:
    job = job_with()
    fake.respond_raw_next("GetObject", status=200, body="<html>proxy login</html>")
    with pytest.raises(AmplifyAssertionError, match="is not a zip file"):
        assert_artifacts(job, "BUILD", fetcher=QUICK)


def test_assert_test_artifacts(job_with: Callable[..., AmplifyJob]) -> None:
    job = job_with()
    assert_test_artifacts(job, fetcher=QUICK)
    assert_test_artifacts(job, contains=["cypress/report/*.json"], fetcher=QUICK)
    with pytest.raises(AmplifyAssertionError) as raised:
        assert_test_artifacts(job, contains=["cypress/screenshots/*.png"], fetcher=QUICK)
    assert str(raised.value).startswith(
        "the end-to-end test artifacts of app d1, branch main, job 1 lack 1 of 1 expected path: cypress/screenshots/*.png\n"
        "they hold 2 files: cypress/report/mochawesome.json, cypress/videos/home.cy.js.mp4"
    )


@pytest.mark.parametrize("in_memory", [1 << 20, 100], ids=["in memory", "in a file"])
def test_a_spooled_zip_reads_its_members(in_memory: int) -> None:
    # zipfile asks its file for seekable(), which SpooledTemporaryFile lacks on 3.10.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cypress/report/mochawesome.json", '{"stats": {}}' * 50)
    data = buffer.getvalue()
    with contextlib.ExitStack() as files:
        spool = spooled((data[i : i + 64] for i in range(0, len(data), 64)), files, in_memory)
        assert isinstance(spool, io.BytesIO) is (in_memory > len(data))
        with (
            zipfile.ZipFile(spool) as archive,
            archive.open("cypress/report/mochawesome.json") as member,
        ):
            assert member.read() == b'{"stats": {}}' * 50
    assert spool.closed is (in_memory < len(data))


def test_no_test_artifacts_at_all(job_with: Callable[..., AmplifyJob]) -> None:
    job = job_with(steps=["BUILD", "DEPLOY"])
    with pytest.raises(AmplifyAssertionError, match="there are none"):
        assert_test_artifacts(job, fetcher=QUICK)


# -- screenshots -----------------------------------------------------------------------


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg(width: int, height: int, *, scan: bytes = b"", end: bytes = b"\xff\xd9") -> bytes:
    """SOI, APP0 (JFIF), a frame header (SOF0), a scan (SOS and its entropy-coded
    data) when given, and EOI."""
    app0 = segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    sof0 = segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
    sos = segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + scan if scan else b""
    return b"\xff\xd8" + app0 + sof0 + sos + end


# Entropy-coded data holds 0xFF only as 0xFF 0x00 (a stuffed byte) or a restart marker.
SCAN = b"\x12\xff\x00\x34\xff\xd0\x56\xff\x00\xff\xd1\x78"
# An EXIF thumbnail is a whole JPEG (with its own EOI) inside an APP1 segment.
THUMBNAIL = segment(0xE1, b"Exif\x00\x00" + jpeg(16, 16))


def test_png_and_jpeg_are_recognised_with_their_size() -> None:
    assert image_info(make_png(30, 20)) == image_info(make_png(30, 20))
    info = image_info(jpeg(1280, 720))
    assert (info.kind, info.width, info.height, info.mime_type) == ("jpeg", 1280, 720, "image/jpeg")
    assert image_info(jpeg(640, 480, scan=SCAN)) == image_info(jpeg(640, 480))
    with_thumbnail = b"\xff\xd8" + THUMBNAIL + jpeg(800, 600, scan=SCAN)[2:]
    assert (image_info(with_thumbnail).width, image_info(with_thumbnail).height) == (800, 600)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "it is empty"),
        (
            b'<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>',
            "it is a text document, not an image",
        ),
        (b"GIF89a....", "it has neither a PNG nor a JPEG signature"),
        (make_png()[:11], "it is a truncated PNG (11 bytes, no IHDR header)"),
        (make_png()[:40], "it is a truncated PNG (40 bytes, no IEND chunk)"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "it is a truncated JPEG (10 bytes, no frame header)"),
        (jpeg(8, 8, end=b""), "it is a truncated JPEG (33 bytes, no end-of-image marker (EOI))"),
        (
            jpeg(8, 8, scan=SCAN, end=b"")[:-3],
            "it is a truncated JPEG (52 bytes, no end-of-image marker (EOI))",
        ),
        (  # the thumbnail's EOI is not the image's
            (b"\xff\xd8" + THUMBNAIL + jpeg(800, 600, scan=SCAN)[2:])[:-2],
            "no end-of-image marker (EOI)",
        ),
        (b"\xff\xd8" + segment(0xE0, b"JFIF") + b"\xff\xd9", "it is a JPEG without a frame header"),
        (b"\xff\xd8\xff\xe0\x00\x04ab\x00\x00", "it is a corrupt JPEG (no marker at byte 8)"),
    ],
)
def test_what_is_not_an_image_says_why(data: bytes, reason: str) -> None:
    with pytest.raises(NotAnImage, match=re.escape(reason)):
        image_info(data)


def test_assert_screenshots_passes_for_real_images(job_with: Callable[..., AmplifyJob]) -> None:
    job = job_with()
    assert_screenshots(job, fetcher=QUICK)
    assert_screenshots(job, "verify", min_count=3, names=["desktop", "pixel-7"], fetcher=QUICK)


def test_assert_screenshots_names_each_bad_screenshot_and_why(
    job_with: Callable[..., AmplifyJob],
) -> None:
    shots = {
        "desktop": make_png(),
        "iphone-14": b"<Error><Code>AccessDenied</Code></Error>",
        "pixel-7": make_png()[:50],
        "ipad": jpeg(800, 600),
    }
    job = job_with(steps=[FakeStep("VERIFY", screenshots=shots)])
    with pytest.raises(AmplifyAssertionError) as raised:
        assert_screenshots(job, min_count=5, names=["desktop", "galaxy"], fetcher=QUICK)
    assert str(raised.value) == (
        "the screenshots of step VERIFY of app d1, branch main, job 1 are not as expected:\n"
        "  expected at least 5 screenshots, it has 4\n"
        "  missing: 'galaxy' (it has: desktop, iphone-14, pixel-7, ipad)\n"
        "  'iphone-14' is not a usable image: it is a text document, not an image (starts b'<Error><Code>AccessDenied</Cod')\n"
        "  'pixel-7' is not a usable image: it is a truncated PNG (50 bytes, no IEND chunk)"
    )


def test_a_screenshot_that_does_not_download(
    fake: FakeAmplify, job_with: Callable[..., AmplifyJob]
) -> None:
    job = job_with()
    fake.respond_raw_next(
        "GetObject", status=404, body="<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>"
    )
    with pytest.raises(
        AmplifyAssertionError,
        match=r"'desktop' could not be downloaded: screenshot 'desktop' of step VERIFY .* does not exist",
    ):
        assert_screenshots(job, fetcher=QUICK)
