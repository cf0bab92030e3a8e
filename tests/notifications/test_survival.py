"""What keeps a handler alive for days: rollover, socket_closing, lost heartbeats, dropped
sockets, vanished channels and expired tokens, over real WebSockets against the emulator."""
from __future__ import annotations

import time

import pytest

from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.notifications import NotificationHandler

from .conftest import States, client_for, wait_until

TOPIC = "v2.users.survivor.presence"


@pytest.mark.parametrize("shared_body", [False, True], ids=["distinct-bodies", "one-body"])
def test_rollover_at_a_short_channel_lifetime_loses_nothing_while_publishing(shared_body: bool) -> None:
    # Channels expire after 3 s on this emulator; the handler replaces each one half-way through.
    # Bounded work: four batches of events, each after the next rollover (waited for, with a
    # generous limit), so the events straddle three rollovers however fast the machine is.
    # With one body for all, the events differ only by identity (their correlation ids): none
    # may be taken for a duplicate.
    with Emulator(heartbeat_interval=0.2, channel_lifetime=3.0) as emu:
        states = States()
        with NotificationHandler(client_for(emu), on_state_change=states) as handler:
            handler.subscribe(TOPIC)
            first = handler.channels[0].id
            published = 0
            for batch in range(4):
                for _ in range(100):
                    assert emu.publish(TOPIC, {"status": "Busy"} if shared_body else {"seq": published}) >= 1
                    published += 1
                if batch < 3:
                    states.wait("rolled_over", timeout=60)
            events = [handler.next_event(timeout=30) for _ in range(published)]
            if shared_body:
                assert len({e.correlation_id for e in events}) == published
            else:
                assert [e.event_body.seq for e in events] == list(range(published))  # each once, in order
            with pytest.raises(TimeoutError):
                handler.next_event(timeout=0.2)  # and nothing more
            assert handler.stats["rollovers"] >= 3 and handler.stats["reconnects"] == 0
            assert handler.stats["events"] - handler.stats["duplicates"] == published
            assert handler.stats["dropped"] == 0
            assert handler.channels[0].id != first
            # The replaced channels keep no subscriptions (those not expired yet are still listed).
            views = emu.channels()
            live = [c for c in views if c["connected"]]
            assert [c["id"] for c in live] == [handler.channels[0].id] and live[0]["topics"] == [TOPIC]
            assert all(c["topics"] == [] for c in views if not c["connected"])


