"""Print presence changes of users live, from the Notifications API.

Creates a notification channel, subscribes it to `v2.users.{id}.presence` for the chosen
users and prints each event from the channel's WebSocket. It uses the raw NotificationsApi
calls plus aiohttp's WebSocket client (pip install aiohttp), so it runs with the official SDK
too; this SDK's NotificationHandler (planned, see docs/notifications.md) adds reconnects,
channel rollover and heartbeat checks for programs that run for days.

Environment: GENESYS_CLOUD_CLIENT_ID, GENESYS_CLOUD_CLIENT_SECRET and optionally
GENESYS_CLOUD_HOST.

    python examples/notifications_presence_monitor.py --users 5 --duration 300
    python examples/notifications_presence_monitor.py --change-presence --max-events 1   # demo
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import time

import PureCloudPlatformClientV2
from PureCloudPlatformClientV2.api_client import ApiClient


def connect() -> ApiClient:
    host = os.environ.get("GENESYS_CLOUD_HOST")
    if host:
        PureCloudPlatformClientV2.configuration.host = host
    return ApiClient().get_client_credentials_token(
        os.environ["GENESYS_CLOUD_CLIENT_ID"], os.environ["GENESYS_CLOUD_CLIENT_SECRET"]
    )


def set_presence(api_client: ApiClient, user_id: str, system_presence: str) -> None:
    """Change a user's presence (what an agent does in the UI), to see an event arrive."""
    presence_api = PureCloudPlatformClientV2.PresenceApi(api_client)
    definitions = presence_api.get_presencedefinitions(page_size=100).entities or []
    definition = next(d for d in definitions if d.system_presence == system_presence)
    presence = PureCloudPlatformClientV2.UserPresence()
    presence.presence_definition = PureCloudPlatformClientV2.PresenceDefinition()
    presence.presence_definition.id = definition.id
    presence_api.patch_user_presence(user_id, "PURECLOUD", presence)


async def monitor(args: argparse.Namespace) -> int:
    import aiohttp

    api_client = connect()
    users = PureCloudPlatformClientV2.UsersApi(api_client).get_users(page_size=args.users).entities or []
    names = {user.id: user.name for user in users}
    if not names:
        print("no users to watch")
        return 0

    notifications_api = PureCloudPlatformClientV2.NotificationsApi(api_client)
    channel = notifications_api.post_notifications_channels()
    topics = []
    for user_id in names:
        topic = PureCloudPlatformClientV2.ChannelTopic()
        topic.id = f"v2.users.{user_id}.presence"
        topics.append(topic)
    notifications_api.put_notifications_channel_subscriptions(channel.id, topics)
    print(f"channel {channel.id}: watching {len(topics)} users")

    events = 0
    deadline = time.monotonic() + args.duration
    async with aiohttp.ClientSession() as session, session.ws_connect(channel.connect_uri, heartbeat=None) as ws:
        if args.change_presence:
            first = next(iter(names))
            await asyncio.to_thread(set_presence, api_client, first, "Away")
        while events < args.max_events:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                message = await ws.receive(timeout=min(remaining, 60))
            except asyncio.TimeoutError:
                continue  # no heartbeat for a minute: a long-running program would reconnect here
            if message.type != aiohttp.WSMsgType.TEXT:
                print("socket closed")
                break
            event = json.loads(message.data)
            topic = event.get("topicName", "")
            if topic == "channel.metadata":
                continue  # heartbeat or pong
            if topic == "v2.system.socket_closing":
                print("server announced it will close this socket")
                continue
            body = event.get("eventBody") or {}
            user_id = topic.split(".")[2] if topic.startswith("v2.users.") else "?"
            system = (body.get("presenceDefinition") or {}).get("systemPresence")
            print(f"{names.get(user_id, user_id)}: {system} {body.get('message') or ''}".rstrip())
            events += 1
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10, help="watch the first N users")
    parser.add_argument("--duration", type=float, default=300, help="stop after this many seconds")
    parser.add_argument("--max-events", type=int, default=1_000_000, help="stop after this many events")
    parser.add_argument("--change-presence", action="store_true", help="set the first user Away, as a demo")
    args = parser.parse_args()
    count = asyncio.run(monitor(args))
    print(f"{count} presence events")


if __name__ == "__main__":
    main()
