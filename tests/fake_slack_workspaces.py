"""The fake Slack's workspaces (OAuth mode): install codes, the tokens oauth.v2.access gives
(rotated with refresh tokens, each refresh token good once), and which workspace each token
may act in. Once a token was issued the fake checks every call's token: unknown ones are
`invalid_auth`, revoked ones carry their error, and a call naming a person or conversation of
another workspace is refused and remembered (`cross_team_calls`)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tests.fake_slack_faults import error_body

Args = dict[str, Any]
TOKEN_LIFETIME = timedelta(hours=12)  # Slack's rotating tokens live 12 hours
APP_ID = "A0001"


@dataclass
class FakeToken:
    """A bot token the fake issued: whose it is and whether it still works."""

    token: str
    team_id: str | None  # None: an org-wide installation's token
    enterprise_id: str | None
    bot_user_id: str
    scopes: set[str]
    expires_at: datetime | None = None
    revoked: str | None = None  # the error calls with it get (token_revoked, account_inactive…)

    @property
    def org(self) -> bool:
        """An org-wide (Enterprise Grid) installation's token."""
        return self.team_id is None


@dataclass
class FakeWorkspace:
    """A workspace people and channels belong to."""

    team_id: str
    name: str
    enterprise_id: str | None = None


@dataclass
class PendingInstall:
    """What Slack's authorize page gave: a code the bot exchanges with oauth.v2.access."""

    team_id: str | None
    enterprise_id: str | None
    installer: str
    rotation: bool
    scopes: set[str]


@dataclass
class Installs:
    """Workspaces, codes, tokens and refresh tokens of the fake."""

    clock: Callable[[], datetime]
    client_id: str = "client-id"
    client_secret: str = "client-secret"
    workspaces: dict[str, FakeWorkspace] = field(default_factory=dict)
    tokens: dict[str, FakeToken] = field(default_factory=dict)
    codes: dict[str, PendingInstall] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # refresh token → access token
    used_refresh_tokens: set[str] = field(default_factory=set)
    cross_team_calls: list[str] = field(default_factory=list)
    channel_teams: dict[str, str] = field(default_factory=dict)
    serial: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def strict(self) -> bool:
        """Whether tokens are checked (once the fake issued one)."""
        return bool(self.tokens)

    def teams_of(self, token: FakeToken) -> set[str]:
        """The workspaces a token may act in (an org token: the org's workspaces)."""
        if token.team_id is not None:
            return {token.team_id}
        return {t for t, w in self.workspaces.items() if w.enterprise_id == token.enterprise_id}

    def issue(
        self, team_id: str | None, enterprise_id: str | None, scopes: set[str], rotation: bool
    ) -> tuple[FakeToken, str | None]:
        """A new bot token (and refresh token when rotation is on)."""
        n = next(self.serial)
        where = team_id or enterprise_id
        token = FakeToken(
            token=f"xoxb-{where}-{n}",
            team_id=team_id,
            enterprise_id=enterprise_id,
            bot_user_id=f"UBOT{where}",
            scopes=set(scopes),
            expires_at=self.clock() + TOKEN_LIFETIME if rotation else None,
        )
        self.tokens[token.token] = token
        refresh = f"xoxe-1-{where}-{n}" if rotation else None
        if refresh:
            self.refresh_tokens[refresh] = token.token
        return token, refresh

    def exchange(self, args: Args) -> Args:
        """oauth.v2.access: a code (once) or a refresh token (once) for a new token."""
        if (args.get("client_id"), args.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return error_body("invalid_client_id")
        if args.get("grant_type") == "refresh_token":
            return self._refresh(str(args.get("refresh_token") or ""))
        pending = self.codes.pop(str(args.get("code") or ""), None)
        if pending is None:
            return error_body("invalid_code")
        token, refresh = self.issue(
            pending.team_id, pending.enterprise_id, pending.scopes, pending.rotation
        )
        return self._access(token, refresh) | {"authed_user": {"id": pending.installer}}

    def _refresh(self, refresh_token: str) -> Args:
        old = self.refresh_tokens.pop(refresh_token, None)
        if old is None or refresh_token in self.used_refresh_tokens:
            return error_body("invalid_refresh_token")
        self.used_refresh_tokens.add(refresh_token)
        was = self.tokens[old]
        token, refresh = self.issue(was.team_id, was.enterprise_id, was.scopes, rotation=True)
        return self._access(token, refresh)

    def _access(self, token: FakeToken, refresh: str | None) -> Args:
        workspace = self.workspaces.get(token.team_id or "")
        enterprise = token.enterprise_id
        body: Args = {
            "ok": True,
            "app_id": APP_ID,
            "access_token": token.token,
            "token_type": "bot",
            "scope": ",".join(sorted(token.scopes)),
            "bot_user_id": token.bot_user_id,
            "team": {"id": workspace.team_id, "name": workspace.name} if workspace else None,
            "enterprise": {"id": enterprise, "name": f"Org {enterprise}"} if enterprise else None,
            "is_enterprise_install": token.org,
        }
        if refresh:
            body |= {"refresh_token": refresh, "expires_in": int(TOKEN_LIFETIME.total_seconds())}
        return body

    def auth_test(self, token: str | None) -> Args | None:
        """auth.test for an issued token (None: not one of these)."""
        found = self.tokens.get(token or "")
        if found is None:
            return None
        return {
            "ok": True,
            "url": "https://acme.slack.com/",
            "team": found.team_id or found.enterprise_id,
            "user": "oneonone",
            "team_id": found.team_id or found.enterprise_id,
            "enterprise_id": found.enterprise_id,
            "user_id": found.bot_user_id,
            "bot_id": f"B{found.bot_user_id}",
            "is_enterprise_install": found.org,
        }

    def refusal(
        self, method: str, args: Args, token: str | None, user_team: Callable[[str], str | None]
    ) -> Args | None:
        """Why Slack would refuse this call's token, or the person or conversation it names
        (None: it may go on)."""
        found = self.tokens.get(token or "")
        if found is None:
            return error_body("invalid_auth")
        if found.revoked:
            return error_body(found.revoked)
        if found.expires_at is not None and self.clock() >= found.expires_at:
            return error_body("token_expired")
        teams = self.teams_of(found)
        for user in named_users(args):
            team = user_team(user)
            if team is not None and team not in teams:
                self.cross_team_calls.append(f"{method}: user {user} of {team} with {token}")
                return error_body("user_not_found")
        channel = args.get("channel") or args.get("channel_id")
        team = self.channel_teams.get(str(channel)) if channel else None
        if team is not None and team not in teams:
            self.cross_team_calls.append(f"{method}: channel {channel} of {team} with {token}")
            return error_body("channel_not_found")
        return None

    def scopes_of(self, token: str | None) -> set[str] | None:
        """The scopes of an issued token (None: not one of these)."""
        found = self.tokens.get(token or "")
        return found.scopes if found else None


def named_users(args: Args) -> list[str]:
    """The people a call names: `user`, `user_id`, `users`, a user id given as `channel`."""
    found = [str(args[k]) for k in ("user", "user_id") if isinstance(args.get(k), str)]
    users = args.get("users")
    if isinstance(users, str):
        found += [u.strip() for u in users.split(",") if u.strip()]
    channel = args.get("channel")
    if isinstance(channel, str) and channel[:1] in "UW":
        found.append(channel)
    return found
