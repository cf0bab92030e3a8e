"""The notifications engine against a scripted platform (tests/quality/notif_platform.py): every
kind of frame a socket can carry, refused or failing REST calls and handshakes, sockets that
never answer or break, and what callers see of each. Real HTTP and WebSocket on 127.0.0.1;
waits on states and events, never on sleeps."""
from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.notifications import NotificationError, NotificationHandler
from tests.notifications.conftest import States, wait_until
from tests.quality.notif_platform import TOPIC, Platform

LOGGER = "PureCloudPlatformClientV2.notifications"
OTHER = "v2.users.u2.presence"


@pytest.fixture
def platform() -> Iterator[Platform]:
    with Platform() as running:
        yield running


def test_frames_of_every_kind(platform: Platform, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    states = States()
    with NotificationHandler(platform.client(), ping_interval=None, on_state_change=states) as handler:
        before = time.monotonic()
        handler.subscribe(TOPIC)
        (info,) = handler.channels
        assert 0 <= info.age <= time.monotonic() - before and info.connected
        assert info.connect_uri == f"ws://127.0.0.1:{platform.port}/ws/ch-1"
        platform.send("ch-1", json.dumps({"topicName": TOPIC, "eventBody": {"n": 1}}).encode())  # binary frame
        platform.send("ch-1", "not json")
        platform.send("ch-1", "[1, 2]")
        platform.send("ch-1", {"topicName": "channel.metadata", "eventBody": {"message": "WebSocket Heartbeat"}})
        platform.send("ch-1", {"topicName": "channel.metadata", "eventBody": "pong"})  # not an object: a heartbeat
        platform.send("ch-1", {"topicName": "v2.system.maintenance", "eventBody": {"at": 1}})
        platform.event("ch-1", {"n": 2}, cid="c2")
        platform.event("ch-1", {"n": 2}, cid="c2")  # the same event again
        platform.event("ch-1", {"n": 3})
        assert [handler.next_event(timeout=30).event_body.n for _ in range(3)] == [1, 2, 3]
        # Frames on one socket are handled in order: everything before n=3 has been seen.
        assert handler.stats["events"] == 4 and handler.stats["duplicates"] == 1
        assert handler.stats["heartbeats"] == 2 and handler.stats["pongs"] == 1  # the connect's ping only
        assert states.wait("system_message") == {"channel_id": "ch-1", "topic": "v2.system.maintenance",
                                                 "body": {"at": 1}}
        # A system message other than socket_closing / token_revoked is only reported.
        platform.event("ch-1", {"n": 4})
        assert handler.next_event(timeout=30).channel_id == "ch-1"
        assert handler.stats["rollovers"] == 0 and platform.created == ["ch-1"]
        assert [c.id for c in handler.channels] == ["ch-1"] and handler.channels[0].connected
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == [
        "notifications: ignoring a message that is not JSON on channel ch-1"]


def test_token_revoked_rolls_over_to_a_new_channel(platform: Platform) -> None:
    states = States()
    with NotificationHandler(platform.client(), ping_interval=None, on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        platform.send("ch-1", {"topicName": "v2.system.token_revoked", "eventBody": {}})
        detail = states.wait("rolled_over")
        assert detail == {"channel_id": "ch-2", "replaced": "ch-1", "trigger": "socket_closing"}
        assert platform.subscriptions == {"ch-1": [], "ch-2": [TOPIC]}
        assert handler.stats["rollovers"] == 1 and handler.stats["reconnects"] == 0
        assert handler.stats["unsubscribed_channels"] == 1
        assert [c.id for c in handler.channels] == ["ch-2"]
        platform.event("ch-2", {"n": 5})
        event = handler.next_event(timeout=30)
        assert event.event_body.n == 5 and event.channel_id == "ch-2"


@pytest.mark.parametrize("how", ["malformed frame", "closed by server"])
def test_a_broken_socket_reconnects_to_the_same_channel(platform: Platform, how: str) -> None:
    states = States()
    with NotificationHandler(platform.client(), ping_interval=None, reconnect_delay=0.01,
                             on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        if how == "malformed frame":
            platform.write_raw("ch-1", b"\xf1\x00")  # reserved bits set: a protocol error
        else:
            platform.close("ch-1")
        lost = states.wait("disconnected")
        assert lost["channel_id"] == "ch-1"
        assert lost["reason"].startswith("socket error" if how == "malformed frame" else "closed by server")
        back = states.wait("connected")
        assert back == {"channel_id": "ch-1", "reason": lost["reason"]}
        assert platform.created == ["ch-1"] and platform.handshakes == ["ch-1", "ch-1"]
        # Asked once whether the channel still exists: after the drop, not at the first connect.
        assert [c for c in platform.calls if c[0] == "HEAD"] == [("HEAD", "ch-1", [])]
        assert handler.stats["reconnects"] == 1 and handler.stats["connects"] == 2
        platform.event("ch-1", {"n": 6})
        assert handler.next_event(timeout=30).event_body.n == 6


def test_a_socket_that_never_answers_is_retried(platform: Platform) -> None:
    platform.silent["ch-1"] = 1
    states = States()
    with NotificationHandler(platform.client(), ping_interval=None, connect_timeout=0.5, reconnect_delay=0.01,
                             on_state_change=states) as handler:
        handler.subscribe(TOPIC, wait=False)  # no waiting: the first socket stays silent
        retry = states.wait("reconnecting")
        assert retry["channel_id"] == "ch-1" and retry["attempt"] == 1
        assert "no message after connecting" in retry["error"]
        assert 0.005 <= retry["delay"] <= 0.01  # reconnect_delay, halved at most by the jitter
        back = states.wait("connected")
        assert back["channel_id"] == "ch-1" and back["reason"].startswith("retry after ConnectionError")
        assert platform.created == ["ch-1"] and platform.handshakes == ["ch-1", "ch-1"]
        assert handler.stats["connects"] == 1


def test_subscribe_reports_a_channel_whose_socket_cannot_connect(platform: Platform) -> None:
    platform.refuse["ch-1"] = [500] * 10_000
    states = States()
    with NotificationHandler(platform.client(), ping_interval=None, connect_timeout=1.0, reconnect_delay=0.05,
                             reconnect_delay_max=0.08, on_state_change=states) as handler:
        with pytest.raises(NotificationError, match="channel could not connect: 500"):
            handler.subscribe(TOPIC)
        # Backoff: 0.05 s doubling, capped at 0.08 s, each with up to half taken off by jitter.
        retries = [states.wait("reconnecting") for _ in range(3)]
        assert [r["attempt"] for r in retries] == [1, 2, 3]
        assert 0.025 <= retries[0]["delay"] <= 0.05
        assert 0.04 <= retries[1]["delay"] <= 0.08 and 0.04 <= retries[2]["delay"] <= 0.08
        assert handler.topics == [TOPIC]  # still wanted: the handler keeps retrying
        (info,) = handler.channels
        assert info.id == "ch-1" and info.topics == 1 and not info.connected


@pytest.mark.parametrize("kind", ["create", "PUT"])
def test_a_channel_that_cannot_be_made_leaves_nothing_behind(platform: Platform, kind: str) -> None:
    with NotificationHandler(platform.client()) as handler:
        platform.fail[kind] = [400]
        with pytest.raises(sdk.ApiException) as caught:
            handler.subscribe([TOPIC, OTHER])
        assert caught.value.status == 400
        assert handler.topics == [] and handler.channels == []
        handler.subscribe(OTHER)
        assert [c.topics for c in handler.channels] == [1]
        assert platform.subscriptions[handler.channels[0].id] == [OTHER]


@pytest.mark.parametrize("change", ["add", "remove"])
def test_subscriptions_on_a_vanished_channel_move_to_a_new_one(platform: Platform, change: str) -> None:
    states = States()
    with NotificationHandler(platform.client(), ping_interval=None, on_state_change=states) as handler:
        handler.subscribe([TOPIC] if change == "add" else [TOPIC, OTHER])
        platform.fail["POST" if change == "add" else "PUT"] = [404]
        if change == "add":
            handler.subscribe(OTHER)  # no error: the channel is replaced
        else:
            handler.unsubscribe(OTHER)
        detail = states.wait("rolled_over")
        assert detail["replaced"] == "ch-1" and detail["channel_id"] == "ch-2"
        assert platform.subscriptions["ch-2"] == ([TOPIC, OTHER] if change == "add" else [TOPIC])
        assert handler.stats["reconnects"] == 0


@pytest.mark.parametrize("change", ["add", "remove"])
def test_a_refused_subscription_change_is_reported(platform: Platform, change: str) -> None:
    with NotificationHandler(platform.client(), ping_interval=None, max_topics_per_channel=2) as handler:
        handler.subscribe([TOPIC] if change == "add" else [TOPIC, OTHER])
        platform.fail["POST" if change == "add" else "PUT"] = [400]
        with pytest.raises(sdk.ApiException):
            if change == "add":
                handler.subscribe(OTHER)
            else:
                handler.unsubscribe(OTHER)
        assert handler.topics == [TOPIC]
        assert [c.id for c in handler.channels] == ["ch-1"] and platform.created == ["ch-1"]
        if change == "add":  # the refused topic is forgotten (and its room given back): asked for again, it fits
            handler.subscribe(OTHER)
            assert platform.subscriptions["ch-1"] == [TOPIC, OTHER] and platform.created == ["ch-1"]


def test_unsubscribing_everything_deletes_the_channel_subscriptions(platform: Platform) -> None:
    states = States()
    with NotificationHandler(platform.client(), ping_interval=None, on_state_change=states) as handler:
        handler.subscribe([TOPIC, OTHER])
        handler.unsubscribe([TOPIC, OTHER])
        assert handler.channels == [] and platform.subscriptions["ch-1"] == []
        assert ("DELETE", "ch-1", []) in platform.calls and handler.stats["unsubscribed_channels"] == 1
        handler.subscribe(TOPIC)
        assert [c.id for c in handler.channels] == ["ch-2"]
        states.wait("connected", lambda d: d["channel_id"] == "ch-2")
        # The dropped channel's supervision ended with it: no attempt to bring its socket back.
        assert [s for s, _ in states.seen if s in ("disconnected", "reconnecting")] == []
        assert handler.stats["reconnects"] == 0 and platform.handshakes == ["ch-1", "ch-2"]


@pytest.mark.parametrize(("status", "warned"), [(400, True), (404, False)])
def test_stop_when_removing_subscriptions_fails(platform: Platform, caplog: pytest.LogCaptureFixture,
                                                status: int, warned: bool) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    handler = NotificationHandler(platform.client(), ping_interval=None)
    with handler:
        handler.subscribe(TOPIC)
        platform.fail["DELETE"] = [status]
    assert not handler.running
    assert handler.stats["unsubscribed_channels"] == 0
    warnings = [r.getMessage() for r in caplog.records if "could not remove" in r.getMessage()]
    assert len(warnings) == (1 if warned else 0)
    if warned:
        assert warnings[0].startswith("notifications: could not remove the subscriptions of channel ch-1")


def test_stop_can_keep_the_subscriptions(platform: Platform) -> None:
    with NotificationHandler(platform.client(), ping_interval=None, delete_subscriptions_on_stop=False) as handler:
        handler.subscribe(TOPIC)
    assert platform.subscriptions == {"ch-1": [TOPIC]}
    assert [c for c in platform.calls if c[0] == "DELETE"] == []


def test_fragmented_channels_report_no_room(platform: Platform) -> None:
    with NotificationHandler(platform.client(), ping_interval=None, max_channels=2,
                             max_topics_per_channel=3) as handler:
        handler.subscribe("v2.users.a?presence&routingStatus")
        handler.subscribe("v2.users.b?presence&routingStatus")  # 2 + 2 > 3: a second channel
        assert [c.topics for c in handler.channels] == [1, 1]
        with pytest.raises(NotificationError, match=r"no room for 'v2.users.c\?presence&routingStatus': 2 channels"):
            handler.subscribe("v2.users.c?presence&routingStatus")  # the capacity (6) allows it; the channels do not
        assert handler.topics == ["v2.users.a?presence&routingStatus", "v2.users.b?presence&routingStatus"]
        handler.subscribe("v2.users.d.presence")  # fits the first channel exactly
        assert [c.topics for c in handler.channels] == [2, 1] and platform.created == ["ch-1", "ch-2"]


def test_a_failing_channel_check_is_retried(platform: Platform) -> None:
    states = States()
    with NotificationHandler(platform.client(), ping_interval=None, reconnect_delay=0.01,
                             on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        platform.fail["HEAD"] = [400]
        platform.close("ch-1")
        retry = states.wait("reconnecting")
        assert retry["channel_id"] == "ch-1" and "400" in retry["error"]
        assert states.wait("connected")["channel_id"] == "ch-1"
        assert platform.created == ["ch-1"] and [c for c in platform.calls if c[0] == "HEAD"] == [
            ("HEAD", "ch-1", []), ("HEAD", "ch-1", [])]


def test_a_replacement_whose_socket_is_refused_is_undone_and_tried_again(platform: Platform) -> None:
    platform.refuse["ch-2"] = [500]
    states = States()
    with NotificationHandler(platform.client(), ping_interval=None, reconnect_delay=0.01,
                             on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        platform.send("ch-1", {"topicName": "v2.system.socket_closing", "eventBody": {}})
        detail = states.wait("rolled_over")
        assert detail == {"channel_id": "ch-3", "replaced": "ch-1", "trigger": "socket_closing"}
        assert platform.subscriptions == {"ch-1": [], "ch-2": [], "ch-3": [TOPIC]}
        assert handler.stats["channels_created"] == 3 and handler.stats["rollovers"] == 1
        assert [c.id for c in handler.channels] == ["ch-3"]


def test_a_refused_handshake_after_a_drop_moves_the_topics(platform: Platform) -> None:
    states = States()
    with NotificationHandler(platform.client(), ping_interval=None, reconnect_delay=0.01,
                             on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        platform.refuse["ch-1"] = [410]
        platform.close("ch-1")
        detail = states.wait("connected", lambda d: d["reason"] != "initial")
        assert detail == {"channel_id": "ch-2", "reason": "new channel (closed by server)", "replaced": "ch-1"}
        # A refused handshake means the channel is gone: nothing is sent to it any more.
        assert platform.subscriptions == {"ch-1": [TOPIC], "ch-2": [TOPIC]}
        assert ("DELETE", "ch-1", []) not in platform.calls and platform.handshakes == ["ch-1", "ch-1", "ch-2"]
        assert [c.id for c in handler.channels] == ["ch-2"]


def test_the_threaded_front_lifecycle(platform: Platform) -> None:
    with pytest.raises(TypeError, match="AsyncNotificationHandler"):
        NotificationHandler(object())  # type: ignore[arg-type]
    assert NotificationHandler().api_client is not None  # a default ApiClient
    handler = NotificationHandler(platform.client(), ping_interval=None)
    handler.subscribe(TOPIC)
    platform.fail["create"] = [400]
    with pytest.raises(sdk.ApiException):
        handler.start()
    assert not handler.running
    with pytest.raises(NotificationError, match="stopped"):
        handler.start()
    with pytest.raises(NotificationError, match="stopped"):
        handler.next_event(timeout=0)
    assert list(handler.events(timeout=0)) == []
    handler.stop()  # twice: nothing happens

    second = NotificationHandler(platform.client(), ping_interval=None)
    assert second.start() is second and second.start() is second and second.running
    with pytest.raises(TimeoutError):
        second.next_event(timeout=0)
    second.stop()
    assert not second.running


def test_a_callback_may_stop_the_handler(platform: Platform) -> None:
    stopped = threading.Event()
    handler = NotificationHandler(platform.client(), ping_interval=None)

    def on_event(event: object) -> None:
        handler.stop()
        stopped.set()

    handler.start()
    handler.subscribe(TOPIC, on_event)
    platform.event("ch-1", {"n": 1})
    assert stopped.wait(30)
    assert not handler.running
    wait_until(lambda: not handler._dispatcher.is_alive(), what="the dispatcher ended")  # type: ignore[union-attr]


def test_callbacks_registered_removed_and_failing(platform: Platform, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger=LOGGER)
    seen: list[tuple[str, int]] = []

    def first(event: object) -> None:
        seen.append(("first", event.event_body.n))  # type: ignore[attr-defined]

    def second(event: object) -> None:
        seen.append(("second", event.event_body.n))  # type: ignore[attr-defined]

    def on_state(state: str, detail: dict) -> None:
        raise RuntimeError("state callback broke")

    combined = "v2.users.u1?presence&routingStatus"
    with NotificationHandler(platform.client(), ping_interval=None, on_state_change=on_state) as handler:
        handler.subscribe(TOPIC, first)
        handler.subscribe(combined, second)  # also v2.users.u1.presence
        handler.on("v2.users.*.presence", first)  # already called for the topic: not twice
        platform.event("ch-1", {"n": 1})
        wait_until(lambda: len(seen) == 2, what="two callbacks")
        assert seen == [("first", 1), ("second", 1)]
        handler.unsubscribe(combined)  # its callback goes; the other topic's stays
        platform.event("ch-1", {"n": 2})
        wait_until(lambda: len(seen) == 3, what="one callback")
        handler.remove_callback(first)  # from the topic and the pattern
        handler.subscribe(combined, second)
        platform.event("ch-1", {"n": 3})
        platform.event("ch-1", {"n": 4}, topic="v2.users.u1.routingStatus")
        wait_until(lambda: len(seen) == 5, what="two more callbacks")
        assert seen[2:] == [("first", 2), ("second", 3), ("second", 4)]
        assert handler.stats["delivered"] == 4
        with pytest.raises(TimeoutError):
            handler.next_event(timeout=0)  # nothing went to the queue: each had a callback
    assert any(r.getMessage() == "on_state_change callback failed" for r in caplog.records)


def test_a_subscribe_timeout_and_a_stop_before_start(platform: Platform) -> None:
    never = NotificationHandler(platform.client())
    never.stop()  # never started: nothing to stop
    assert not never.running
    with pytest.raises(NotificationError, match="stopped"):
        never.start()
    with NotificationHandler(platform.client(), ping_interval=None) as handler:
        handler.subscribe(TOPIC)
        platform.stall.add("POST")
        try:
            with pytest.raises(TimeoutError):
                handler.subscribe(OTHER, timeout=0.2)  # the platform holds the request
        finally:
            platform.release()
        # The timed-out change is cancelled: the topic is not wanted any more.
        wait_until(lambda: handler.topics == [TOPIC], what="the timed-out topic forgotten")
        handler.subscribe("v2.users.u3.presence")
        assert handler.topics == [TOPIC, "v2.users.u3.presence"]
        wait_until(lambda: "v2.users.u3.presence" in platform.subscriptions["ch-1"], what="the later topic")


def test_a_bad_ca_file_fails_the_start(platform: Platform, tmp_path) -> None:
    client = sdk.ApiClient(configuration=sdk.Configuration.new(host=platform.url, live_reload_config=False,
                                                               ssl_ca_cert=str(tmp_path / "missing.pem")))
    handler = NotificationHandler(client, ping_interval=None)
    with pytest.raises(FileNotFoundError):
        handler.start()
    assert not handler.running and platform.created == []


def test_a_rollover_reads_the_old_socket_until_it_ends(platform: Platform) -> None:
    # The old socket keeps delivering (heartbeats every 0.05 s) but never answers the drain's
    # ping: the handler keeps reading it past connect_timeout, and what it carries is delivered.
    platform.heartbeat = 0.05
    platform.mute.add("ch-1")
    states = States()
    with NotificationHandler(platform.client(), ping_interval=None, connect_timeout=0.5,
                             on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        platform.send("ch-1", {"topicName": "v2.system.socket_closing", "eventBody": {}})
        states.wait("rollover_started")
        wait_until(lambda: platform.pings.get("ch-2") and platform.pings.get("ch-1") == 2,
                   what="the new socket up and the old one pinged")
        beats = handler.stats["heartbeats"]
        # Twenty heartbeats take at least a second: two drain periods with no pong.
        wait_until(lambda: handler.stats["heartbeats"] >= beats + 20, what="twenty heartbeats")
        platform.event("ch-1", {"n": 1}, cid="late")
        assert handler.next_event(timeout=30).event_body.n == 1
        assert handler.stats["rollovers"] == 0  # still draining
        platform.close("ch-1")
        assert states.wait("rolled_over") == {"channel_id": "ch-2", "replaced": "ch-1", "trigger": "socket_closing"}
        assert platform.subscriptions["ch-1"] == [] and handler.stats["reconnects"] == 0


def test_a_channel_that_arrives_expired_is_replaced_before_its_socket_opens(platform: Platform) -> None:
    platform.expires_in["ch-1"] = -60.0
    states = States()
    with NotificationHandler(platform.client(), ping_interval=None, on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        detail = states.wait("connected")
        assert detail == {"channel_id": "ch-2", "reason": "new channel (initial)", "replaced": "ch-1"}
        assert platform.handshakes == ["ch-2"]
        assert platform.subscriptions == {"ch-1": [], "ch-2": [TOPIC]}
        assert [c.id for c in handler.channels] == ["ch-2"]


def test_the_platform_expiry_comes_before_the_channel_lifetime(platform: Platform) -> None:
    # The channel expires in 3 s (channel_lifetime is a day): it is replaced half-way, for age.
    platform.expires_in["ch-1"] = 3.0
    states = States()
    with NotificationHandler(platform.client(), ping_interval=None, on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        assert platform.handshakes == ["ch-1"]
        assert states.wait("rolled_over") == {"channel_id": "ch-2", "replaced": "ch-1", "trigger": "channel_age"}
        assert handler.stats["reconnects"] == 0


def test_removed_topics_give_their_room_back(platform: Platform) -> None:
    with NotificationHandler(platform.client(), ping_interval=None, max_topics_per_channel=3) as handler:
        handler.subscribe(["v2.users.a?presence&routingStatus", "v2.users.b.presence"])  # 3 of 3
        handler.unsubscribe("v2.users.a?presence&routingStatus")
        assert platform.subscriptions["ch-1"] == ["v2.users.b.presence"]
        handler.subscribe("v2.users.c?presence&routingStatus")  # 1 + 2: fits
        assert platform.created == ["ch-1"] and [c.topics for c in handler.channels] == [2]


def test_subscribe_waits_through_a_failed_connect(platform: Platform) -> None:
    # The first socket answers nothing: its connect gives up after connect_timeout and the
    # retry succeeds, within the twice connect_timeout subscribe waits.
    platform.silent["ch-1"] = 1
    with NotificationHandler(platform.client(), ping_interval=None, connect_timeout=2.0,
                             reconnect_delay=0.01) as handler:
        handler.subscribe(TOPIC)
        assert handler.channels[0].connected and platform.handshakes == ["ch-1", "ch-1"]


def test_a_replacement_that_cannot_subscribe_is_undone_and_tried_again(platform: Platform) -> None:
    states = States()
    with NotificationHandler(platform.client(), ping_interval=None, reconnect_delay=0.01,
                             on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        platform.fail["PUT"] = [400]
        platform.send("ch-1", {"topicName": "v2.system.socket_closing", "eventBody": {}})
        assert "400" in states.wait("reconnecting")["error"]
        assert states.wait("rolled_over") == {"channel_id": "ch-3", "replaced": "ch-1", "trigger": "socket_closing"}
        assert [c.id for c in handler.channels] == ["ch-3"] and "ch-2" not in platform.subscriptions
        assert platform.handshakes == ["ch-1", "ch-3"]


def test_a_frame_beyond_16_mib_ends_the_socket(platform: Platform) -> None:
    states = States()
    with NotificationHandler(platform.client(), ping_interval=None, reconnect_delay=0.01,
                             on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        try:
            platform.event("ch-1", {"pad": "x" * (16 << 20)})
        except ConnectionError:
            pass  # the handler may drop the connection before the frame is all sent
        lost = states.wait("disconnected")
        assert lost["reason"].startswith("socket error")
        states.wait("connected")
        platform.event("ch-1", {"n": 1})
        assert handler.next_event(timeout=30).event_body.n == 1  # the big one was not delivered


def test_one_unsubscribe_across_channels(platform: Platform) -> None:
    with NotificationHandler(platform.client(), ping_interval=None, max_topics_per_channel=2) as handler:
        handler.subscribe([TOPIC, OTHER, "v2.users.u3.presence", "v2.users.u4.presence"])  # two channels
        assert platform.created == ["ch-1", "ch-2"]
        handler.unsubscribe([TOPIC, OTHER, "v2.users.u3.presence"])  # the first channel empties
        assert [(c.id, c.topics) for c in handler.channels] == [("ch-2", 1)]
        assert platform.subscriptions == {"ch-1": [], "ch-2": ["v2.users.u4.presence"]}


def test_pings_keep_their_interval(platform: Platform) -> None:
    with NotificationHandler(platform.client(), ping_interval=0.5) as handler:
        handler.subscribe(TOPIC)
        wait_until(lambda: platform.pings.get("ch-1", 0) >= 3, what="the connect's ping and two more")
        handshake, _connect_ping, _first, second = platform.times["ch-1"][:4]
        # Lower bounds only (a slow machine makes them longer): the second interval ping left
        # at least two intervals after the socket opened.
        assert second - handshake >= 1.0
        wait_until(lambda: handler.stats["pongs"] >= 3, what="three pongs")


def test_a_socket_is_watched_again_after_a_pause(platform: Platform) -> None:
    # Five events into a backlog of four: the reader pauses once, resumes when the consumer
    # has taken half, and from then on the silence of the socket (no heartbeats here) counts.
    states = States()
    with NotificationHandler(platform.client(), queue_size=4, heartbeat_timeout=1.0, ping_interval=None,
                             on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        for n in range(5):
            platform.event("ch-1", {"n": n})
        states.wait("queue_full")
        assert [handler.next_event(timeout=30).event_body.n for _ in range(5)] == list(range(5))
        assert handler.stats["pauses"] == 1
        assert states.wait("disconnected")["reason"] == "no heartbeat for 1s"
        assert states.wait("connected")["channel_id"] == "ch-1"


class _Jitter:
    """Stands in for the engine's ``random``: the jitter always takes its lowest or highest value."""

    def __init__(self, high: bool) -> None:
        self.high = high

    def uniform(self, low: float, high: float) -> float:
        return high if self.high else low


@pytest.mark.parametrize("high", [False, True], ids=["least-jitter", "most-jitter"])
def test_backoff_doubles_up_to_the_cap(platform: Platform, monkeypatch: pytest.MonkeyPatch, high: bool) -> None:
    from PureCloudPlatformClientV2.notifications import engine as engine_module
    monkeypatch.setattr(engine_module, "random", _Jitter(high))
    platform.refuse["ch-1"] = [500] * 10_000
    states = States()
    with NotificationHandler(platform.client(), ping_interval=None, reconnect_delay=0.02, reconnect_delay_max=0.1,
                             on_state_change=states) as handler:
        handler.subscribe(TOPIC, wait=False)
        delays = [states.wait("reconnecting")["delay"] for _ in range(5)]
    ceilings = [0.02, 0.04, 0.08, 0.1, 0.1]  # 0.02 doubling, capped at 0.1
    assert delays == pytest.approx([c if high else c / 2 for c in ceilings])


def test_a_rollover_gives_up_on_an_old_socket_that_stays_silent(platform: Platform) -> None:
    # The old socket neither answers the drain's ping nor delivers anything: after
    # connect_timeout the rollover ends without it.
    platform.mute.add("ch-1")
    states = States()
    with NotificationHandler(platform.client(), ping_interval=None, connect_timeout=0.5,
                             on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        platform.send("ch-1", {"topicName": "v2.system.socket_closing", "eventBody": {}})
        assert states.wait("rolled_over") == {"channel_id": "ch-2", "replaced": "ch-1", "trigger": "socket_closing"}
        assert platform.pings["ch-1"] == 2 and platform.subscriptions["ch-1"] == []
