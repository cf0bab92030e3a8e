"""Hostile input: random and mutated JSON into the deserializer, hostile arguments into generated methods.

The deserializer may only decode or raise ``ApiResponseError``; a generated method may only
reject an argument (``ValueError``/``TypeError``) or encode it so that the request keeps its
host and its path segments; CR/LF never reaches a header.
"""
from __future__ import annotations

import json
import random
import re
import string
import time
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import _serde
from PureCloudPlatformClientV2._model import Model
from PureCloudPlatformClientV2.abstract_http_client import AbstractHttpClient
from PureCloudPlatformClientV2.rest import ApiResponseError, RESTResponse

ROOT = Path(__file__).resolve().parents[2]
HOST = "https://api.hostile.test"
FAST = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


# -- the model sample ---------------------------------------------------------------------------------
@cache
def spec_models() -> dict[str, dict[str, Any]]:
    models: dict[str, dict[str, Any]] = {}
    for path in sorted((ROOT / "spec" / "models").glob("*.json")):
        for model in json.loads(path.read_text()):
            models[model["name"]] = model
    return models


def _refs(type_expr: str) -> list[str]:
    return [name for name in re.findall(r"[A-Za-z_]\w*", type_expr) if name in spec_models()]


@cache
def model_sample() -> tuple[str, ...]:
    """500 models: the largest, the ones reaching most others, the deepest, every self-recursive
    one, and a seeded random rest."""
    models = spec_models()
    graph = {name: {r for f in m["fields"] for r in _refs(f["type"])} for name, m in models.items()}

    def reach(name: str) -> int:
        seen, stack = set(), [name]
        while stack:
            for nxt in graph[stack.pop()] - seen:
                seen.add(nxt)
                stack.append(nxt)
        return len(seen)

    depth_memo: dict[str, int] = {}

    def depth(name: str, path: frozenset[str] = frozenset()) -> int:
        if name in depth_memo:
            return depth_memo[name]
        if name in path:
            return 0
        found = 1 + max((depth(c, path | {name}) for c in graph[name]), default=0)
        depth_memo[name] = found
        return found

    chosen: list[str] = []
    for ranking in (sorted(models, key=lambda n: -len(models[n]["fields"]))[:25],
                    sorted(models, key=lambda n: -reach(n))[:25],
                    sorted(models, key=lambda n: -depth(n))[:25],
                    sorted(n for n in models if n in graph[n])):
        chosen += [n for n in ranking if n not in chosen]
    rest = sorted(set(models) - set(chosen))
    chosen += random.Random(6).sample(rest, 500 - len(chosen))
    return tuple(chosen)


def valid_document(type_expr: str, depth: int = 0) -> Any:
    """A plausible wire value for a spec type (models to three levels)."""
    scalars = {"str": "text", "int": 7, "float": 1.5, "bool": True, "object": {"any": [1, "two"]},
               "datetime": "2024-02-03T04:05:06.789Z", "LocalDateTime": "2024-02-03T04:05:06",
               "date": "2024-02-03", "YearMonth": "2024-02"}
    if type_expr in scalars:
        return scalars[type_expr]
    if type_expr.startswith("list["):
        return [valid_document(type_expr[5:-1], depth)]
    if type_expr.startswith("dict("):
        return {"key": valid_document(type_expr[5:-1].split(",", 1)[1].strip(), depth)}
    model = spec_models().get(type_expr)
    if model is None or depth >= 3:
        return {}
    return {f["wire"]: (f["enum"][0] if f.get("enum") else valid_document(f["type"], depth + 1))
            for f in model["fields"]}


def test_sample_covers_the_hard_models() -> None:
    sample = model_sample()
    assert len(sample) == len(set(sample)) == 500
    assert "ViewFilter" in sample  # the largest model (248 fields)
    assert "CommonRuleConditions" in sample  # recursive
    assert "KnowledgeDocumentSearch" in sample  # among the most deeply nested


# -- deserializer ---------------------------------------------------------------------------------------
def decode_safely(data: Any, name: str) -> Any:
    """Decode; anything but success or ApiResponseError fails the test (pytest reports it)."""
    try:
        result = _serde.decode(data, name)
    except ApiResponseError:
        return None
    if isinstance(result, Model):
        result.to_dict()  # a decoded object is usable
    return result


