"""``_model``: the model base class (pure-Python kind; the msgspec kind is in test_mut_structs.py).

The official SDK 269.0.0 is the reference for ``to_dict``/``to_json``/``to_str``, equality and
enum handling."""
from __future__ import annotations

import json
import pickle
from datetime import date, datetime, timezone
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import _model
from PureCloudPlatformClientV2._model import OUTDATED, check_enum, parse_fields


# -- enums ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    (None, None), ("active", "active"), ("ACTIVE", "ACTIVE"), ("retired", OUTDATED), ("", OUTDATED),
    (3, "3"), (4, OUTDATED), (True, OUTDATED), (False, OUTDATED), (3.0, OUTDATED), (["active"], OUTDATED),
])
def test_check_enum(value: Any, expected: Any) -> None:
    assert check_enum(frozenset({"active", "3", "true", "false", "3.0"} - {"3.0"}), value) == expected


def test_check_enum_keeps_api_null_value() -> None:
    null = sdk.ApiNullValue()
    assert check_enum(frozenset({"a"}), null) is null


def test_enum_attributes() -> None:
    descriptor = sdk.User.__dict__["state"]
    assert sdk.User.state is descriptor and descriptor.name == "state"
    assert descriptor.allowed == frozenset({"active", "inactive", "deleted"})
    user = sdk.User()
    assert user.state is None
    user.state = "Deleted"
    assert user.state == "Deleted" and user.__dict__["state"] == "Deleted"
    user.state = "gone"
    assert user.state == OUTDATED
    user.state = None
    assert user.state is None
    params = sdk.CampaignRuleParameters(priority=2)
    assert params.priority == "2"
    assert sdk.CampaignRuleParameters(priority=7).priority == OUTDATED


# -- the field table ---------------------------------------------------------------------------------------
def test_parse_fields() -> None:
    assert parse_fields("") == ()
    assert parse_fields("a_b aB dict(str,list[int]);k k str x|Y|3;c c User") == (
        ("a_b", "aB", "dict(str, list[int])"), ("k", "k", "str", ("x", "Y", "3")), ("c", "c", "User"))


def test_swagger_types_and_attribute_map_from_the_class_and_instances() -> None:
    assert sdk.User.swagger_types["manager"] == "User" and sdk.User.swagger_types["state"] == "str"
    assert sdk.User.attribute_map["self_uri"] == "selfUri"
    user = sdk.User()
    assert user.swagger_types is sdk.User.swagger_types and user.attribute_map["date_last_login"] == "dateLastLogin"
    assert list(sdk.User.attribute_map) == [row[0] for row in sdk.User._rows]
    assert sdk.User._table() is sdk.User._table() and sdk.Contact._table() is not sdk.User._table()
    assert sdk.User._table().defaults == dict.fromkeys(sdk.User.attribute_map)


class Point(_model.Model):
    _fields = "x_pos xPos int;kind kind str a|b;when when datetime;tags tags list[str];inner inner Contact"


class Pair(_model.Model):
    _fields = (("left", "left", "str"), ("right", "right", "int"))


def test_a_model_defined_outside_the_package() -> None:
    assert Point.__module__ == __name__ and Point._rows[1] == ("kind", "kind", "str", ("a", "b"))
    assert Point.x_pos is None and Point.inner is None  # class attributes of unset fields
    point = Point(x_pos=1, kind="B", when=datetime(2024, 1, 2, tzinfo=timezone.utc), inner=sdk.Contact(media_type="FAX"))
    assert point.kind == "B" and point.inner.media_type == OUTDATED and point.tags is None
    assert point.to_wire_dict() == {"xPos": 1, "kind": "B", "when": "2024-01-02T00:00:00+00:00",
                                    "inner": {"mediaType": OUTDATED}}
    decoded = Point.from_wire({"xPos": 2, "when": "2024-01-02T00:00:00Z", "tags": ["t"], "inner": {"address": "3"}})
    assert decoded.when == datetime(2024, 1, 2, tzinfo=timezone.utc) and decoded.inner == sdk.Contact(address="3")
    assert decoded.tags == ["t"] and decoded.x_pos == 2
    assert Pair._rows == (("left", "left", "str"), ("right", "right", "int"))
    assert Pair(left="l", right=1).to_dict() == {"left": "l", "right": 1}
    assert Pair.swagger_types == {"left": "str", "right": "int"}


class Holder(_model.Model):  # wire names that read like type names: the type decides, not the name
    _fields = "value object Contact;count int str"


def test_fields_are_kept_by_their_type_not_their_wire_name() -> None:
    held = Holder.from_wire({"object": {"address": "a"}, "int": "7"})
    assert held.value == sdk.Contact(address="a") and held.count == "7"
    assert Holder.count is None and held.to_wire_dict() == {"object": {"address": "a"}, "int": "7"}


def test_generated_models_report_their_official_module() -> None:
    assert sdk.User.__module__ == "PureCloudPlatformClientV2.models.user"
    assert sdk.UserEntityListing.__module__ == "PureCloudPlatformClientV2.models.user_entity_listing"
    assert _model._official_module("NotAModel", _model._BUNDLE_PREFIX + "x") == _model._BUNDLE_PREFIX + "x"
    assert _model._official_module("User", "somewhere.else") == "somewhere.else"
    assert pickle.loads(pickle.dumps(sdk.User(id="u", manager=sdk.User(id="m")))) == sdk.User(
        id="u", manager=sdk.User(id="m"))


def test_a_subclass_of_a_generated_model_inherits_its_fields() -> None:
    class MyUser(sdk.User):
        pass

    assert MyUser._rows is sdk.User._rows and MyUser.__module__ == __name__
    mine = MyUser(name="n", state="active")
    assert mine.name == "n" and mine.to_wire_dict() == {"name": "n", "state": "active"}
    assert mine != sdk.User(name="n", state="active")  # another type


