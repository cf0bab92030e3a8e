"""Topic validation, the JSON view, duplicate suppression, models: no sockets needed."""
from __future__ import annotations

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.notifications import (
    JsonObject,
    NotificationError,
    NotificationHandler,
    expand_topic,
    validate_topic,
)
from PureCloudPlatformClientV2.notifications.dedup import Dedup


@pytest.mark.parametrize("topic", [
    "v2.users.8f1b6c1e-2a3b-4c5d-9e8f-0a1b2c3d4e5f.presence",
    "v2.users.abc?presence&routingStatus&station",
    "v2.routing.queues.q-1.conversations",
    "v2.detail.events.conversation.c_1.acw",
])
def test_valid_topics(topic: str) -> None:
    assert validate_topic(topic) == topic


@pytest.mark.parametrize("topic", [
    "v2.users.{id}.presence", "users.1.presence", "v2.users.1 .presence", "v2.users..presence", "v2.",
    "v2.users.1?", "v2.users.1?presence&", "channel.metadata", "v2.system.socket_closing", 42, None,
])
def test_invalid_topics(topic: object) -> None:
    with pytest.raises(ValueError):
        validate_topic(topic)


def test_combined_topics_expand() -> None:
    assert expand_topic("v2.users.u?presence&routingStatus") == ["v2.users.u.presence", "v2.users.u.routingStatus"]
    assert expand_topic("v2.users.u.presence") == ["v2.users.u.presence"]


def test_subscribe_validates_before_recording() -> None:
    handler = NotificationHandler(sdk.ApiClient(configuration=sdk.Configuration.new(live_reload_config=False)))
    with pytest.raises(ValueError, match="placeholder"):
        handler.subscribe(["v2.users.a.presence", "v2.users.{id}.presence"])
    assert handler.topics == []
    handler.subscribe(["v2.users.a.presence", "v2.users.a.presence", "v2.users.b?presence&routingStatus"])
    assert handler.topics == ["v2.users.a.presence", "v2.users.b?presence&routingStatus"]
    handler.unsubscribe("v2.users.a.presence")
    assert handler.topics == ["v2.users.b?presence&routingStatus"]


def test_capacity_is_checked_at_subscribe() -> None:
    handler = NotificationHandler(sdk.ApiClient(configuration=sdk.Configuration.new(live_reload_config=False)),
                                  max_channels=1, max_topics_per_channel=3)
    handler.subscribe("v2.users.a?presence&routingStatus")
    with pytest.raises(NotificationError, match="capacity"):
        handler.subscribe(["v2.users.b.presence", "v2.users.c.presence"])
    with pytest.raises(ValueError):
        NotificationHandler(max_channels=21)


def test_json_object_reads_wire_and_snake_names_and_keeps_everything() -> None:
    data = {"presenceDefinition": {"systemPresence": "Busy"}, "unknownField": [{"a": 1}], "x": None}
    obj = JsonObject(data)
    assert obj.presence_definition.system_presence == "Busy"
    assert obj.presenceDefinition.systemPresence == "Busy"
    assert obj.unknown_field[0].a == 1
    assert obj["unknownField"][0]["a"] == 1
    assert obj.missing is None and "x" in obj and obj.to_dict() is data
    assert obj == data and obj == JsonObject(dict(data))
    with pytest.raises(AttributeError):
        obj.x = 1
    with pytest.raises(KeyError):
        obj["missing"]


def raw(topic: str, body: object, cid: str | None = None) -> dict:
    message: dict = {"topicName": topic, "eventBody": body}
    if cid:
        message["metadata"] = {"CorrelationId": cid}
    return message


def test_dedup_by_correlation_id_on_any_channel() -> None:
    dedup = Dedup(window=60)
    assert not dedup.duplicate(raw("t", {"n": 1}, "c1"), "ch1")
    assert dedup.duplicate(raw("t", {"n": 1}, "c1"), "ch2")
    assert not dedup.duplicate(raw("t", {"n": 1}, "c2"), "ch1")  # same body, another event


