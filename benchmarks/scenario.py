"""One benchmark scenario, run in a fresh process under either SDK's interpreter.

``python scenario.py NAME --fixtures DIR [--budget SECONDS] [--port PORT]`` prints one JSON
object on its last stdout line: ``{"ok": true, ...figures}`` or ``{"ok": false, "error": ...}``.

The same file runs under the official SDK (its own virtualenv) and under ours. It uses only
the public surface both share: ``api_client.ApiClient``, ``set_http_client`` with an
``abstract_http_client.AbstractHttpClient`` subclass, the API classes and models, the models'
``swagger_types``/``attribute_map`` and ``ApiClient.sanitize_for_serialization``. Only the
standard library is imported besides the SDK.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import threading
import time
import traceback
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

FIXTURES: Path = Path(".")
BUDGET = 1.0  # seconds of timed calls per measurement
MIN_N = 3

HEADERS = {"Content-Type": "application/json", "inin-correlation-id": "bench-0000-0000"}


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MB.

    Linux's VmHWM is the high-water mark of this program's own memory. ``ru_maxrss`` is not
    used where VmHWM exists: it also keeps the peak of the parent process this one was
    spawned from (vfork + exec), which swamps small figures such as ours after import.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fixture_text(name: str) -> str:
    return (FIXTURES / f"{name}.json").read_text(encoding="utf-8")


def measure(fn, budget: float | None = None, min_n: int | None = None, max_n: int = 200_000) -> dict:
    """Call ``fn`` once untimed (reported as ``first_s``), then repeatedly for ``budget`` seconds.

    Each call is timed in CPU time of this process (``process_time``), not wall time: on a shared
    machine a wall-clock figure also counts the time other jobs held the CPU, which made runs at
    a load average of 8 on 2 CPUs useless. Everything timed here runs on this one thread."""
    budget = BUDGET if budget is None else budget
    min_n = MIN_N if min_n is None else min_n
    clock = time.process_time
    t = clock()
    fn()
    first = clock() - t
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < min_n or (time.perf_counter() - start < budget and len(times) < max_n):
        t = clock()
        fn()
        times.append(clock() - t)
    return {"median_s": statistics.median(times), "min_s": min(times), "n": len(times), "first_s": first}


# -- canned transport ---------------------------------------------------------------------------------

class CannedResponse:
    """What a custom http client hands back: status, reason, data (str) and the header accessors."""

    def __init__(self, data: str, status: int = 200) -> None:
        self.status = status
        self.reason = "OK"
        self.data = data
        self.headers = HEADERS

    def getheaders(self):
        return self.headers

    def getheader(self, name, default=None):
        return self.headers.get(name, default)


def make_client(routes: dict[str, str]):
    """An ApiClient whose transport answers from ``routes`` (URL path -> JSON text), no network."""
    from PureCloudPlatformClientV2.abstract_http_client import AbstractHttpClient
    from PureCloudPlatformClientV2.api_client import ApiClient

    class CannedHttpClient(AbstractHttpClient):
        def __init__(self) -> None:
            super().__init__()
            self.last_body = None
            self.body_type = None

        def request(self, options):
            # A real transport must send bytes. The official SDK hands custom clients the sanitized
            # body (dict/list) to encode; ours may also offer it already encoded as `encoded_body`.
            body = getattr(options, "encoded_body", None)
            self.body_type = type(options.body).__name__
            if body is None:
                body = options.body
                if body is not None and not isinstance(body, (str, bytes)):
                    body = json.dumps(body)
            self.last_body = body
            return CannedResponse(routes[urlsplit(options.url).path])

    client = ApiClient()
    client.access_token = "bench-token"  # a token is present, so no login is attempted
    transport = CannedHttpClient()
    client.set_http_client(transport)
    return client, transport


def build(pkg, type_str: str, value):
    """Build model objects from wire JSON with the public model tables (setup only, never timed)."""
    if value is None:
        return None
    if type_str.startswith("list["):
        return [build(pkg, type_str[5:-1], v) for v in value]
    if type_str.startswith("dict("):
        inner = type_str[5:-1].split(", ", 1)[1]
        return {k: build(pkg, inner, v) for k, v in value.items()}
    if type_str in ("str", "int", "float", "bool", "object"):
        return value
    if type_str in ("datetime", "LocalDateTime"):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    if type_str == "date":
        return date.fromisoformat(value)
    model = getattr(pkg, type_str)()
    by_wire = {wire: attr for attr, wire in model.attribute_map.items()}
    for wire, v in value.items():
        attr = by_wire[wire]
        setattr(model, attr, build(pkg, model.swagger_types[attr], v))
    return model


# -- round trip ---------------------------------------------------------------------------------------

def _as_instant(s):
    if not isinstance(s, str) or len(s) < 19 or s[4] != "-" or s[10] != "T":
        return None
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None


def compare(expected, actual, path: str, report: dict) -> None:
    """Record every difference between fixture JSON and what the SDK wrote back."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for k, v in expected.items():
            if k not in actual:
                report["lost"].append(f"{path}.{k}")
            else:
                compare(v, actual[k], f"{path}.{k}", report)
        for k in actual:
            if k not in expected:
                report["extra"].append(f"{path}.{k}")
        return
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            report["changed"].append(f"{path}: list of {len(expected)} became {len(actual)}")
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            compare(e, a, f"{path}[{i}]", report)
        return
    if expected == actual and type(expected) is type(actual):
        report["equal"] += 1
        return
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)) \
            and not isinstance(expected, bool) and expected == actual:
        report["normalised"]["number_type"] += 1
        return
    e_dt, a_dt = _as_instant(expected), _as_instant(actual)
    if e_dt is not None and a_dt is not None and e_dt == a_dt:
        report["normalised"]["datetime_format"] += 1
        if len(report["examples"]) < 2:
            report["examples"].append([expected, actual])
        return
    report["changed"].append(f"{path}: {expected!r} -> {actual!r}"[:300])


