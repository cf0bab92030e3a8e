"""Authentication, no transport of its own: token state, the grant requests, renewal.

:class:`TokenState` holds one client's token and credentials.  It builds the token request
of each grant and reads the answer; the facade sends the request.  Renewal happens once per
distinct expiry: a caller names the token it found stale, and when another thread or task
already replaced that token, nothing is sent.  The coordination exists for threads
(:meth:`TokenState.renew`) and for asyncio tasks (:meth:`TokenState.renew_async`).
"""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any, Callable

from . import _json
from ._request import Request
from .rest import ApiException, ApiResponseError, RESTResponse

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Awaitable

    from .retry import RetryConfiguration

RENEW_AHEAD = 30.0  # seconds before expiry: renew rather than eat a 401


class TokenState:
    """One client's token, refresh token, credentials and expiry."""

    def __init__(self) -> None:
        self.access_token = ""
        self.refresh_token = ""
        self.client_id = ""
        self.client_secret = ""
        self.expires_at: float | None = None  # time.monotonic() seconds
        self.grant: str | None = None  # how the current token was obtained: renewal needs it
        self.renewals = 0  # token requests made to renew (one per distinct expiry)
        self._cond = threading.Condition(threading.Lock())
        self.refreshing = False
        self._async: dict[asyncio.AbstractEventLoop, asyncio.Future[Any]] = {}

    def __repr__(self) -> str:
        return f"<TokenState grant={self.grant!r} token={'set' if self.access_token else 'none'}>"

    # -- grants ---------------------------------------------------------------------
    def grant_request(self, grant: str, client_id: str, client_secret: str = "", *,
                      retry: RetryConfiguration, **values: str) -> Request:
        """The token request of ``grant`` ('client_credentials', 'saml2bearer', 'authorization_code',
        'refresh_token' or 'pkce'), remembering what renewal needs."""
        self.client_id = client_id
        basic: tuple[str, str] | None = (client_id, client_secret)
        if grant == "pkce":
            basic = None
            form = {"grant_type": "authorization_code", "code": values["code"],
                    "code_verifier": values["code_verifier"], "client_id": client_id,
                    "redirect_uri": values["redirect_uri"]}
        else:
            self.client_secret = client_secret
            if grant == "client_credentials":
                form = {"grant_type": "client_credentials"}
            elif grant == "saml2bearer":
                form = {"grant_type": "urn:ietf:params:oauth:grant-type:saml2-bearer",
                        "orgName": values["org_name"], "assertion": values["assertion"]}
            elif grant == "authorization_code":
                form = {"grant_type": "authorization_code", "code": values["code"],
                        "redirect_uri": values["redirect_uri"]}
            elif grant == "refresh_token":
                form = {"grant_type": "refresh_token", "refresh_token": values["refresh_token"]}
            else:
                raise ValueError(f"unknown grant {grant!r}")
        if grant != "refresh_token":
            self.grant = grant
        from urllib.parse import urlencode
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        if basic is not None:
            import base64
            headers["Authorization"] = "Basic " + base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
        request = Request("POST", "/oauth/token", headers=headers, encoded=urlencode(form).encode(),
                          auth=False, name="oauth_token", kind="login")
        request.retry = retry.copy(retry_non_idempotent=True)  # the platform did not issue a token on failure
        return request

    def renewal_request(self, retry: RetryConfiguration) -> Request:
        if self.refresh_token and self.client_id:
            return self.grant_request("refresh_token", self.client_id, self.client_secret,
                                      refresh_token=self.refresh_token, retry=retry)
        return self.grant_request("client_credentials", self.client_id, self.client_secret, retry=retry)

    def store(self, response: RESTResponse) -> dict[str, Any]:
        """Read a token response; returns its JSON."""
        try:
            data = _json.loads(response.content)
            token = data["access_token"]
        except (ValueError, KeyError, TypeError):
            raise ApiResponseError(http_resp=response) from None
        with self._cond:
            self.access_token = token
            if data.get("refresh_token"):
                self.refresh_token = data["refresh_token"]
            expires = data.get("expires_in")
            self.expires_at = time.monotonic() + float(expires) if isinstance(expires, (int, float)) else None
        return data  # type: ignore[no-any-return]

    # -- renewal ---------------------------------------------------------------------
    def can_renew(self, configuration: Any) -> bool:
        if not configuration.should_refresh_access_token:
            return False
        return bool(self.refresh_token and self.client_id) or (
            self.grant == "client_credentials" and bool(self.client_id))

    def renewal_due(self, configuration: Any) -> bool:
        """Less than ``RENEW_AHEAD`` seconds left on a renewable token."""
        expires = self.expires_at
        return (expires is not None and bool(self.access_token) and expires - time.monotonic() < RENEW_AHEAD
                and self.can_renew(configuration))

    def current(self, configuration: Any) -> str:
        return self.access_token or configuration.access_token  # type: ignore[no-any-return]

    def renew(self, stale: str, send: Callable[[Request], RESTResponse], configuration: Any) -> None:
        """Threads: the first caller that finds ``stale`` current renews it; the others wait on a
        condition (at most ``refresh_token_wait_time`` seconds) and then use the new token."""
        cond = self._cond
        with cond:
            if self.access_token != stale:
                return  # another thread already renewed it
            if self.refreshing:
                wait = float(configuration.refresh_token_wait_time)
                deadline = time.monotonic() + wait
                while self.refreshing:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise ApiException(status=0, reason=f"Token refresh took longer than {wait:g} seconds")
                    cond.wait(remaining)
                return
            self.refreshing = True
        try:
            self.renewals += 1
            self.store(send(self.renewal_request(configuration.retry)))
        finally:
            with cond:
                self.refreshing = False
                cond.notify_all()

    async def renew_async(self, stale: str, send: Callable[[Request], Awaitable[RESTResponse]],
                          configuration: Any) -> None:
        """Tasks of one event loop: the first caller starts the renewal as a task of its own
        (cancelling that caller does not cancel it for the others); the others await it, at most
        ``refresh_token_wait_time`` seconds."""
        import asyncio
        if self.access_token != stale:
            return
        loop = asyncio.get_running_loop()
        renewal = self._async.get(loop)
        if renewal is None:
            self.renewals += 1

            async def run() -> None:
                self.store(await send(self.renewal_request(configuration.retry)))

            renewal = self._async[loop] = asyncio.ensure_future(run())
            renewal.add_done_callback(lambda done: self._renewal_done(loop, done))
            await asyncio.shield(renewal)  # the starter sees the failure, if any
            return
        wait = float(configuration.refresh_token_wait_time)
        try:
            await asyncio.wait_for(asyncio.shield(renewal), wait)
        except asyncio.TimeoutError:
            raise ApiException(status=0, reason=f"Token refresh took longer than {wait:g} seconds") from None
        except ApiException:
            return  # the starter reports the failure; the others replay and see their own outcome

    def renewing_async(self) -> bool:
        return bool(self._async)

    def _renewal_done(self, loop: asyncio.AbstractEventLoop, renewal: asyncio.Future[Any]) -> None:
        if self._async.get(loop) is renewal:
            del self._async[loop]
        if not renewal.cancelled():
            renewal.exception()  # retrieved here; awaited by the starter when it is still waiting
