"""spec/ -> OpenAPI 2.0 (the emulator's renderer) -> spec (tools/spec_from_openapi.py) is exact."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from spec_from_openapi import main, parse_openapi, snake_case  # noqa: E402
from spec_io import read_spec  # noqa: E402

from PureCloudPlatformClientV2.emulator.openapi import render_openapi  # noqa: E402


@pytest.fixture(scope="module")
def spec():
    return read_spec(ROOT / "spec")


@pytest.fixture(scope="module")
def document(spec):
    # Through JSON text, as a client downloading /api/v2/docs/swagger would see it.
    return json.loads(json.dumps(render_openapi(spec)))


def test_round_trip_is_exact(spec, document):
    parsed = parse_openapi(document)
    assert parsed["info"] == spec["info"]
    assert [a["module"] for a in parsed["apis"]] == [a["module"] for a in spec["apis"]]
    for got, want in zip(parsed["apis"], spec["apis"], strict=True):
        assert got == want, want["module"]
    assert parsed["models"] == spec["models"]
    assert parsed == spec


def test_document_is_standard_swagger(document, spec):
    assert document["swagger"] == "2.0"
    users = document["paths"]["/api/v2/users/{userId}"]["get"]
    assert users["operationId"] == "getUser"
    assert users["security"] == [{"PureCloud OAuth": []}]
    assert users["responses"]["200"]["schema"] == {"$ref": "#/definitions/User"}
    path_param = next(p for p in users["parameters"] if p["in"] == "path")
    assert path_param == {"name": "userId", "in": "path", "required": True, "type": "string",
                          "x-python-name": "user_id"}
    expand = next(p for p in users["parameters"] if p["name"] == "expand")
    assert expand["type"] == "array" and expand["collectionFormat"] == "multi"
    assert document["definitions"]["User"]["properties"]["state"]["enum"]
    total_ops = sum(len(methods) for methods in document["paths"].values())
    assert total_ops == len({(o["method"], o["path"]) for a in spec["apis"] for o in a["operations"]})


def test_platform_document_without_extensions_derives_python_names():
    doc = {
        "swagger": "2.0",
        "info": {"title": "PureCloud Platform API", "version": "v2"},
        "tags": [{"name": "External Contacts"}],
        "paths": {"/api/v2/externalcontacts/contacts/{contactId}": {"get": {
            "tags": ["External Contacts"], "operationId": "getExternalcontactsContact",
            "produces": ["application/json"], "consumes": ["application/json"],
            "security": [{"PureCloud OAuth": ["external-contacts:readonly"]}],
            "parameters": [
                {"name": "contactId", "in": "path", "required": True, "type": "string"},
                {"name": "expand", "in": "query", "required": False, "type": "array",
                 "items": {"type": "string", "enum": ["externalOrganization"]}, "collectionFormat": "multi"},
                {"name": "pageSize", "in": "query", "type": "integer", "format": "int32", "minimum": 1},
            ],
            "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/ExternalContact"}}},
            "x-genesys-preview": True,
        }}},
        "definitions": {"ExternalContact": {"type": "object", "properties": {
            "firstName": {"type": "string"},
            "from": {"type": "string", "format": "date-time"},
            "customFields": {"type": "object", "additionalProperties": {"type": "object"}},
            "schemaVersions": {"type": "array", "items": {"type": "integer", "format": "int64"}},
            "type": {"type": "string", "enum": ["A", "B"]},
        }}},
    }
    spec = parse_openapi(doc)
    api = spec["apis"][0]
    assert (api["class"], api["module"]) == ("ExternalContactsApi", "external_contacts_api")
    op = api["operations"][0]
    assert op["name"] == "get_externalcontacts_contact" and op["auth"] and op["preview"]
    assert op["params"] == [
        {"name": "contact_id", "wire": "contactId", "in": "path", "type": "str", "required": True},
        {"name": "expand", "wire": "expand", "in": "query", "type": "list[str]", "enum": ["externalOrganization"]},
        {"name": "page_size", "wire": "pageSize", "in": "query", "type": "int", "minimum": 1},
    ]
    assert op["user_context"] is False and "permissions" not in op  # no extension: permissions unknown
    model = spec["models"][0]
    assert model["module"] == "external_contact"
    assert model["fields"] == [
        {"name": "first_name", "wire": "firstName", "type": "str"},
        {"name": "pcFrom", "wire": "from", "type": "datetime"},
        {"name": "custom_fields", "wire": "customFields", "type": "dict(str, object)"},
        {"name": "schema_versions", "wire": "schemaVersions", "type": "list[int]"},
        {"name": "type", "wire": "type", "type": "str", "enum": ["A", "B"]},
    ]


@pytest.mark.parametrize(("wire", "python"), [("pageSize", "page_size"), ("getUsersMe", "get_users_me"),
                                               ("Accept-Language", "accept_language"),
                                               ("divisionId", "division_id"), ("self", "self")])
def test_snake_case(wire, python):
    assert snake_case(wire) == python


def test_derived_names_match_nearly_all_of_the_spec(spec):
    """The derivation used for documents without x-python-name agrees with the SDK's names almost
    everywhere (the exceptions are body parameters the SDK renamed and a few acronyms)."""
    from spec_from_openapi import _field_name

    from PureCloudPlatformClientV2.emulator.openapi import _operation_id
    pairs = [(snake_case(_operation_id(o["name"])), o["name"]) for a in spec["apis"] for o in a["operations"]]
    pairs += [(_field_name(p["wire"]), p["name"]) for a in spec["apis"] for o in a["operations"] for p in o["params"]]
    pairs += [(_field_name(f["wire"]), f["name"]) for m in spec["models"] for f in m["fields"]]
    misses = [p for p in pairs if p[0] != p[1]]
    assert len(misses) / len(pairs) < 0.001, misses[:20]


def test_cli_writes_a_spec_directory(tmp_path, spec, document):
    doc_file = tmp_path / "swagger.json"
    doc_file.write_text(json.dumps(document))
    assert main([str(doc_file), "--out", str(tmp_path / "spec")]) == 0
    assert read_spec(tmp_path / "spec") == spec
