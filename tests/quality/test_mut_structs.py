"""The msgspec path of ``_serde`` and ``_model`` (models as msgspec Structs, the ``fast`` extra).

The suite runs with pure-Python models (tests/conftest.py), so the first test runs this file again
in a child interpreter with ``PURECLOUD_PURE_MODELS=0``; there the other tests run and the first is
skipped. The child imports the package from this checkout (its working directory), so a mutation
run's scratch copy is what it tests."""
from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import _model, _serde
from PureCloudPlatformClientV2._serde import decode, decode_json, decoder_for_model, to_wire
from PureCloudPlatformClientV2.rest import ApiResponseError
from PureCloudPlatformClientV2.year_month import YearMonth

ROOT = Path(__file__).resolve().parents[2]
UTC = timezone.utc
structs_only = pytest.mark.skipif(not _model.STRUCTS, reason="run in the child interpreter (msgspec models)")


def _measured_like_this_test(nodeid: str) -> list[str]:
    """When scripts/mutation maps which test runs which line (one coverage context per test, its own
    data file, no subprocess measuring), the child's lines are recorded in that map under this test's
    name, so the mutants on the msgspec path are run against this test. Otherwise: nothing to add
    (the suite's coverage measures subprocesses by itself)."""
    if not os.environ.get("MUTATION_ORDER_FILE") or "coverage" not in sys.modules:
        return []
    import coverage
    cov = coverage.Coverage.current()
    if cov is None:
        return []
    return ["-m", "coverage", "run", f"--rcfile={cov.config.config_file}", "--append", f"--context={nodeid}"]


def test_this_file_with_struct_models_in_a_child_interpreter(request: pytest.FixtureRequest) -> None:
    if _model.STRUCTS:
        pytest.skip("this is the child")
    pytest.importorskip("msgspec")
    env = {**os.environ, "PURECLOUD_PURE_MODELS": "0", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, *_measured_like_this_test(request.node.nodeid), "-m", "pytest", "-x",
                           "-q", "-p", "no:cacheprovider", str(Path(__file__).relative_to(ROOT))], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and " failed" not in done.stdout


@structs_only
def test_models_are_structs_from_this_checkout() -> None:
    import msgspec
    assert issubclass(sdk.User, msgspec.Struct) and _model._msgspec is msgspec
    assert Path(_serde.__file__).resolve().parent.parent == ROOT


# -- decoding -------------------------------------------------------------------------------------------
@structs_only
def test_fast_decode_of_models_lists_and_maps() -> None:
    user = decode({"id": "u1", "state": "active", "version": 2, "manager": {"id": "m", "selfUri": "/m"},
                   "dateLastLogin": "2024-01-02T03:04:05Z", "addresses": [{"address": "a"}, None],
                   "certifications": ["x"], "acdAutoAnswer": True, "unknown": 1}, "User")
    assert type(user) is sdk.User and type(user.manager) is sdk.User
    assert (user.id, user.state, user.version, user.manager.self_uri, user.acd_auto_answer) == (
        "u1", "active", 2, "/m", True)
    assert user.date_last_login == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert user.addresses[0] == sdk.Contact(address="a") and user.addresses[1] is None
    assert decode([{"id": "a"}, None], "list[User]") == [sdk.User(id="a"), None]
    assert decode({"k": {"id": "c"}, "n": None}, "dict(str, ActivityCode)") == {"k": sdk.ActivityCode(id="c"),
                                                                                 "n": None}
    assert decode({"priorities": [1, None]}, "AdminAgentWorkPlanBiddingPreference").priorities == [1, None]
    marker = decode({"fullDayTimeOffMarkerDates": ["2024-02-29"]}, "AgentMuScheduleItem")
    assert marker.full_day_time_off_marker_dates == [date(2024, 2, 29)]
    assert decode({"start": "2024-01-02T03:04:05"}, "EdgeAutoUpdateConfig").start == datetime(2024, 1, 2, 3, 4, 5)
    assert decode({"value": {"a": [1]}}, "AgenticVirtualAgentStructuredOutputRule").value == {"a": [1]}
    assert decode({"maxProbability": 1}, "ActionMapEstimateOutcomeCriteria").max_probability == 1.0
    assert decode({"endDate": "2024-02-29"}, "AdminAgentScheduleBidBiddingPreference").end_date == date(2024, 2, 29)


@structs_only
def test_scalars_stay_on_the_python_decoders() -> None:
    assert decode("7", "int") == 7 and decode("2024-01-02", "date") == date(2024, 1, 2)
    assert decode("2025-03", "YearMonth") == YearMonth(2025, 3)
    assert decode_json(b'"2025-03"', "YearMonth") == YearMonth(2025, 3)
    assert decode_json(b'"7"', "int") == 7


