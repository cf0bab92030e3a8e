"""Duplicate suppression and the backlog, unit by unit (pure logic, no sockets): the rules the
module docs state, one assertion per rule, at the edges where a planted bug would show."""
from __future__ import annotations

import threading

import pytest

from PureCloudPlatformClientV2.notifications import dedup as dedup_module
from PureCloudPlatformClientV2.notifications.backlog import STOP, Backlog
from PureCloudPlatformClientV2.notifications.dedup import Dedup, identity


def raw(topic: str, body: object, meta: object = None) -> dict:
    message: dict = {"topicName": topic, "eventBody": body}
    if meta is not None:
        message["metadata"] = meta
    return message


# -- identity -------------------------------------------------------------------------------
def test_identity_prefers_a_correlation_id() -> None:
    assert identity(raw("t", {"id": "e", "version": 1}, {"CorrelationId": "c1"})) == "c\0c1"
    assert identity({"metadata": {"CorrelationId": "c1"}}) == "c\0c1"


@pytest.mark.parametrize("meta", [{"CorrelationId": ""}, {"CorrelationId": 7}, ["CorrelationId"], "c1", {}])
def test_identity_without_a_usable_correlation_id_falls_back_to_the_entity(meta: object) -> None:
    assert identity(raw("t", {"id": "e", "version": 2}, meta)) == "e\0t\0e\x002"
    assert identity(raw("t", {"n": 1}, meta)) is None


@pytest.mark.parametrize(("body", "expected"), [
    ({"id": "e", "version": 3}, "e\0t\0e\x003"),
    ({"id": "e", "version": "7"}, "e\0t\0e\x007"),
    ({"id": "e", "version": 0}, "e\0t\0e\x000"),
    ({"id": "e", "version": True}, None),
    ({"id": "e", "version": 1.5}, None),
    ({"id": "e", "version": None}, None),
    ({"id": "e"}, None),
    ({"id": "", "version": 1}, None),
    ({"id": 5, "version": 1}, None),
    ({"version": 1}, None),
    (["e", 1], None),
    (None, None),
])
def test_identity_from_entity_and_version(body: object, expected: str | None) -> None:
    assert identity(raw("t", body)) == expected


def test_identity_without_a_topic_name() -> None:
    assert identity({"eventBody": {"id": "e", "version": 1}}) == "e\0\0e\x001"


# -- the identity window and the entry bound --------------------------------------------------
def test_the_oldest_identities_are_forgotten_beyond_max_entries() -> None:
    dedup = Dedup(window=60, max_entries=2)
    for cid in ("c1", "c2", "c3"):
        assert not dedup.duplicate(raw("t", {}, {"CorrelationId": cid}), "a")
    assert dedup.duplicate(raw("t", {}, {"CorrelationId": "c2"}), "b")  # the last two are remembered
    assert dedup.duplicate(raw("t", {}, {"CorrelationId": "c3"}), "b")
    assert not dedup.duplicate(raw("t", {}, {"CorrelationId": "c1"}), "b")  # the first is not


def test_the_oldest_bodies_are_forgotten_beyond_max_entries() -> None:
    dedup = Dedup(window=60, max_entries=2)
    dedup.begin_overlap()
    for n in (1, 2, 3):
        assert not dedup.duplicate(raw("t", {"n": n}), "old")
    assert dedup.duplicate(raw("t", {"n": 2}), "new")
    assert dedup.duplicate(raw("t", {"n": 3}), "new")
    assert not dedup.duplicate(raw("t", {"n": 1}), "new")


def test_a_body_copy_refreshes_its_entry() -> None:
    # The entry is kept by its latest copy: after n=1 is seen again, n=2 is the oldest.
    dedup = Dedup(window=60, max_entries=2)
    dedup.begin_overlap()
    assert not dedup.duplicate(raw("t", {"n": 1}), "old")
    assert not dedup.duplicate(raw("t", {"n": 2}), "old")
    assert dedup.duplicate(raw("t", {"n": 1}), "new")
    assert not dedup.duplicate(raw("t", {"n": 3}), "old")  # n=2 goes
    assert dedup.duplicate(raw("t", {"n": 1}), "x")  # n=1 stays: "old" saw it once, "new" once
    assert not dedup.duplicate(raw("t", {"n": 2}), "new")


def test_identities_outlive_the_body_window() -> None:
    dedup = Dedup(window=60, body_window=0.0)
    assert not dedup.duplicate(raw("t", {}, {"CorrelationId": "c"}), "a")
    assert dedup.duplicate(raw("t", {}, {"CorrelationId": "c"}), "b")
    assert dedup.body_window == 0.0 and dedup.window == 60


def test_the_body_window_is_at_most_the_window() -> None:
    assert Dedup(window=2.0).body_window == 2.0
    assert Dedup(window=60.0).body_window == 5.0


