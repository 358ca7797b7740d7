"""`ilert-slack-sim`: run the whole simulation on loopback with a seeded demo."""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import signal
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from emulator.ids import secret_token
from harness.seed import World, build_world
from harness.simulation import (
    CannotListen,
    RestoreError,
    SavedState,
    Simulation,
    SimulationConfig,
)

DEMO_SEED_COMPANY = "Acme"
DEMO_CONNECTOR_SECRET = "sim-connector-secret"
MAX_SEED = 2**32 - 1
PORT_OPTIONS = {
    "fake ilert": "--ilert-port",
    "fake Slack": "--slack-port",
    "connector": "--connector-port",
}


def _version() -> str:
    try:
        return metadata.version("ilert-slack-sim")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _seed(text: str) -> int:
    """A seed names one demo: 0 to 2**32 - 1. Python folds a negative seed onto its positive
    twin and bigger ones onto nothing a person could name, so those are refused."""
    seed = _integer(text)
    if not 0 <= seed <= MAX_SEED:
        raise argparse.ArgumentTypeError(
            f"{text} is not a seed: give a number from 0 to {MAX_SEED}"
        )
    return seed


def _port(text: str) -> int:
    port = _integer(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text} is not a port: give 1 to 65535, or 0 for any free"
        )
    return port


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


LENIENT_HELP = (
    "let Block Kit that Slack refuses through, with a warning in fake Slack's journal (off by "
    "default: then a green run means Slack would have taken the same calls)"
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ilert-slack-sim", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start fake ilert, fake Slack and the connector")
    up.add_argument(
        "--seed",
        type=_seed,
        default=1,
        help="the demo's seed, 0 to 2**32-1 (default %(default)s): the same seed gives the same "
        "people, ids and, on loopback, the same API keys and secrets",
    )
    up.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    up.add_argument(
        "--stable-secrets",
        action="store_true",
        help="beyond loopback too, draw API keys and secrets from the seed (otherwise random "
        "there); on loopback they always are",
    )
    for service, option, default in (
        ("fake ilert's", "--ilert-port", 8101),
        ("fake Slack's", "--slack-port", 8102),
        ("the connector's", "--connector-port", 8103),
    ):
        up.add_argument(
            option,
            type=_port,
            default=default,
            help=f"{service} port (default %(default)s; 0 picks a free one)",
        )
    up.add_argument(
        "--clock",
        choices=("real", "virtual"),
        default="real",
        help="virtual: time moves only through POST /_sim/clock/advance",
    )
    up.add_argument(
        "--data-dir",
        help="keep the connector's SQLite files here (default: a temporary directory); with "
        "--import, the file's stores replace those in it",
    )
    up.add_argument(
        "--connector-secret",
        help="the secret fake ilert and the connector sign tickets and events with (default: "
        f"{DEMO_CONNECTOR_SECRET!r} when secrets are stable, else random)",
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
        help="restore the whole simulation from a file written by --export-on-exit (the "
        "file wins over --seed, --connector-secret and the stores in --data-dir)",
    )
    up.add_argument(
        "--export-on-exit",
        metavar="FILE",
        help="on Ctrl-C or SIGTERM, save the whole simulation to FILE first",
    )
    up.add_argument("--lenient", action="store_true", help=LENIENT_HELP)
    up.add_argument("--no-demo", action="store_true", help="start empty, without the seeded demo")
    up.add_argument("--verbose", action="store_true", help="show the servers' own logs")
    _add_slack_command(commands)
    return parser


