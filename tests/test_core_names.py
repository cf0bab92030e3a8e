"""Every public name of the official SDK's hand-written core modules exists here with the same parameters.

``spec/core.json`` is the list, read from the official 269.0.0 wheel with ``ast`` by
``tools/core_names_from_wheel.py``: modules, classes, functions, methods, properties,
class and constructor-set attributes, and each callable's parameters (names, order,
which have defaults, literal default values).  Ours may add parameters, but only
optional ones after the official ones.
"""
from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path
from typing import Any

import pytest

CORE = json.loads((Path(__file__).resolve().parent.parent / "spec" / "core.json").read_text())
PKG = "PureCloudPlatformClientV2"


class _Urllib3Like:
    status = 200
    reason = "OK"
    data = b"{}"
    headers = {"Content-Type": "application/json"}


def _instances() -> dict[tuple[str, str], Any]:
    """One instance of each official class, made the way a script makes it."""
    import PureCloudPlatformClientV2 as sdk
    from PureCloudPlatformClientV2.abstract_http_client import AbstractHttpClient
    from PureCloudPlatformClientV2.configuration import ConfigFileEventHandler
    from PureCloudPlatformClientV2.default_http_client import DefaultHttpClient
    from PureCloudPlatformClientV2.logger import Logger, LogStatement
    from PureCloudPlatformClientV2.rest import ApiException, RESTClientObject, RESTResponse

    class Client(AbstractHttpClient):
        def request(self, http_request_options: Any) -> Any:
            return None

    config = sdk.Configuration.new(live_reload_config=False)
    return {
        ("abstract_http_client", "AbstractHttpClient"): Client(),
        ("api_client", "ApiClient"): sdk.ApiClient(configuration=config),
        ("api_null_value", "ApiNullValue"): sdk.ApiNullValue(),
        ("configuration", "ConfigFileEventHandler"): ConfigFileEventHandler(config),
        ("configuration", "Configuration"): config,
        ("default_http_client", "DefaultHttpClient"): DefaultHttpClient(),
        ("gateway_configuration", "GatewayConfiguration"): sdk.GatewayConfiguration(),
        ("http_request_options", "HttpRequestOptions"): sdk.HttpRequestOptions("https://x.example/", "GET"),
        ("logger", "LogFormat"): sdk.logger.LogFormat(),
        ("logger", "LogLevel"): sdk.logger.LogLevel(),
        ("logger", "LogStatement"): LogStatement("debug", "01-01-2026, 00:00:00", "GET", "https://x.example/",
                                                None, 200, {}),
        ("logger", "Logger"): Logger(),
        ("purecloud_region_hosts", "PureCloudRegionHosts"): sdk.PureCloudRegionHosts.us_east_1,
        ("rest", "ApiException"): ApiException(),
        ("rest", "RESTClientObject"): RESTClientObject(),
        ("rest", "RESTResponse"): RESTResponse(_Urllib3Like()),
        ("year_month", "YearMonth"): sdk.YearMonth(2026, 1),
    }


def official_names() -> list[str]:
    """Every checked name, as ``module.Name`` or ``module.Class.member``."""
    out = []
    for module, names in CORE["modules"].items():
        for name, entry in names.items():
            out.append(f"{module}.{name}")
            out += [f"{module}.{name}.{member}" for member in entry.get("members", {})]
    return out


