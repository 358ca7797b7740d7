"""`ilert-slack-sim`: run the whole simulation on loopback with a seeded demo."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from harness.seed import World, build_world
from harness.simulation import STATE_FORMAT, Simulation, SimulationConfig

DEMO_SEED_COMPANY = "Acme"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ilert-slack-sim", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start fake ilert, fake Slack and the connector")
    up.add_argument("--seed", type=int, default=1, help="seed for the demo data (default 1)")
    up.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    up.add_argument("--ilert-port", type=int, default=8101, help="fake ilert's port (0: any free)")
    up.add_argument("--slack-port", type=int, default=8102, help="fake Slack's port (0: any free)")
    up.add_argument(
        "--connector-port", type=int, default=8103, help="the connector's port (0: any free)"
    )
    up.add_argument(
        "--clock",
        choices=("real", "virtual"),
        default="real",
        help="virtual: time moves only through POST /_sim/clock/advance",
    )
    up.add_argument(
        "--data-dir", help="keep the connector's SQLite files here (default: temporary)"
    )
    up.add_argument(
        "--connector-secret",
        default="sim-connector-secret",
        help="the secret fake ilert and the connector sign tickets and events with",
    )
    up.add_argument(
        "--slack-time-scale",
        type=float,
        default=1.0,
        help="shrink Slack's rate-limit windows (0.01: a minute lasts 0.6 s) in the connector's "
        "pacing, to match a fake Slack whose limits run on that scale",
    )
    up.add_argument(
        "--import",
        dest="import_file",
        metavar="FILE",
        help="restore the whole simulation from a file written by --export-on-exit",
    )
    up.add_argument(
        "--export-on-exit",
        metavar="FILE",
        help="on Ctrl-C or SIGTERM, save the whole simulation to FILE first",
    )
    up.add_argument("--no-demo", action="store_true", help="start empty, without the seeded demo")
    up.add_argument("--verbose", action="store_true", help="show the servers' own logs")
    _add_slack_command(commands)
    return parser


def _add_slack_command(commands: argparse._SubParsersAction) -> None:
    slack = commands.add_parser("slack", help="run fake Slack alone, in the foreground")
    slack.add_argument("--host", default="127.0.0.1", help="address to listen on")
    slack.add_argument("--port", type=int, default=8102, help="port (default 8102; 0: any free)")
    slack.add_argument(
        "--rate-limits", action="store_true", help="answer Slack's tiered 429s (off by default)"
    )
    slack.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="shrink rate-limit windows by this factor (0.01: a minute lasts 0.6 s)",
    )
    slack.add_argument("--seed", type=int, default=0, help="seed for ids and fault rolls")
    slack.add_argument("--verbose", action="store_true", help="show the server's own logs")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "up":
        return _up(args)
    if args.command == "slack":
        return _slack(args)
    return 2


def _slack(args: argparse.Namespace) -> int:
    """Fake Slack alone until Ctrl-C or SIGTERM; the URL is printed first."""
    from emulator.serving import ServedApp, quiet_waitress
    from emulator.slack.app import FakeSlack

    if not 0 < args.time_scale <= 1000:
        print("ilert-slack-sim: --time-scale must be > 0 and <= 1000", file=sys.stderr)
        return 2
    quiet_waitress(args.verbose)
    fake = FakeSlack(seed=args.seed, rate_limits=args.rate_limits, time_scale=args.time_scale)
    try:
        server = ServedApp(fake.app, host=args.host, port=args.port, name="fake-slack")
    except OSError as error:
        print(f"ilert-slack-sim: cannot listen on port {args.port}: {error}", file=sys.stderr)
        return 1
    fake.public_url = server.url
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    server.start()
    limits = f"on, time scale {args.time_scale}" if args.rate_limits else "off"
    print(
        f"fake Slack is running at {server.url} (Ctrl-C stops it)\n"
        f"  Web API      {server.url}/api/<method>\n"
        f"  control      {server.url}/_sim/  (OpenAPI: {server.url}/_sim/openapi.json)\n"
        f"  rate limits  {limits}",
        flush=True,
    )
    try:
        stopping.wait()
    finally:
        print("fake Slack: stopping", flush=True)
        server.stop()
        fake.close()
    return 0


def _up(args: argparse.Namespace) -> int:
    saved = _read_saved_state(args.import_file) if args.import_file else None
    config = SimulationConfig(
        host=args.host,
        ilert_port=args.ilert_port,
        slack_port=args.slack_port,
        connector_port=args.connector_port,
        seed=args.seed,
        clock=args.clock,
        data_dir=args.data_dir,
        connector_secret=saved["connectorSecret"] if saved else args.connector_secret,
        verbose=args.verbose,
        slack_time_scale=args.slack_time_scale,
    )
    try:
        simulation = Simulation(config).start(restore=saved)
    except OSError as error:
        print(
            f"ilert-slack-sim: cannot listen: {error}. Is another simulation running? "
            "Pick other ports with --ilert-port/--slack-port/--connector-port.",
            file=sys.stderr,
        )
        return 1
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        world = None
        if not (args.no_demo or saved):
            world = build_world(
                simulation.ilert(), simulation.slack(), seed=args.seed, company=DEMO_SEED_COMPANY
            )
        print(_banner(simulation, world), flush=True)
        if saved:
            print(f"Restored from {args.import_file}.", flush=True)
        stopping.wait()
    finally:
        print("ilert-slack-sim: stopping", flush=True)
        if args.export_on_exit:
            Path(args.export_on_exit).write_text(json.dumps(simulation.export_state()))
            print(f"ilert-slack-sim: saved the simulation to {args.export_on_exit}", flush=True)
        simulation.stop()
    return 0


def _read_saved_state(path: str) -> dict:
    try:
        saved = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise SystemExit(f"ilert-slack-sim: cannot read {path}: {error}") from error
    if not isinstance(saved, dict) or saved.get("format") != STATE_FORMAT:
        raise SystemExit(f"ilert-slack-sim: {path} is not a file written by --export-on-exit")
    return saved


def _banner(simulation: Simulation, world: World | None) -> str:
    lines = [
        "ilert-slack-sim is running (Ctrl-C stops it)",
        f"  fake ilert  {simulation.ilert_url}",
        f"  fake Slack  {simulation.slack_url}",
        f"  connector   {simulation.connector_url}",
        f"  clock       {simulation.config.clock}",
    ]
    if world is not None:
        admin = world.person("ADMIN")
        lines += [
            "",
            f"Demo: ilert account {world.team_name} (id {world.account_id}), Slack workspace "
            f"{world.team_name} ({world.team_id}), the same people in both:",
            *(
                f"  {p.role:<9} {p.name:<24} {p.email:<40} ilert API key {p.api_key}"
                for p in world.people.values()
            ),
            "",
            "Start here:",
            f"  1. {simulation.ilert_url}/login  log in as {admin.name} (Admin)",
            f"  2. {simulation.ilert_url}/connectors/slack  Authorize, then Allow in fake Slack",
            f"  3. {simulation.slack_url}/  type /ilert in #ops-alerts and link an alert source",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