def _add_slack_command(commands: argparse._SubParsersAction) -> None:
    slack = commands.add_parser("slack", help="run fake Slack alone, in the foreground")
    slack.add_argument("--host", default="127.0.0.1", help="address to listen on")
    slack.add_argument(
        "--port", type=_port, default=8102, help="port (default %(default)s; 0 picks a free one)"
    )
    slack.add_argument(
        "--rate-limits", action="store_true", help="answer Slack's tiered 429s (off by default)"
    )
    slack.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="shrink rate-limit windows by this factor (0.01: a minute lasts 0.6 s)",
    )
    slack.add_argument(
        "--seed",
        type=_seed,
        default=0,
        help="seed for ids and fault rolls, 0 to 2**32-1 (default %(default)s)",
    )
    slack.add_argument("--lenient", action="store_true", help=LENIENT_HELP)
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
    fake = FakeSlack(
        seed=args.seed,
        rate_limits=args.rate_limits,
        time_scale=args.time_scale,
        lenient=args.lenient,
    )
    try:
        server = ServedApp(fake.app, host=args.host, port=args.port, name="fake-slack")
    except OSError as error:
        print(f"ilert-slack-sim: cannot listen on port {args.port}: {error}", file=sys.stderr)
        return 1
    fake.public_url = server.url
    stopping = StopSignal()
    server.start()
    limits = f"on, time scale {args.time_scale}" if args.rate_limits else "off"
    print(
        f"fake Slack is running at {server.url} (Ctrl-C stops it)\n"
        f"  Web API      {server.url}/api/<method>\n"
        f"  control      {server.url}/_sim/  (OpenAPI: {server.url}/_sim/openapi.json)\n"
        f"  rate limits  {limits}\n"
        f"  Block Kit    {'lenient: warnings in the journal' if args.lenient else 'checked'}",
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
    try:
        saved = _read_saved_state(args.import_file) if args.import_file else None
        config = _config(args, saved)
        simulation = Simulation(config).start(restore=saved)
    except _Refusal as refusal:
        return _refuse(str(refusal))
    except RestoreError as error:
        return _refuse(f"cannot import {args.import_file}: {error}")
    except CannotListen as error:
        return _refuse(
            f"{error} (is another simulation running? pick another port with "
            f"{PORT_OPTIONS[error.service]}, or 0 for any free one)",
            status=1,
        )
    stopping = StopSignal()
    try:
        world = None
        if not (args.no_demo or saved):
            world = build_world(
                simulation.ilert(), simulation.slack(), seed=args.seed, company=DEMO_SEED_COMPANY
            )
        print(_banner(simulation, world), flush=True)
        if saved:
            where = f" (the connector's stores in {args.data_dir} too)" if args.data_dir else ""
            print(f"Restored from {args.import_file}{where}.", flush=True)
        stopping.wait()
    finally:
        print("ilert-slack-sim: stopping", flush=True)
        if args.export_on_exit:
            Path(args.export_on_exit).write_text(json.dumps(simulation.export_state()))
            print(f"ilert-slack-sim: saved the simulation to {args.export_on_exit}", flush=True)
        simulation.stop()
    return 0


class StopSignal:
    """Waits for SIGINT or SIGTERM.

    Not `threading.Event().set()` in the handler: the handler runs in the main thread, maybe
    while that thread holds the event's own (non-reentrant) lock inside `wait()`, and would then
    wait for itself forever (`up` once hung so after SIGTERM). The handler does nothing; Python
    writes the signal's number to a pipe (`signal.set_wakeup_fd`), and `wait` reads it.
    """

    def __init__(self) -> None:
        self._read, write = os.pipe()
        os.set_blocking(write, False)
        signal.set_wakeup_fd(write)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: None)

    def wait(self) -> None:
        os.read(self._read, 1)


class _Refusal(Exception):
    """Options that cannot work together; the message is the one line the user sees."""


def _refuse(message: str, *, status: int = 2) -> int:
    print(f"ilert-slack-sim: {message}", file=sys.stderr)
    return status


def _config(args: argparse.Namespace, saved: SavedState | None) -> SimulationConfig:
    _check_ports_differ(args)
    stable = args.stable_secrets or _is_loopback(args.host)
    if saved is not None:
        secret = saved.connector_secret
    else:
        secret = args.connector_secret or (
            DEMO_CONNECTOR_SECRET if stable else secret_token(nbytes=16)
        )
    return SimulationConfig(
        host=args.host,
        ilert_port=args.ilert_port,
        slack_port=args.slack_port,
        connector_port=args.connector_port,
        seed=args.seed,
        clock=args.clock,
        data_dir=args.data_dir,
        connector_secret=secret,
        verbose=args.verbose,
        slack_time_scale=args.slack_time_scale,
        stable_secrets=stable,
        slack_lenient=args.lenient,
    )


def _check_ports_differ(args: argparse.Namespace) -> None:
    chosen: dict[int, str] = {}
    for option in PORT_OPTIONS.values():
        port = getattr(args, option.removeprefix("--").replace("-", "_"))
        if port and port in chosen:
            raise _Refusal(
                f"{chosen[port]} and {option} are both {port}: give each service its own "
                "port (0 picks a free one)"
            )
        chosen[port] = option


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _read_saved_state(path: str) -> SavedState:
    try:
        raw = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise _Refusal(f"cannot read {path}: {error}") from None
    return SavedState.parse(raw)


def _banner(simulation: Simulation, world: World | None) -> str:
    lines = [
        "ilert-slack-sim is running (Ctrl-C stops it)",
        f"  fake ilert  {simulation.ilert_url}",
        f"  fake Slack  {simulation.slack_url}",
        f"  connector   {simulation.connector_url}",
        f"  clock       {simulation.config.clock}",
        f"  secrets     {_secrets_line(simulation.config)}",
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


def _secrets_line(config: SimulationConfig) -> str:
    if not config.stable_secrets:
        return (
            f"random (listening on {config.host}, beyond loopback; --stable-secrets draws them "
            "from the seed)"
        )
    return f"from seed {config.seed}: the same API keys and secrets on every run"


if __name__ == "__main__":
    sys.exit(main())
