"""Run the connector alone: `python -m connector --port 8103 --slack-url … --ilert-url …`.

Every option can also come from the environment (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET,
SLACK_SIGNING_SECRET, ILERT_CONNECTOR_SECRET, …), as Slack apps are usually configured.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from waitress import serve

from connector.app import create_app
from connector.config import ConnectorConfig

_ENV = {
    "slack_url": "SLACK_URL",
    "ilert_url": "ILERT_URL",
    "public_url": "CONNECTOR_PUBLIC_URL",
    "client_id": "SLACK_CLIENT_ID",
    "client_secret": "SLACK_CLIENT_SECRET",
    "signing_secret": "SLACK_SIGNING_SECRET",
    "ilert_secret": "ILERT_CONNECTOR_SECRET",
    "database": "CONNECTOR_DATABASE",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m connector", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8103)
    for name, variable in _ENV.items():
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            default=os.environ.get(variable),
            help=f"(env {variable})",
        )
    parser.add_argument(
        "--slack-time-scale",
        type=float,
        default=1.0,
        help="fake Slack's rate-limit time scale, to pace at the same speed",
    )
    parser.add_argument("--threads", type=int, default=16)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    missing = [
        f"--{n.replace('_', '-')}" for n in _ENV if n != "public_url" and not getattr(args, n)
    ]
    if missing:
        print(f"python -m connector: missing {', '.join(missing)}", file=sys.stderr)
        return 2
    config = ConnectorConfig(
        slack_url=args.slack_url,
        ilert_url=args.ilert_url,
        public_url=args.public_url or f"http://{args.host}:{args.port}",
        client_id=args.client_id,
        client_secret=args.client_secret,
        signing_secret=args.signing_secret,
        ilert_secret=args.ilert_secret,
        database_path=args.database,
        slack_time_scale=args.slack_time_scale,
    )
    logging.getLogger("waitress").setLevel(logging.ERROR)
    print(f"connector listening on http://{args.host}:{args.port}", flush=True)
    serve(create_app(config), host=args.host, port=args.port, threads=args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
