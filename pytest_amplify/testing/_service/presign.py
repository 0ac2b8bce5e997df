"""URLs shaped like S3 presigned URLs, signed and checked against the service's clock.

The files are kept here rather than in moto's S3 on purpose: moto serves presigned
URLs after they expire, and a user's own ``mock_aws()`` anywhere in the process
resets moto's buckets.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

_ALGORITHM = "AWS4-HMAC-SHA256"
_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class UrlCheck:
    """Why a presigned request was refused, as S3 says it: code and message."""

    code: str
    message: str

    def as_s3_xml(self, key: str, extra: Mapping[str, str] | None = None) -> bytes:
        fields = {"Code": self.code, "Message": self.message, "Key": key, **(extra or {})}
        body = "".join(f"<{name}>{_xml_escape(value)}</{name}>" for name, value in fields.items())
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{body}</Error>'.encode()


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class UrlSigner:
    """Signs object keys into presigned-looking URLs and verifies them."""

    def __init__(self, clock: Callable[[], float], region: str, expires: int) -> None:
        self._clock = clock
        self._region = region
        self.expires = expires
        self._secret = secrets.token_bytes(32)
        # A temporary credential's key id and token, as an assumed role's URLs carry them.
        self._access_key_id = "ASIA" + secrets.token_hex(8).upper()
        self._session_token = secrets.token_urlsafe(48)

    def _signature(self, path: str, params: Mapping[str, str]) -> str:
        canonical = path + "\n" + "&".join(f"{k}={params[k]}" for k in sorted(params))
        return hmac.new(self._secret, canonical.encode(), hashlib.sha256).hexdigest()

    def sign(self, base_url: str, path: str) -> str:
        now = dt.datetime.fromtimestamp(self._clock(), tz=dt.timezone.utc)
        scope = f"{now:%Y%m%d}/{self._region}/s3/aws4_request"
        params = {
            "X-Amz-Algorithm": _ALGORITHM,
            "X-Amz-Credential": f"{self._access_key_id}/{scope}",
            "X-Amz-Date": now.strftime(_DATE_FORMAT),
            "X-Amz-Expires": str(self.expires),
            "X-Amz-SignedHeaders": "host",
            "X-Amz-Security-Token": self._session_token,
        }
        params["X-Amz-Signature"] = self._signature(path, params)
        return f"{base_url}{quote(path)}?{urlencode(params, quote_via=quote)}"

    def check(self, path: str, params: Mapping[str, str]) -> UrlCheck | None:
        """``None`` when the URL is good; else S3's reason for a 403."""
        signature = params.get("X-Amz-Signature")
        if not signature or "X-Amz-Date" not in params or "X-Amz-Expires" not in params:
            return UrlCheck(
                "AccessDenied",
                "Query-string authentication requires the Signature, Expires and "
                "AWSAccessKeyId parameters",
            )
        signed = {k: v for k, v in params.items() if k != "X-Amz-Signature"}
        if not hmac.compare_digest(signature, self._signature(path, signed)):
            return UrlCheck(
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        try:
            issued = dt.datetime.strptime(params["X-Amz-Date"], _DATE_FORMAT).replace(
                tzinfo=dt.timezone.utc
            )
            lifetime = int(params["X-Amz-Expires"])
        except ValueError:
            return UrlCheck(
                "AuthorizationQueryParametersError", "X-Amz-Date or X-Amz-Expires is invalid"
            )
        if self._clock() > issued.timestamp() + lifetime:
            return UrlCheck("AccessDenied", "Request has expired")
        return None

    def expiry_details(self, params: Mapping[str, str]) -> dict[str, str]:
        issued = dt.datetime.strptime(params["X-Amz-Date"], _DATE_FORMAT).replace(
            tzinfo=dt.timezone.utc
        )
        expires = issued + dt.timedelta(seconds=int(params["X-Amz-Expires"]))
        server_time = dt.datetime.fromtimestamp(self._clock(), tz=dt.timezone.utc)
        return {
            "Expires": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "ServerTime": server_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
