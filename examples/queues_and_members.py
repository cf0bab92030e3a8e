"""Create a queue, add users as members, list the members, remove one, delete the queue.

Environment: GENESYS_CLOUD_CLIENT_ID, GENESYS_CLOUD_CLIENT_SECRET (a client allowed to
manage routing queues) and optionally GENESYS_CLOUD_HOST.

    python examples/queues_and_members.py
"""
from __future__ import annotations

import os
import uuid

import PureCloudPlatformClientV2
from PureCloudPlatformClientV2.api_client import ApiClient


def connect() -> ApiClient:
    host = os.environ.get("GENESYS_CLOUD_HOST")
    if host:
        PureCloudPlatformClientV2.configuration.host = host
    return ApiClient().get_client_credentials_token(
        os.environ["GENESYS_CLOUD_CLIENT_ID"], os.environ["GENESYS_CLOUD_CLIENT_SECRET"]
    )


def main() -> None:
    api_client = connect()
    routing_api = PureCloudPlatformClientV2.RoutingApi(api_client)
    users_api = PureCloudPlatformClientV2.UsersApi(api_client)

    request = PureCloudPlatformClientV2.CreateQueueRequest()
    request.name = f"Example queue {uuid.uuid4().hex[:6]}"
    request.description = "Created by examples/queues_and_members.py"
    queue = routing_api.post_routing_queues(request)
    print("created queue", queue.id, queue.name)

    try:
        users = users_api.get_users(page_size=3).entities or []
        members = []
        for user in users:
            member = PureCloudPlatformClientV2.WritableEntity()
            member.id = user.id
            members.append(member)
        if members:
            routing_api.post_routing_queue_members(queue.id, members)  # adds up to 100 per call
            print(f"added {len(members)} members")

        listing = routing_api.get_routing_queue_members(queue.id, page_size=100)
        listed = listing.entities or []
        for member in listed:
            print("member", member.id, member.name)

        if listed:
            routing_api.delete_routing_queue_member(queue.id, listed[0].id)
            print("removed", listed[0].id)
    finally:
        routing_api.delete_routing_queue(queue.id)
        print("deleted queue", queue.id)


if __name__ == "__main__":
    main()