# -- body comparison and overlaps -------------------------------------------------------------
def test_bodies_compare_by_content_not_key_order() -> None:
    dedup = Dedup(window=60)
    dedup.begin_overlap()
    assert not dedup.duplicate(raw("t", {"a": 1, "b": {"x": 1, "y": 2}}), "old")
    assert dedup.duplicate(raw("t", {"b": {"y": 2, "x": 1}, "a": 1}), "new")
    assert not dedup.duplicate(raw("t", {"a": 1, "b": {"x": 1, "y": 3}}), "new")


def test_body_comparison_lasts_the_body_window_after_an_overlap() -> None:
    dedup = Dedup(window=60, body_window=60)
    assert not dedup.duplicate(raw("t", {"n": 1}), "old")
    assert not dedup.duplicate(raw("t", {"n": 1}), "new")  # no overlap yet: separate events
    dedup.begin_overlap()
    dedup.end_overlap()
    assert not dedup.duplicate(raw("t", {"n": 2}), "old")
    assert dedup.duplicate(raw("t", {"n": 2}), "new")  # still within the body window


class Clock:
    """A stand-in for the module's monotonic clock: time moves only when the test says."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(dedup_module, "time", fake)
    return fake


def test_identities_are_remembered_for_exactly_the_window(clock: Clock) -> None:
    dedup = Dedup(window=10)
    assert not dedup.duplicate(raw("t", {}, {"CorrelationId": "c"}), "a")
    clock.now += 10
    assert dedup.duplicate(raw("t", {}, {"CorrelationId": "c"}), "b")  # the first copy's time counts
    clock.now += 0.5
    assert not dedup.duplicate(raw("t", {}, {"CorrelationId": "c"}), "b")


def test_bodies_are_remembered_for_exactly_the_body_window(clock: Clock) -> None:
    dedup = Dedup(window=60, body_window=5)
    dedup.begin_overlap()
    assert not dedup.duplicate(raw("t", {"n": 1}), "old")
    clock.now += 5
    assert dedup.duplicate(raw("t", {"n": 1}), "new")  # refreshed: the latest copy's time counts
    clock.now += 5
    assert dedup.duplicate(raw("t", {"n": 1}), "x")
    clock.now += 5.5
    assert not dedup.duplicate(raw("t", {"n": 1}), "new")  # forgotten: a new event


def test_overlaps_nest_and_never_go_below_zero(clock: Clock) -> None:
    dedup = Dedup(window=60, body_window=5)
    dedup.end_overlap()  # more ends than begins: no open overlap, not a negative count
    clock.now += 6
    assert not dedup.duplicate(raw("t", {"n": 0}), "old")
    assert not dedup.duplicate(raw("t", {"n": 0}), "new")  # closed
    dedup.begin_overlap()
    assert not dedup.duplicate(raw("t", {"n": 1}), "old")
    assert dedup.duplicate(raw("t", {"n": 1}), "new")  # open
    dedup.begin_overlap()
    dedup.end_overlap()
    clock.now += 100
    assert not dedup.duplicate(raw("t", {"n": 2}), "old")
    assert dedup.duplicate(raw("t", {"n": 2}), "new")  # one of two ended: still open
    dedup.end_overlap()
    clock.now += 4.5
    assert not dedup.duplicate(raw("t", {"n": 3}), "old")
    assert dedup.duplicate(raw("t", {"n": 3}), "new")  # closed, but within the body window after it
    clock.now += 0.5
    assert not dedup.duplicate(raw("t", {"n": 4}), "old")
    assert not dedup.duplicate(raw("t", {"n": 4}), "new")  # exactly the body window after: over


# -- backlog ----------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [0, -1, 1.5, "3", None])
def test_backlog_size_must_be_a_positive_int(size: object) -> None:
    with pytest.raises(ValueError, match="queue_size"):
        Backlog(size, "pause")  # type: ignore[arg-type]


def test_backlog_of_one_is_allowed_and_pauses_when_full() -> None:
    backlog = Backlog(1, "pause")
    assert backlog.low == 0
    assert not backlog.must_pause()
    assert backlog.put_event("a", for_callbacks=False) == (None, False)
    assert backlog.must_pause() and backlog.began_episode
    assert backlog.must_pause() and not backlog.began_episode  # the same episode
    woken: list[int] = []
    backlog.on_room = lambda: woken.append(1)
    assert backlog.take_queued(0) == ("a", True)  # down to the low level: the episode ends
    assert woken == [1] and not backlog.want_room


def test_pause_resumes_at_half_the_size() -> None:
    backlog = Backlog(4, "pause")
    woken: list[int] = []
    backlog.on_room = lambda: woken.append(1)
    for n in range(4):
        backlog.put_event(n, for_callbacks=False)
    assert backlog.must_pause()
    assert backlog.take_queued(0) == (0, False) and woken == []  # 3 pending: above half
    assert backlog.take_queued(0) == (1, True) and woken == [1]  # 2 pending: half
    assert backlog.take_queued(0) == (2, False) and woken == [1]  # no episode, nobody waiting


def test_drop_policies_never_pause_and_a_closed_backlog_never_pauses() -> None:
    for policy in ("drop_oldest", "drop_newest"):
        backlog = Backlog(1, policy)
        backlog.put_event("a", for_callbacks=False)
        assert not backlog.must_pause()
    backlog = Backlog(1, "pause")
    backlog.put_event("a", for_callbacks=False)
    backlog.close()
    assert not backlog.must_pause()


def test_drop_newest_keeps_the_waiting_events_and_counts() -> None:
    backlog = Backlog(2, "drop_newest")
    backlog.put_event("a", for_callbacks=False)
    backlog.put_event("b", for_callbacks=True)
    assert backlog.put_event("c", for_callbacks=False) == ("c", True)
    assert backlog.put_event("d", for_callbacks=False) == ("d", False)  # the same episode
    assert backlog.pending == 2 and backlog.dropped == 2
    assert backlog.take_queued(0) == ("a", True)
    assert backlog.take_call(0) == "b"


def test_drop_oldest_spares_the_event_a_callback_is_running_on() -> None:
    backlog = Backlog(1, "drop_oldest")
    backlog.put_event("a", for_callbacks=True)
    assert backlog.take_call(0) == "a"  # running: still pending, not waiting
    assert backlog.put_event("b", for_callbacks=True) == (None, True)  # nothing waiting to drop: kept
    assert backlog.pending == 2 and backlog.dropped == 0
    assert backlog.put_event("c", for_callbacks=False) == ("b", False)
    assert backlog.take_queued(0) == ("c", False)
    assert backlog.done() is True


def test_drop_oldest_picks_the_older_of_the_two_queues() -> None:
    backlog = Backlog(2, "drop_oldest")
    backlog.put_event("q1", for_callbacks=False)
    backlog.put_event("c1", for_callbacks=True)
    assert backlog.put_event("q2", for_callbacks=False)[0] == "q1"
    assert backlog.put_event("c2", for_callbacks=True)[0] == "c1"
    assert backlog.put_event("q3", for_callbacks=False)[0] == "q2"
    assert backlog.take_call(0) == "c2" and backlog.take_queued(0)[0] == "q3"


def test_states_are_neither_counted_nor_dropped() -> None:
    backlog = Backlog(1, "drop_newest")
    notified: list[int] = []
    backlog.notify = lambda: notified.append(1)
    backlog.put_state(("s1", {}))
    backlog.put_event("a", for_callbacks=False)
    backlog.put_state(("s2", {}))
    assert backlog.pending == 1 and len(notified) == 3
    assert backlog.take_call(0) == ("s1", {}) and backlog.take_call(0) == ("s2", {})
    assert backlog.take_call(0) is None


def test_takes_wait_and_end_with_stop() -> None:
    backlog = Backlog(3, "pause")
    assert backlog.take_queued(0) == (None, False) and backlog.take_call(0) is None
    got: list[object] = []
    taker = threading.Thread(target=lambda: got.append(backlog.take_call(None)))
    taker.start()
    backlog.put_event("a", for_callbacks=True)  # wakes the waiting taker
    taker.join(30)
    assert got == ["a"]
    backlog.put_event("b", for_callbacks=False)
    notified: list[int] = []
    woken: list[int] = []
    backlog.notify = lambda: notified.append(1)
    backlog.on_room = lambda: woken.append(1)
    backlog.close()
    assert notified == [1] and woken == [1]
    assert backlog.take_queued(0) == ("b", False)  # what was queued is still delivered
    assert backlog.take_queued(0) == (STOP, False) and backlog.take_call(0) is STOP


def test_no_overlap_is_open_at_first_whatever_the_clock_reads(clock: Clock) -> None:
    clock.now = 0.0  # a monotonic clock may start at zero
    dedup = Dedup(window=60)
    assert not dedup.duplicate(raw("t", {"n": 1}), "old")
    assert not dedup.duplicate(raw("t", {"n": 1}), "new")


def test_drop_oldest_drops_the_very_first_event() -> None:
    backlog = Backlog(1, "drop_oldest")
    assert backlog.put_event("a", for_callbacks=True) == (None, False)  # the first event (sequence 0)
    assert backlog.put_event("b", for_callbacks=True) == ("a", True)
    assert backlog.take_call(0) == "b" and backlog.pending == 1


def test_a_delivered_callback_event_frees_one_place() -> None:
    backlog = Backlog(2, "drop_newest")
    backlog.put_event("a", for_callbacks=True)
    backlog.put_event("b", for_callbacks=True)
    assert backlog.take_call(0) == "a"
    assert backlog.done() is False  # 1 pending: at the low level, but no overflow episode yet
    assert backlog.pending == 1
    assert backlog.put_event("c", for_callbacks=True) == (None, False)
    assert backlog.put_event("d", for_callbacks=True) == ("d", True)  # full again: 2 pending