def scenario_roundtrip() -> dict:
    import PureCloudPlatformClientV2 as pkg

    texts = {n: fixture_text(n) for n in ("user_me", "user_me_full", "users_page", "analytics",
                                          "analytics_query", "bulk_contacts")}
    out = {}

    def check(name, produced, extra=None):
        report = {"equal": 0, "lost": [], "extra": [], "changed": [],
                  "normalised": {"datetime_format": 0, "number_type": 0}, "examples": []}
        compare(json.loads(texts[name]), produced, "$", report)
        for key in ("lost", "extra", "changed"):
            report[f"n_{key}"] = len(report[key])
            report[key] = report[key][:20]
        report["ok"] = not (report["n_lost"] or report["n_extra"] or report["n_changed"])
        if extra:
            report.update(extra)
        out[name] = report

    for name, path, call in (
        ("user_me", "/api/v2/users/me", lambda api: api.get_users_me()),
        ("user_me_full", "/api/v2/users/me", lambda api: api.get_users_me()),
        ("users_page", "/api/v2/users", lambda api: api.get_users(page_size=500)),
    ):
        client, _ = make_client({path: texts[name]})
        model = call(pkg.UsersApi(client))
        check(name, client.sanitize_for_serialization(model), {"type": type(model).__name__})

    client, transport = make_client({"/api/v2/analytics/conversations/details/query": texts["analytics"]})
    query = build(pkg, "ConversationQuery", json.loads(texts["analytics_query"]))
    model = pkg.ConversationsApi(client).post_analytics_conversations_details_query(query)
    check("analytics", client.sanitize_for_serialization(model), {"type": type(model).__name__})
    sent = transport.last_body
    check("analytics_query", json.loads(sent) if isinstance(sent, (str, bytes)) else sent,
          {"type": type(query).__name__, "checked": "body the transport received",
           "options_body_type": transport.body_type})

    body = build(pkg, "BulkContactsRequest", json.loads(texts["bulk_contacts"]))
    check("bulk_contacts", client.sanitize_for_serialization(body), {"type": type(body).__name__})
    # The official SDK passes custom http clients the sanitized body (a dict) in options.body.
    compat = {"options_body_type": transport.body_type,
              "options_body_is_json_ready": transport.body_type in ("dict", "list", "str", "bytes")}
    return {"fixtures": out, "ok": all(r["ok"] for r in out.values()), "compat": compat}


# -- scenarios ----------------------------------------------------------------------------------------

def scenario_bare() -> dict:
    return {"rss_mb": rss_mb()}


def scenario_import() -> dict:
    t = time.perf_counter()
    import PureCloudPlatformClientV2  # noqa: F401
    return {"import_s": time.perf_counter() - t, "rss_mb": rss_mb(), "modules": len(sys.modules)}


def scenario_first_access() -> dict:
    import PureCloudPlatformClientV2 as pkg
    rss0, mods0 = rss_mb(), len(sys.modules)
    t = time.perf_counter()
    api_class = pkg.UsersApi
    model_class = pkg.User
    model_class()
    elapsed = time.perf_counter() - t
    assert api_class.__name__ == "UsersApi" and model_class.__name__ == "User"
    return {"first_access_s": elapsed, "rss_mb": rss_mb(), "rss_delta_mb": rss_mb() - rss0,
            "modules_loaded": len(sys.modules) - mods0}


