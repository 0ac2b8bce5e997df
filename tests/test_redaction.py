"""Presigned URLs are bearer tokens: their signing parameters never leave the plugin."""

from __future__ import annotations

import pytest

from pytest_amplify import redact_text, redact_url

from .seam import strip_query

SIGNED = (
    "https://bucket.s3.amazonaws.com/d1/main/7/BUILD/log.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=ASIAEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z"
    "&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLE"
    "&X-Amz-Signature=0123456789abcdef"
)
SECRETS = ("ASIAEXAMPLE", "FwoGZXIvYXdzEXAMPLE", "0123456789abcdef")


def test_redact_url_replaces_every_signing_value_and_keeps_the_rest() -> None:
    redacted = redact_url(SIGNED)
    assert not any(secret in redacted for secret in SECRETS)
    assert "X-Amz-Signature=REDACTED" in redacted
    assert "X-Amz-Credential=REDACTED" in redacted
    assert "X-Amz-Security-Token=REDACTED" in redacted
    assert "X-Amz-Expires=3600" in redacted
    assert redacted.startswith("https://bucket.s3.amazonaws.com/d1/main/7/BUILD/log.txt?")


@pytest.mark.parametrize(
    "url",
    [
        "https://b.s3.amazonaws.com/k?AWSAccessKeyId=AKIAEXAMPLE&Signature=abc%2Bdef&Expires=1",
        "https://b.s3.amazonaws.com/k?x-amz-security-token=tok&x-amz-signature=sig",
        "https://b.s3.amazonaws.com/k?X-AMZ-SIGNATURE=sig",
    ],
)
def test_sigv2_and_any_case_are_redacted(url: str) -> None:
    redacted = redact_url(url)
    for secret in ("AKIAEXAMPLE", "abc%2Bdef", "abc+def", "tok", "sig"):
        assert f"={secret}" not in redacted


def test_urls_without_signatures_are_unchanged() -> None:
    assert redact_url("https://example.com/a?b=c") == "https://example.com/a?b=c"
    assert redact_url("https://example.com/a") == "https://example.com/a"


def test_redact_text_finds_urls_and_stray_parameters_in_messages() -> None:
    text = f"could not download ({SIGNED}); retried X-Amz-Signature=feedface and Signature=abc"
    redacted = redact_text(text)
    assert not any(secret in redacted for secret in (*SECRETS, "feedface", "=abc"))
    assert redacted.startswith("could not download (https://bucket.s3.amazonaws.com/")


def test_strip_query_drops_the_whole_query() -> None:
    assert strip_query(SIGNED) == "https://bucket.s3.amazonaws.com/d1/main/7/BUILD/log.txt"
