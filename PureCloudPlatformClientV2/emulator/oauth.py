"""The login host: OAuth clients, tokens, authorization codes and the /oauth/* endpoints."""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from .errors import ApiError, OAuthError
from .security import redirect_allowed

ALL_GRANTS = ("client_credentials", "authorization_code", "refresh_token", "implicit",
              "urn:ietf:params:oauth:grant-type:saml2-bearer")
SAML_GRANT = "urn:ietf:params:oauth:grant-type:saml2-bearer"
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_NAME_ID = re.compile(rb"<(?:\w+:)?NameID[^>]*>([^<]+)</(?:\w+:)?NameID>")


@dataclass
class OAuthClient:
    client_id: str
    client_secret: str | None
    grants: tuple[str, ...] = ALL_GRANTS
    redirect_uris: tuple[str, ...] = ()
    user_id: str | None = None  # user behind code/SAML grants; None = the emulator's admin user
    token_lifetime: int | None = None
    permissions: tuple[str, ...] | None = None  # None (and no roles): full access
    roles: tuple[str, ...] = ()

    @property
    def restricted(self) -> bool:
        return self.permissions is not None or bool(self.roles)

    def public(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "client_secret": self.client_secret, "grants": list(self.grants),
                "redirect_uris": list(self.redirect_uris), "user_id": self.user_id,
                "token_lifetime": self.token_lifetime,
                "permissions": list(self.permissions) if self.permissions is not None else None,
                "roles": list(self.roles)}


@dataclass(slots=True)
class Token:
    value: str
    client_id: str
    grant: str
    user_id: str | None  # None for client-credentials tokens
    expires_at: float
    revoked: bool = False


@dataclass(slots=True)
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str | None
    user_id: str | None
    challenge: str | None
    challenge_method: str | None
    expires_at: float