def read_all(value) -> int:
    """Read every attribute of a result, recursively, through the public model surface.

    An SDK may convert nested values lazily, on first read; a caller that uses the data pays
    that cost after the call returns. Timing call + read_all measures the whole conversion
    from JSON text to Python values for every SDK alike. Returns the number of values seen
    (the same in both SDKs for the same fixture).
    """
    if isinstance(value, list):
        return 1 + sum(read_all(v) for v in value)
    if isinstance(value, dict):
        return 1 + sum(read_all(v) for v in value.values())
    types = getattr(value, "swagger_types", None)
    if types is None or isinstance(value, type):
        return 1
    return 1 + sum(read_all(getattr(value, attr)) for attr in types)


def held_mb(make) -> float:
    """Memory (tracemalloc) held by what ``make()`` returns, in MB: traced memory with the value
    alive minus after it is dropped (what the call keeps elsewhere, e.g. the last response's
    body, is not the value's)."""
    import gc
    import tracemalloc
    gc.collect()
    tracemalloc.start()
    value = make()
    gc.collect()
    with_value = tracemalloc.get_traced_memory()[0]
    del value
    gc.collect()
    held = with_value - tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return held / 1e6


def _floors(text: str, model: str | None) -> dict:
    """What the same bytes cost the fastest parsers present: orjson.loads, msgspec into typed Structs
    (our models' own Structs, when ours runs with msgspec), and our one-step ``decode_json``."""
    out: dict = {}
    data = text.encode("utf-8")
    try:
        import orjson
    except ImportError:
        orjson = None
    if orjson is not None:
        out["orjson_loads"] = measure(lambda: orjson.loads(data))
    try:
        from PureCloudPlatformClientV2 import _model, _serde
    except ImportError:  # the official SDK
        return out
    if model is not None and hasattr(_serde, "decode_json"):
        out["decode_json_and_read"] = measure(lambda: read_all(_serde.decode_json(data, model)))
        done = _serde.decode_json(data, model)
        out["decode_json_read_again"] = measure(lambda: read_all(done))
        out["structs"] = bool(getattr(_model, "STRUCTS", False))
    return out


def _call_scenario(fixture: str, path: str, call, with_json: bool, with_read: bool = False,
                   model: str | None = None) -> dict:
    import PureCloudPlatformClientV2 as pkg
    text = fixture_text(fixture)
    client, _ = make_client({path: text})
    fn = call(pkg, client)
    result = {"bytes": len(text.encode("utf-8")), "call": measure(fn)}
    if with_read:
        # call + first full read, and a second read of an already read result: the difference is
        # the conversion from text to values wherever it happens, without the traversal's own cost
        result["call_and_read"] = measure(lambda: read_all(fn()))
        done = fn()
        result["values_read"] = read_all(done)
        result["read_again"] = measure(lambda: read_all(done))
        # memory held by a decoded response, every value read, next to json.loads's dicts
        result["held_mb"] = held_mb(lambda: (lambda v: (read_all(v), v)[1])(fn()))
        result["json_held_mb"] = held_mb(lambda: json.loads(text))
        result.update(_floors(text, model))
    if with_json:
        result["json_loads"] = measure(lambda: json.loads(text))
    result["rss_mb"] = rss_mb()
    return result


def scenario_users_me() -> dict:
    return _call_scenario("user_me", "/api/v2/users/me",
                          lambda pkg, c: pkg.UsersApi(c).get_users_me, with_json=True)


def scenario_users_page() -> dict:
    def call(pkg, client):
        api = pkg.UsersApi(client)
        return lambda: api.get_users(page_size=500, page_number=1)
    return _call_scenario("users_page", "/api/v2/users", call, with_json=True, with_read=True,
                          model="UserEntityListing")


def scenario_analytics() -> dict:
    def call(pkg, client):
        api = pkg.ConversationsApi(client)
        query = build(pkg, "ConversationQuery", json.loads(fixture_text("analytics_query")))
        return lambda: api.post_analytics_conversations_details_query(query)
    return _call_scenario("analytics", "/api/v2/analytics/conversations/details/query", call, with_json=True,
                          with_read=True, model="AnalyticsConversationQueryResponse")


def scenario_serialize() -> dict:
    import PureCloudPlatformClientV2 as pkg
    text = fixture_text("bulk_contacts")
    client, _ = make_client({"/api/v2/externalcontacts/bulk/contacts/add":
                             '{"results": [], "errorCount": 0, "errorIndexes": []}'})
    body = build(pkg, "BulkContactsRequest", json.loads(text))
    sanitized = client.sanitize_for_serialization(body)
    api = pkg.ExternalContactsApi(client)
    return {
        "bytes": len(text.encode("utf-8")),
        "sanitize": measure(lambda: client.sanitize_for_serialization(body)),
        "json_dumps": measure(lambda: json.dumps(sanitized)),
        "post_call": measure(lambda: api.post_externalcontacts_bulk_contacts_add(body)),
        "rss_mb": rss_mb(),
    }