def _check_params(where: str, official: list[dict[str, Any]], func: Any, problems: list[str]) -> None:
    try:
        ours = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        problems.append(f"{where}: no inspectable signature")
        return
    if ours and ours[0].name in ("self", "cls") and official[:1] != [{"name": ours[0].name, "kind": "positional"}]:
        ours = ours[1:]  # unbound method reached through the class
    by_name = {p.name: p for p in ours}
    positional = [p for p in ours if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    has_var_pos = any(p.kind is p.VAR_POSITIONAL for p in ours)
    has_var_kw = any(p.kind is p.VAR_KEYWORD for p in ours)
    index = 0
    for param in official:
        kind = param["kind"]
        if kind == "var_positional":
            if not has_var_pos:
                problems.append(f"{where}: no *{param['name']}")
            continue
        if kind == "var_keyword":
            if not has_var_kw:
                problems.append(f"{where}: no **{param['name']}")
            continue
        mine = by_name.get(param["name"])
        if mine is None:
            problems.append(f"{where}: parameter {param['name']!r} missing")
            continue
        if kind == "positional":
            if index >= len(positional) or positional[index].name != param["name"]:
                problems.append(f"{where}: {param['name']!r} is not positional parameter {index + 1}")
            index += 1
        if "default" in param:
            if mine.default is inspect.Parameter.empty:
                problems.append(f"{where}: {param['name']!r} should be optional")
            elif param["default"] != "<expr>" and repr(mine.default) != param["default"]:
                problems.append(f"{where}: {param['name']!r} defaults to {mine.default!r}, "
                                f"official {param['default']}")
        elif mine.default is not inspect.Parameter.empty and kind == "positional":
            pass  # optional where the official requires it: every official call still works
    official_names_ = {p["name"] for p in official}
    for extra in ours:
        if (extra.name not in official_names_ and extra.default is inspect.Parameter.empty
                and extra.kind not in (extra.VAR_POSITIONAL, extra.VAR_KEYWORD)):
            problems.append(f"{where}: extra required parameter {extra.name!r}")


@pytest.fixture(scope="module")
def instances() -> dict[tuple[str, str], Any]:
    return _instances()


@pytest.mark.parametrize("name", official_names())
def test_official_core_name(name: str, instances: dict[tuple[str, str], Any]) -> None:
    """One official name (``module.Name`` or ``module.Class.member``): present, same parameters."""
    module_name, top, *rest = name.split(".")
    entry = CORE["modules"][module_name][top]
    module = importlib.import_module(f"{PKG}.{module_name}")
    problems: list[str] = []
    assert hasattr(module, top), f"{module_name}.{top} missing"
    obj = getattr(module, top)
    if not rest:
        if entry["kind"] == "function":
            _check_params(name, entry["params"], obj, problems)
        elif entry["kind"] == "class":
            assert isinstance(obj, type), f"{name} is not a class"
    else:
        member = rest[0]
        spec = entry["members"][member]
        if member == "__init__":
            _check_params(name, spec["params"], obj.__init__, problems)
        else:
            instance = instances.get((module_name, top))
            assert instance is not None, f"the test makes no {module_name}.{top} instance"
            assert hasattr(instance, member), f"{name} missing"
            if "params" in spec:
                _check_params(name, spec["params"], getattr(instance, member), problems)
    assert not problems, "\n".join(problems)


def test_the_list_covers_the_official_core() -> None:
    checked = official_names()
    # a sample of what scripts reach for: the list must keep naming them
    for name in ("api_client.ApiClient.prepare_post_parameters", "api_client.ApiClient.refresh_token_lock",
                 "rest.RESTClientObject.request", "logger.LogStatement", "utils.string_types",
                 "configuration.ConfigFileEventHandler", "default_http_client.DefaultHttpClient.rest_client"):
        assert name in checked
    assert len(checked) > 200  # each is a test of its own: test_official_core_name[<name>]


@pytest.mark.parametrize("module", sorted(CORE["modules"]))
def test_each_core_module_imports_from_its_official_path(module: str) -> None:
    assert importlib.import_module(f"{PKG}.{module}")


def test_the_tool_reads_names_and_parameters_as_data() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
    from core_names_from_wheel import core_from_sources

    source = (
        "import os\n"
        "string_types = (bytes, str)\n"
        "def helper(a, b=1, *rest, c=None, **kw): pass\n"
        "def _private(): pass\n"
        "class Thing(object):\n"
        "    LIMIT = 4\n"
        "    def __init__(self, x, y='z'):\n"
        "        self.x = x\n"
        "        self._hidden = y\n"
        "    @property\n"
        "    def size(self): return 1\n"
        "    @staticmethod\n"
        "    def make(value): pass\n"
        "    def __repr__(self): return ''\n"
        "raise SystemExit('never executed')\n")
    core = core_from_sources({"__init__": "", "thing": source}, "1.0")
    names = core["modules"]["thing"]
    assert set(names) == {"string_types", "helper", "Thing"}
    assert names["helper"]["params"] == [
        {"name": "a", "kind": "positional"}, {"name": "b", "kind": "positional", "default": "1"},
        {"name": "rest", "kind": "var_positional"}, {"name": "c", "kind": "keyword", "default": "None"},
        {"name": "kw", "kind": "var_keyword"}]
    members = names["Thing"]["members"]
    assert set(members) == {"LIMIT", "__init__", "x", "size", "make"}
    assert members["__init__"]["params"] == [{"name": "x", "kind": "positional"},
                                             {"name": "y", "kind": "positional", "default": "'z'"}]
    assert members["size"] == {"kind": "property"} and members["make"]["kind"] == "staticmethod"
