"""List the org's users page by page, then create a user, rename it and delete it again.

Environment: GENESYS_CLOUD_CLIENT_ID, GENESYS_CLOUD_CLIENT_SECRET (a client-credentials
OAuth client allowed to read and edit users) and optionally GENESYS_CLOUD_HOST (your
region's API host, e.g. https://api.mypurecloud.ie).

    python examples/list_and_create_users.py
"""
from __future__ import annotations

import os
import uuid

import PureCloudPlatformClientV2
from PureCloudPlatformClientV2.api_client import ApiClient
from PureCloudPlatformClientV2.rest import ApiException


def connect() -> ApiClient:
    host = os.environ.get("GENESYS_CLOUD_HOST")
    if host:
        PureCloudPlatformClientV2.configuration.host = host
    return ApiClient().get_client_credentials_token(
        os.environ["GENESYS_CLOUD_CLIENT_ID"], os.environ["GENESYS_CLOUD_CLIENT_SECRET"]
    )


def list_users(users_api: PureCloudPlatformClientV2.UsersApi) -> int:
    count = 0
    page_number = 1
    while True:
        page = users_api.get_users(page_size=100, page_number=page_number)
        for user in page.entities or []:
            count += 1
            print(f"{user.id}  {user.name!s:30}  {user.email}")
        if not page.entities or page_number >= (page.page_count or 0):
            return count
        page_number += 1


def main() -> None:
    users_api = PureCloudPlatformClientV2.UsersApi(connect())
    print(f"{list_users(users_api)} users")

    new_user = PureCloudPlatformClientV2.CreateUser()
    new_user.name = "Example User"
    new_user.email = f"example-{uuid.uuid4().hex[:8]}@example.com"
    new_user.password = f"Pw-{uuid.uuid4().hex}"
    created = users_api.post_users(new_user)
    print("created", created.id, created.email, "version", created.version)

    try:
        change = PureCloudPlatformClientV2.UpdateUser()
        change.name = "Example User (renamed)"
        change.version = created.version  # the platform rejects updates of a stale version
        updated = users_api.patch_user(created.id, change)
        print("renamed to", updated.name, "version", updated.version)
    finally:
        try:
            users_api.delete_user(created.id)
            print("deleted", created.id)
        except ApiException as error:
            print("could not delete the example user:", error)


if __name__ == "__main__":
    main()