def test_rollover_and_stop_remove_the_subscriptions_of_replaced_channels(fresh: Emulator) -> None:
    states = States()
    with NotificationHandler(client_for(fresh), reconnect_delay=0.05, on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        first = handler.channels[0].id
        assert fresh.close_socket(first, notice=True, delay=30.0)  # planned rollover
        second = states.wait("rolled_over")["channel_id"]
        fresh.close_socket(second, notice=False, delay=0)  # a drop: the same channel again
        states.wait("connected", lambda d: d["reason"] != "initial")
        assert fresh.close_socket(second, notice=True, delay=30.0)
        third = states.wait("rolled_over")["channel_id"]
        topics = {c["id"]: c["topics"] for c in fresh.channels()}
        assert topics == {first: [], second: [], third: [TOPIC]}
        assert handler.stats["unsubscribed_channels"] == 2
    assert {c["id"]: c["topics"] for c in fresh.channels()} == {first: [], second: [], third: []}
    assert fresh.publish(TOPIC, {}) == 0


def test_socket_closing_opens_a_new_channel_before_the_old_socket_goes(fresh: Emulator) -> None:
    states = States()
    with NotificationHandler(client_for(fresh), on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        old = handler.channels[0].id
        assert fresh.close_socket(old, notice=True, delay=60.0)
        detail = states.wait("rolled_over")
        assert detail["replaced"] == old and detail["trigger"] == "socket_closing"
        new = handler.channels[0].id
        assert new != old and [c.id for c in handler.channels] == [new]
        # The old socket was closed by us, long before the server's 60 s deadline.
        wait_until(lambda: not next(c for c in fresh.channels() if c["id"] == old)["connected"],
                   what="the old socket closed")
        assert fresh.publish(TOPIC, {"after": True}) == 1
        assert handler.next_event(timeout=30).event_body.after is True
        assert handler.stats["reconnects"] == 0


def test_lost_heartbeats_trigger_a_reconnect() -> None:
    # The server sends no heartbeat for a minute; the handler's watchdog gives up after 1 s.
    with Emulator(heartbeat_interval=60) as emu:
        states = States()
        with NotificationHandler(client_for(emu), heartbeat_timeout=1.0, ping_interval=None,
                                 on_state_change=states) as handler:
            handler.subscribe(TOPIC)
            channel = handler.channels[0].id
            lost = states.wait("disconnected")
            assert "no heartbeat" in lost["reason"]
            back = states.wait("connected", lambda d: d["reason"] != "initial")
            assert back["channel_id"] == channel  # the channel still exists: same channel, new socket
            assert handler.stats["reconnects"] >= 1


def test_pings_keep_a_quiet_socket_alive() -> None:
    with Emulator(heartbeat_interval=60) as emu:
        with NotificationHandler(client_for(emu), heartbeat_timeout=2.0, ping_interval=0.1) as handler:
            handler.subscribe(TOPIC)
            started = time.monotonic()
            # Alive for twice the watchdog's limit without a heartbeat: only the pongs kept it so.
            # (A ping every 0.1 s leaves a 20x margin for a slow machine.)
            wait_until(lambda: handler.stats["pongs"] >= 10 and time.monotonic() - started > 4.0,
                       what="ten pongs and 4 s")
            assert handler.stats["reconnects"] == 0 and handler.stats["heartbeats"] == 0
            emu.publish(TOPIC, {"i": 1})
            assert handler.next_event(timeout=30).event_body.i == 1


def test_dropped_socket_without_notice_reconnects_to_the_same_channel(fresh: Emulator) -> None:
    states = States()
    with NotificationHandler(client_for(fresh), reconnect_delay=0.05, on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        channel = handler.channels[0].id
        assert fresh.close_socket(channel, notice=False, delay=0)
        states.wait("disconnected")
        states.wait("connected", lambda d: d["reason"] != "initial")
        assert handler.channels[0].id == channel
        assert fresh.publish(TOPIC, {"ok": 1}) == 1
        assert handler.next_event(timeout=30).event_body.ok == 1


def test_expired_channel_is_replaced_and_resubscribed(fresh: Emulator) -> None:
    states = States()
    with NotificationHandler(client_for(fresh), reconnect_delay=0.05, on_state_change=states) as handler:
        handler.subscribe([TOPIC, "v2.users.other.presence"])
        old = handler.channels[0].id
        assert fresh.expire_channel(old)  # notice, socket closed, channel gone (404 from now on)
        # The notice starts a rollover; the channel being gone may also surface as a reconnect.
        states.wait(("rolled_over", "connected"), lambda d: d["channel_id"] != old)
        new = handler.channels[0].id
        assert new != old
        assert sorted(next(c for c in fresh.channels() if c["id"] == new)["topics"]) == sorted(
            [TOPIC, "v2.users.other.presence"])
        assert fresh.publish(TOPIC, {"n": 1}) == 1
        assert handler.next_event(timeout=30).event_body.n == 1


def test_channel_gone_without_notice_and_expired_token(fresh: Emulator) -> None:
    """The emulator's reset drops every channel (sockets closed, no notice) and every token: the
    handler's HEAD gets 401, the SDK renews the token, the HEAD then says 404, and the topics
    move to a new channel."""
    client = client_for(fresh)
    states = States()
    with NotificationHandler(client, reconnect_delay=0.05, on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        old = handler.channels[0].id
        token = client.access_token
        assert fresh.token_requests("client_credentials") == 1  # the login
        fresh.reset()  # also zeroes the emulator's counters
        states.wait("connected", lambda d: d["channel_id"] != old)
        assert client.access_token != token
        assert fresh.token_requests("client_credentials") == 1  # one renewal since the reset
        assert fresh.publish(TOPIC, {"n": 2}) == 1
        assert handler.next_event(timeout=30).event_body.n == 2


def test_expired_token_during_a_rollover(fresh: Emulator) -> None:
    client = client_for(fresh)
    states = States()
    with NotificationHandler(client, on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        old = handler.channels[0].id
        before = fresh.token_requests("client_credentials")
        fresh.expire_tokens()
        fresh.close_socket(old, notice=True, delay=60.0)
        states.wait("rolled_over")
        assert fresh.token_requests("client_credentials") == before + 1  # renewed once, by the SDK
        assert handler.stats["reconnects"] == 0
        assert fresh.publish(TOPIC, {"n": 3}) == 1
        assert handler.next_event(timeout=30).event_body.n == 3
