"""``_serde`` function by function: what each decoder and encoder gives for each kind of input.

Mostly direct calls (serde is pure functions); the last tests check what goes on the wire in a
request body sent to a scripted server on 127.0.0.1. These run with the default, pure-Python
models; tests/quality/test_mut_structs.py covers the msgspec path."""
from __future__ import annotations

import enum
import json
from collections import OrderedDict
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import _model, _serde
from PureCloudPlatformClientV2._serde import (
    decode,
    decode_json,
    decoder,
    decoder_for_model,
    model_class,
    parse_date,
    parse_datetime,
    to_wire,
)
from PureCloudPlatformClientV2.rest import ApiResponseError
from PureCloudPlatformClientV2.year_month import YearMonth

from .conftest import sync_client
from .scripted_server import Reply, ScriptedServer

UTC = timezone.utc


def tz(hours: int, minutes: int = 0) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes))


# -- dates and times ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("wire", "expected"), [
    ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2024-01-02T03:04:05.5+05:30", datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=tz(5, 30))),
    ("2024-01-02T03:04:05", datetime(2024, 1, 2, 3, 4, 5)),
    # what fromisoformat refuses and the ISO pattern reads
    (" 2024-01-02T03:04:05.12Z ", datetime(2024, 1, 2, 3, 4, 5, 120000, tzinfo=UTC)),
    (" 2024-01-02T03:04:05.1234567Z", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
    ("2024-01-02T03:04:05.5 -0130", datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=tz(-1, -30))),
    ("2024-01-02T03:04:05.5 +05", datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=tz(5))),
    ("2024-01-02T03:04:05.5 -05:30", datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=tz(-5, -30))),
    ("2024-01-02T03:04:05.5 +01:30", datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=tz(1, 30))),
    (" 2024-01-02T03:04 +0130", datetime(2024, 1, 2, 3, 4, tzinfo=tz(1, 30))),
    ("2024-01-02 Z", datetime(2024, 1, 2, tzinfo=UTC)),
    (" 2024-01-02", datetime(2024, 1, 2)),
    (" 2024-01-02T03:04:05", datetime(2024, 1, 2, 3, 4, 5)),
])
def test_parse_datetime(wire: str, expected: datetime) -> None:
    parsed = parse_datetime(wire)
    assert parsed == expected and parsed.utcoffset() == expected.utcoffset()
    assert (parsed.tzinfo is None) is (expected.tzinfo is None)


@pytest.mark.parametrize("wire", ["yesterday", "2024-02-30 Z", "0000-01-01 Z", "2024-01-02T25:00:00 Z", ""])
def test_unparseable_datetimes_are_returned_unchanged(wire: str) -> None:
    assert parse_datetime(wire) == wire


@pytest.mark.parametrize("value", [None, 17, 1.5, datetime(2024, 1, 2), ["2024-01-02"]])
def test_parse_datetime_leaves_non_text_alone(value: Any) -> None:
    assert parse_datetime(value) is value


