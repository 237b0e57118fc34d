"""The `oneonone` command: run, tick, db upgrade, manifest, workspace purge."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt import App
from slack_bolt.error import BoltError

from bot.app import AFTER_ACK_THREADS, LISTENER_THREADS, create_app
from bot.clock import Clock, utc_now
from bot.config import (
    ConfigError,
    Settings,
    load_database_url,
    load_public_url,
    load_settings,
)
from bot.due import run_due
from bot.http import WsgiApp, create_http_server, create_wsgi_app
from bot.manifest import render as render_manifest
from bot.oauth import OAuthConfig
from bot.pacing import CHANNEL_INTERVAL
from bot.planner import Dispatcher, Planner
from bot.priority import yield_to_acks
from bot.runtime import Runtime, build_runtime, settle_memory
from bot.scheduler import start_scheduler
from handlers.calendar import feed_server
from handlers.context import FeedMode
from store.db import create_db_engine, session_factory
from store.migrate import upgrade
from store.workspaces import purge_now, team_rows

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
    manifest = commands.add_parser("manifest", help="print the manifest for HTTP/OAuth mode")
    manifest.add_argument("--url", help="the bot's public base URL (default: ONEONONE_PUBLIC_URL)")
    manifest.set_defaults(func=cmd_manifest)
    workspace = commands.add_parser("workspace", help="workspace commands (OAuth mode)")
    workspace_commands = workspace.add_subparsers(required=True, metavar="WORKSPACE_COMMAND")
    purge = workspace_commands.add_parser("purge", help="delete a workspace's data now")
    purge.add_argument("team_id", help="the workspace's team id (T…)")
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    purge.set_defaults(func=cmd_workspace_purge)
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


def cmd_manifest(args: argparse.Namespace) -> int:
    """`oneonone manifest [--url]`: the HTTP/OAuth-mode manifest, from manifest.yml."""
    url = (args.url or load_public_url() or "").strip()
    if not url:
        raise ConfigError(
            "oneonone manifest needs the bot's public URL: --url https://your.host, or set "
            "ONEONONE_PUBLIC_URL."
        )
    if not url.startswith(("https://", "http://")) or " " in url:
        raise ConfigError(f"--url {url!r} is not an http(s) URL, e.g. https://your.host")
    print(render_manifest(url), end="")
    return 0


def cmd_workspace_purge(args: argparse.Namespace) -> int:
    """`oneonone workspace purge <team_id>`: delete the workspace's data now, once confirmed."""
    team_id = args.team_id.strip()
    engine = create_db_engine(load_database_url())
    upgrade(engine)
    db = session_factory(engine)
    with db.read() as session:
        rows = team_rows(session, team_id)
    if not args.yes:
        print(
            f"This deletes every row of workspace {team_id} now ({rows} rows: its 1:1s, "
            "notes, action items, people and installation). It cannot be undone."
        )
        answer = input(f"Type {team_id} to delete it: ").strip()
        if answer != team_id:
            print("Nothing was deleted.")
            return 1
    with db() as session:
        deleted = purge_now(session, team_id, now=utc_now())
    engine.dispose()
    print(f"Deleted {deleted} rows of workspace {team_id}.")
    return 0


def cmd_tick(args: argparse.Namespace) -> int:
    """`oneonone tick [--now]`: run due work once."""
    settings = load_settings()
    now = args.now or utc_now()
    runtime = _runtime(settings, lambda: now)
    report = run_due(
        runtime.db,
        runtime.clients,
        now,
        runtime.homes,
        runtime.metrics,
        retention=timedelta(days=settings.retention_days),
        oauth=runtime.oauth,
    )
    runtime.stop(flush=True)  # publishes the Home tabs the work changed before exiting
    print(f"due work done: {report.counts or 'nothing was due'}")
    return 0


def _runtime(settings: Settings, clock: Clock) -> Runtime:
    return build_runtime(
        database_url=settings.database_url,
        token=settings.bot_token,
        api_url=settings.api_url,
        clock=clock,
        posts_per_minute=settings.posts_per_minute,
        privacy_url=settings.privacy_url,
        oauth=_oauth_config(settings),
    )


