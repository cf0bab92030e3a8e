"""Each OAuth grant as a coroutine, over real HTTP against the emulator's login endpoint."""
from __future__ import annotations

import asyncio
import base64

import pytest

from PureCloudPlatformClientV2.aio import AsyncApiClient, UsersApiAsync
from PureCloudPlatformClientV2.rest import ApiException

from .helpers import REDIRECT, new_client


def test_client_credentials_returns_the_client(fresh_emu):
    async def main() -> None:
        async with new_client(fresh_emu.base_url) as client:
            returned = await client.get_client_credentials_token(fresh_emu.client_id, fresh_emu.client_secret)
            assert returned is client and client.access_token
            page = await UsersApiAsync(client).get_users(page_size=2)
            assert page.entities is not None
    asyncio.run(main())
    assert fresh_emu.token_requests("client_credentials") == 1
    assert fresh_emu.request_count("get_users") == 1


def test_client_credentials_bad_secret_is_api_exception(fresh_emu):
    async def main() -> None:
        async with new_client(fresh_emu.base_url) as client:
            with pytest.raises(ApiException) as info:
                await client.get_client_credentials_token(fresh_emu.client_id, "wrong")
            assert info.value.status == 401
            assert "wrong" not in str(info.value)
    asyncio.run(main())


def test_saml2_bearer(fresh_emu):
    creds = fresh_emu.register_client(grants=["urn:ietf:params:oauth:grant-type:saml2-bearer"])
    user = fresh_emu.add_user("Sam Async")
    assertion = base64.b64encode(
        f"<saml:Assertion><saml:NameID>{user['email']}</saml:NameID></saml:Assertion>".encode()).decode()

    async def main() -> None:
        async with new_client(fresh_emu.base_url) as client:
            assert await client.get_saml2bearer_token(creds["client_id"], creds["client_secret"], "org",
                                                      assertion) is client
            assert (await UsersApiAsync(client).get_users_me()).id == user["id"]
    asyncio.run(main())


def test_authorization_code_then_manual_refresh(fresh_emu):
    creds = fresh_emu.register_client(grants=["authorization_code", "refresh_token"], redirect_uris=[REDIRECT])
    code = fresh_emu.issue_auth_code(creds["client_id"], redirect_uri=REDIRECT)

    async def main() -> None:
        async with new_client(fresh_emu.base_url) as client:
            returned, info = await client.get_code_authorization_token(creds["client_id"], creds["client_secret"],
                                                                       code, REDIRECT)
            assert returned is client and info["access_token"] == client.access_token
            assert (await UsersApiAsync(client).get_users_me()).id == fresh_emu.admin_user_id
            returned, info2 = await client.refresh_code_authorization_token(
                creds["client_id"], creds["client_secret"], info["refresh_token"])
            assert returned is client and info2["access_token"] == client.access_token != info["access_token"]
            assert (await UsersApiAsync(client).get_users_me()).id == fresh_emu.admin_user_id
    asyncio.run(main())
    assert fresh_emu.token_requests("refresh_token") == 1


@pytest.mark.parametrize("right_verifier", [True, False])
def test_pkce(fresh_emu, right_verifier):
    creds = fresh_emu.register_client(public=True, grants=["authorization_code"], redirect_uris=[REDIRECT])

    async def main() -> None:
        async with new_client(fresh_emu.base_url) as client:
            verifier = client.generate_pkce_code_verifier(64)
            code = fresh_emu.issue_auth_code(creds["client_id"], redirect_uri=REDIRECT,
                                             code_challenge=client.compute_pkce_code_challenge(verifier),
                                             code_challenge_method="S256")
            if not right_verifier:
                with pytest.raises(ApiException) as info:
                    await client.get_pkce_token(creds["client_id"], client.generate_pkce_code_verifier(64), code,
                                                REDIRECT)
                assert info.value.status == 400
                return
            _, token = await client.get_pkce_token(creds["client_id"], verifier, code, REDIRECT)
            assert token["access_token"] == client.access_token
            assert (await UsersApiAsync(client).get_users_me()).id == fresh_emu.admin_user_id
    asyncio.run(main())


def test_shared_configuration_host_and_gateway_urls():
    client = AsyncApiClient(host="https://api.mypurecloud.ie")
    assert client.get_conf_url("login", client.host) == "https://login.mypurecloud.ie"
    assert client.set_gateway(hostname="gw.example", scheme="https", port=8443, login_path="l",
                              api_path="a") is client
    assert client.get_conf_url("api", client.host) == "https://gw.example:8443/a"
