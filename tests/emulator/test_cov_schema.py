"""Request validation from the API definition: a body that does not fit gets the platform's 400
error body naming the field (real HTTP), and the schema helpers' edge cases."""
from __future__ import annotations

import pytest

from PureCloudPlatformClientV2.emulator.schema import Schema, ValidationError


def _refused(resp, field_part):
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["code"] == "bad.request" and body["status"] == 400 and body["contextId"]
    assert body["message"].startswith("Invalid request body:")
    assert field_part in body["details"][0]["fieldName"]
    return body


def test_map_field_needs_an_object(api):
    _refused(api.post("/api/v2/routing/queues", json={"name": "Maps", "defaultScripts": ["CALL"]}),
             "body.defaultScripts")
    _refused(api.post("/api/v2/routing/queues", json={"name": "Maps", "defaultScripts": {"CALL": "script-id"}}),
             "body.defaultScripts.CALL")
    ok = api.post("/api/v2/routing/queues", json={"name": "Maps", "defaultScripts": {"CALL": {"id": "s1"}}})
    assert ok.status_code == 200, ok.text


def test_list_field_needs_an_array_and_null_elements_are_accepted(api):
    _refused(api.post("/api/v2/routing/queues", json={"name": "Lists", "memberGroups": {"id": "g"}}),
             "body.memberGroups")
    _refused(api.post("/api/v2/routing/queues", json={"name": "Lists", "memberGroups": [None, 5]}),
             "body.memberGroups[1]")
    ok = api.post("/api/v2/routing/queues", json={"name": "Lists", "memberGroups": [None]})
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize("value,ok", [("2024-05-01", True), ("2024-05", False), ("2024-05-01T00:00:00Z", False),
                                      (20240501, False)])
def test_date_fields_are_checked(api, value, ok):
    resp = api.put("/api/v2/gamification/status", json={"isActive": True, "dateStart": value})
    if ok:
        assert resp.status_code == 200, resp.text
    else:
        _refused(resp, "body.dateStart")


def test_schema_helpers_edge_cases():
    schema = Schema([{"name": "Period", "fields": [
        {"name": "month", "wire": "month", "type": "YearMonth"},
        {"name": "day", "wire": "day", "type": "date"},
        {"name": "tags", "wire": "tags", "type": "dict(str, str)"}]}])
    schema.validate("Period", {"month": "2024-05", "day": "2024-05-01", "tags": {"a": "b"}})
    with pytest.raises(ValidationError) as err:
        schema.validate("Period", {"month": "2024-5"})
    assert err.value.field == "body.month"
    with pytest.raises(ValidationError):
        schema.validate("Period", {"tags": {"a": 1}})
    schema.validate("UnknownModel", 5)  # unknown model names are accepted
    assert schema.synthesize(None) is None
    assert schema.synthesize("UnknownModel") == {}
    assert schema.synthesize("Period", {"month": "2024-05", "extra": 1}) == {"month": "2024-05"}
    assert schema.synthesize("dict(str, str)") == {} and schema.synthesize("list[Period]") == []
    assert schema.synthesize("int") == 0 and schema.synthesize("YearMonth") is None
    assert schema.project(None, {"a": 1}) == {"a": 1} and schema.project("Period", {"day": "x", "z": 1}) == {"day": "x"}
    assert schema.listing_item(None) is None and schema.listing_item("Period") is None
    # Nesting deeper than 30 levels is not checked further.
    deep: object = "not a Period"
    for _ in range(40):
        deep = [deep]
    schema.validate("list[" * 40 + "Period" + "]" * 40, deep)
