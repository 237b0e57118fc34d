"""The `oneonone` command: run, tick, db upgrade."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from slack_bolt.error import BoltError

from bot.app import LISTENER_THREADS, create_app
from bot.clock import utc_now
from bot.config import ConfigError, Settings, load_database_url, load_settings
from bot.due import run_due
from bot.http import create_http_server, create_wsgi_app
from bot.scheduler import start_scheduler
from bot.slack_client import create_client
from handlers.home import HomeRefresher
from store.db import create_db_engine, session_factory
from store.migrate import upgrade

log = logging.getLogger("oneonone")

EXIT_CONFIG = 2


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script and of `python -m bot`."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return args.func(args)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_CONFIG


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oneonone", description="1:1 meetings in Slack.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="migrate, start the scheduler and serve Slack")
    run.set_defaults(func=cmd_run)
    tick = commands.add_parser("tick", help="run due work once and exit")
    tick.add_argument("--now", type=_iso_time, help="ISO 8601 time to run as (default: now)")
    tick.set_defaults(func=cmd_tick)
    db = commands.add_parser("db", help="database commands")
    db_commands = db.add_subparsers(required=True, metavar="DB_COMMAND")
    db_commands.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db_upgrade)
    return parser


def _iso_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {value!r}") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def cmd_db_upgrade(_args: argparse.Namespace) -> int:
    """`oneonone db upgrade`: needs only DATABASE_URL."""
    upgrade(create_db_engine(load_database_url()))
    log.info("database is at the latest revision")
    return 0


def cmd_tick(args: argparse.Namespace) -> int:
    """`oneonone tick [--now]`: run due work once."""
    settings = load_settings()
    engine = create_db_engine(settings.database_url)
    upgrade(engine)
    client = create_client(token=settings.bot_token, api_url=settings.api_url)
    db = session_factory(engine)
    now = args.now or utc_now()
    homes = HomeRefresher(client, db, lambda: now)
    report = run_due(db, client, now, homes)
    homes.stop()  # publishes the Home tabs the work changed before exiting
    print(f"due work done: {report.counts or 'nothing was due'}")
    return 0


def cmd_run(_args: argparse.Namespace) -> int:
    """`oneonone run`: migrate, start the scheduler, serve Slack until SIGTERM/SIGINT."""
    settings = load_settings()
    engine = create_db_engine(settings.database_url)
    upgrade(engine)
    db = session_factory(engine)
    client = create_client(token=settings.bot_token, api_url=settings.api_url)
    executor = ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener")
    homes = HomeRefresher(client, db, utc_now)
    try:
        app = create_app(
            client=client,
            signing_secret=settings.signing_secret,
            db=db,
            clock=utc_now,
            executor=executor,
            homes=homes,
        )
    except BoltError as error:
        raise ConfigError(f"Slack did not accept SLACK_BOT_TOKEN: {error}") from error
    scheduler = start_scheduler(
        db=db, client=client, clock=utc_now, tick_seconds=settings.tick_seconds, homes=homes
    )
    try:
        if settings.socket_mode:
            _serve_socket_mode(app, settings)
        else:
            _serve_http(create_wsgi_app(app, engine), settings)
    finally:
        scheduler.shutdown(wait=True)
        executor.shutdown(wait=True)
        homes.stop()
        engine.dispose()
        log.info("stopped")
    return 0


def _serve_http(wsgi: object, settings: Settings) -> None:
    server = create_http_server(wsgi, host="0.0.0.0", port=settings.port)  # type: ignore[arg-type]

    def stop(signum: int, _frame: object) -> None:
        # waitress's run() turns SystemExit into a clean stop: in-flight requests finish.
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info(
        "HTTP mode: listening on port %s (POST /slack/events, GET /healthz)", server.effective_port
    )
    server.run()


def _serve_socket_mode(app: object, settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    handler = SocketModeHandler(app, settings.app_token)  # type: ignore[arg-type]
    handler.connect()
    log.info("Socket Mode: connected")
    stopping.wait()
    handler.close()