def test_distinct_events_sharing_a_body_all_pass_even_during_an_overlap() -> None:
    dedup = Dedup(window=60)
    dedup.begin_overlap()
    # The same event on both channels (one correlation id), then distinct events, equal bodies.
    assert not dedup.duplicate(raw("t", {"status": "Busy"}, "c1"), "old")
    assert dedup.duplicate(raw("t", {"status": "Busy"}, "c1"), "new")
    assert not dedup.duplicate(raw("t", {"status": "Busy"}, "c2"), "new")
    assert not dedup.duplicate(raw("t", {"status": "Busy"}, "c3"), "old")
    dedup.end_overlap()
    assert not dedup.duplicate(raw("t", {"status": "Busy"}, "c4"), "new")


def test_dedup_by_entity_id_and_version_without_a_correlation_id() -> None:
    dedup = Dedup(window=60)
    assert not dedup.duplicate(raw("t", {"id": "e1", "version": 3, "name": "a"}), "old")
    assert dedup.duplicate(raw("t", {"id": "e1", "version": 3, "name": "a"}), "new")
    assert not dedup.duplicate(raw("t", {"id": "e1", "version": 4, "name": "a"}), "new")  # a new version
    assert not dedup.duplicate(raw("u", {"id": "e1", "version": 3}), "new")  # another topic


def test_body_comparison_is_the_last_resort_across_channels_in_an_overlap() -> None:
    dedup = Dedup(window=60)
    # No identity: outside a rollover, identical bodies are separate events.
    assert not dedup.duplicate(raw("t", {"n": 1}), "old")
    assert not dedup.duplicate(raw("t", {"n": 1}), "old")
    dedup.begin_overlap()
    # Two distinct events with one body, each arriving on both channels in any interleaving:
    # delivered as often as the channel that saw the most of them.
    assert not dedup.duplicate(raw("t", {"n": 2}), "new")
    assert dedup.duplicate(raw("t", {"n": 2}), "old")
    assert not dedup.duplicate(raw("t", {"n": 2}), "old")
    assert dedup.duplicate(raw("t", {"n": 2}), "new")
    assert not dedup.duplicate(raw("u", {"n": 2}), "old")  # another topic
    dedup.end_overlap()
    assert dedup.duplicate(raw("t", {"n": 2}), "new") is False  # a third on "new": more than "old" saw


def test_dedup_windows_expire() -> None:
    dedup = Dedup(window=0.0)
    assert not dedup.duplicate(raw("t", {}, "c"), "a")
    assert not dedup.duplicate(raw("t", {}, "c"), "a")
    dedup.begin_overlap()
    assert not dedup.duplicate(raw("t", {"n": 1}), "a")
    assert not dedup.duplicate(raw("t", {"n": 1}), "b")  # body window 0: nothing remembered


def test_model_by_name_or_class_and_bad_model() -> None:
    handler = NotificationHandler(sdk.ApiClient(configuration=sdk.Configuration.new(live_reload_config=False)))
    handler.subscribe("v2.users.a.presence", model="PresenceEventUserPresence")
    handler.on("v2.users.*.routingStatus", model=sdk.UserRoutingStatusUserRoutingStatus)
    event = handler._parse(raw("v2.users.a.presence", {"presenceDefinition": {"systemPresence": "Busy"},
                                                       "future": 1}), "ch")
    assert isinstance(event.event_body, sdk.PresenceEventUserPresence)
    assert event.event_body.presence_definition.system_presence == "Busy"
    assert event.raw["eventBody"]["future"] == 1  # unknown fields stay in the raw message
    other = handler._parse(raw("v2.users.b.presence", {"a": 1}), "ch")
    assert isinstance(other.event_body, JsonObject)
    routing = handler._parse(raw("v2.users.z.routingStatus", {"routingStatus": {"status": "IDLE"}}), "ch")
    assert routing.event_body.routing_status.status == "IDLE"
    with pytest.raises(TypeError):
        handler.subscribe("v2.users.c.presence", model=dict)