@structs_only
@pytest.mark.parametrize(("data", "expected"), [
    ({"state": "retired"}, {"state": "outdated_sdk_version"}),
    ({"state": "ACTIVE"}, {"state": "ACTIVE"}),
    ({"state": None, "id": "x"}, {"id": "x"}),
    ({"version": "7"}, {"version": "7"}),
    ({"dateLastLogin": "last tuesday"}, {"dateLastLogin": "last tuesday"}),
    ({"manager": [1, 2], "id": "x"}, {"id": "x", "manager": {}}),
    ({"version": 123456789012345678901234567}, {"version": 123456789012345678901234567}),
    ({"manager": {"state": "retired", "version": "2"}}, {"manager": {"state": "outdated_sdk_version",
                                                                     "version": "2"}}),
    ({"addresses": [{"mediaType": "FAX"}, None], "certifications": [1]},
     {"addresses": [{"mediaType": "outdated_sdk_version"}, None], "certifications": ["1"]}),
])
def test_what_msgspec_rejects_decodes_the_tolerant_way(data: dict[str, Any], expected: dict[str, Any]) -> None:
    for decoded in (decode(data, "User"), decode_json(json.dumps(data).encode(), "User"),
                    sdk.User.from_wire(data), decoder_for_model(sdk.User)(data)):
        assert type(decoded) is sdk.User and to_wire(decoded) == expected


@structs_only
def test_tolerant_fallback_of_lists_maps_and_year_months() -> None:
    assert decode([{"state": "gone"}], "list[User]") == [sdk.User(state="outdated_sdk_version")]
    assert decode({"a": {"id": 5}}, "dict(str, User)") == {"a": sdk.User(id=5)}
    assert decode("nope", "list[User]") == "nope"
    body = decode({"months": ["2025-03", "2025-12-01", "never"]}, "LongTermRequirements")
    assert body.months == [YearMonth(2025, 3), YearMonth(2025, 12), "never"]
    body = decode_json(b'{"months": ["2025-03", "2025-12-01"]}', "LongTermRequirements")
    assert body.months == [YearMonth(2025, 3), YearMonth(2025, 12)]


@structs_only
@pytest.mark.parametrize("data", [[{"id": "x"}], "u1", 5, None])
def test_a_model_from_something_not_an_object(data: Any) -> None:
    assert _serde._python_model_decoder(sdk.User)(data) == sdk.User()


@structs_only
def test_tolerant_decoder_keeps_every_kind_of_field() -> None:
    tolerant = _serde._python_model_decoder(sdk.User)
    assert tolerant is _serde._python_model_decoder(sdk.User)
    user = tolerant({"id": 1, "state": "Inactive", "manager": {"id": "m"}, "dateLastLogin": "2024-01-02",
                     "images": None, "version": None, "x": 1, "title": "t"})
    assert (user.id, user.state, user.manager, user.title, user.images, user.version) == (
        1, "Inactive", sdk.User(id="m"), "t", None, None)
    assert user.date_last_login == datetime(2024, 1, 2)
    assert tolerant({"state": 3}).state == "outdated_sdk_version"
    params = _serde._python_model_decoder(sdk.CampaignRuleParameters)({"priority": 3})
    assert params.priority == "3"


@structs_only
def test_dec_hook() -> None:
    assert _serde._dec_hook(YearMonth, "2024-05") == YearMonth(2024, 5)
    with pytest.raises(ValueError, match="not a YearMonth"):
        _serde._dec_hook(YearMonth, "May")
    with pytest.raises(ValueError, match="not a complex"):
        _serde._dec_hook(complex, "2024-05")


@structs_only
def test_struct_types() -> None:
    from typing import Any as AnyType
    todo: list[type] = []
    assert _serde._struct_type("object", todo) is AnyType and _serde._struct_type("YearMonth", todo) is YearMonth
    assert _serde._struct_type("LocalDateTime", todo) is datetime and _serde._struct_type("date", todo) is date
    assert _serde._struct_type("list[int]", todo) == list[int | None]
    assert _serde._struct_type("dict(str, float)", todo) == dict[str, float | None]
    assert todo == []
    assert _serde._struct_type("dict(str, list[Contact])", todo) == dict[str, list[sdk.Contact | None] | None]
    assert todo == ([sdk.Contact] if sdk.Contact not in _serde._resolved else [])
    assert _serde._resolve_type("list[Contact]") is _serde._resolve_type("list[Contact]")


