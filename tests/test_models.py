"""Model behaviour kept from the official SDK, and the serde fixes."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2._catalog import load_spec
from PureCloudPlatformClientV2._serde import decode

# Facts the generated modules do not carry (tools/spec_facts.py): they reach docstrings and
# the reference pages, not the runtime's operation descriptors.
DOC_ONLY_OP_KEYS = ("permissions", "permissionsMatch", "user_context", "paging")
DOC_ONLY_PARAM_KEYS = ("enum", "default")


def _without_doc_only_facts(spec: dict[str, Any]) -> dict[str, Any]:
    apis = [{**api, "operations": [
        {**{k: v for k, v in op.items() if k not in DOC_ONLY_OP_KEYS},
         "params": [{k: v for k, v in p.items() if k not in DOC_ONLY_PARAM_KEYS} for p in op["params"]]}
        for op in api["operations"]]} for api in spec["apis"]]
    return {**spec, "apis": apis}


def test_catalog_rebuilds_the_spec_exactly(spec: dict[str, Any]) -> None:
    assert load_spec() == _without_doc_only_facts(spec)
    assert any("permissions" in op for api in spec["apis"] for op in api["operations"])


def test_constructor_attributes_and_keywords() -> None:
    user = sdk.User()
    assert user.name is None and user.state is None
    user.name = "Ann"
    assert sdk.User(name="Ann").name == "Ann"
    with pytest.raises(TypeError, match="unexpected keyword argument 'nmae'"):
        sdk.User(nmae="Ann")


def test_to_dict_to_json_to_str_and_equality() -> None:
    user = sdk.User(name="Ann", manager=sdk.User(id="m1"), date_last_login=datetime(2024, 1, 2, tzinfo=timezone.utc))
    as_dict = user.to_dict()
    assert as_dict["name"] == "Ann" and as_dict["manager"]["id"] == "m1"
    assert "self_uri" in as_dict  # Python names, None kept: the official shape
    as_json = json.loads(user.to_json())
    assert as_json["date_last_login"] == "2024-01-02T00:00:00+00:00"
    assert as_json["primary_contact_info"] is None
    assert json.loads(user.to_wire_json()) == {"name": "Ann", "manager": {"id": "m1"},
                                               "dateLastLogin": "2024-01-02T00:00:00+00:00"}
    assert "'name': 'Ann'" in user.to_str() and repr(user) == user.to_str()
    assert user == sdk.User(name="Ann", manager=sdk.User(id="m1"),
                            date_last_login=datetime(2024, 1, 2, tzinfo=timezone.utc))
    assert user != sdk.User(name="Bob")


def test_unknown_enum_values_read_as_outdated_and_null_enum_is_none() -> None:
    user = decode({"state": "retired", "presence": {"presenceDefinition": {"systemPresence": "Away"}}}, "User")
    assert user.state == "outdated_sdk_version"
    assert decode({"state": None}, "User").state is None  # the official SDK raises AttributeError here
    assert decode({"state": "ACTIVE"}, "User").state == "ACTIVE"  # matched case-insensitively, value kept


def test_decoding_types() -> None:
    data = {"id": "1", "version": "7", "acdAutoAnswer": True, "dateLastLogin": "2024-05-06T07:08:09.123Z",
            "certifications": ["a", "b"], "unknownField": {"x": 1}, "manager": {"id": "2", "manager": {"id": "3"}}}
    user = decode(data, "User")
    assert user.version == "7"  # a scalar of an unexpected JSON type is kept as received, never lost
    assert user.date_last_login == datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=timezone.utc)
    assert user.manager.manager.id == "3"
    assert isinstance(user.manager, sdk.User)
    assert decode(["2024-02-29"], "list[date]") == [date(2024, 2, 29)]
    assert decode({"a": {"id": "x"}}, "dict(str, User)")["a"].id == "x"
    assert decode({"k": [1, 2]}, "dict(str, object)") == {"k": [1, 2]}
    assert str(decode("2024-03", "YearMonth")) == "2024-03"
    assert decode("not a date", "datetime") == "not a date"  # kept, not lost


def test_api_null_value_and_none_stripping() -> None:
    update = sdk.WorktypeUpdate(name="abcd", default_queue_id=sdk.ApiNullValue())
    assert update.to_wire_dict() == {"name": "abcd", "defaultQueueId": None}
    client = sdk.ApiClient(configuration=sdk.Configuration.new())
    assert client.sanitize_for_serialization([update, None, {"k": None}]) == [
        {"name": "abcd", "defaultQueueId": None}, None, {"k": None}]


def test_keyword_wire_names() -> None:
    # attributes whose wire names are Python keywords are renamed pc+Name, as officially
    assert sdk.Entity is not None
    renamed = [(m["name"], f["name"]) for m in load_spec()["models"] for f in m["fields"] if f["wire"] == "from"]
    assert renamed and all(name == "pcFrom" for _, name in renamed)