HOSTILE_VALUES: list[Any] = [0, -1, 2**70, 1e308, float("inf"), float("nan"), True, "", "x" * 10_000,
                             "\x00\ud800", [], [None], [[[]]], {}, {"": None}, {"id": {"id": {"id": []}}}]


def test_every_sampled_model_survives_wrong_types_everywhere() -> None:
    """Deterministic sweep: each of the 500 models gets a valid document, each hostile value in
    place of the whole document, and every field set to each hostile kind."""
    for name in model_sample():
        fields = spec_models()[name]["fields"]
        decoded = decode_safely(valid_document(name), name)
        assert type(decoded).__name__ == name, f"a valid {name} document was rejected"  # not all-reject
        for value in HOSTILE_VALUES:
            decode_safely(value, name)
        for value in ("text", 12, [1, {"a": None}], [float("inf")], {"nested": ["x"]}, float("-inf"), False):
            decode_safely({f["wire"]: value for f in fields}, name)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=25)


@FAST
@given(name=st.sampled_from(model_sample()), data=json_values)
def test_random_json_into_the_decoder(name: str, data: Any) -> None:
    decode_safely(data, name)


def _mutate(document: Any, rnd: random.Random, replacement: Any) -> Any:
    """Replace one randomly chosen node (found by a random walk) of ``document``."""
    if not isinstance(document, (dict, list)) or not document or rnd.random() < 0.25:
        return replacement
    if isinstance(document, dict):
        key = rnd.choice(sorted(document))
        return {**document, key: _mutate(document[key], rnd, replacement)}
    index = rnd.randrange(len(document))
    return document[:index] + [_mutate(document[index], rnd, replacement)] + document[index + 1:]


@FAST
@given(name=st.sampled_from(model_sample()), seed=st.integers(0, 2**32), replacements=st.lists(json_values, max_size=4))
def test_mutated_documents_into_deserialize(name: str, seed: int, replacements: list[Any]) -> None:
    rnd = random.Random(seed)
    document = valid_document(name)
    for replacement in replacements:
        document = _mutate(document, rnd, replacement)
    decoded = decode_safely(document, name)
    if not replacements:
        assert type(decoded).__name__ == name  # an undamaged document is accepted
    body = json.dumps(document).encode()  # NaN/Infinity literals included, as a sloppy server sends them
    if rnd.random() < 0.5 and body:
        cut = rnd.randrange(len(body))  # byte-level damage: truncation, a flipped byte
        body = body[:cut] if rnd.random() < 0.5 else body[:cut] + bytes([rnd.randrange(256)]) + body[cut + 1:]
    client = sdk.ApiClient(configuration=sdk.Configuration.new(live_reload_config=False))
    try:
        client.deserialize(RESTResponse(200, "OK", {"Content-Type": "application/json"}, body), name)
    except ApiResponseError:
        pass