@structs_only
def test_nested_maps_and_lists() -> None:
    nested = decode({"a": {"b": {"address": "x"}, "c": None}}, "dict(str, dict(str, Contact))")
    assert nested == {"a": {"b": sdk.Contact(address="x"), "c": None}}
    assert decode_json(b'[[{"address": "y"}], null]', "list[list[Contact]]") == [[sdk.Contact(address="y")], None]


@structs_only
@pytest.mark.parametrize("type_expr", ["NoSuchModel", "list[User", "Userlist]", "dict(str, User", "User)"])
def test_malformed_or_unknown_type_names(type_expr: str) -> None:
    for run in (lambda: decode({}, type_expr), lambda: decode_json(b"{}", type_expr)):
        with pytest.raises(LookupError) as raised:
            run()
        assert str(raised.value) == f"unknown model {type_expr!r}"


@structs_only
def test_nesting_beyond_the_recursion_limit_is_a_response_error() -> None:
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(5000):
        node["manager"] = {}
        node = node["manager"]
    text = b'{"manager": ' * 5000 + b"{}" + b"}" * 5000
    for run in (lambda: decode(deep, "User"), lambda: decode_json(text, "User"), lambda: sdk.User.from_wire(deep),
                lambda: decoder_for_model(sdk.Group)({"owners": [deep]})):
        with pytest.raises(ApiResponseError, match="nested too deeply"):
            run()


@structs_only
def test_a_subclass_of_a_model() -> None:
    class MyUser(sdk.User):
        note: str | None = None

    user = MyUser.from_wire({"id": "u", "state": "gone", "manager": {"id": "m"}})
    assert type(user) is MyUser and user.state == "outdated_sdk_version" and type(user.manager) is sdk.User
    user.note = "local"
    assert to_wire(user) == {"id": "u", "state": "outdated_sdk_version", "manager": {"id": "m"}}
    assert MyUser.from_wire({"id": "u", "version": "x"}).version == "x"
    assert decoder_for_model(MyUser) is decoder_for_model(MyUser)


@structs_only
def test_decode_json_fast_decoders_are_made_once_and_bad_json_raises() -> None:
    assert decode_json(b'[{"address": "a"}, null]', "list[Contact]") == [sdk.Contact(address="a"), None]
    assert decode_json(b'{"address": "a"}', "Contact") == sdk.Contact(address="a")
    found = _serde._json_decoders["Contact"]
    assert decode_json(b'{"address": "b"}', "Contact") == sdk.Contact(address="b")
    assert _serde._json_decoders["Contact"] is found
    assert decode_json(b'{"a": 1}', None) == {"a": 1}
    with pytest.raises(ValueError):
        decode_json(b"{", "Contact")


# -- encoding and the model surface ---------------------------------------------------------------------------
@structs_only
def test_encoding_struct_models() -> None:
    user = sdk.User(id="u", name=None, version=0, acd_auto_answer=False, manager=sdk.User(id="m"),
                    addresses=[sdk.Contact(address="a"), None], certifications=["c"], state=sdk.ApiNullValue(),
                    date_last_login=datetime(2024, 1, 2, tzinfo=UTC))
    user.extra = 1
    assert to_wire(user) == {"id": "u", "version": 0, "acdAutoAnswer": False, "manager": {"id": "m"},
                             "addresses": [{"address": "a"}, None], "certifications": ["c"], "state": None,
                             "dateLastLogin": "2024-01-02T00:00:00+00:00"}
    body = sdk.LongTermRequirements(months=[YearMonth(2026, 1), "x"])
    assert to_wire(body) == {"months": ["2026-01", "x"]}
    assert json.loads(user.to_wire_json())["manager"] == {"id": "m"}
    assert to_wire(sdk.ActivityCodeContainer(activity_codes={"k": sdk.ActivityCode(id="c")})) == {
        "activityCodes": {"k": {"id": "c"}}}


@structs_only
def test_struct_model_surface() -> None:
    user = sdk.User(name="Ann", state="bogus", self_uri="/u")
    assert user.state == "outdated_sdk_version" and user.self_uri == "/u"
    user.state = "Active"
    assert user.state == "Active"
    user.name = "Bob"
    assert user.name == "Bob"
    user.state = 3
    assert user.state == "outdated_sdk_version"
    with pytest.raises(TypeError, match=r"User\(\) got an unexpected keyword argument 'nmae'"):
        sdk.User(nmae="x")
    assert pickle.loads(pickle.dumps(user)) == user
    assert type(user).__module__ == "PureCloudPlatformClientV2.models.user"
    import msgspec
    assert {f.name: f.encode_name for f in msgspec.structs.fields(sdk.User)}["self_uri"] == "selfUri"
    assert sdk.User._enums["state"] == frozenset({"active", "inactive", "deleted"})
    assert "self_uri" not in sdk.User._enums
    assert _model.Model.__module__ == "PureCloudPlatformClientV2._model" and _model.Model.__qualname__ == "Model"
    assert user.to_dict()["self_uri"] == "/u" and sdk.User().to_dict()["name"] is None
    assert sdk.User(id="a") == sdk.User(id="a") and sdk.User(id="a") != sdk.User(id="b")
    assert sdk.Contact(address="x") != sdk.User()
    assert json.loads(sdk.User(date_last_login=datetime(2024, 1, 2, tzinfo=UTC)).to_json())["date_last_login"] == (
        "2024-01-02T00:00:00+00:00")


