"""When events arrive faster than they are consumed: the backlog is bounded and its overflow
policy decides; nothing is lost silently. Bounded work, waits on conditions only."""
from __future__ import annotations

import asyncio
import logging
import threading

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.aio import AsyncApiClient
from PureCloudPlatformClientV2.aio.notifications import AsyncNotificationHandler
from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.notifications import NotificationHandler
from PureCloudPlatformClientV2.notifications.backlog import Backlog

from .conftest import States, client_for, wait_until

TOPIC = "v2.users.slow.presence"


def publish(emu: Emulator, count: int, start: int = 0) -> None:
    for seq in range(start, start + count):
        assert emu.publish(TOPIC, {"seq": seq}) == 1


def test_pause_loses_nothing_and_the_paused_socket_survives_its_silence() -> None:
    # Heartbeats every 0.05 s, watchdog at 1 s: while the reader is paused nothing is read,
    # and that silence must not count as a dead socket.
    with Emulator(heartbeat_interval=0.05) as emu:
        states = States()
        with NotificationHandler(client_for(emu), queue_size=5, heartbeat_timeout=1.0, ping_interval=None,
                                 on_state_change=states) as handler:
            handler.subscribe(TOPIC)
            publish(emu, 300)
            full = states.wait("queue_full")
            assert full["policy"] == "pause" and full["queue_size"] == 5 and full["dropped"] == 0
            assert handler.stats["pauses"] >= 1
            assert handler.backlog.pending <= 5 + 1  # the bound, plus at most one read per channel
            # Stay paused for several watchdog periods (the scenario, not a synchronisation).
            threading.Event().wait(2.5)
            assert handler.stats["reconnects"] == 0
            seqs = [handler.next_event(timeout=30).event_body.seq for _ in range(300)]
            assert seqs == list(range(300))
            assert handler.stats["dropped"] == 0 and handler.stats["reconnects"] == 0
            assert states.wait("queue_ok")["dropped"] == 0


@pytest.mark.parametrize(("policy", "kept"), [("drop_newest", range(0, 5)), ("drop_oldest", range(15, 20))])
def test_drop_policies_count_warn_once_and_report(fresh: Emulator, policy: str, kept: range,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    states = States()
    caplog.set_level(logging.DEBUG, logger="PureCloudPlatformClientV2.notifications")
    with NotificationHandler(client_for(fresh), queue_size=5, overflow=policy, on_state_change=states) as handler:
        handler.subscribe(TOPIC)
        publish(fresh, 20)
        wait_until(lambda: handler.stats["dropped"] == 15, what="15 drops")
        full = states.wait("queue_full")
        assert full["policy"] == policy and full["dropped"] == 1
        assert [handler.next_event(timeout=30).event_body.seq for _ in range(5)] == list(kept)
        assert states.wait("queue_ok")["dropped"] == 15
    drops = [r for r in caplog.records if "dropped the" in r.getMessage()]
    assert len(drops) == 15 and [r.levelno for r in drops].count(logging.WARNING) == 1
    assert "stats['dropped']" in drops[0].getMessage()


def test_callbacks_count_against_the_same_bound(fresh: Emulator) -> None:
    gate = threading.Event()
    seen: list[int] = []

    def slow(event: object) -> None:
        gate.wait(30)
        seen.append(event.event_body.seq)  # type: ignore[attr-defined]

    with NotificationHandler(client_for(fresh), queue_size=3, overflow="drop_newest") as handler:
        handler.subscribe(TOPIC, slow)
        publish(fresh, 10)
        wait_until(lambda: handler.stats["dropped"] == 7, what="7 drops")  # one in the callback, two waiting
        gate.set()
        wait_until(lambda: len(seen) == 3, what="three callbacks")
        assert seen == [0, 1, 2] and handler.stats["delivered"] == 3


def test_async_handler_pauses_too(fresh: Emulator) -> None:
    configuration = sdk.Configuration.new(host=fresh.base_url, live_reload_config=False)

    async def main() -> None:
        async with AsyncApiClient(configuration=configuration) as client:
            await client.get_client_credentials_token(fresh.client_id, fresh.client_secret)
            async with AsyncNotificationHandler(client, queue_size=4) as handler:
                await handler.subscribe(TOPIC)
                await asyncio.to_thread(publish, fresh, 100)
                loop = asyncio.get_running_loop()
                deadline = loop.time() + 30
                while handler.stats["pauses"] == 0:  # a condition, polled with a deadline
                    assert loop.time() < deadline, "the reader never paused"
                    await asyncio.sleep(0.01)
                seqs = [(await handler.next_event(timeout=30)).event_body.seq for _ in range(100)]
                assert seqs == list(range(100)) and handler.stats["dropped"] == 0

    asyncio.run(main())


def test_options_are_checked() -> None:
    client = sdk.ApiClient(configuration=sdk.Configuration.new(live_reload_config=False))
    with pytest.raises(ValueError, match="overflow must be one of pause, drop_oldest, drop_newest"):
        NotificationHandler(client, overflow="block")
    with pytest.raises(ValueError, match="queue_size"):
        NotificationHandler(client, queue_size=0)


def test_drop_oldest_takes_the_oldest_waiting_event_of_either_queue() -> None:
    backlog = Backlog(3, "drop_oldest")
    backlog.put_state(("connected", {}))  # states are neither counted nor dropped
    assert backlog.put_event("a", for_callbacks=False) == (None, False)
    backlog.put_event("b", for_callbacks=True)
    backlog.put_event("c", for_callbacks=False)
    assert backlog.put_event("d", for_callbacks=True) == ("a", True)
    assert backlog.put_event("e", for_callbacks=False) == ("b", False)
    assert backlog.take_call(0) == ("connected", {})
    assert backlog.take_call(0) == "d"
    assert [backlog.take_queued(0)[0] for _ in range(2)] == ["c", "e"]
    assert backlog.pending == 1 and backlog.dropped == 2


def test_a_rollover_while_paused_connects_the_new_channel_once_and_loses_nothing() -> None:
    # The channel's age triggers a rollover while the reader is paused: the new socket still
    # reads its first answer (no failed connects, no extra channels), and the old one is read to
    # its end once the consumer catches up.
    with Emulator(heartbeat_interval=0.2, channel_lifetime=4.0) as emu:
        states = States()
        with NotificationHandler(client_for(emu), queue_size=3, on_state_change=states) as handler:
            handler.subscribe(TOPIC)
            publish(emu, 10)
            states.wait("queue_full")
            states.wait("rollover_started")
            wait_until(lambda: handler.stats["connects"] >= 2, what="the new socket up")
            assert handler.stats["channels_created"] == 2 and handler.stats["dropped"] == 0
            assert [handler.next_event(timeout=30).event_body.seq for _ in range(10)] == list(range(10))
            states.wait("rolled_over")
            assert handler.stats["channels_created"] == 2
            publish(emu, 1, start=10)
            assert handler.next_event(timeout=30).event_body.seq == 10