def _oauth_config(settings: Settings) -> OAuthConfig | None:
    if not (settings.client_id and settings.client_secret):
        return None
    return OAuthConfig(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        redirect_uri=settings.redirect_uri,
        public_url=settings.public_url,
    )


def cmd_run(_args: argparse.Namespace) -> int:
    """`oneonone run`: migrate, start the scheduler, serve Slack until SIGTERM/SIGINT."""
    settings = load_settings()
    runtime = _runtime(settings, utc_now)
    executor = ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener")
    lane = ThreadPoolExecutor(
        max_workers=AFTER_ACK_THREADS, thread_name_prefix="after-ack", initializer=yield_to_acks
    )
    try:
        app = create_app(
            clients=runtime.clients,
            signing_secret=settings.signing_secret,
            db=runtime.db,
            clock=utc_now,
            executor=executor,
            lane=lane,
            homes=runtime.homes,
            agendas=runtime.agendas,
            oauth=runtime.oauth,
            feed=FeedMode(settings.public_url, serves_http=not settings.socket_mode),
        )
    except BoltError as error:
        raise ConfigError(f"Slack did not accept SLACK_BOT_TOKEN: {error}") from error
    settle_memory()
    dispatcher = Dispatcher(
        runtime.db, runtime.clients, utc_now, homes=runtime.homes, metrics=runtime.metrics
    )
    planner = Planner(
        runtime.db,
        dispatcher,
        utc_now,
        interval=runtime.limiter.post_rate.interval,
        channel_interval=CHANNEL_INTERVAL,
    )
    scheduler = start_scheduler(
        db=runtime.db,
        clients=runtime.clients,
        clock=utc_now,
        tick_seconds=settings.tick_seconds,
        planner=planner,
        retention=timedelta(days=settings.retention_days),
        oauth=runtime.oauth,
    )
    try:
        if settings.socket_mode:
            _serve_socket_mode(
                app, settings, create_wsgi_app(None, runtime.engine, runtime.metrics)
            )
        else:
            wsgi = create_wsgi_app(
                app,
                runtime.engine,
                runtime.metrics,
                signing_secret=settings.signing_secret,
                feeds=feed_server(runtime.db, utc_now),
            )
            _serve_http(wsgi, settings)
    finally:
        _shut_down(runtime, scheduler, dispatcher, [executor, lane])
    return 0


def _shut_down(
    runtime: Runtime, scheduler: Any, dispatcher: Dispatcher, executors: list[ThreadPoolExecutor]
) -> None:
    """Within a few seconds however much work is pending: waiting calls give up, calls in
    flight finish, claimed work is given back, pending Home tabs are dropped."""
    runtime.limiter.stop()
    scheduler.shutdown(wait=False)
    dispatcher.stop()
    for executor in executors:  # what was acked is done: people were told it would be
        executor.shutdown(wait=True)
    runtime.stop()
    log.info("stopped")


def _serve_http(wsgi: WsgiApp, settings: Settings) -> None:
    server = create_http_server(wsgi, host="0.0.0.0", port=settings.port)

    def stop(signum: int, _frame: object) -> None:
        # waitress's run() turns SystemExit into a clean stop: in-flight requests finish.
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    install = ", GET /slack/install" if settings.oauth else ""
    log.info(
        "HTTP mode: listening on port %s (POST /slack/events%s, GET /healthz, GET /metrics)",
        server.effective_port,
        install,
    )
    server.run()


def _serve_socket_mode(app: App, settings: Settings, health: WsgiApp) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    server = create_http_server(health, host="0.0.0.0", port=settings.port)
    threading.Thread(target=server.run, name="health", daemon=True).start()
    handler = SocketModeHandler(app, settings.app_token)
    handler.connect()
    log.info("Socket Mode: connected (GET /healthz and /metrics on port %s)", server.effective_port)
    stopping.wait()
    handler.close()
    server.close()
