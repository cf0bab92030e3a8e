"""Wire values <-> Python values through the public API: dates and times the platform sends,
year-months, unknown enum values, and what can be sent. Responses come over real HTTP."""
from __future__ import annotations

import enum
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.year_month import YearMonth

from .conftest import sync_client
from .scripted_server import USER, Reply, ScriptedServer


def _get_user(fields: dict[str, Any]) -> sdk.User:
    with ScriptedServer(lambda seen: Reply(200, {**USER, **fields})) as server:
        client = sync_client(server.url)
        client.access_token = "t"
        return sdk.UsersApi(client).get_user("u1")


@pytest.mark.parametrize(("wire", "expected"), [
    ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
    ("2024-01-02T03:04:05.123456789Z", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)),
    ("2024-01-02T03:04:05.5+05:30", datetime(2024, 1, 2, 3, 4, 5, 500000,
                                             tzinfo=timezone(timedelta(hours=5, minutes=30)))),
    ("2024-01-02T03:04:05.123456789-0130", datetime(2024, 1, 2, 3, 4, 5, 123456,
                                                    tzinfo=timezone(-timedelta(hours=1, minutes=30)))),
    ("2024-01-02T03:04:05.1234567", datetime(2024, 1, 2, 3, 4, 5, 123456)),
])
def test_datetimes_the_platform_sends_are_parsed(wire: str, expected: datetime) -> None:
    assert _get_user({"dateLastLogin": wire}).date_last_login == expected


@pytest.mark.parametrize("wire", ["2024-13-45T00:00:00Z", "0000-01-01T00:00:00.0000001Z", "yesterday"])
def test_unparseable_datetimes_are_kept_as_text(wire: str) -> None:
    assert _get_user({"dateLastLogin": wire}).date_last_login == wire


def test_unknown_enum_values_read_as_outdated_sdk_version() -> None:
    assert _get_user({"state": "active"}).state == "active"
    assert _get_user({"state": "hibernating"}).state == "outdated_sdk_version"
    assert _get_user({"state": 3}).state == "outdated_sdk_version"


def test_year_months_round_trip() -> None:
    decoded = sdk.ApiClient(configuration=sdk.Configuration.new(live_reload_config=False)).deserialize(
        sdk.rest.RESTResponse(200, "OK", {"Content-Type": "application/json"},
                              b'{"months": ["2025-03", "2025-12-01", "never"]}'), "LongTermRequirements")
    assert decoded.months[:2] == [YearMonth(2025, 3), YearMonth(2025, 12)] and decoded.months[2] == "never"
    body = sdk.LongTermRequirements()
    body.months = [YearMonth(2026, 1), YearMonth.from_date(date(2026, 2, 14))]
    assert sdk.ApiClient().sanitize_for_serialization(body) == {"months": ["2026-01", "2026-02"]}
    month = YearMonth(2026, 2)
    assert (str(month), repr(month), month.to_json(), month.to_str(), month.to_dict()) == (
        "2026-02", "YearMonth(2026, 2)", '"2026-02"', "2026-02", {"year": 2026, "month": 2})
    assert month.to_date() == date(2026, 2, 1) and hash(month) == hash(YearMonth(2026, 2))
    assert month != "2026-02"
    for bad in ((0, 1), (2026, 13), (2026, "1")):
        with pytest.raises(ValueError, match="must be an int"):
            YearMonth(*bad)  # type: ignore[arg-type]


class Color(str, enum.Enum):
    RED = "red"


def test_what_can_be_sent() -> None:
    client = sdk.ApiClient(configuration=sdk.Configuration.new(live_reload_config=False))
    wire = client.sanitize_for_serialization({
        "when": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc), "day": date(2024, 1, 2),
        "tuple": (1, "a"), "enum": Color.RED, "null": sdk.ApiNullValue(), "nested": {"x": [sdk.Contact(address="a")]}})
    assert wire == {"when": "2024-01-02T03:04:05+00:00", "day": "2024-01-02", "tuple": [1, "a"], "enum": "red",
                    "null": None, "nested": {"x": [{"address": "a"}]}}
    with pytest.raises(TypeError, match="cannot send a value of type object"):
        client.sanitize_for_serialization({"bad": object()})


def test_api_null_value_is_one_falsy_marker() -> None:
    null = sdk.ApiNullValue()
    assert null is sdk.ApiNullValue() and not null and null == sdk.ApiNullValue() and null != None  # noqa: E711
    assert repr(null) == "ApiNullValue()" and hash(null) == hash(sdk.ApiNullValue())


def test_unknown_model_name_is_a_lookup_error() -> None:
    client = sdk.ApiClient(configuration=sdk.Configuration.new(live_reload_config=False))
    with pytest.raises(LookupError, match="unknown model 'NoSuchModel'"):
        client.deserialize(sdk.rest.RESTResponse(200, "OK", {}, b'{"a": 1}'), "NoSuchModel")


def test_enum_attributes_check_what_is_assigned() -> None:
    user = sdk.User()
    user.state = "active"
    assert user.state == "active"
    user.state = "retired-in-2030"
    assert user.state == "outdated_sdk_version"
    user.state = sdk.ApiNullValue()
    assert user.state == sdk.ApiNullValue() and sdk.User().state is None


def test_models_compare_by_value_and_convert_both_ways() -> None:
    first = sdk.User.from_wire('{"id": "u1", "name": "A", "addresses": [{"address": "x", "mediaType": "PHONE"}]}')
    second = sdk.User.from_wire({"id": "u1", "name": "A", "addresses": [{"address": "x", "mediaType": "PHONE"}]})
    assert first == second and not (first != second)
    assert first != sdk.Group() and (first == "u1") is False and first.__eq__("u1") is NotImplemented
    assert first.to_wire_dict() == {"id": "u1", "name": "A", "addresses": [{"address": "x", "mediaType": "PHONE"}]}
    assert sdk.User.from_wire(first.to_wire_json()) == first
    assert first.addresses[0].media_type == "PHONE" and "'address': 'x'" in repr(first)
