"""Compatibility of the public surface with the API definition: every API class, method
and model of spec/ is present with the right names, parameters, types and enums."""
from __future__ import annotations

import inspect
import re
from typing import Any

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import apis, models


def _annotation(type_expr: str) -> str:
    scalars = {"object": "Any", "LocalDateTime": "datetime"}
    if type_expr.startswith("list["):
        return f"list[{_annotation(type_expr[5:-1])}]"
    if type_expr.startswith("dict("):
        key, value = (p.strip() for p in type_expr[5:-1].split(",", 1))
        return f"dict[{_annotation(key)}, {_annotation(value)}]"
    return scalars.get(type_expr, type_expr)


def test_every_api_class_and_method_matches_the_spec(spec: dict[str, Any]) -> None:
    problems: list[str] = []
    methods = 0
    for api in spec["apis"]:
        cls = getattr(sdk, api["class"])
        assert cls is getattr(apis, api["class"])
        module = __import__(f"PureCloudPlatformClientV2.apis.{api['module']}", fromlist=[api["class"]])
        assert getattr(module, api["class"]) is cls
        for op in api["operations"]:
            methods += 1
            fn = getattr(cls, op["name"], None)
            if fn is None:
                problems.append(f"{api['class']}.{op['name']} missing")
                continue
            sig = inspect.signature(fn)
            params = list(sig.parameters.values())[1:]
            positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
            keywords = [p.name for p in params if p.kind is p.KEYWORD_ONLY]
            required = [p["name"] for p in op["params"] if p.get("required")]
            optional = [p["name"] for p in op["params"] if not p.get("required")]
            if positional != required:
                problems.append(f"{op['name']}: positional {positional} != {required}")
            if keywords != optional:
                problems.append(f"{op['name']}: keywords {keywords} != {optional}")
            if not all(p.default is None for p in params if p.kind is p.KEYWORD_ONLY):
                problems.append(f"{op['name']}: optional parameters must default to None")
            expected_return = _annotation(op["returns"]) if op["returns"] else "None"
            if sig.return_annotation != expected_return:
                problems.append(f"{op['name']}: returns {sig.return_annotation} != {expected_return}")
            described = cls._operations[op["name"]]
            if (described.method, described.path, described.returns) != (op["method"], op["path"], op["returns"]):
                problems.append(f"{op['name']}: descriptor differs from spec")
    assert not problems, f"{len(problems)} problems, e.g. {problems[:5]}"
    assert methods == 3508


def test_every_model_matches_the_spec(spec: dict[str, Any]) -> None:
    problems: list[str] = []
    attributes = enums = 0
    for model in spec["models"]:
        cls = getattr(sdk, model["name"])
        assert cls is getattr(models, model["name"])
        instance = cls()
        expected_types = {f["name"]: f["type"] for f in model["fields"]}
        expected_wires = {f["name"]: f["wire"] for f in model["fields"]}
        if instance.swagger_types != expected_types or list(instance.swagger_types) != list(expected_types):
            problems.append(f"{model['name']}: swagger_types differ")
        if instance.attribute_map != expected_wires:
            problems.append(f"{model['name']}: attribute_map differs")
        for f in model["fields"]:
            attributes += 1
            if getattr(instance, f["name"]) is not None:
                problems.append(f"{model['name']}.{f['name']} not None by default")
            if "enum" in f:
                enums += 1
                setattr(instance, f["name"], f["enum"][0])
                if getattr(instance, f["name"]) != f["enum"][0]:
                    problems.append(f"{model['name']}.{f['name']}: allowed value rejected")
                setattr(instance, f["name"], "surely-not-a-value")
                if getattr(instance, f["name"]) != "outdated_sdk_version":
                    problems.append(f"{model['name']}.{f['name']}: unknown value kept")
    assert not problems, f"{len(problems)} problems, e.g. {problems[:5]}"
    assert (len(spec["models"]), attributes, enums) == (6651, 36208, 3311)


def test_official_module_paths_import() -> None:
    from PureCloudPlatformClientV2.models.user import User
    from PureCloudPlatformClientV2.models.worktype_update import WorktypeUpdate

    from PureCloudPlatformClientV2.api_client import ApiClient
    from PureCloudPlatformClientV2.apis.users_api import UsersApi
    from PureCloudPlatformClientV2.configuration import Configuration
    from PureCloudPlatformClientV2.logger import LogFormat, LogLevel
    from PureCloudPlatformClientV2.rest import ApiException

    assert (ApiClient, UsersApi, User, WorktypeUpdate, ApiException) == (
        sdk.ApiClient, sdk.UsersApi, sdk.User, sdk.WorktypeUpdate, sdk.ApiException)
    assert LogLevel.LNone > LogLevel.LError > LogLevel.LDebug > LogLevel.LTrace
    assert LogFormat.TEXT != LogFormat.JSON
    assert isinstance(sdk.configuration, Configuration)
    assert Configuration() is sdk.configuration
    assert sdk.ApiNullValue() is sdk.ApiNullValue()
    for name in ("AbstractHttpClient", "HttpRequestOptions", "GatewayConfiguration", "PureCloudRegionHosts"):
        assert getattr(sdk, name) is not None
    assert User.__module__ == "PureCloudPlatformClientV2.models.user"


def test_unknown_names_raise_attribute_error() -> None:
    import pytest
    with pytest.raises(AttributeError):
        sdk.NoSuchApi  # noqa: B018
    with pytest.raises(ImportError):
        __import__("PureCloudPlatformClientV2.models.no_such_model")


def test_deprecated_operations_warn() -> None:
    import warnings

    from tests.conftest import CapturingClient
    client = sdk.ApiClient(host="https://api.example.test", configuration=sdk.Configuration.new())
    client.set_http_client(CapturingClient())
    deprecated = [(name, op) for name, ops in __import__("PureCloudPlatformClientV2._catalog", fromlist=["x"])
                  .operations_by_class().items() for op in ops.values() if op.deprecated]
    assert len(deprecated) == 133
    class_name, op = deprecated[0]
    api = getattr(sdk, class_name)(client)
    args = ["00000000-0000-0000-0000-000000000000" for p in op.params if p.required]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(api, op.name)(*args)
    assert any(issubclass(w.category, DeprecationWarning) and op.name in str(w.message) for w in caught)
    assert [w.filename for w in caught if issubclass(w.category, DeprecationWarning)] == [__file__]  # the caller's line


def test_docstrings_state_route_and_parameters() -> None:
    doc = sdk.UsersApi.get_user.__doc__ or ""
    assert "GET /api/v2/users/{userId}" in doc
    assert re.search(r":param str user_id: path ``userId``, required", doc)
    assert ":return: User" in doc
