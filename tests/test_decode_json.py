"""``_serde.decode_json``: JSON text straight to models, the same values as ``decode(json.loads(...))``.

Runs with pure-Python models in the main suite and with msgspec Structs from test_fast_models.py."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import _model
from PureCloudPlatformClientV2._serde import decode, decode_json, to_wire

USERS = {
    "entities": [
        {"id": "u1", "name": "Ann", "state": "active", "dateLastLogin": "2024-05-06T07:08:09.123Z",
         "manager": {"id": "m1", "selfUri": "/api/v2/users/m1"}, "certifications": ["a", "b"],
         "presence": {"presenceDefinition": {"id": "p", "systemPresence": "Available"}},
         "unknownField": {"kept": False}},
        None,
        {"id": "u2", "version": 3, "locations": [{"id": "l1"}]},
    ],
    "pageSize": 2, "pageNumber": 1, "total": 2, "selfUri": "/api/v2/users?pageNumber=1",
}


def test_models_are_structs_exactly_when_switched_on() -> None:
    import os
    wanted = os.environ.get("PURECLOUD_PURE_MODELS", "") in ("", "0")
    try:
        import msgspec  # noqa: F401
    except ImportError:
        wanted = False
    assert _model.STRUCTS is wanted


def test_same_values_as_decode_of_parsed_json() -> None:
    text = json.dumps(USERS).encode()
    fast, slow = decode_json(text, "UserEntityListing"), decode(json.loads(text), "UserEntityListing")
    assert isinstance(fast, sdk.UserEntityListing) and fast == slow
    assert fast.to_dict() == slow.to_dict()
    first = fast.entities[0]
    assert first.date_last_login == datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=timezone.utc)
    assert isinstance(first.manager, sdk.User) and first.manager.self_uri == "/api/v2/users/m1"
    assert fast.entities[1] is None and fast.entities[2].locations[0].id == "l1"
    assert to_wire(fast)["entities"][0]["manager"] == {"id": "m1", "selfUri": "/api/v2/users/m1"}


@pytest.mark.parametrize("text", [
    b'{"state": "retired"}',                      # an enum value newer than the spec
    b'{"state": "ACTIVE"}',                       # matched case-insensitively
    b'{"version": "7"}',                          # a scalar of an unexpected JSON type
    b'{"dateLastLogin": "last tuesday"}',         # an unparseable date
    b'{"manager": [1, 2]}',                       # a list where a model was declared
    b'{"version": 123456789012345678901234567}',  # an integer beyond 64 bits
    b'[1, 2]',                                    # not an object at all
])
def test_what_the_fast_path_rejects_decodes_as_the_tolerant_path_does(text: bytes) -> None:
    assert decode_json(text, "User") == decode(json.loads(text), "User")


def test_unknown_enum_reads_outdated_and_others_are_kept() -> None:
    user = decode_json(b'{"state": "retired", "version": "7", "manager": {"state": "inactive"}}', "User")
    assert user.state == "outdated_sdk_version" and user.version == "7"
    assert user.manager.state == "inactive"


def test_scalars_none_and_invalid_json() -> None:
    assert decode_json(b'"text"', "str") == "text"
    assert decode_json(b'{"a": 1}', None) == {"a": 1}
    assert decode_json(b"null", "User") is None
    with pytest.raises(ValueError):
        decode_json(b'{"name": ', "User")


def test_assignment_checks_enums_and_constructor_keywords() -> None:
    user = sdk.User(state="bogus", name="Ann")
    assert user.state == "outdated_sdk_version" and user.name == "Ann"
    user.state = "inactive"
    assert user.state == "inactive"
    user.state = sdk.ApiNullValue()
    assert to_wire(user) == {"name": "Ann", "state": None}
    user.extra = 1  # attributes outside the API stay possible, and are not sent
    assert "extra" not in to_wire(user)


def test_a_subclass_of_a_model_decodes_as_itself() -> None:
    class MyUser(sdk.User):
        def display(self) -> str:
            return f"{self.name} ({self.id})"

    user = MyUser.from_wire({"id": "u1", "name": "Ann", "state": "retired", "manager": {"id": "m1"}})
    assert type(user) is MyUser and user.display() == "Ann (u1)"
    assert user.state == "outdated_sdk_version" and type(user.manager) is sdk.User
    assert MyUser.swagger_types["name"] == "str"
    assert to_wire(user) == {"id": "u1", "name": "Ann", "state": "outdated_sdk_version", "manager": {"id": "m1"}}
