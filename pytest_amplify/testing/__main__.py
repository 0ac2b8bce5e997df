"""``python -m pytest_amplify.testing serve``: the local service in its own process."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from ._service.service import FakeAmplify


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pytest_amplify.testing",
        description="A local AWS Amplify Hosting service on 127.0.0.1, for offline tests.",
        epilog="Run 'python -m pytest_amplify.testing serve --help' for serve's options; "
        "the scenario format is documented in docs/local-service.md.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve until interrupted (Ctrl-C or SIGTERM)",
        description="Serve the Amplify API, step files and sites on 127.0.0.1 until "
        "interrupted (Ctrl-C or SIGTERM). Prints the endpoint and the pytest options "
        "that point the plugin at it.",
    )
    serve.add_argument(
        "--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)"
    )
    serve.add_argument(
        "--scenario",
        type=Path,
        metavar="FILE",
        help="JSON file of apps, branches, jobs, sites and domains to serve; its format is "
        "the JSON Schema scenario.schema.json shipped in pytest_amplify.testing "
        "(a mistake is reported with the field's path, exit status 2)",
    )
    serve.add_argument(
        "--url-expires",
        type=int,
        default=3600,
        metavar="SECONDS",
        help="lifetime of presigned file URLs, in seconds (default: 3600)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    fake = FakeAmplify(port=args.port, url_expires=args.url_expires)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with fake:
        if args.scenario is not None:
            try:
                fake.load_scenario(json.loads(args.scenario.read_text()))
            except (OSError, ValueError, TypeError) as exc:
                print(f"error: --scenario {args.scenario}: {exc}", file=sys.stderr)
                return 2
        print(f"endpoint_url: {fake.endpoint_url}", flush=True)
        print(f"site_url: {fake.site_url_template}", flush=True)
        print(f"domain_url: {fake.domain_url_template}", flush=True)
        print(
            "use: AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing pytest "
            f"--amplify-endpoint-url {fake.endpoint_url} --amplify-region {fake.region} "
            f"--amplify-site-url '{fake.site_url_template}' "
            f"--amplify-domain-url '{fake.domain_url_template}'",
            flush=True,
        )
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
