"""The threaded NotificationHandler over real WebSockets against the emulator."""
from __future__ import annotations

import itertools
import queue
import threading

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.notifications import NotificationError, NotificationHandler

from .conftest import States, client_for


def set_presence(client: sdk.ApiClient, user_id: str, system_presence: str) -> None:
    presence_api = sdk.PresenceApi(client)
    definitions = presence_api.get_presence_definitions().entities or []
    definition = next(d for d in definitions if d.system_presence == system_presence)
    body = sdk.UserPresence()
    body.presence_definition = sdk.PresenceDefinition()
    body.presence_definition.id = definition.id
    presence_api.patch_user_presence(user_id, "PURECLOUD", body)


def test_presence_events_typed_through_a_callback(fresh: Emulator, client: sdk.ApiClient) -> None:
    user_id = fresh.admin_user_id
    received: queue.Queue[object] = queue.Queue()
    with NotificationHandler(client) as handler:
        handler.subscribe(f"v2.users.{user_id}.presence", received.put, model=sdk.PresenceEventUserPresence)
        assert [c["topics"] for c in fresh.channels()] == [[f"v2.users.{user_id}.presence"]]
        set_presence(client, user_id, "Busy")
        event = received.get(timeout=30)
        assert event.topic_name == f"v2.users.{user_id}.presence"
        assert isinstance(event.event_body, sdk.PresenceEventUserPresence)
        assert event.event_body.presence_definition.system_presence == "Busy"
        assert event.correlation_id and event.channel_id == handler.channels[0].id
        set_presence(client, user_id, "Away")
        assert received.get(timeout=30).event_body.presence_definition.system_presence == "Away"
    # Stopping closes the socket and drops the subscriptions.
    assert all(not c["connected"] and c["topics"] == [] for c in fresh.channels())


def test_iterator_json_view_combined_topic_and_unknown_fields(fresh: Emulator, client: sdk.ApiClient) -> None:
    user_id = fresh.admin_user_id
    handler = NotificationHandler(client)
    handler.subscribe(f"v2.users.{user_id}?presence&routingStatus")  # before start: recorded only
    with handler:
        fresh.publish(f"v2.users.{user_id}.routingStatus", {"routingStatus": {"status": "IDLE"}, "brandNew": [1]})
        event = handler.next_event(timeout=30)
        assert event.event_body.routing_status.status == "IDLE"
        assert event.event_body.brand_new == [1] and event.event_body["brandNew"] == [1]
        fresh.publish(f"v2.users.{user_id}.presence", {"n": 1})
        fresh.publish(f"v2.users.{user_id}.presence", {"n": 2})
        assert [e.event_body.n for e in itertools.islice(handler.events(timeout=30), 2)] == [1, 2]
        with pytest.raises(TimeoutError):
            handler.next_event(timeout=0.05)


def test_pattern_callbacks_and_unsubscribe(fresh: Emulator, client: sdk.ApiClient) -> None:
    users = [u["id"] for u in fresh.entities("/api/v2/users")][:3]
    by_pattern: queue.Queue[str] = queue.Queue()
    with NotificationHandler(client) as handler:
        handler.on("v2.users.*.presence", lambda e: by_pattern.put(e.topic_name))
        handler.subscribe([f"v2.users.{u}.presence" for u in users] + [f"v2.users.{users[0]}.routingStatus"])
        for u in users:
            fresh.publish(f"v2.users.{u}.presence", {})
        assert sorted(by_pattern.get(timeout=30) for _ in users) == sorted(f"v2.users.{u}.presence" for u in users)
        fresh.publish(f"v2.users.{users[0]}.routingStatus", {"r": 1})
        assert handler.next_event(timeout=30).event_body.r == 1  # no callback matched: queued
        handler.unsubscribe([f"v2.users.{u}.presence" for u in users[1:]])
        assert sorted(fresh.channels()[0]["topics"]) == sorted(
            [f"v2.users.{users[0]}.presence", f"v2.users.{users[0]}.routingStatus"])
        assert fresh.publish(f"v2.users.{users[1]}.presence", {}) == 0


def test_callback_errors_do_not_stop_delivery(fresh: Emulator, client: sdk.ApiClient, caplog) -> None:
    got: queue.Queue[int] = queue.Queue()

    def flaky(event) -> None:
        if event.event_body.n == 1:
            raise RuntimeError("boom")
        got.put(event.event_body.n)

    with NotificationHandler(client) as handler:
        handler.subscribe("v2.users.x.presence", flaky)
        fresh.publish("v2.users.x.presence", {"n": 1})
        fresh.publish("v2.users.x.presence", {"n": 2})
        assert got.get(timeout=30) == 2
    assert "callback for v2.users.x.presence failed" in caplog.text