def _nested(depth: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    node = root
    for _ in range(depth):
        child: dict[str, Any] = {}
        node["clauses"] = [child]
        node = child
    return root


@pytest.mark.parametrize("depth", [10, 200, 5_000, 50_000])
def test_deeply_nested_model_input_is_decoded_or_a_response_error(depth: int) -> None:
    try:
        result = _serde.decode(_nested(depth), "CommonRuleConditions")
    except ApiResponseError as error:
        assert "nested too deeply" in str(error)
        assert depth > 200, "a reasonably nested document must decode"
    else:
        assert isinstance(result, sdk.CommonRuleConditions)


def test_deeply_nested_response_within_the_json_parser_limits() -> None:
    client = sdk.ApiClient(configuration=sdk.Configuration.new(live_reload_config=False))
    body = json.dumps(_nested(400)).encode()  # 800 JSON levels: parsed by json.loads
    # Nested values are converted on first read, one level at a time: no recursion, any depth.
    node = client.deserialize(RESTResponse(200, "OK", {"Content-Type": "application/json"}, body),
                              "CommonRuleConditions")
    depth = 0
    while node is not None and node.clauses:
        node = node.clauses[0]
        depth += 1
    assert depth == 400


def test_json_nested_beyond_the_parser_limit_is_a_response_error() -> None:
    client = sdk.ApiClient(configuration=sdk.Configuration.new(live_reload_config=False))
    body = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(ApiResponseError):
        client.deserialize(RESTResponse(200, "OK", {"Content-Type": "application/json"}, body), "object")


def _best_time(fn: Any, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("shape", ["listing", "timestamp-fraction", "timestamp-spaces", "wide-object"])
def test_decoding_time_is_roughly_linear(shape: str) -> None:
    def make(n: int) -> tuple[Any, str]:
        if shape == "listing":
            return {"entities": [valid_document("User") for _ in range(n // 10)]}, "UserEntityListing"
        if shape == "timestamp-fraction":
            return {"dateModified": "2024-01-01T00:00:00." + "1" * n * 10 + "x"}, "User"
        if shape == "timestamp-spaces":
            return {"dateModified": "2024-01-01T00:00:00" + " " * n * 10 + "x"}, "User"
        return {f"k{i}": i for i in range(n * 10)}, "User"

    small_doc, small_type = make(500)
    large_doc, large_type = make(4000)  # 8x the input
    # Interleaved best-of-7 so load on a shared machine hits both sizes alike.
    small = large = float("inf")
    for _ in range(7):
        small = min(small, _best_time(lambda: _serde.decode(small_doc, small_type), repeat=1))
        large = min(large, _best_time(lambda: _serde.decode(large_doc, large_type), repeat=1))
    assert large < max(small, 1e-4) * 8 * 4, f"{shape}: 8x input took {large / max(small, 1e-9):.1f}x the time"


# -- generated methods ------------------------------------------------------------------------------------------
class Capture(AbstractHttpClient):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Any] = []

    def request(self, options: Any) -> RESTResponse:
        self.sent.append(options)
        return RESTResponse(200, "OK", {"Content-Type": "application/json"}, b"{}")


def capture_client() -> tuple[sdk.ApiClient, Capture]:
    client = sdk.ApiClient(configuration=sdk.Configuration.new(host=HOST, live_reload_config=False))
    client.access_token = "hostile-test-token"
    transport = Capture()
    client.set_http_client(transport)
    return client, transport


@cache
def path_operations() -> tuple[tuple[str, dict[str, Any]], ...]:
    """Operations with path parameters: get_user plus a seeded sample of 80."""
    found = []
    for path in sorted((ROOT / "spec" / "apis").glob("*.json")):
        api = json.loads(path.read_text())
        for op in api["operations"]:
            if any(p["in"] == "path" for p in op["params"]) and not op.get("deprecated"):
                found.append((api["class"], op))
    sample = random.Random(6).sample(found, 80)
    sample += [(c, op) for c, op in found if op["name"] == "get_user"]
    return tuple(sample)


HOSTILE_TEXT = st.one_of(
    st.sampled_from(["/", "..", ".", "?", "#", "../../oauth/token", "a/b", "%2F", "%2e%2e", "?x=1#frag", "@evil.example",
                     "//evil.example/x", "\\..\\", " ", "\u2215", "\uff0f", "é/ü", "\U0001f600", ";a=b", "\x00"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40),
    st.builds(lambda chunk, n: chunk * n, st.sampled_from(["a", "/", "..", "%", "\u00e9"]), st.integers(500, 5000)),
)
HOSTILE_ARGS = st.one_of(HOSTILE_TEXT, st.integers(), st.floats(), st.booleans(), st.binary(max_size=10),
                         st.lists(HOSTILE_TEXT, min_size=1, max_size=3), st.dictionaries(st.text(max_size=3), st.integers(),
                                                                                          max_size=2))


@FAST
@given(index=st.integers(0, 10_000), value=HOSTILE_ARGS)
def test_path_parameters_never_change_host_or_segments(index: int, value: Any) -> None:
    class_name, op = path_operations()[index % len(path_operations())]
    client, transport = capture_client()
    method = getattr(getattr(sdk, class_name)(client), op["name"])
    path_params = [p for p in op["params"] if p["in"] == "path"]
    args = {p["name"]: (value if p["in"] == "path" else ({} if p["in"] == "body" else "x"))
            for p in op["params"] if p.get("required")}
    rendered = sdk.api_client.param_text(value)
    if rendered == "":
        return  # an empty path argument: see test_empty_path_parameter_is_rejected
    try:
        method(**args)
    except ValueError as exc:
        # Only the spec's own constraints (pattern, range) may reject a path argument, naming it;
        # test_hostile_but_valid_path_arguments_are_sent_as_one_segment checks the rest are sent.
        assert str(exc).startswith("Invalid value for parameter"), exc
        assert transport.sent == []  # rejected before anything was sent
        return
    assert len(transport.sent) == 1
    url = urlsplit(transport.sent[0].url)
    assert (url.scheme, url.netloc, url.query, url.fragment) == ("https", "api.hostile.test", "", "")
    template = op["path"].split("/")
    sent = url.path.split("/")
    assert len(sent) == len(template), f"{op['path']} with {value!r} sent {url.path}"
    names = {"{" + p["wire"] + "}" for p in path_params}
    for expected, actual in zip(template, sent, strict=True):
        if expected in names:
            assert actual not in (".", "..") and unquote(actual) == rendered
        else:
            assert actual == expected


@pytest.mark.parametrize("value", ["/", "..", ".", "?", "#", "../../oauth/token", "a/b", "%2F", "%2e%2e", "?x=1#frag",
                                   "@evil.example", "//evil.example/x", "\\..\\", " ", "\u2215", "\uff0f", "é/ü",
                                   "\U0001f600", ";a=b", "\x00", "a" * 5000, 0, -1, 2.5, True, ["a", "b/c"]])
def test_hostile_but_valid_path_arguments_are_sent_as_one_segment(value: Any) -> None:
    """The counterpart of the sweep above, which passes on rejection: these must be accepted and sent."""
    client, transport = capture_client()
    sdk.UsersApi(client).get_user(value)
    assert len(transport.sent) == 1
    url = urlsplit(transport.sent[0].url)
    assert (url.scheme, url.netloc, url.query, url.fragment) == ("https", "api.hostile.test", "", "")
    prefix, _, segment = url.path.rpartition("/")
    assert prefix == "/api/v2/users" and segment not in (".", "..")
    assert unquote(segment) == sdk.api_client.param_text(value)


@pytest.mark.parametrize("value", ["", []])
def test_empty_path_parameter_is_rejected(value: Any) -> None:
    client, transport = capture_client()
    with pytest.raises(ValueError):
        sdk.UsersApi(client).get_user(value)


def test_none_for_a_required_parameter_is_rejected() -> None:
    client, transport = capture_client()
    with pytest.raises(ValueError, match="user_id"):
        sdk.UsersApi(client).get_user(None)
    with pytest.raises(TypeError):
        sdk.UsersApi(client).get_user("x", no_such_option=1)  # type: ignore[call-arg]
    assert transport.sent == []


@pytest.mark.parametrize("bad", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\x00b"])
def test_crlf_in_header_values_is_rejected(bad: str) -> None:
    client, transport = capture_client()
    with pytest.raises(ValueError):
        sdk.UsersApi(client).get_user("u1", _headers={"X-Test": bad})
    with pytest.raises(ValueError):
        sdk.UsersApi(client).get_user("u1", _headers={bad: "value"})
    with pytest.raises(ValueError):
        client.set_default_header("X-Test", bad)
    with pytest.raises(ValueError):
        sdk.OAuthApi(client).get_oauth_authorizations(accept_language=bad)
    with pytest.raises(ValueError):
        client.call_api("/api/v2/users/{userId}", "GET", {"userId": "u1"}, header_params={"X-Test": bad})
    assert transport.sent == []


@pytest.mark.parametrize("where", ["user_agent", "cookie", "access_token"])
def test_crlf_through_client_attributes_is_rejected(where: str) -> None:
    client, transport = capture_client()
    bad = "value\r\nX-Injected: 1"
    with pytest.raises(ValueError):
        setattr(client, where, bad)
        sdk.UsersApi(client).get_user("u1")
    assert all("\n" not in str(v) for o in transport.sent for v in o.headers.values())


def test_random_text_round_trips_through_a_path_segment() -> None:
    """Every printable ASCII character and a few multi-byte ones stay inside the user id."""
    client, transport = capture_client()
    value = string.printable.strip() + "é\u2215\U0001f600"
    sdk.UsersApi(client).get_user(value)
    sent = urlsplit(transport.sent[0].url)
    assert sent.path.count("/") == 4 and unquote(sent.path.rsplit("/", 1)[1]) == value
