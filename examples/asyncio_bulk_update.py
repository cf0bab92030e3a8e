"""Update many users concurrently with the asyncio client.

Sets the department of every user of the org (or of the first N), with at most
--concurrency calls in flight. Each update sends the user's current version, as the
platform requires. Uses the asyncio flavour of the SDK (pip install
"PureCloudPlatformClientV2[async]").

Environment: GENESYS_CLOUD_CLIENT_ID, GENESYS_CLOUD_CLIENT_SECRET and optionally
GENESYS_CLOUD_HOST.

    python examples/asyncio_bulk_update.py --department "Customer Care" --limit 500
"""
from __future__ import annotations

import argparse
import asyncio
import os
import time

import PureCloudPlatformClientV2
from PureCloudPlatformClientV2.aio import AsyncApiClient, UsersApiAsync
from PureCloudPlatformClientV2.rest import ApiException


async def main(args: argparse.Namespace) -> None:
    host = os.environ.get("GENESYS_CLOUD_HOST")
    if host:
        PureCloudPlatformClientV2.configuration.host = host
    async with AsyncApiClient() as client:
        await client.get_client_credentials_token(
            os.environ["GENESYS_CLOUD_CLIENT_ID"], os.environ["GENESYS_CLOUD_CLIENT_SECRET"]
        )
        users_api = UsersApiAsync(client)

        users = []
        page_number = 1
        while len(users) < args.limit:
            page = await users_api.get_users(page_size=100, page_number=page_number)
            users.extend(page.entities or [])
            if not page.entities or page_number >= (page.page_count or 0):
                break
            page_number += 1
        users = users[: args.limit]

        limit = asyncio.Semaphore(args.concurrency)
        failures = []

        async def update(user: PureCloudPlatformClientV2.User) -> None:
            change = PureCloudPlatformClientV2.UpdateUser()
            change.department = args.department
            change.version = user.version
            async with limit:
                try:
                    await users_api.patch_user(user.id, change)
                except ApiException as error:
                    failures.append((user.id, error))

        started = time.perf_counter()
        await asyncio.gather(*(update(user) for user in users))
        elapsed = time.perf_counter() - started
        print(f"updated {len(users) - len(failures)} of {len(users)} users in {elapsed:.2f}s")
        for user_id, error in failures:
            print("failed", user_id, error)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--department", default="Customer Care")
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    asyncio.run(main(parser.parse_args()))
