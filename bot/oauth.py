"""OAuth mode: the install flow (GET /slack/install, GET /slack/oauth_redirect) with Bolt's
OAuthFlow on slack_sdk's SQLAlchemy stores, the welcome DM, and what happens to a workspace
whose token Slack refuses (suspended, probed, resumed) or that uninstalled the app (its data
deleted after the retention)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from slack_bolt.listener.builtins import TokenRevocationListeners
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_flow import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy.engine import Engine

from blocks.i18n import preferred_locale, reading
from blocks.welcome import (
    failed_page,
    install_page,
    installed_page,
    reinstall_message,
    welcome_message,
)
from bot.metrics import Metrics
from bot.tokens import (
    Authorize,
    ClockedStateStore,
    Installations,
    InstallationStore,
    SerialRotator,
    fingerprint,
)
from handlers.context import Clients
from handlers.people import reader_locale
from store.db import SessionFactory
from store.workspaces import (
    due_purges,
    installed,
    org_installed,
    probed,
    purge_when_due,
    resume,
    seen,
    suspend,
    teams_of_org,
    tell_installer_once,
    to_probe,
    uninstalled,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
MANIFEST = Path(__file__).parents[1] / "manifest.yml"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
WELCOMED = "oneonone_welcomed"  # in the request's context: this installation sent a welcome
STATE_SECONDS = 600  # an install link is good for ten minutes, once
PROBE_EVERY = timedelta(hours=1)  # a suspended workspace's unchanged token is tried this often


def manifest_scopes(path: Path = MANIFEST) -> list[str]:
    """The bot scopes of manifest.yml: the one list of them."""
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(manifest["oauth_config"]["scopes"]["bot"])


@dataclass(frozen=True)
class OAuthConfig:
    """What OAuth mode needs from the settings."""

    client_id: str
    client_secret: str
    redirect_uri: str | None = None
    public_url: str | None = None


def plain_client(api_url: str, timeout: float = 30) -> WebClient:
    """A client with no token, on SLACK_API_URL (oauth.v2.access, Bolt's auth.test)."""
    return WebClient(base_url=api_url, timeout=int(timeout))


class OAuth:
    """Everything OAuth mode adds to the bot, on the bot's own engine."""

    def __init__(
        self,
        config: OAuthConfig,
        *,
        engine: Engine,
        db: SessionFactory,
        clock: Clock,
        api_url: str,
        timeout: float = 30,
    ) -> None:
        self.config, self.db, self.clock = config, db, clock
        self.client = plain_client(api_url, timeout)
        self.store = InstallationStore(config.client_id, engine)
        self.states = ClockedStateStore(engine, clock, STATE_SECONDS)
        self.rotator = SerialRotator(
            client_id=config.client_id,
            client_secret=config.client_secret,
            client=self.client,
            store=self.store,
            db=db,
            clock=clock,
        )
        self.installations = Installations(self.store, self.rotator, db, clock)
        self.authorize = Authorize(self.store, self.rotator)
        self.installations.on_change(self.authorize.forget)
        self.clients: Clients | None = None  # set once the clients are built (they need us)
        self.lane: Executor | None = None
        self._seen: set[str] = set()

    def flow(self) -> OAuthFlow:
        """Bolt's OAuth flow with our state store, pages, clock and welcome."""
        settings = OAuthSettings(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            scopes=manifest_scopes(),
            user_scopes=[],
            redirect_uri=self.config.redirect_uri,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            installation_store=self.store,
            installation_store_bot_only=True,
            state_store=self.states,
            state_expiration_seconds=STATE_SECONDS,
            callback_options=CallbackOptions(success=self._succeeded, failure=self._failed),
        )
        return InstallFlow(self, client=self.client, settings=settings)

    # --- after the install --------------------------------------------------------------------

    def stored(self, installation: Installation) -> bool:
        """The installation is stored: its workspaces are served again, and a workspace that
        was not served before welcomes its installer (returns whether it does)."""
        now = self.clock()
        with self.db() as session:
            if installation.is_enterprise_install and installation.enterprise_id:
                org_installed(
                    session, installation.enterprise_id, installer_id=installation.user_id, now=now
                )
                fresh = True
                where = installation.enterprise_id
            else:
                where = installation.team_id or ""
                fresh = installed(
                    session,
                    where,
                    enterprise_id=installation.enterprise_id,
                    org_install=False,
                    installer_id=installation.user_id,
                    now=now,
                )
        self.installations.forget()
        log.info("installed into %s (%s)", where, "new" if fresh else "again")
        if fresh and installation.user_id:
            self._after(lambda: self.welcome(where, installation.user_id))
            return True
        return False

    def welcome(self, where: str, installer_id: str) -> None:
        """The welcome DM to the installer (in their Slack language, once it is known)."""
        if self.clients is None:
            return
        with reading(self._language_of(where, installer_id)):
            body = welcome_message(installer_id=installer_id)
        try:
            self.clients.background(where).chat_postMessage(channel=installer_id, **body)
        except SlackClientError as error:
            log.warning("could not welcome the installer of %s: %s", where, error)

    def _language_of(self, team_id: str, user_id: str) -> str | None:
        """A DM to the installer is in their Slack language (English when Slack won't say)."""
        assert self.clients is not None
        try:
            client = self.clients.background(team_id)
            return reader_locale(self.db, client, team_id, user_id, now=self.clock())
        except Exception:  # the DM in English beats no DM
            log.warning("could not look up the locale of the installer of %s", team_id)
            return None

    def _after(self, work: Callable[[], None]) -> None:
        if self.lane is None:
            work()
        else:
            self.lane.submit(work)

    def _retry_url(self) -> str:
        return f"{self.config.public_url or ''}{INSTALL_PATH}"

    def _succeeded(self, args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        workspace = installation.team_name or installation.enterprise_name or ""
        team = installation.team_id or installation.enterprise_id or ""
        link = f"https://slack.com/app_redirect?app={installation.app_id}&team={team}"
        welcomed = bool(args.request.context.get(WELCOMED))
        with reading(browser_locale(args.request)) as language:
            page = installed_page(
                workspace=workspace, slack_url=link, language=language, welcomed=welcomed
            )
        return _html(200, page, args.settings.state_utils.build_set_cookie_for_deletion())

    def _failed(self, args: FailureArgs) -> BoltResponse:
        log.info("an installation failed: %s", args.reason)
        with reading(browser_locale(args.request)) as language:
            page = failed_page(reason=args.reason, retry_url=self._retry_url(), language=language)
        status = args.suggested_status_code
        return _html(status, page, args.settings.state_utils.build_set_cookie_for_deletion())

    # --- what Slack tells about installations (handlers/install.py) ----------------------------

    def _teams(self, context: dict) -> list[str]:
        """The workspaces an event's installation serves (an org-wide one: all it serves)."""
        team_id, enterprise_id = context.get("team_id"), context.get("enterprise_id")
        if enterprise_id and (context.get("is_enterprise_install") or not team_id):
            with self.db.read() as session:
                return teams_of_org(session, enterprise_id)
        return [team_id] if team_id else []

    def uninstalled(self, context: dict) -> list[str]:
        """app_uninstalled: Bolt's revocation listener deletes the installation; the due work
        of its workspaces stops at once and their retention clock starts."""
        teams = self._teams(context)
        TokenRevocationListeners(self.store).handle_app_uninstalled_events(context)  # type: ignore[arg-type]
        with self.db() as session:
            uninstalled(session, teams, now=self.clock())
        self.installations.forget()
        return teams

    def tokens_revoked(self, event: dict, context: dict) -> list[str]:
        """tokens_revoked: Bolt's revocation listener deletes the revoked tokens; without a
        bot token the workspaces' due work waits for a reinstall (their data stays)."""
        TokenRevocationListeners(self.store).handle_tokens_revoked_events(event, context)  # type: ignore[arg-type]
        self.installations.forget()
        if not (event.get("tokens") or {}).get("bot"):
            return []
        teams = self._teams(context)
        with self.db() as session:
            for team_id in teams:
                suspend(
                    session, team_id, reason="tokens_revoked", failed_token=None, now=self.clock()
                )
        return teams

    def access_granted(self, enterprise_id: str | None, team_ids: list[str]) -> None:
        """team_access_granted: the org-wide installation now serves these workspaces."""
        with self.db() as session:
            for team_id in team_ids:
                installed(
                    session,
                    team_id,
                    enterprise_id=enterprise_id,
                    org_install=True,
                    installer_id=None,
                    now=self.clock(),
                )
        self.installations.forget()
        log.info("org %s: access granted to %s", enterprise_id, team_ids)

    def access_revoked(self, enterprise_id: str | None, team_ids: list[str]) -> None:
        """team_access_revoked: as if uninstalled from each of these workspaces."""
        with self.db() as session:
            uninstalled(session, team_ids, now=self.clock())
        self.installations.forget()
        log.warning("org %s: access revoked from %s, retention started", enterprise_id, team_ids)

    def seen(self, team_id: str, enterprise_id: str | None, org_install: bool) -> None:
        """A request from `team_id` through an org-wide installation: remember which serves it."""
        if team_id in self._seen:
            return
        with self.db() as session:
            seen(session, team_id, enterprise_id=enterprise_id, org_install=org_install)
        self._seen.add(team_id)

    def missing_scope(self, team_id: str, scope: str) -> None:
        """Slack said the installation lacks `scope`: its installer is told once to reinstall."""
        with self.db() as session:
            installer = tell_installer_once(session, team_id, now=self.clock())
        if installer is None or self.clients is None:
            return
        public_url = self.config.public_url
        install_url = f"{public_url.rstrip('/')}{INSTALL_PATH}" if public_url else None
        with reading(self._language_of(team_id, installer)):
            body = reinstall_message(scope=scope, install_url=install_url)
        self.clients.background(team_id).chat_postMessage(channel=installer, **body)

    # --- tokens Slack refuses -----------------------------------------------------------------

    def refused(self, team_id: str, error: str, token: str | None, metrics: Metrics) -> None:
        """Slack refused `team_id`'s token (or it has none): its due work waits until a
        working token comes (a reinstall, a rotation, a probe that works)."""
        if not team_id:
            return  # a request that named no workspace: there is nothing to suspend
        with self.db() as session:
            newly = suspend(
                session, team_id, reason=error, failed_token=fingerprint(token), now=self.clock()
            )
        self.installations.forget()
        if newly:
            metrics.suspended(error)
            log.error(
                "SLACK REFUSED THE TOKEN OF WORKSPACE %s (%s): its due work is suspended until "
                "a working token comes (reinstall the app there)",
                team_id,
                error,
            )

    def probe(self, clients: Clients, *, now: datetime) -> int:
        """Try the token of each suspended workspace (at once when it changed, else hourly):
        one that works resumes its due work. Returns how many resumed."""
        resumed = 0
        with self.db.read() as session:
            waiting = to_probe(session, now=now, every=timedelta(0))
        for workspace in waiting:
            token = self.installations.token(workspace.team_id)
            changed = fingerprint(token) != workspace.failed_token
            if token is None or not (changed or self._probe_due(workspace.team_id, now)):
                continue
            try:
                clients.background(workspace.team_id).auth_test()
            except SlackClientError:
                continue  # still refused: `refused` recorded it again
            with self.db() as session:
                if resume(session, workspace.team_id):
                    resumed += 1
                    log.warning(
                        "workspace %s has a working token again: resumed", workspace.team_id
                    )
        return resumed

    def _probe_due(self, team_id: str, now: datetime) -> bool:
        with self.db() as session:
            due = any(w.team_id == team_id for w in to_probe(session, now=now, every=PROBE_EVERY))
            if due:
                probed(session, team_id, now=now)
        return due


class InstallFlow(OAuthFlow):
    """Bolt's OAuthFlow with our install page, and times on the injected clock (token expiry,
    installed_at), so that rotation and state expiry agree with everything else."""

    def __init__(self, oauth: OAuth, *, client: WebClient, settings: OAuthSettings) -> None:
        super().__init__(client=client, logger=log, settings=settings)
        self._oauth = oauth

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        with reading(browser_locale(request)) as language:
            return install_page(authorize_url=url, language=language)

    def run_installation(self, code: str) -> Installation | None:
        installation = super().run_installation(code)
        if installation is None:
            return None
        now = self._oauth.clock().timestamp()
        if installation.bot_token_expires_at is not None:
            lifetime = installation.bot_token_expires_at - int(installation.installed_at)
            installation.bot_token_expires_at = int(now) + lifetime
        installation.installed_at = now
        return installation

    def store_installation(self, request: BoltRequest, installation: Installation) -> None:
        super().store_installation(request, installation)
        request.context[WELCOMED] = self._oauth.stored(installation)


def browser_locale(request: BoltRequest) -> str | None:
    """The install pages are read in a browser: its preferred language, when oneonone
    speaks it (else English)."""
    values = request.headers.get("accept-language") or []
    return preferred_locale(values[0] if values else None)


def _html(status: int, page: str, cookie: str) -> BoltResponse:
    headers: dict[str, Any] = {"Content-Type": "text/html; charset=utf-8", "Set-Cookie": [cookie]}
    return BoltResponse(status=status, body=page, headers=headers)


def purge_due_workspaces(db: SessionFactory, *, now: datetime, retention: timedelta) -> int:
    """Delete the data of workspaces uninstalled more than `retention` ago (each in one
    transaction, claimed first: several processes never both delete). Returns how many."""
    with db.read() as session:
        due = due_purges(session, now=now, retention=retention)
    purged = 0
    for team_id in due:
        with db() as session:
            rows = purge_when_due(session, team_id, now=now, retention=retention)
        if rows:
            purged += 1
            log.warning("deleted the data of workspace %s (%s rows): uninstalled", team_id, rows)
    return purged


def api_error(error: Exception) -> str | None:
    """Slack's error code of a refused call, if it is one."""
    return error.response.get("error") if isinstance(error, SlackApiError) else None