def test_two_thousand_topics_on_two_channels(fresh: Emulator, client: sdk.ApiClient) -> None:
    topics = [f"v2.users.user-{i:04d}.presence" for i in range(2000)]
    with NotificationHandler(client) as handler:
        handler.subscribe(topics)  # one PUT per channel
        channels = fresh.channels()
        assert sorted(len(c["topics"]) for c in channels) == [1000, 1000]
        assert all(c["connected"] for c in channels)
        assert len(handler.channels) == 2
        assert fresh.request_count("put_notifications_channel_subscriptions") == 2
        for topic in (topics[0], topics[999], topics[1000], topics[1999]):
            assert fresh.publish(topic, {"t": topic}) == 1
        assert sorted(handler.next_event(30).topic_name for _ in range(4)) == sorted(
            [topics[0], topics[999], topics[1000], topics[1999]])
        # One more topic takes a third channel; removing it drops that channel again.
        handler.subscribe("v2.users.extra.presence")
        assert len(handler.channels) == 3
        handler.unsubscribe("v2.users.extra.presence")
        assert len(handler.channels) == 2


def test_channel_limit(fresh: Emulator, client: sdk.ApiClient) -> None:
    with NotificationHandler(client, max_channels=2, max_topics_per_channel=2) as handler:
        handler.subscribe(["v2.users.a.presence", "v2.users.b.presence", "v2.users.c.presence"])
        assert len(handler.channels) == 2
        with pytest.raises(NotificationError):
            handler.subscribe(["v2.users.d.presence", "v2.users.e.presence"])
        assert handler.topics == ["v2.users.a.presence", "v2.users.b.presence", "v2.users.c.presence"]


def test_subscriptions_batched_across_threads(fresh: Emulator, client: sdk.ApiClient) -> None:
    with NotificationHandler(client) as handler:
        handler.subscribe("v2.users.first.presence")
        fresh.reset_counters()
        # The first request takes a second, so the other callers queue up behind it whatever
        # the machine's speed: what they add goes out together.
        fresh.add_fault("latency", "/api/v2/notifications/channels/*", method="POST", delay=1.0, times=1)
        barrier = threading.Barrier(8)

        def add(i: int) -> None:
            barrier.wait()
            handler.subscribe([f"v2.users.t{i}-{j}.presence" for j in range(10)])

        threads = [threading.Thread(target=add, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(fresh.channels()[0]["topics"]) == 81
        # Concurrent calls coalesce: fewer requests than callers.
        assert fresh.request_count("post_notifications_channel_subscriptions") < 8


def test_rejected_topic_reports_the_error_and_is_forgotten(fresh: Emulator, client: sdk.ApiClient) -> None:
    with NotificationHandler(client) as handler:
        handler.subscribe("v2.users.ok.presence")
        fresh.add_fault(400, "/api/v2/notifications/channels/*", method="POST", times=1)
        with pytest.raises(sdk.ApiException):
            handler.subscribe("v2.users.refused.presence")
        assert handler.topics == ["v2.users.ok.presence"]
        fresh.clear_faults()
        handler.subscribe("v2.users.refused.presence")
        assert fresh.publish("v2.users.refused.presence", {}) == 1


def test_tls_socket_with_the_configuration_ca() -> None:
    with Emulator(tls=True, heartbeat_interval=0.2) as emu:
        client = client_for(emu, ssl_ca_cert=emu.ca_file)
        states = States()
        with NotificationHandler(client, on_state_change=states) as handler:
            handler.subscribe("v2.users.tls.presence")
            assert handler.channels[0].connect_uri.startswith("wss://")
            emu.publish("v2.users.tls.presence", {"secure": True})
            assert handler.next_event(30).event_body.secure is True
        # Without the CA the socket cannot verify the server; the handler keeps retrying.
        bad = client_for(emu, ssl_ca_cert=emu.ca_file)
        bad.configuration.ssl_ca_cert = None
        bad.configuration.ssl_context = None
        with NotificationHandler(bad, connect_timeout=0.5, on_state_change=states) as handler:
            with pytest.raises(NotificationError):
                handler.subscribe("v2.users.tls.presence")
            states.wait("reconnecting")
