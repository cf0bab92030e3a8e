"""Login host error cases: each refusal has the platform's status and OAuth error code, and a
refused request issues nothing (real HTTP to the in-process emulator)."""
from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from PureCloudPlatformClientV2.emulator.errors import OAuthError

from .emulator_helpers import Api, client_credentials_token

SAML = "urn:ietf:params:oauth:grant-type:saml2-bearer"


def token_request(emu, data, auth=None, headers=None):
    return requests.post(emu.login_url + "/oauth/token", data=data, auth=auth, headers=headers, timeout=10)


def authorize(emu, **params):
    return requests.get(emu.login_url + "/oauth/authorize", params=params, allow_redirects=False, timeout=10)


def creds(emu):
    return (emu.client_id, emu.client_secret)


def assert_oauth_error(resp, status, error):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["error"] == error
    assert body["error_description"] and body["description"] == body["error_description"]
    assert "access_token" not in body


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_missing_grant_type_is_invalid_request(emulator):
    assert_oauth_error(token_request(emulator, {}, creds(emulator)), 400, "invalid_request")
    assert emulator.token_requests("(none)") == 1


@pytest.mark.parametrize("authorization", [
    None,                                    # no client authentication at all
    "Bearer abc",                            # not HTTP Basic
    "Basic a",                               # not base64 (bad padding)
    "Basic " + b64(b"\xff\xfe\xfd"),         # base64, but not UTF-8
    "Basic " + b64(b"no-colon-here"),        # no id:secret separator
    "Basic " + b64(b"unknown-client:secret"),
])
def test_client_authentication_failures_are_401_invalid_client(emulator, authorization):
    headers = {"Authorization": authorization} if authorization else None
    resp = token_request(emulator, {"grant_type": "client_credentials"}, headers=headers)
    assert_oauth_error(resp, 401, "invalid_client")


def test_public_client_cannot_use_basic_without_secret(emulator):
    client = emulator.register_client(public=True)
    resp = token_request(emulator, {"grant_type": "client_credentials"}, (client["client_id"], ""))
    assert_oauth_error(resp, 401, "invalid_client")


def test_implicit_is_not_a_token_endpoint_grant(emulator):
    assert_oauth_error(token_request(emulator, {"grant_type": "implicit"}, creds(emulator)), 400,
                       "unsupported_grant_type")


def test_code_issued_with_challenge_needs_the_verifier(emulator):
    code = emulator.issue_auth_code(code_challenge="c" * 43)
    resp = token_request(emulator, {"grant_type": "authorization_code", "code": code}, creds(emulator))
    assert_oauth_error(resp, 400, "invalid_grant")
    assert "code_verifier" in resp.json()["error_description"]


def test_redirect_uri_must_match_the_authorization_request(emulator):
    code = emulator.issue_auth_code(redirect_uri="http://localhost/cb")
    resp = token_request(emulator, {"grant_type": "authorization_code", "code": code,
                                    "redirect_uri": "http://localhost/other"}, creds(emulator))
    assert_oauth_error(resp, 400, "invalid_grant")
    assert "redirect_uri" in resp.json()["error_description"]
    # Leaving redirect_uri out is accepted (the code is single use, so take another).
    code = emulator.issue_auth_code(redirect_uri="http://localhost/cb")
    ok = token_request(emulator, {"grant_type": "authorization_code", "code": code}, creds(emulator))
    assert ok.status_code == 200 and ok.json()["refresh_token"]


def test_code_of_another_client_is_refused(emulator):
    other = emulator.register_client()
    code = emulator.issue_auth_code(other["client_id"])
    resp = token_request(emulator, {"grant_type": "authorization_code", "code": code}, creds(emulator))
    assert_oauth_error(resp, 400, "invalid_grant")


def test_refresh_token_of_another_client_is_refused(emulator):
    code = emulator.issue_auth_code()
    body = token_request(emulator, {"grant_type": "authorization_code", "code": code}, creds(emulator)).json()
    other = emulator.register_client()
    resp = token_request(emulator, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
                         (other["client_id"], other["client_secret"]))
    assert_oauth_error(resp, 400, "invalid_grant")


def test_saml_requires_org_name_and_a_decodable_assertion(emulator):
    assertion = b64(b"<Assertion/>")
    assert_oauth_error(token_request(emulator, {"grant_type": SAML, "assertion": assertion}, creds(emulator)),
                       400, "invalid_request")
    # One base64 character cannot be decoded whatever the padding.
    assert_oauth_error(token_request(emulator, {"grant_type": SAML, "orgName": "org", "assertion": "a"},
                                     creds(emulator)), 400, "invalid_grant")