# -- construction and comparison -------------------------------------------------------------------------------
def test_constructor() -> None:
    user = sdk.User(name="Ann", state="gone")
    assert user.name == "Ann" and user.state == OUTDATED and user.id is None
    with pytest.raises(TypeError) as raised:
        sdk.User(name="Ann", nmae="Ann")
    assert str(raised.value) == "User() got an unexpected keyword argument 'nmae'"
    assert sdk.User() == sdk.User() and vars(sdk.User()) == {}


def test_equality() -> None:
    assert sdk.User(id="a", name="n") == sdk.User(name="n", id="a")
    assert not (sdk.User(id="a") == sdk.User(id="a", name="n"))
    assert sdk.User(id="a") != sdk.User(id="b") and not (sdk.User(id="a") != sdk.User(id="a"))
    assert sdk.User() != sdk.UpdateUser() and not (sdk.User() == sdk.UpdateUser())
    assert sdk.User().__eq__(None) is NotImplemented and sdk.User().__ne__("x") is NotImplemented
    assert (sdk.User() == None) is False and (sdk.User() != None) is True  # noqa: E711
    with pytest.raises(TypeError):
        hash(sdk.User())


# -- the official conversions -------------------------------------------------------------------------------
def test_to_dict_like_the_official_sdk() -> None:
    user = sdk.User(id="u", manager=sdk.User(id="m"), addresses=[sdk.Contact(address="a"), "text"],
                    certifications=["c"], date_last_login=datetime(2024, 1, 2, tzinfo=timezone.utc))
    as_dict = user.to_dict()
    assert list(as_dict) == list(sdk.User.attribute_map)
    assert as_dict["manager"] == sdk.User(id="m").to_dict() and as_dict["manager"]["name"] is None
    assert as_dict["addresses"][0] == sdk.Contact(address="a").to_dict() and as_dict["addresses"][1] == "text"
    assert as_dict["certifications"] == ["c"]
    assert as_dict["date_last_login"] == datetime(2024, 1, 2, tzinfo=timezone.utc)
    codes = sdk.ActivityCodeContainer(activity_codes={"k": sdk.ActivityCode(id="c"), "n": 1}).to_dict()
    assert codes["activity_codes"] == {"k": sdk.ActivityCode(id="c").to_dict(), "n": 1}


def test_to_json_and_to_str() -> None:
    user = sdk.User(id="u", manager=sdk.User(id="m"), date_last_login=datetime(2024, 1, 2, tzinfo=timezone.utc))
    as_json = json.loads(user.to_json())
    assert as_json == json.loads(json.dumps({**user.to_dict(), "manager": sdk.User(id="m").to_dict(),
                                             "date_last_login": "2024-01-02T00:00:00+00:00"}))
    assert as_json["name"] is None and as_json["manager"]["id"] == "m"
    from pprint import pformat
    assert user.to_str() == pformat(user.to_dict()) == repr(user) == str(user)
    holiday = sdk.AdminAgentScheduleBidBiddingPreference(end_date=date(2024, 2, 29))
    assert json.loads(holiday.to_json())["end_date"] == "2024-02-29"


def test_wire_conversions() -> None:
    user = sdk.User.from_wire(b'{"id": "u", "manager": {"id": "m"}}')
    assert user == sdk.User(id="u", manager=sdk.User(id="m"))
    assert sdk.User.from_wire('{"id": "u"}') == sdk.User(id="u") == sdk.User.from_wire({"id": "u"})
    assert user.to_wire_dict() == {"id": "u", "manager": {"id": "m"}}
    assert user.to_wire_json() == '{"id": "u", "manager": {"id": "m"}}'


# -- converted-on-read fields --------------------------------------------------------------------------------------
def test_converted_on_first_read_and_the_rest_kept() -> None:
    user = sdk.User.from_wire({"manager": {"id": "m"}, "dateLastLogin": "2024-01-02T00:00:00Z", "id": "u"})
    assert set(vars(user)["_raw"]) == {"manager", "date_last_login"}
    assert user.manager == sdk.User(id="m")
    assert vars(user)["_raw"] == {"date_last_login": "2024-01-02T00:00:00Z"}
    assert user.date_last_login == datetime(2024, 1, 2, tzinfo=timezone.utc)
    assert "_raw" not in vars(user)
    assert user.manager is vars(user)["manager"] and user.date_welcome_sent is None


def test_assigning_a_converted_field_before_reading_it() -> None:
    user = sdk.User.from_wire({"manager": {"id": "m"}})
    user.manager = sdk.User(id="other")
    assert user.manager == sdk.User(id="other")


def test_converted_field_descriptor_from_the_class() -> None:
    assert sdk.User.manager is None
    descriptor = sdk.User.__dict__["manager"]
    assert (descriptor.name, descriptor.type_expr) == ("manager", "User")


# -- the msgspec switch ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("setting", "on"), [(None, True), ("", True), ("0", True), ("1", False), ("yes", False)])
def test_load_msgspec_follows_the_switch(monkeypatch: pytest.MonkeyPatch, setting: str | None, on: bool) -> None:
    msgspec = pytest.importorskip("msgspec")
    if setting is None:
        monkeypatch.delenv("PURECLOUD_PURE_MODELS", raising=False)
    else:
        monkeypatch.setenv("PURECLOUD_PURE_MODELS", setting)
    assert _model._load_msgspec() is (msgspec if on else None)


def test_load_msgspec_without_msgspec(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    monkeypatch.setenv("PURECLOUD_PURE_MODELS", "0")
    monkeypatch.setitem(sys.modules, "msgspec", None)
    assert _model._load_msgspec() is None
