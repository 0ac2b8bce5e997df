"""boto3 sessions and clients for Amplify: own sessions, botocore's retries off,
calls bounded in total time (``_http.transport``), configuration errors as one line.

boto3 is imported here, on first use, never at plugin start-up.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .._core.errors import AmplifyConfigError, AmplifyResponseError
from .._core.vocabulary import region_problem

if TYPE_CHECKING:
    import boto3.session
    from mypy_boto3_amplify import AmplifyClient

    from .._http.transport import Transport

# Amplify answers in well under a second; a call that takes longer than this in all
# is cut and retried (within the deadline) rather than waited on.
READ_TIMEOUT = 15.0
MIN_CALL_TIMEOUT = 1.0
SIGNING_REGION_FOR_LOCAL_ENDPOINTS = "us-east-1"


@dataclasses.dataclass(frozen=True)
class Credentials:
    """Static credentials handed over by an override (the local service's dummies)."""

    access_key_id: str
    secret_access_key: str = dataclasses.field(repr=False)
    session_token: str | None = dataclasses.field(default=None, repr=False)


@dataclasses.dataclass(frozen=True)
class Connection:
    """Everything that decides which client to build."""

    endpoint_url: str | None
    region: str | None
    profile: str | None
    credentials: Credentials | None = None
    profile_source: str = "default"


_loader: Any = None
_loader_lock = threading.Lock()


def new_boto3_session(**kwargs: Any) -> boto3.session.Session:
    """A fresh boto3 session (never boto3's default one) that shares botocore's
    data loader with the others, so that Amplify's model is parsed once per
    process rather than once per session."""
    global _loader
    import boto3.session
    import botocore.loaders
    import botocore.session

    with _loader_lock:
        if _loader is None:
            _loader = botocore.loaders.create_loader()
    core = botocore.session.Session()
    core.register_component("data_loader", _loader)
    return boto3.session.Session(botocore_session=core, **kwargs)


def _user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"pytest-amplify/{version('pytest-amplify')}"
    except PackageNotFoundError:
        return "pytest-amplify"


@contextlib.contextmanager
def _config_errors(connection: Connection) -> Iterator[None]:
    """botocore's configuration errors, naming the setting on their first line."""
    from botocore.exceptions import InvalidRegionError, ProfileNotFound

    try:
        yield
    except ProfileNotFound as exc:
        profile = connection.profile or exc.kwargs.get("profile", "?")
        source = (
            connection.profile_source if connection.profile else "environment variable AWS_PROFILE"
        )
        raise AmplifyConfigError(
            f"amplify_profile = {profile!r} (from {source}): no such profile in the AWS "
            "config files (~/.aws/config, ~/.aws/credentials)",
            "`aws configure list-profiles` lists them: name one of them, or leave the "
            "profile unset to use boto3's own credentials chain",
        ) from None
    except InvalidRegionError as exc:
        raise AmplifyConfigError(
            f"region {exc.kwargs.get('region_name')!r} (from boto3's configuration: "
            "AWS_DEFAULT_REGION or the profile) is not a region name; set amplify_region, "
            "e.g. us-east-1"
        ) from None


def _require_json(operation_model: Any, response_dict: Mapping[str, Any], **kwargs: Any) -> None:
    """botocore answers a 200 whose body is not JSON (a proxy's login page) with an
    empty result rather than an error; the wait must know it got no answer."""
    status = int(response_dict.get("status_code") or 0)
    body = response_dict.get("body") or b""
    if not 200 <= status < 300 or not isinstance(body, bytes | bytearray):
        return
    try:
        json.loads(body or b"{}")
    except ValueError:
        content_type = (response_dict.get("headers") or {}).get("content-type", "no content type")
        start = bytes(body[:40]).decode("utf-8", "replace")
        raise AmplifyResponseError(
            f"the answer is not JSON ({content_type}; it starts {start!r})"
        ) from None


class ClientFactory:
    """Caches one boto3 session per connection and one client per call timeout."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._creating = threading.Lock()
        self._sessions: dict[tuple[Any, ...], boto3.session.Session] = {}
        self._clients: dict[tuple[Any, ...], AmplifyClient] = {}
        self._regions: dict[Connection, str] = {}
        self._transports: dict[str | None, Transport] = {}

    def session(self, connection: Connection) -> boto3.session.Session:

        key = (connection.profile, connection.region, connection.credentials)
        with self._lock:
            if key in self._sessions:
                return self._sessions[key]
            credentials = connection.credentials
            with _config_errors(connection):
                session = new_boto3_session(
                    profile_name=connection.profile,
                    region_name=connection.region,
                    aws_access_key_id=credentials.access_key_id if credentials else None,
                    aws_secret_access_key=credentials.secret_access_key if credentials else None,
                    aws_session_token=credentials.session_token if credentials else None,
                )
            self._sessions[key] = session
            return session

    def region(self, connection: Connection) -> str:
        """The region calls go to: the setting, else boto3's chain; checked against
        the regions botocore knows for Amplify when no endpoint is set."""
        if connection not in self._regions:
            with _config_errors(connection):
                self._regions[connection] = self._region(connection)
        return self._regions[connection]

    def _region(self, connection: Connection) -> str:
        session = self.session(connection)
        region = session.region_name
        if region is None:
            if connection.endpoint_url:
                return SIGNING_REGION_FOR_LOCAL_ENDPOINTS
            raise AmplifyConfigError(
                "Amplify needs a region: set amplify_region / --amplify-region, or "
                "AWS_DEFAULT_REGION in the environment (boto3 does not read AWS_REGION)"
            )
        if not connection.region:
            # The bad-input rule holds with an endpoint too: a typo is never signed for.
            problem = region_problem(region, check_known=not connection.endpoint_url)
            if problem:
                raise AmplifyConfigError(
                    f"region {region!r} (from boto3's configuration: AWS_DEFAULT_REGION or "
                    f"the profile): {problem}; fix it, or set amplify_region to the app's region"
                )
        return region

    def client(self, connection: Connection) -> AmplifyClient:
        """The plugin's client for ``connection``: botocore's retries off (the plugin
        owns them), and each call sent by ``_http.transport`` within the limit the caller
        sets with ``_http.transport.call_limit`` (:data:`READ_TIMEOUT` by default), in all,
        whatever the server does."""
        key = (connection, "plugin")
        with self._lock:
            cached = self._clients.get(key)
        if cached is not None:
            return cached
        # boto3's sessions are not thread-safe: one client made at a time, once
        # (wait_all's polls ask for it from several threads).
        with self._creating:
            with self._lock:
                cached = self._clients.get(key)
            if cached is not None:
                return cached
            return self._new_client(connection, key)

    def _new_client(self, connection: Connection, key: tuple[Any, ...]) -> AmplifyClient:
        from botocore.config import Config

        from .._http.transport import POOL_CONNECTIONS, BoundedSession

        region = self.region(connection)
        session = self.session(connection)
        config = Config(
            retries={"total_max_attempts": 1, "mode": "standard"},
            user_agent_extra=_user_agent(),
            max_pool_connections=POOL_CONNECTIONS,
        )
        with _config_errors(connection):
            client = session.client(
                "amplify", region_name=region, endpoint_url=connection.endpoint_url, config=config
            )
            ca_bundle = session._session.get_config_variable("ca_bundle")
        client.meta.events.register("before-parse.amplify", _require_json)
        # botocore's endpoint sends what no before-send handler (moto's mock_aws, a
        # Stubber) answered through its HTTP session: this one bounds each call.
        endpoint = getattr(client, "_endpoint")  # noqa: B009 - botocore's, not typed
        endpoint.http_session = BoundedSession(self._transport(ca_bundle), READ_TIMEOUT)
        with self._lock:
            return self._clients.setdefault(key, client)

    def _transport(self, ca_bundle: str | None) -> Transport:
        from .._http.transport import Transport

        with self._lock:
            if ca_bundle not in self._transports:
                self._transports[ca_bundle] = Transport(ca_bundle)
            return self._transports[ca_bundle]

    def user_client(self, connection: Connection) -> AmplifyClient:
        """The client the ``amplify_client`` fixture hands to tests: botocore's
        standard retries on, since tests call it directly."""
        from botocore.config import Config

        key = (connection, "user")
        with self._lock:
            cached = self._clients.get(key)
        if cached is not None:
            return cached
        config = Config(retries={"mode": "standard"}, user_agent_extra=_user_agent())
        with _config_errors(connection):
            client = self.session(connection).client(
                "amplify",
                region_name=self.region(connection),
                endpoint_url=connection.endpoint_url,
                config=config,
            )
        with self._lock:
            return self._clients.setdefault(key, client)