def test_parse_datetime_without_fromisoformat_reading_z(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python 3.10 branch: "Z" is cut off and UTC attached."""
    monkeypatch.setattr(_serde, "_FROMISO_Z", False)
    parsed = parse_datetime("2024-01-02T03:04:05Z")
    assert parsed == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC) and parsed.tzinfo is UTC
    assert parse_datetime("2024-01-02T03:04:05+01:00") == datetime(2024, 1, 2, 3, 4, 5, tzinfo=tz(1))
    assert parse_datetime("2024-01-02T03:04:05").tzinfo is None
    assert parse_datetime(" 2024-01-02T03:04:05.5 Z") == datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=UTC)
    assert parse_datetime("soon") == "soon"
    # read by fromisoformat, not by the ISO pattern: so the "Z" really is cut off first
    assert parse_datetime("2024-W01-1T10:00:00Z") == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert parse_datetime("2024-W01-1T10:00:00+01:00") == datetime(2024, 1, 1, 10, tzinfo=tz(1))
    naive = parse_datetime("2024-W01-1T10:00:00")
    assert naive == datetime(2024, 1, 1, 10) and naive.tzinfo is None


def test_sys_version_switch_matches_the_interpreter() -> None:
    import sys
    assert _serde._FROMISO_Z is (sys.version_info >= (3, 11))


@pytest.mark.parametrize(("wire", "expected"), [
    ("2024-02-29", date(2024, 2, 29)),
    ("2024-02-29T10:00:00Z", date(2024, 2, 29)),
    ("2024-02-29xyz", date(2024, 2, 29)),       # the first ten characters decide
    (" 2024-02-29", date(2024, 2, 29)),         # read as a date-time, then its date
    (" 2024-02-29T23:00:00 -05", date(2024, 2, 29)),
    ("someday", "someday"),
    ("2024-02-30", "2024-02-30"),
    (20240229, 20240229),
    (None, None),
])
def test_parse_date(wire: Any, expected: Any) -> None:
    parsed = parse_date(wire)
    assert parsed == expected and type(parsed) is type(expected)


@pytest.mark.parametrize(("wire", "expected"), [
    ("2025-03", YearMonth(2025, 3)),
    ("2025-12-01", YearMonth(2025, 12)),
    ("2025-03-31T10:00:00Z", YearMonth(2025, 3)),
    ("2025-3", "2025-3"),
    ("never", "never"),
    (202503, 202503),
])
def test_year_month_decoding(wire: Any, expected: Any) -> None:
    decoded = decode(wire, "YearMonth")
    assert decoded == expected and type(decoded) is type(expected)


# -- scalars, lists, maps -------------------------------------------------------------------------------
@pytest.mark.parametrize(("type_expr", "wire", "expected"), [
    ("str", "a", "a"), ("str", 3, "3"), ("int", "7", 7), ("int", 7, 7), ("int", "seven", "seven"),
    ("int", float("inf"), float("inf")), ("int", [1], [1]), ("int", {"a": 1}, {"a": 1}),
    ("float", 3, 3.0), ("float", "2.5", 2.5), ("float", 2.5, 2.5), ("bool", True, True), ("bool", 1, True),
    ("object", {"a": [1]}, {"a": [1]}), ("str", None, None),
])
def test_scalar_decoders(type_expr: str, wire: Any, expected: Any) -> None:
    decoded = decoder(type_expr)(wire)
    assert decoded == expected and type(decoded) is type(expected)


def test_values_no_json_parser_makes_are_kept() -> None:
    day = date(2024, 1, 2)
    assert decoder("int")(day) is day and decoder("float")(day) is day


def test_enum_decoder() -> None:
    check = _serde._enum_decoder(frozenset({"true", "3", "on"}))
    assert check(True) == "outdated_sdk_version" and check(3) == "3" and type(check(3)) is str
    assert check("ON") == "ON" and check("off") == "outdated_sdk_version" and check(3.0) == "outdated_sdk_version"
    assert check(None) == "outdated_sdk_version"  # the model decoder keeps None before asking


def test_int_to_float_gives_a_float() -> None:
    assert type(decode(3, "float")) is float and type(decode([3, None], "list[float]")[0]) is float


def test_lists_of_scalars_already_right_are_returned_as_they_are() -> None:
    value = ["a", None, "b"]
    assert decode(value, "list[str]") is value
    assert decode(["a", 1, None], "list[str]") == ["a", "1", None]
    assert decode([1, None, "2"], "list[int]") == [1, None, 2]
    assert decode([], "list[int]") == []
    assert decode("not a list", "list[str]") == "not a list"
    assert decode({"a": 1}, "list[int]") == {"a": 1}


def test_lists_of_converted_values() -> None:
    assert decode([None, "2024-01-02", "junk"], "list[date]") == [None, date(2024, 1, 2), "junk"]
    users = decode([{"id": "a"}, None], "list[User]")
    assert isinstance(users[0], sdk.User) and users[0].id == "a" and users[1] is None


def test_maps_of_scalars_already_right_are_returned_as_they_are() -> None:
    value = {"a": "x", "b": None}
    assert decode(value, "dict(str, str)") is value
    assert decode({"a": "x", "b": 1, "c": None}, "dict(str, str)") == {"a": "x", "b": "1", "c": None}
    assert decode({"a": 1, "b": "2"}, "dict(str, int)") == {"a": 1, "b": 2}
    assert decode({}, "dict(str, int)") == {}
    assert decode(["a"], "dict(str, int)") == ["a"]


def test_maps_of_converted_values() -> None:
    decoded = decode({"a": None, "b": "2024-01-02T03:04:05Z"}, "dict(str, datetime)")
    assert decoded == {"a": None, "b": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)}
    codes = decode({"x": {"id": "c1"}, "y": None}, "dict(str, ActivityCode)")
    assert isinstance(codes["x"], sdk.ActivityCode) and codes["x"].id == "c1" and codes["y"] is None


def test_nested_containers() -> None:
    assert decode([[1, "2"], None, "x"], "list[list[int]]") == [[1, 2], None, "x"]
    assert decode({"k": ["1", 2]}, "dict(str, list[int])") == {"k": [1, 2]}
    assert decode({"a": {"b": "1"}, "c": None}, "dict(str, dict(str, int))") == {"a": {"b": 1}, "c": None}


def test_decoders_are_compiled_once() -> None:
    assert decoder("list[Contact]") is decoder("list[Contact]")
    assert decoder("dict(str, Contact)") is decoder("dict(str, Contact)")
    assert decoder_for_model(sdk.Contact) is decoder_for_model(sdk.Contact)


@pytest.mark.parametrize(("type_expr", "name"), [
    ("NoSuchModel", "NoSuchModel"), ("list[User", "list[User"), ("dict(str, User", "dict(str, User"),
    ("Userlist]", "Userlist]"), ("User)", "User)"),
])
def test_malformed_or_unknown_type_names(type_expr: str, name: str) -> None:
    with pytest.raises(LookupError) as raised:
        decoder(type_expr)
    assert str(raised.value) == f"unknown model {name!r}"


def test_model_class() -> None:
    assert model_class("User") is sdk.User
    with pytest.raises(LookupError, match="unknown model 'Nope'"):
        model_class("Nope")


def test_decode_passes_none_and_untyped_data_through() -> None:
    data = {"a": 1}
    assert decode(data, None) is data and decode(None, "User") is None and decode(None, "list[User]") is None


def test_type_nested_too_deeply_is_a_response_error() -> None:
    deep = "list[" * 3000 + "int" + "]" * 3000
    with pytest.raises(ApiResponseError) as raised:
        decode([1], deep)
    assert isinstance(raised.value, RecursionError)
    assert "value nested too deeply to decode as list[list[" in str(raised.value)
    assert type(_serde._nesting_error("X")) is type(raised.value)  # the class is made once


# -- models -------------------------------------------------------------------------------------------------
def test_model_decoding_every_kind_of_field() -> None:
    user = decoder_for_model(sdk.User)({
        "id": "u1", "version": "7", "state": "INACTIVE", "unknown": 1, "manager": None, "name": "Ann",
        "dateLastLogin": "2024-05-06T07:08:09Z", "images": [{"resolution": "x"}], "acdAutoAnswer": False,
        "groups": None, "selfUri": "/u1"})
    assert (user.id, user.version, user.state, user.name, user.acd_auto_answer, user.self_uri) == (
        "u1", "7", "INACTIVE", "Ann", False, "/u1")
    assert user.manager is None and user.groups is None and user.images[0].resolution == "x"
    assert user.date_last_login == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert not hasattr(user, "unknown")


@pytest.mark.parametrize("data", [[{"id": "x"}], "u1", 5])
def test_a_model_from_something_not_an_object_is_empty(data: Any) -> None:
    decoded = decoder_for_model(sdk.User)(data)
    assert type(decoded) is sdk.User and decoded == sdk.User()


def test_enum_fields_in_a_decoded_model() -> None:
    params = decode({"priority": 3}, "CampaignRuleParameters")
    assert params.priority == "3"
    assert decode({"priority": "2"}, "CampaignRuleParameters").priority == "2"
    assert decode({"priority": 9}, "CampaignRuleParameters").priority == "outdated_sdk_version"
    assert decode({"priority": True}, "CampaignRuleParameters").priority == "outdated_sdk_version"
    assert decode({"priority": None}, "CampaignRuleParameters").priority is None
    assert decode({"state": "Active"}, "User").state == "Active"
    assert decode({"state": ["active"]}, "User").state == "outdated_sdk_version"


def test_unread_converted_fields_are_converted_when_sent() -> None:
    user = decode({"id": "u1", "dateLastLogin": "2024-05-06T07:08:09.5Z", "manager": {"id": "m", "x": 1},
                   "certifications": ["a"], "name": None, "geolocation": None}, "User")
    assert to_wire(user) == {"id": "u1", "dateLastLogin": "2024-05-06T07:08:09.500000+00:00",
                             "manager": {"id": "m"}, "certifications": ["a"]}
    assert user.manager == sdk.User(id="m")


def test_converted_fields_read_one_at_a_time() -> None:
    user = decode({"manager": {"id": "m"}, "dateLastLogin": "2024-05-06T07:08:09Z",
                   "dateWelcomeSent": "2024-05-07T07:08:09Z"}, "User")
    assert user.date_last_login == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert user.manager.id == "m"
    assert user.date_welcome_sent == datetime(2024, 5, 7, 7, 8, 9, tzinfo=UTC)
    assert user.manager is user.manager  # converted once, then kept


# -- encoding --------------------------------------------------------------------------------------------------
class Color(str, enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Tag(str):
    pass


class Items(list):  # type: ignore[type-arg]
    pass


def test_to_wire_scalars_and_containers() -> None:
    for value in ("a", 1, 1.5, True, None):
        assert to_wire(value) is value
    assert to_wire((1, "a", None)) == [1, "a", None]
    assert to_wire([date(2024, 1, 2), [1]]) == ["2024-01-02", [1]]
    assert to_wire({"a": 1, "b": None, "c": date(2024, 1, 2), "d": {"e": sdk.ApiNullValue()}}) == {
        "a": 1, "b": None, "c": "2024-01-02", "d": {"e": None}}
    assert to_wire(OrderedDict(a=date(2024, 1, 2))) == {"a": "2024-01-02"}
    assert type(to_wire(OrderedDict(a=1))) is dict
    assert to_wire(Items([date(2024, 1, 2), 1])) == ["2024-01-02", 1] and type(to_wire(Items())) is list


def test_to_wire_dates_enums_and_markers() -> None:
    assert to_wire(datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=tz(-5))) == "2024-01-02T03:04:05.000006-05:00"
    assert to_wire(datetime(2024, 1, 2)) == "2024-01-02T00:00:00"
    assert to_wire(date(2024, 1, 2)) == "2024-01-02"
    assert to_wire(sdk.ApiNullValue()) is None
    assert to_wire(YearMonth(987, 3)) == "0987-03" and to_wire(YearMonth(2024, 11)) == "2024-11"
    assert to_wire(Color.RED) == "red" and type(to_wire(Color.RED)) is str
    assert to_wire(Level.HIGH) == 3 and type(to_wire(Level.HIGH)) is int
    assert to_wire(Tag("t")) == "t"


def test_what_cannot_be_sent() -> None:
    with pytest.raises(TypeError) as raised:
        to_wire({"x": [{1, 2}]})
    assert str(raised.value) == "cannot send a value of type set to the API: {1, 2}"

    class Odd:
        def __repr__(self) -> str:
            return "o" * 200

    with pytest.raises(TypeError) as raised:
        to_wire(Odd())
    assert str(raised.value) == "cannot send a value of type Odd to the API: " + "o" * 80


def test_models_are_sent_by_wire_name_without_none() -> None:
    user = sdk.User(id="u1", name=None, state="active", version=3, acd_auto_answer=False,
                    manager=sdk.User(id="m", name=None), date_last_login=datetime(2024, 1, 2, tzinfo=UTC),
                    addresses=[sdk.Contact(address="a", media_type="PHONE"), None],
                    certifications=["x", "y"], profile_skills=[], self_uri="/u1")
    user.extra = "not an API field"
    assert to_wire(user) == {
        "id": "u1", "state": "active", "version": 3, "acdAutoAnswer": False, "manager": {"id": "m"},
        "dateLastLogin": "2024-01-02T00:00:00+00:00", "addresses": [{"address": "a", "mediaType": "PHONE"}, None],
        "certifications": ["x", "y"], "profileSkills": [], "selfUri": "/u1"}


def test_model_fields_holding_other_values() -> None:
    body = sdk.LongTermRequirements(months=[YearMonth(2026, 1), "2026-02", sdk.User(id="u")])
    assert to_wire(body) == {"months": ["2026-01", "2026-02", {"id": "u"}]}
    codes = sdk.ActivityCodeContainer(activity_codes={"a": sdk.ActivityCode(id="c")})
    assert to_wire(codes) == {"activityCodes": {"a": {"id": "c"}}}
    user = sdk.User(manager=sdk.User(manager=sdk.User(id="top")), addresses=[sdk.Contact(address="a")])
    assert to_wire(user) == {"manager": {"manager": {"id": "top"}}, "addresses": [{"address": "a"}]}
    first = sdk.User(addresses=[sdk.Contact(address="b")])  # an encoder already made for Contact
    assert to_wire([sdk.Contact(address="c"), first]) == [{"address": "c"}, {"addresses": [{"address": "b"}]}]
    assert to_wire(sdk.User(state=sdk.ApiNullValue(), name="n")) == {"state": None, "name": "n"}


def test_attributes_outside_the_api_are_not_sent_wherever_they_are() -> None:
    user = sdk.User()
    user.extra = 1
    user.name = "n"
    user.nothing = None
    user.id = "u"
    assert to_wire(user) == {"name": "n", "id": "u"}


def test_a_subclass_sends_only_api_fields() -> None:
    class MyContact(sdk.Contact):
        pass

    mine = MyContact(address="a")
    mine.note = "local"
    assert to_wire(mine) == {"address": "a"} and to_wire([mine]) == [{"address": "a"}]


def test_decode_json_without_structs() -> None:
    assert decode_json(b'{"id": "u", "version": 2}', "User") == sdk.User(id="u", version=2)
    assert decode_json('["2024-01-02"]', "list[date]") == [date(2024, 1, 2)]
    assert decode_json(b'{"a": 1}', None) == {"a": 1}


# -- on the wire ------------------------------------------------------------------------------------------
def _sent_body(body: Any) -> Any:
    with ScriptedServer(lambda seen: Reply(200, {"id": "u1"})) as server:
        client = sync_client(server.url)
        client.access_token = "t"
        sdk.UsersApi(client).patch_user("u1", body)
        return json.loads(server.requests[-1].body)


def test_request_body_on_the_wire() -> None:
    body = sdk.UpdateUser(name="Ann", title=None, state="inactive", version=4,
                          addresses=[sdk.Contact(address="1", media_type="PHONE", extension=None)],
                          certifications=["c"], manager=sdk.ApiNullValue())
    assert _sent_body(body) == {"name": "Ann", "state": "inactive", "version": 4,
                                "addresses": [{"address": "1", "mediaType": "PHONE"}], "certifications": ["c"],
                                "manager": None}


def test_unknown_enum_value_assigned_is_sent_as_outdated() -> None:
    body = sdk.UpdateUser(state="sleeping", version=1)
    assert _sent_body(body) == {"state": "outdated_sdk_version", "version": 1}


def test_struct_switch_is_off_in_this_suite() -> None:
    assert _model.STRUCTS is False


def test_a_json_integer_in_a_float_field_reads_as_a_float_like_the_official_sdk() -> None:
    """The official SDK converts with float(): {"maxProbability": 1} reads as 1.0, not 1."""
    listing = sdk.ApiClient().deserialize(
        type("Resp", (), {"data": json.dumps({"maxProbability": 1, "probability": 0.25}), "status": 200,
                          "getheader": lambda self, name: "application/json"})(),
        "ActionMapEstimateOutcomeCriteria")
    assert type(listing.max_probability) is float and listing.max_probability == 1.0
    assert listing.probability == 0.25
