"""Quickstart: log in, list users, create one, update it, read it back, delete it.

Runs against a real Genesys Cloud org when GENESYS_CLOUD_HOST, GENESYS_CLOUD_CLIENT_ID
and GENESYS_CLOUD_CLIENT_SECRET are set; otherwise it starts the bundled emulator
(``pip install 'PureCloudPlatformClientV2[emulator]'``) so it works offline.
"""
from __future__ import annotations

import contextlib
import os
import uuid

import PureCloudPlatformClientV2 as gc


def run(host: str, client_id: str, client_secret: str) -> None:
    gc.configuration.host = host
    client = gc.api_client.ApiClient().get_client_credentials_token(client_id, client_secret)
    print(f"logged in to {host} with the client credentials grant")
    users = gc.UsersApi(client)

    page = users.get_users(page_size=5)
    print(f"users: {page.total} in all; first page: {[u.name for u in page.entities or []]}")

    email = f"quickstart.{uuid.uuid4().hex[:8]}@example.com"
    created = users.post_users(gc.CreateUser(name="Quinn Start", email=email, password="S3cret-pass!"))
    print(f"created user {created.id} ({created.email}), version {created.version}")

    update = gc.UpdateUser(title="Quickstart engineer", version=created.version)
    updated = users.patch_user(created.id, update)
    print(f"updated title to {updated.title!r}, version now {updated.version}")

    fetched = users.get_user(created.id)
    print(f"read back: {fetched.name}, {fetched.title!r}, state {fetched.state}")

    users.delete_user(created.id)
    print(f"deleted user {created.id}")
    try:
        users.get_user(created.id)
    except gc.rest.ApiException as error:
        print(f"reading it again gives {error.status}, as expected: {error}")


def main() -> None:
    host = os.environ.get("GENESYS_CLOUD_HOST")
    if host:
        run(host, os.environ["GENESYS_CLOUD_CLIENT_ID"], os.environ["GENESYS_CLOUD_CLIENT_SECRET"])
        return
    from PureCloudPlatformClientV2.emulator import Emulator
    with contextlib.ExitStack() as stack:
        emulator = stack.enter_context(Emulator(seed_users=3))
        print(f"started the local emulator at {emulator.base_url}")
        run(emulator.base_url, emulator.client_id, emulator.client_secret)


if __name__ == "__main__":
    main()