def test_saml_with_unknown_name_id_or_none_gives_the_admin_user(emulator):
    for raw in (b"<NameID>nobody@example.com</NameID>", b"<Assertion>no subject</Assertion>"):
        resp = token_request(emulator, {"grant_type": SAML, "orgName": "org", "assertion": b64(raw)},
                             creds(emulator))
        assert resp.status_code == 200, resp.text
        me = Api(emulator, resp.json()["access_token"]).get("/api/v2/users/me")
        assert me.json()["id"] == emulator.admin_user_id


def _pkce_form(client_id, code, verifier, redirect_uri=None):
    form = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "client_id": client_id}
    if redirect_uri:
        form["redirect_uri"] = redirect_uri
    return form


def test_pkce_unknown_client_is_401(emulator):
    resp = token_request(emulator, _pkce_form("no-such-client", "code", "v" * 43))
    assert_oauth_error(resp, 401, "invalid_client")


def test_pkce_verifier_must_be_43_to_128_unreserved_characters(emulator):
    client = emulator.register_client(public=True)
    for verifier in ("v" * 42, "v" * 129, "v" * 42 + "!"):
        code = emulator.issue_auth_code(client["client_id"], code_challenge=verifier)
        resp = token_request(emulator, _pkce_form(client["client_id"], code, verifier))
        assert_oauth_error(resp, 400, "invalid_grant")
        assert "43-128" in resp.json()["error_description"]


def test_pkce_code_without_challenge_is_refused(emulator):
    client = emulator.register_client(public=True)
    code = emulator.issue_auth_code(client["client_id"])
    resp = token_request(emulator, _pkce_form(client["client_id"], code, "v" * 43))
    assert_oauth_error(resp, 400, "invalid_grant")
    assert "code_challenge" in resp.json()["error_description"]


def test_pkce_plain_method_compares_the_verifier_itself(emulator):
    client = emulator.register_client(public=True)
    verifier = secrets.token_urlsafe(40)
    code = emulator.issue_auth_code(client["client_id"], code_challenge=verifier, code_challenge_method="plain")
    ok = token_request(emulator, _pkce_form(client["client_id"], code, verifier))
    assert ok.status_code == 200, ok.text
    # With plain, the S256 digest of the verifier is not what matches.
    s256 = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    code = emulator.issue_auth_code(client["client_id"], code_challenge=s256, code_challenge_method="plain")
    assert_oauth_error(token_request(emulator, _pkce_form(client["client_id"], code, verifier)), 400,
                       "invalid_grant")


def test_authorize_refusals(emulator):
    assert_oauth_error(authorize(emulator, client_id="nope", redirect_uri="http://localhost/cb"), 400,
                       "invalid_client")
    assert_oauth_error(authorize(emulator, client_id=emulator.client_id), 400, "invalid_request")
    assert_oauth_error(authorize(emulator, client_id=emulator.client_id, redirect_uri="http://localhost:8080/callback",
                                 response_type="id_token"), 400, "unsupported_response_type")
    assert_oauth_error(authorize(emulator, client_id=emulator.client_id, redirect_uri="http://localhost:8080/callback",
                                 code_challenge="c" * 43, code_challenge_method="MD5"), 400, "invalid_request")


def test_authorize_without_state_and_with_query_in_redirect(emulator):
    client = emulator.register_client(redirect_uris=["http://localhost:9/cb?app=1"])
    resp = authorize(emulator, client_id=client["client_id"], redirect_uri="http://localhost:9/cb?app=1")
    assert resp.status_code == 302
    query = parse_qs(urlsplit(resp.headers["Location"]).query)
    assert query["app"] == ["1"] and "state" not in query and query["code"][0]
    implicit = authorize(emulator, client_id=client["client_id"], redirect_uri="http://localhost:9/cb?app=1",
                         response_type="token")
    fragment = parse_qs(urlsplit(implicit.headers["Location"]).fragment)
    assert "state" not in fragment and fragment["access_token"][0]


def test_login_host_unknown_path_is_404(emulator):
    assert requests.get(emulator.login_url + "/oauth/token", timeout=10).status_code == 404
    assert requests.post(emulator.login_url + "/oauth/revoke", timeout=10).status_code == 404


@pytest.mark.parametrize("authorization", ["Basic abc", "Bearer", "Bearer "])
def test_api_host_requires_a_bearer_token(emulator, authorization):
    resp = requests.get(emulator.base_url + "/api/v2/users/me", headers={"Authorization": authorization}, timeout=10)
    assert resp.status_code == 401
    assert resp.json()["code"] == "authentication.required"


def test_revoking_an_unknown_token_reports_false(emulator):
    assert emulator.revoke_token("not-a-token") is False
    token = client_credentials_token(emulator)
    assert emulator.revoke_token(token) is True
    assert Api(emulator, token).get("/api/v2/users/me").status_code == 401


def test_issue_auth_code_for_unknown_client_fails(emulator):
    with pytest.raises(OAuthError):
        emulator.issue_auth_code("no-such-client")