@structs_only
def test_a_caller_defined_struct_model() -> None:
    class Point(_model.Model):
        _fields = "x_pos xPos int;kind kind str a|b;label label str"

    point = Point(x_pos=1, kind="A", label="p")
    assert to_wire(point) == {"xPos": 1, "kind": "A", "label": "p"}
    assert Point.from_wire({"xPos": 2, "kind": "c"}) == Point(x_pos=2, kind="outdated_sdk_version")
    assert Point.swagger_types == {"x_pos": "int", "kind": "str", "label": "str"}
    import msgspec
    assert [(f.name, f.encode_name) for f in msgspec.structs.fields(Point)] == [
        ("x_pos", "xPos"), ("kind", "kind"), ("label", "label")]

    class Plain(_model.Model):
        _fields = (("a", "a", "str"),)

    assert Plain(a="x").to_wire_dict() == {"a": "x"} and Plain._enums == {}

    class Owned(_model.Model):  # a wire name that reads like a type expression
        _fields = "owner User User;tag tag str"

    owned = Owned.from_wire({"User": {"id": "u"}, "tag": "t"})
    assert owned.owner == sdk.User(id="u") and owned.to_wire_dict() == {"User": {"id": "u"}, "tag": "t"}


@structs_only
def test_valid_input_never_takes_the_tolerant_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """msgspec decodes what the spec allows by itself: the Python decoders are only the fallback."""
    def refuse(*args: Any) -> Any:
        raise AssertionError("the tolerant decoder was used for valid input")

    data = {"id": "u", "state": "active", "version": 2, "manager": {"id": "m", "state": "inactive"},
            "dateLastLogin": "2024-01-02T03:04:05Z", "addresses": [{"address": "a", "mediaType": "PHONE"}],
            "certifications": ["x"], "acdAutoAnswer": True, "selfUri": "/u"}
    expected = decode(data, "User")
    monkeypatch.setattr(_serde, "decoder", refuse)
    monkeypatch.setattr(_serde, "_python_model_decoder", refuse)
    for decoded in (decode(data, "User"), decode_json(json.dumps(data).encode(), "User"), sdk.User.from_wire(data),
                    decode([data], "list[User]")[0]):
        assert decoded == expected and decoded.date_last_login == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    codes = decode({"activityCodes": {"k": {"id": "c"}}}, "ActivityCodeContainer")
    assert codes.activity_codes == {"k": sdk.ActivityCode(id="c")}


@structs_only
def test_enum_assignment_where_python_and_wire_names_differ() -> None:
    contact = sdk.Contact(media_type="FAX")
    assert contact.media_type == "outdated_sdk_version"
    contact.media_type = "phone"
    assert contact.media_type == "phone"
    assert sdk.Contact._enums["media_type"] == frozenset({"phone", "email", "sms"})


@structs_only
def test_msgspec_encodes_a_model_as_the_wire_form() -> None:
    import msgspec
    user = sdk.User(id="u", self_uri="/u", manager=sdk.User(id="m"))
    assert msgspec.json.decode(msgspec.json.encode(user)) == to_wire(user) == {
        "id": "u", "manager": {"id": "m"}, "selfUri": "/u"}


@structs_only
def test_a_subclass_of_a_fresh_model_decodes_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """The field types of a subclass's bases are filled in too, so msgspec decodes it by itself."""
    class Base(_model.Model):
        _fields = "when when datetime;tags tags list[str]"

    class Child(Base):
        pass

    def refuse(*args: Any) -> Any:
        raise AssertionError("the tolerant decoder was used for valid input")

    monkeypatch.setattr(_serde, "_python_model_decoder", refuse)
    child = Child.from_wire({"when": "2024-01-02T00:00:00Z", "tags": ["a"]})
    assert type(child) is Child and child.when == datetime(2024, 1, 2, tzinfo=UTC) and child.tags == ["a"]
