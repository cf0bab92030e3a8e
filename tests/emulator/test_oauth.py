"""Login host: every grant, errors, token lifetime, revocation."""
from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import requests

from .emulator_helpers import Api, client_credentials_token


def token_request(emu, data, auth=None):
    return requests.post(emu.login_url + "/oauth/token", data=data, auth=auth, timeout=10)


def test_client_credentials_issues_bearer_token_and_counts_requests(emulator):
    resp = token_request(emulator, {"grant_type": "client_credentials"}, (emulator.client_id, emulator.client_secret))
    assert resp.status_code == 200
    body = resp.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0 and "refresh_token" not in body
    assert resp.headers["ININ-Correlation-Id"]
    assert emulator.token_requests("client_credentials") == 1
    assert emulator.token_requests() == 1


def test_bad_secret_is_401_invalid_client(emulator):
    resp = token_request(emulator, {"grant_type": "client_credentials"}, (emulator.client_id, "wrong"))
    assert resp.status_code == 401
    assert resp.json()["error"] == "invalid_client"
    assert resp.json()["error_description"] == resp.json()["description"]


def test_unsupported_grant_is_400(emulator):
    resp = token_request(emulator, {"grant_type": "password"}, (emulator.client_id, emulator.client_secret))
    assert resp.status_code == 400 and resp.json()["error"] == "unsupported_grant_type"


def test_client_without_grant_is_refused(emulator):
    client = emulator.register_client(grants=["authorization_code"])
    resp = token_request(emulator, {"grant_type": "client_credentials"}, (client["client_id"], client["client_secret"]))
    assert resp.status_code == 400 and resp.json()["error"] == "unauthorized_client"


def test_api_without_token_is_401_in_platform_shape(emulator):
    resp = requests.get(emulator.base_url + "/api/v2/users", timeout=10)
    assert resp.status_code == 401
    body = resp.json()
    assert body["code"] == "authentication.required" and body["status"] == 401
    assert body["contextId"] == resp.headers["ININ-Correlation-Id"]


def test_expired_tokens_are_rejected(emulator):
    api = Api(emulator, client_credentials_token(emulator))
    assert api.get("/api/v2/users").status_code == 200
    emulator.expire_tokens()
    resp = api.get("/api/v2/users")
    assert resp.status_code == 401 and resp.json()["code"] == "bad.credentials"


def test_short_token_lifetime_from_client_settings(emulator):
    client = emulator.register_client(token_lifetime=0)
    resp = token_request(emulator, {"grant_type": "client_credentials"}, (client["client_id"], client["client_secret"]))
    assert resp.json()["expires_in"] == 0
    assert Api(emulator, resp.json()["access_token"]).get("/api/v2/users").status_code == 401


def test_authorization_code_grant_gives_user_token_and_refresh(emulator):
    code = emulator.issue_auth_code(redirect_uri="http://localhost/cb")
    creds = (emulator.client_id, emulator.client_secret)
    resp = token_request(emulator, {"grant_type": "authorization_code", "code": code,
                                    "redirect_uri": "http://localhost/cb"}, creds)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    me = Api(emulator, body["access_token"]).get("/api/v2/users/me")
    assert me.status_code == 200 and me.json()["id"] == emulator.admin_user_id
    # Codes are single use.
    again = token_request(emulator, {"grant_type": "authorization_code", "code": code,
                                     "redirect_uri": "http://localhost/cb"}, creds)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    refreshed = token_request(emulator, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]}, creds)
    assert refreshed.status_code == 200
    assert refreshed.json()["access_token"] != body["access_token"]
    assert Api(emulator, refreshed.json()["access_token"]).get("/api/v2/users/me").json()["id"] == \
        emulator.admin_user_id
    assert emulator.token_requests("refresh_token") == 1
    bad = token_request(emulator, {"grant_type": "refresh_token", "refresh_token": "nope"}, creds)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def test_pkce_via_authorize_redirect(emulator):
    client = emulator.register_client(public=True, redirect_uris=["http://localhost:9/cb"])
    verifier, challenge = _pkce_pair()
    resp = requests.get(emulator.login_url + "/oauth/authorize", params={
        "response_type": "code", "client_id": client["client_id"], "redirect_uri": "http://localhost:9/cb",
        "state": "xyz", "code_challenge": challenge, "code_challenge_method": "S256"},
        allow_redirects=False, timeout=10)
    assert resp.status_code == 302
    location = urlsplit(resp.headers["Location"])
    query = parse_qs(location.query)
    assert location.path == "/cb" and query["state"] == ["xyz"]
    form = {"grant_type": "authorization_code", "code": query["code"][0], "code_verifier": "x" * 43,
            "client_id": client["client_id"], "redirect_uri": "http://localhost:9/cb"}
    wrong = token_request(emulator, form)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    # The failed attempt consumed that code; get another one and use the right verifier.
    code = emulator.issue_auth_code(client["client_id"], redirect_uri="http://localhost:9/cb",
                                    code_challenge=challenge)
    ok = token_request(emulator, {**form, "code": code, "code_verifier": verifier})
    assert ok.status_code == 200, ok.text
    assert "refresh_token" in ok.json()


def test_authorize_rejects_unregistered_redirect(emulator):
    client = emulator.register_client(redirect_uris=["http://localhost/cb"])
    resp = requests.get(emulator.login_url + "/oauth/authorize", params={
        "response_type": "code", "client_id": client["client_id"], "redirect_uri": "http://evil/cb"},
        allow_redirects=False, timeout=10)
    assert resp.status_code == 400


def test_implicit_grant_redirects_with_fragment(emulator):
    resp = requests.get(emulator.login_url + "/oauth/authorize", params={
        "response_type": "token", "client_id": emulator.client_id, "redirect_uri": "http://localhost:8080/callback",
        "state": "s1"}, allow_redirects=False, timeout=10)
    assert resp.status_code == 302
    fragment = parse_qs(urlsplit(resp.headers["Location"]).fragment)
    assert fragment["state"] == ["s1"] and fragment["token_type"] == ["bearer"]
    assert Api(emulator, fragment["access_token"][0]).get("/api/v2/users/me").status_code == 200


def test_saml2_bearer_maps_name_id_to_user(emulator):
    user = emulator.add_user("Saml Person", "saml.person@example.com")
    assertion = base64.b64encode(b"<saml:Assertion><saml:Subject><saml:NameID>saml.person@example.com"
                                 b"</saml:NameID></saml:Subject></saml:Assertion>").decode()
    resp = token_request(emulator, {"grant_type": "urn:ietf:params:oauth:grant-type:saml2-bearer",
                                    "orgName": "emulator", "assertion": assertion},
                         (emulator.client_id, emulator.client_secret))
    assert resp.status_code == 200, resp.text
    assert Api(emulator, resp.json()["access_token"]).get("/api/v2/users/me").json()["id"] == user["id"]
    bad = token_request(emulator, {"grant_type": "urn:ietf:params:oauth:grant-type:saml2-bearer",
                                   "orgName": "emulator", "assertion": ""}, (emulator.client_id, emulator.client_secret))
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"


def test_revoked_token_via_delete_tokens_me(emulator):
    api = Api(emulator, client_credentials_token(emulator))
    assert api.get("/api/v2/tokens/me").status_code == 200
    assert api.delete("/api/v2/tokens/me").status_code == 204
    assert api.get("/api/v2/tokens/me").status_code == 401