@dataclass
class OAuthState:
    default_lifetime: int
    admin_user_id: str | None = None
    clients: dict[str, OAuthClient] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    refresh_tokens: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # value -> (client, user)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)
    any_restricted: bool = False  # a client with roles/permissions exists: checks are needed

    # -- registry -----------------------------------------------------------------------
    def register_client(self, client_id: str | None = None, client_secret: str | None = None, *,
                        grants: tuple[str, ...] | list[str] | None = None, redirect_uris: tuple[str, ...] | list[str] = (),
                        user_id: str | None = None, token_lifetime: int | None = None,
                        public: bool = False, permissions: tuple[str, ...] | list[str] | None = None,
                        roles: tuple[str, ...] | list[str] = ()) -> OAuthClient:
        client = OAuthClient(
            client_id=client_id or f"client-{secrets.token_hex(8)}",
            client_secret=None if public else (client_secret or secrets.token_urlsafe(24)),
            grants=tuple(grants) if grants else ALL_GRANTS, redirect_uris=tuple(redirect_uris), user_id=user_id,
            token_lifetime=token_lifetime, permissions=tuple(permissions) if permissions is not None else None,
            roles=tuple(roles or ()),
        )
        self.clients[client.client_id] = client
        if client.restricted:
            self.any_restricted = True
        return client

    def issue_token(self, client_id: str, grant: str, user_id: str | None, lifetime: int | None = None) -> Token:
        client = self.clients.get(client_id)
        life = lifetime if lifetime is not None else (client.token_lifetime if client and client.token_lifetime
                                                      is not None else self.default_lifetime)
        token = Token(secrets.token_urlsafe(32), client_id, grant, user_id, time.time() + life)
        self.tokens[token.value] = token
        return token

    def issue_code(self, client_id: str, redirect_uri: str | None = None, user_id: str | None = None,
                   code_challenge: str | None = None, code_challenge_method: str | None = None) -> AuthCode:
        client = self.clients.get(client_id)
        if client is None:
            raise OAuthError(400, "invalid_client", "client not found")
        code = AuthCode(secrets.token_urlsafe(24), client_id, redirect_uri, user_id or client.user_id or
                        self.admin_user_id, code_challenge, code_challenge_method, time.time() + 600)
        self.codes[code.code] = code
        return code

    def expire_all(self) -> int:
        """Make every issued access token expired now (refresh tokens stay valid)."""
        for token in self.tokens.values():
            token.expires_at = 0.0
        return len(self.tokens)

    def revoke(self, value: str) -> bool:
        token = self.tokens.get(value)
        if token is None:
            return False
        token.revoked = True
        return True

    # -- API host check -----------------------------------------------------------------
    def check_bearer(self, header: str | None) -> Token:
        if not header:
            raise ApiError(401, "authentication.required",
                           "No authentication bearer token specified in authorization header.")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value:
            raise ApiError(401, "authentication.required", "Authorization header is not a bearer token.")
        token = self.tokens.get(value.strip())
        if token is None or token.revoked:
            raise ApiError(401, "bad.credentials", "Invalid login credentials.")
        if token.expires_at <= time.time():
            raise ApiError(401, "bad.credentials", "Invalid login credentials. The token has expired.")
        return token

    # -- login host ---------------------------------------------------------------------
    def token_endpoint(self, form: dict[str, str], authorization: str | None) -> dict[str, Any]:
        """POST /oauth/token: returns the JSON body or raises OAuthError."""
        grant = form.get("grant_type", "")
        if not grant:
            raise OAuthError(400, "invalid_request", "grant_type is required")
        if grant not in ALL_GRANTS or grant == "implicit":
            raise OAuthError(400, "unsupported_grant_type", f"grant type '{grant}' is not supported")
        basic = _parse_basic(authorization)
        if grant == "authorization_code" and basic is None and "code_verifier" in form:
            return self._pkce(form)
        client = self._authenticate(basic)
        if grant not in client.grants:
            raise OAuthError(400, "unauthorized_client", f"client is not authorized for grant type '{grant}'")
        if grant == "client_credentials":
            return self._token_body(self.issue_token(client.client_id, grant, None), None)
        if grant == "authorization_code":
            code = self._take_code(form, client.client_id)
            if code.challenge is not None:
                raise OAuthError(400, "invalid_grant", "code_verifier is required for this code")
            return self._user_token(client.client_id, grant, code.user_id)
        if grant == "refresh_token":
            entry = self.refresh_tokens.get(form.get("refresh_token", ""))
            if entry is None or entry[0] != client.client_id:
                raise OAuthError(400, "invalid_grant", "refresh token is invalid or expired")
            token = self.issue_token(client.client_id, grant, entry[1])
            return self._token_body(token, form["refresh_token"])
        # SAML2 bearer: any base64 assertion is accepted; a NameID picks the user when it matches one.
        assertion = form.get("assertion", "")
        if not form.get("orgName"):
            raise OAuthError(400, "invalid_request", "orgName is required")
        try:
            decoded = base64.b64decode(assertion + "=" * (-len(assertion) % 4), validate=False)
        except (binascii.Error, ValueError):
            decoded = b""
        if not decoded:
            raise OAuthError(400, "invalid_grant", "the SAML assertion is invalid")
        m = _NAME_ID.search(decoded)
        user_id = self.user_lookup(m.group(1).decode(errors="replace").strip()) if m else None
        return self._user_token(client.client_id, grant, user_id or client.user_id or self.admin_user_id)

    # Replaced by the server so a SAML NameID (an email) can resolve to a stored user.
    def user_lookup(self, email: str) -> str | None:
        return None

    def _pkce(self, form: dict[str, str]) -> dict[str, Any]:
        client = self.clients.get(form.get("client_id", ""))
        if client is None:
            raise OAuthError(401, "invalid_client", "client not found")
        code = self._take_code(form, client.client_id)
        verifier = form.get("code_verifier", "")
        if not _VERIFIER.match(verifier):
            raise OAuthError(400, "invalid_grant", "code_verifier must be 43-128 unreserved characters")
        if code.challenge is None:
            raise OAuthError(400, "invalid_grant", "the code was not issued with a code_challenge")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        expected = code.challenge if code.challenge_method == "S256" else None
        if (code.challenge_method or "plain") == "plain":
            digest, expected = verifier, code.challenge
        if digest != expected:
            raise OAuthError(400, "invalid_grant", "code_verifier does not match the code_challenge")
        return self._user_token(client.client_id, "authorization_code", code.user_id)

    def _authenticate(self, basic: tuple[str, str] | None) -> OAuthClient:
        if basic is None:
            raise OAuthError(401, "invalid_client", "client authentication is required (HTTP Basic)")
        client = self.clients.get(basic[0])
        if client is None or client.client_secret is None or not secrets.compare_digest(
                client.client_secret, basic[1]):
            raise OAuthError(401, "invalid_client", "client not found or bad client secret")
        return client

    def _take_code(self, form: dict[str, str], client_id: str) -> AuthCode:
        code = self.codes.pop(form.get("code", ""), None)  # single use, as the platform's are
        if code is None or code.client_id != client_id or code.expires_at < time.time():
            raise OAuthError(400, "invalid_grant", "authorization code is invalid or expired")
        if code.redirect_uri is not None and form.get("redirect_uri") not in (None, code.redirect_uri):
            raise OAuthError(400, "invalid_grant", "redirect_uri does not match the authorization request")
        return code

    def _user_token(self, client_id: str, grant: str, user_id: str | None) -> dict[str, Any]:
        token = self.issue_token(client_id, grant, user_id)
        refresh = secrets.token_urlsafe(32)
        self.refresh_tokens[refresh] = (client_id, user_id)
        return self._token_body(token, refresh)

    @staticmethod
    def _token_body(token: Token, refresh: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"access_token": token.value, "token_type": "bearer",
                                "expires_in": max(0, int(round(token.expires_at - time.time())))}
        if refresh:
            body["refresh_token"] = refresh
        return body

    def authorize(self, query: dict[str, str]) -> str:
        """GET /oauth/authorize: auto-approves and returns the redirect Location."""
        client = self.clients.get(query.get("client_id", ""))
        if client is None:
            raise OAuthError(400, "invalid_client", "client not found")
        redirect_uri = query.get("redirect_uri", "")
        # Only registered URIs (or the documented loopback defaults): never hand a code or token
        # to a site the client did not register.
        if not redirect_uri or not redirect_allowed(client.redirect_uris, redirect_uri):
            raise OAuthError(400, "invalid_request", "redirect_uri is missing or not registered for this client")
        response_type = query.get("response_type", "code")
        state = query.get("state")
        if response_type == "token":
            token = self.issue_token(client.client_id, "implicit", client.user_id or self.admin_user_id)
            frag = {"access_token": token.value, "token_type": "bearer",
                    "expires_in": str(int(token.expires_at - time.time()))}
            if state is not None:
                frag["state"] = state
            return f"{redirect_uri}#{urlencode(frag)}"
        if response_type != "code":
            raise OAuthError(400, "unsupported_response_type", f"response_type '{response_type}' is not supported")
        method = query.get("code_challenge_method")
        if query.get("code_challenge") and method not in (None, "S256", "plain"):
            raise OAuthError(400, "invalid_request", "code_challenge_method must be S256")
        code = self.issue_code(client.client_id, redirect_uri, None, query.get("code_challenge"),
                               method or ("S256" if query.get("code_challenge") else None))
        params = {"code": code.code}
        if state is not None:
            params["state"] = state
        sep = "&" if "?" in redirect_uri else "?"
        return f"{redirect_uri}{sep}{urlencode(params)}"


def _parse_basic(header: str | None) -> tuple[str, str] | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip()).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None