def scenario_live(port: int) -> dict:
    import PureCloudPlatformClientV2 as pkg
    from PureCloudPlatformClientV2.api_client import ApiClient

    client = ApiClient(host=f"http://127.0.0.1:{port}")
    client.access_token = "bench-token"
    api = pkg.UsersApi(client)
    api.get_users_me()  # connection set up, lazy loading done
    budget = max(BUDGET, 0.5)

    n, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < budget or n < MIN_N:
        api.get_users_me()
        n += 1
    seq = n / (time.perf_counter() - start)
    cpu_per_call = (time.process_time() - cpu) / n  # the server is another process: this is client CPU

    # the floor: urllib3 alone doing the same request and json.loads of the body
    import urllib3
    pool = urllib3.PoolManager()
    url = f"http://127.0.0.1:{port}/api/v2/users/me"
    headers = {"Authorization": "Bearer bench-token", "Accept": "application/json"}
    json.loads(pool.request("GET", url, headers=headers).data)
    n_raw, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < budget or n_raw < MIN_N:
        json.loads(pool.request("GET", url, headers=headers).data)
        n_raw += 1
    raw_seq = n_raw / (time.perf_counter() - start)
    raw_cpu_per_call = (time.process_time() - cpu) / n_raw

    counts, errors = [0] * 8, []
    deadline = time.perf_counter() + budget
    barrier = threading.Barrier(9)

    def worker(i: int) -> None:
        barrier.wait()
        try:
            while time.perf_counter() < deadline:
                api.get_users_me()
                counts[i] += 1
        except Exception as exc:  # recorded, not hidden
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    par = sum(counts) / (time.perf_counter() - start)
    return {"sequential_calls_per_s": seq, "threads8_calls_per_s": par, "errors": errors[:3],
            "cpu_per_call_s": cpu_per_call, "raw_urllib3_calls_per_s": raw_seq,
            "raw_urllib3_cpu_per_call_s": raw_cpu_per_call,
            "rss_mb": rss_mb()}


def scenario_rss_calls() -> dict:
    import PureCloudPlatformClientV2 as pkg
    texts = {n: fixture_text(n) for n in ("user_me", "users_page", "analytics", "analytics_query", "bulk_contacts")}
    client, _ = make_client({
        "/api/v2/users/me": texts["user_me"],
        "/api/v2/users": texts["users_page"],
        "/api/v2/analytics/conversations/details/query": texts["analytics"],
        "/api/v2/externalcontacts/bulk/contacts/add": '{"results": [], "errorCount": 0, "errorIndexes": []}',
    })
    rss_import = rss_mb()
    query = build(pkg, "ConversationQuery", json.loads(texts["analytics_query"]))
    body = build(pkg, "BulkContactsRequest", json.loads(texts["bulk_contacts"]))
    users = pkg.UsersApi(client)
    # each result is read completely, as a caller using it would (lazy conversions happen here)
    read_all(users.get_users_me())
    read_all(users.get_users(page_size=500))
    read_all(pkg.ConversationsApi(client).post_analytics_conversations_details_query(query))
    read_all(pkg.ExternalContactsApi(client).post_externalcontacts_bulk_contacts_add(body))
    return {"rss_after_import_mb": rss_import, "rss_mb": rss_mb()}


SCENARIOS = {
    "bare": scenario_bare,
    "import": scenario_import,
    "first_access": scenario_first_access,
    "users_me": scenario_users_me,
    "users_page": scenario_users_page,
    "analytics": scenario_analytics,
    "serialize": scenario_serialize,
    "rss_calls": scenario_rss_calls,
    "roundtrip": scenario_roundtrip,
}


def main() -> None:
    global FIXTURES, BUDGET, MIN_N
    ap = argparse.ArgumentParser()
    ap.add_argument("name", choices=sorted([*SCENARIOS, "live"]))
    ap.add_argument("--fixtures", type=Path, default=Path(__file__).resolve().parent / "fixtures")
    ap.add_argument("--budget", type=float, default=BUDGET)
    ap.add_argument("--min-n", type=int, default=MIN_N)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    FIXTURES, BUDGET, MIN_N = args.fixtures, args.budget, args.min_n
    try:
        result = scenario_live(args.port) if args.name == "live" else SCENARIOS[args.name]()
        result["ok"] = result.get("ok", True)
    except BaseException:
        tb = traceback.format_exc()
        if len(tb) > 6000:  # a runaway recursion prints thousands of identical frames
            tb = tb[:2500] + "\n[... traceback cut ...]\n" + tb[-3000:]
        result = {"ok": False, "error": tb}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
