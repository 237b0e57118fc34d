"""The bot's Slack clients: one set per workspace, all on the configured base URL, with
slack_sdk's retry handlers, and every call paced by the process's one limiter."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web import SlackResponse

from bot.metrics import Metrics
from bot.pacing import BACKGROUND, INTERACTIVE, Lane, Limiter, NotCalled
from handlers.context import NotInstalled, TokenRefused

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 4
SERVER_ERROR_RETRIES = 2
CONNECTION_RETRIES = 2
# Slack refusing the workspace's own token (OAuth mode): the workspace's due work waits.
REFUSED_TOKEN = frozenset({"invalid_auth", "account_inactive", "token_revoked", "token_expired"})
TokenLookup = Callable[[str], str | None]  # team id → its bot token (None: not installed)
Refused = Callable[[str, str, str | None], None]  # team id, Slack's error, the token refused
MissingScope = Callable[[str, str], None]  # team id, the scope Slack said is missing


class PausingRateLimitHandler(RateLimitErrorRetryHandler):
    """Retries a 429 after its Retry-After; the pause holds for every sender of that
    workspace's method (and, for posts, of every process), not just for this call. When the
    bot stops meanwhile, the call gives up instead of sleeping on."""

    def __init__(self, limiter: Limiter, team_id: str, metrics: Metrics) -> None:
        super().__init__(max_retry_count=RATE_LIMIT_RETRIES)
        self._limiter, self._team_id, self._metrics = limiter, team_id, metrics

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        limited = response is not None and response.status_code == 429
        if limited:
            self._metrics.rate_limited(_method_of(request))
        return limited and not self._limiter.stopping

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        method = _method_of(request)
        self._limiter.rate_limited(self._team_id, method, _retry_after(response))
        try:
            self._limiter.wait_until_resumed(self._team_id, method)
        except NotCalled:
            state.next_attempt_requested = False  # the 429 is the answer: nothing was posted
            return
        state.next_attempt_requested = True
        state.increment_current_attempt()


def _method_of(request: HttpRequest) -> str:
    return request.url.rstrip("/").rsplit("/", 1)[-1]


def _retry_after(response: HttpResponse | None) -> float:
    headers = {k.lower(): v for k, v in (response.headers if response else {}).items()}
    value = headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    seconds = int(value) if value and str(value).isdigit() else 1
    return seconds + random.random()


@dataclass(frozen=True)
class Workspaces:
    """OAuth mode: where each workspace's token comes from, and who hears when Slack refuses
    one or says a scope is missing."""

    token: TokenLookup
    refused: Refused
    missing_scope: MissingScope


class PacedWebClient(WebClient):
    """A WebClient whose every call first takes its turn from the limiter, and is counted. In
    OAuth mode each call carries the workspace's current token (rotated ones included)."""

    def __init__(
        self,
        *,
        limiter: Limiter,
        metrics: Metrics,
        team_id: str,
        lane: Lane,
        workspaces: Workspaces | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._limiter, self._metrics = limiter, metrics
        self._team_id, self._lane = team_id, lane
        self._workspaces = workspaces

    def api_call(
        self,
        api_method: str,
        *,
        json: dict | None = None,
        params: dict | None = None,
        **kwargs: Any,
    ) -> SlackResponse:
        if self._workspaces is not None:
            self.token = self._workspaces.token(self._team_id)
            if self.token is None:
                self._workspaces.refused(self._team_id, "not_installed", None)
                raise NotInstalled(self._team_id)
        channel = (json or params or {}).get("channel")
        self._limiter.before_call(
            self._team_id, api_method, channel=str(channel) if channel else None, lane=self._lane
        )
        started = time.perf_counter()
        outcome = "ok"
        try:
            return super().api_call(api_method, json=json, params=params, **kwargs)
        except SlackApiError as error:
            outcome = "ratelimited" if error.response.status_code == 429 else "error"
            raise self._refusal(error) from None
        except Exception:
            outcome = "failed"
            raise
        finally:
            self._metrics.slack_call(api_method, outcome, time.perf_counter() - started)

    def _refusal(self, error: SlackApiError) -> SlackApiError:
        """The error to raise: in OAuth mode a refused token suspends the workspace (and is a
        TokenRefused), a missing scope is told to the installer."""
        if self._workspaces is None:
            return error
        code = error.response.get("error")
        if code in REFUSED_TOKEN:
            self._workspaces.refused(self._team_id, str(code), self.token)
            return TokenRefused(str(error), error.response)
        if code == "missing_scope":
            try:
                self._workspaces.missing_scope(self._team_id, str(error.response.get("needed")))
            except Exception:  # telling is a courtesy: the feature's own answer goes on
                log.exception("could not tell the installer of %s about a scope", self._team_id)
        return error


class SlackClients:
    """The clients of every workspace the bot serves: interactive (answers to people),
    background (Home tabs after changes, profiles) and posting (due work: only 429s retried
    by the client, so a lost answer is looked for, never blindly posted again)."""

    def __init__(
        self,
        *,
        token: str,
        api_url: str,
        limiter: Limiter,
        metrics: Metrics,
        timeout: float = 30,
        workspaces: Workspaces | None = None,
    ) -> None:
        self.limiter, self.metrics = limiter, metrics
        self._token, self._api_url, self._timeout = token, api_url, timeout
        self.workspaces = workspaces
        self._clients: dict[tuple[str, Lane, bool], WebClient] = {}
        self._lock = threading.Lock()

    def interactive(self, team_id: str) -> WebClient:
        """For answers to a person: never queued behind due work."""
        return self._client(team_id, INTERACTIVE, exactly_once=False)

    def background(self, team_id: str) -> WebClient:
        """For work nobody is waiting on."""
        return self._client(team_id, BACKGROUND, exactly_once=False)

    def posting(self, team_id: str, *, interactive: bool = False) -> WebClient:
        """For due-work posts."""
        return self._client(team_id, INTERACTIVE if interactive else BACKGROUND, exactly_once=True)

    def _client(self, team_id: str, lane: Lane, *, exactly_once: bool) -> WebClient:
        key = (team_id, lane, exactly_once)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = self._build(team_id, lane, exactly_once)
            return client

    def _build(self, team_id: str, lane: Lane, exactly_once: bool) -> WebClient:
        handlers: list[RetryHandler] = [
            PausingRateLimitHandler(self.limiter, team_id, self.metrics)
        ]
        if not exactly_once:
            handlers += [
                ConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
                ServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
            ]
        return PacedWebClient(
            limiter=self.limiter,
            metrics=self.metrics,
            team_id=team_id,
            lane=lane,
            workspaces=self.workspaces,
            token=self._token or None,
            base_url=self._api_url,
            timeout=self._timeout,
            retry_handlers=handlers,
        )
