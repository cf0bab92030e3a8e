"""Print presence changes of users live, from the Notifications API.

Subscribes a NotificationHandler to `v2.users.{id}.presence` for the first N users and prints
each change as it arrives. The handler keeps the WebSocket alive on its own (heartbeat
watchdog, reconnects, channel rollover before the 24-hour expiry, token renewal), so the
same script can run for days.

With GENESYS_CLOUD_HOST, GENESYS_CLOUD_CLIENT_ID and GENESYS_CLOUD_CLIENT_SECRET set, it
watches that org. Without GENESYS_CLOUD_HOST it starts a local emulator and changes the
users' presence itself once a second, so there is something to see.

    python examples/notifications_presence_monitor.py                      # local demo
    python examples/notifications_presence_monitor.py --users 50 --duration 3600
    python examples/notifications_presence_monitor.py --change-presence --max-events 1
"""
from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import threading
import time
from collections.abc import Iterator

import PureCloudPlatformClientV2
from PureCloudPlatformClientV2.api_client import ApiClient
from PureCloudPlatformClientV2.notifications import NotificationEvent, NotificationHandler


@contextlib.contextmanager
def connect() -> Iterator[tuple[ApiClient, bool]]:
    """An authenticated client for the org in the environment, or for a local emulator."""
    host = os.environ.get("GENESYS_CLOUD_HOST")
    if host:
        configuration = PureCloudPlatformClientV2.Configuration.new(host=host)
        client = ApiClient(configuration=configuration).get_client_credentials_token(
            os.environ["GENESYS_CLOUD_CLIENT_ID"], os.environ["GENESYS_CLOUD_CLIENT_SECRET"])
        yield client, False
        return
    from PureCloudPlatformClientV2.emulator import Emulator
    with Emulator(seed_users=5) as emulator:
        print(f"no GENESYS_CLOUD_HOST: using a local emulator at {emulator.base_url}")
        configuration = PureCloudPlatformClientV2.Configuration.new(host=emulator.base_url, live_reload_config=False)
        client = ApiClient(configuration=configuration).get_client_credentials_token(
            emulator.client_id, emulator.client_secret)
        yield client, True


def presence_ids(client: ApiClient) -> dict[str, str]:
    definitions = PureCloudPlatformClientV2.PresenceApi(client).get_presence_definitions().entities or []
    return {d.system_presence: d.id for d in definitions if d.system_presence}


def set_presence(client: ApiClient, user_id: str, definition_id: str) -> None:
    """Change a user's presence (what an agent does in the UI), to see an event arrive."""
    presence = PureCloudPlatformClientV2.UserPresence()
    presence.presence_definition = PureCloudPlatformClientV2.PresenceDefinition()
    presence.presence_definition.id = definition_id
    PureCloudPlatformClientV2.PresenceApi(client).patch_user_presence(user_id, "PURECLOUD", presence)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10, help="watch the first N users")
    parser.add_argument("--duration", type=float, default=60, help="stop after this many seconds")
    parser.add_argument("--max-events", type=int, default=10, help="stop after this many presence events")
    parser.add_argument("--change-presence", action="store_true",
                        help="change the watched users' presence as a demo (always on with the local emulator)")
    args = parser.parse_args()

    with connect() as (client, local):
        users = PureCloudPlatformClientV2.UsersApi(client).get_users(page_size=args.users).entities or []
        names = {user.id: user.name for user in users}
        if not names:
            print("no users to watch")
            return
        done = threading.Event()
        count = itertools.count(1)

        def on_presence(event: NotificationEvent) -> None:
            body = event.event_body  # a PresenceEventUserPresence
            user_id = event.topic_name.split(".")[2]
            system = body.presence_definition.system_presence if body.presence_definition else "?"
            when = body.modified_date.strftime("%H:%M:%S") if body.modified_date else ""
            print(f"{when} {names.get(user_id, user_id)}: {system} {body.message or ''}".rstrip(), flush=True)
            if next(count) >= args.max_events:
                done.set()

        def on_state(state: str, detail: dict) -> None:
            if state in ("disconnected", "rolled_over", "reconnecting"):
                print(f"[{state}] {detail}", flush=True)

        with NotificationHandler(client, on_state_change=on_state) as handler:
            handler.subscribe([f"v2.users.{uid}.presence" for uid in names], on_presence,
                              model="PresenceEventUserPresence")
            print(f"watching {len(names)} users on {len(handler.channels)} channel(s)", flush=True)
            deadline = time.monotonic() + args.duration
            if args.change_presence or local:
                ids = presence_ids(client)
                cycle = itertools.cycle([p for p in ("Away", "Available", "Busy", "Meal") if p in ids])
                for user_id in itertools.cycle(names):
                    set_presence(client, user_id, ids[next(cycle)])
                    if done.wait(1.0) or time.monotonic() > deadline:
                        break
            else:
                done.wait(max(0.0, deadline - time.monotonic()))
        print(f"{handler.stats['delivered']} presence events; {handler.stats['reconnects']} reconnects, "
              f"{handler.stats['rollovers']} channel rollovers")


if __name__ == "__main__":
    main()
