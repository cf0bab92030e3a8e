"""Generate realistic benchmark fixtures from ``spec/`` (deterministic).

Every field name, nesting and enum value comes from the API definition, so both SDKs
must be able to read a fixture into models and write it back unchanged. Values are
plausible for their wire name (ids are UUIDs, ``*Uri`` fields are API paths, dates are
ISO-8601 with milliseconds and ``Z`` as the platform sends them).

Nesting policy, so that payloads look like what the platform returns with expands:
the top-level entity has every field; nested models are filled completely, except
that an entity-like model (it has an ``id`` and more than ``REF_FIELDS`` fields) met
below the top level, a model already on the current path, or any model deeper than
``max_depth`` is written as a reference (its ``id``/``name``/``selfUri``).

Usage: ``python benchmarks/fixtures.py [--out DIR]`` writes ``DIR/*.json`` (default
``benchmarks/fixtures``) plus ``manifest.json`` with sizes and the op each belongs to.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from spec_io import read_spec  # noqa: E402

SEED = 20250101
REF_FIELDS = 12
FIRST = ["Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Luca",
         "Maya", "Nikhil", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara", "Uma", "Victor", "Wen", "Yusuf"]
LAST = ["Silva", "Okafor", "Nguyen", "Schmidt", "Kowalski", "Haddad", "Tanaka", "Garcia", "Murphy", "Larsen",
        "Rossi", "Dubois", "Patel", "Cohen", "Ivanova", "Moreau", "Kim", "Jensen", "Costa", "Novak"]
WORDS = ["support", "sales", "billing", "priority", "premium", "onboarding", "renewal", "escalation",
         "outbound", "inbound", "callback", "digital", "voice", "retention", "care", "team", "north", "east"]

_KEYS = ("id", "name", "selfUri")
_LIST = re.compile(r"^list\[(.*)\]$")
_DICT = re.compile(r"^dict\(([^,]*), (.*)\)$")


class Generator:
    """Build JSON values (wire form) for spec types."""

    def __init__(self, spec: dict[str, Any], seed: int = SEED, max_depth: int = 2, list_len: int = 2,
                 nested_density: float = 1.0) -> None:
        self.models = {m["name"]: m for m in spec["models"]}
        self.rng = random.Random(seed)
        self.max_depth = max_depth
        self.list_len = list_len
        self.nested_density = nested_density

    # -- scalars ---------------------------------------------------------------------------------
    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def datetime(self) -> str:
        r = self.rng
        return (f"2025-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T{r.randint(0, 23):02d}:"
                f"{r.randint(0, 59):02d}:{r.randint(0, 59):02d}.{r.randint(0, 999):03d}Z")

    def date(self) -> str:
        return f"2025-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    def person(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def string(self, wire: str) -> str:
        r, low = self.rng, wire.lower()
        if low == "id" or wire.endswith(("Id", "Ids")) or low.endswith("_id"):
            return self.uuid()
        if low == "selfuri" or low.endswith("uri"):
            return f"/api/v2/{r.choice(WORDS)}s/{self.uuid()}"
        if "email" in low:
            return f"{r.choice(FIRST).lower()}.{r.choice(LAST).lower()}{r.randint(1, 999)}@example.com"
        if "url" in low:
            return f"https://example.com/{r.choice(WORDS)}/{r.randint(1, 99999)}"
        if low in ("ani", "dnis", "address", "addressfrom", "addressto", "addressself", "addressother") \
                or "phone" in low or "number" in low:
            return f"tel:+1317555{r.randint(0, 9999):04d}"
        if low in ("name", "username", "participantname", "display") or low.endswith("name"):
            return self.person()
        if low in ("description", "notes", "biography", "message", "subject", "wrapupnote"):
            return " ".join(r.choice(WORDS) for _ in range(r.randint(6, 14))).capitalize() + "."
        return f"{r.choice(WORDS)}-{r.randint(1, 9999)}"

    # -- composite -------------------------------------------------------------------------------
    def value(self, type_expr: str, wire: str, depth: int, path: tuple[str, ...], enum: list | None = None) -> Any:
        r = self.rng
        m = _LIST.match(type_expr)
        if m:
            inner = m.group(1)
            n = self.list_len if depth == 0 else 1
            return [self.value(inner, wire, depth, path, enum) for _ in range(n)]
        m = _DICT.match(type_expr)
        if m:
            return {f"{r.choice(WORDS)}{i}": self.value(m.group(2), wire, depth, path) for i in range(2)}
        if enum:
            choices = [e for e in enum if e != "outdated_sdk_version"]
            return r.choice(choices)
        if type_expr == "str":
            return self.string(wire)
        if type_expr == "int":
            return r.randint(0, 5000)
        if type_expr == "float":
            x = round(r.uniform(0.0, 100.0), 3)
            return x if x != int(x) else x + 0.5  # never integral: 5 vs 5.0 is no question
        if type_expr == "bool":
            return r.random() < 0.5
        if type_expr == "datetime":
            return self.datetime()
        if type_expr == "date":
            return self.date()
        if type_expr == "LocalDateTime":
            return self.datetime()[:-1]
        if type_expr == "YearMonth":
            return self.date()[:7]
        if type_expr == "object":
            return {"source": r.choice(WORDS), "count": r.randint(1, 50), "flag": r.random() < 0.5}
        if type_expr in self.models:
            return self.model(type_expr, depth + 1, path)
        raise ValueError(f"unknown type {type_expr!r}")

    def is_entity(self, name: str) -> bool:
        fields = self.models[name]["fields"]
        return len(fields) > REF_FIELDS and any(f["wire"] == "id" for f in fields)

    def model(self, name: str, depth: int = 0, path: tuple[str, ...] = (), density: float = 1.0,
              always: tuple[str, ...] = ()) -> dict[str, Any]:
        """One instance of model ``name`` in wire form.

        ``density`` < 1 keeps each field (other than those in ``always``) with that probability, like
        the sparse records of analytics queries; the fixture builders check that every field still
        appears somewhere.
        """
        fields = self.models[name]["fields"]
        if density == 1.0 and depth > 0:
            density = self.nested_density
        if density < 1.0:
            kept = [f for f in fields
                    if f["wire"] in always or f["wire"] in _KEYS or self.rng.random() < density]
            fields = kept or fields[:1]
        as_ref = depth > 0 and (name in path or depth > self.max_depth or self.is_entity(name))
        if as_ref:
            keep = [f for f in fields if f["wire"] in ("id", "name", "selfUri")]
            if not keep:
                keep = [f for f in fields if f["type"] in ("str", "int", "bool") or f.get("enum")][:3]
            fields = keep
        out: dict[str, Any] = {}
        for f in fields:
            out[f["wire"]] = self.value(f["type"], f["wire"], depth, path + (name,), f.get("enum"))
        return out


# -- the fixtures ------------------------------------------------------------------------------------

def users_page(gen: Generator, n: int = 500) -> dict[str, Any]:
    page = gen.model("UserEntityListing")
    page["entities"] = [gen.model("User") for _ in range(n)]
    page.update(pageSize=n, pageNumber=1, total=n * 8, pageCount=8)
    for key in ("firstUri", "selfUri", "nextUri", "previousUri", "lastUri"):
        page[key] = f"/api/v2/users?pageSize={n}&pageNumber=1&expand=all"
    return page


def analytics_response(gen: Generator, n: int = 100) -> dict[str, Any]:
    """~100 conversations, 3 participants x 2 sessions x (3 segments, 4 metrics) each.

    Records are sparse as in real query results (each optional field kept with some
    probability); the first conversation is dense so that every field of every model
    in the response still appears at least once.
    """
    resp = gen.model("AnalyticsConversationQueryResponse")
    resp["conversations"] = []
    for i in range(n):
        dense = i == 0
        conv = gen.model("AnalyticsConversationWithoutAttributes", density=1.0 if dense else 0.5,
                         always=("conversationId", "conversationStart", "conversationEnd", "originatingDirection",
                                 "divisionIds", "participants"))
        participants = []
        for _p in range(3):
            part = gen.model("AnalyticsParticipantWithoutAttributes", 1, density=1.0 if dense else 0.6,
                             always=("participantId", "purpose", "userId", "sessions"))
            part["sessions"] = []
            for _s in range(2):
                sess = gen.model("AnalyticsSession", 2, density=1.0 if dense else 0.25,
                                 always=("sessionId", "mediaType", "direction", "ani", "dnis", "addressFrom",
                                         "addressTo", "edgeId", "protocolCallId", "provider", "recording"))
                sess["segments"] = [gen.model("AnalyticsConversationSegment", 3, density=1.0 if dense else 0.4,
                                              always=("segmentStart", "segmentEnd", "segmentType", "queueId"))
                                    for _g in range(3)]
                sess["metrics"] = [gen.model("AnalyticsSessionMetric", 3) for _m in range(4)]
                part["sessions"].append(sess)
            participants.append(part)
        conv["participants"] = participants
        resp["conversations"].append(conv)
    resp["totalHits"] = n * 37
    return resp


def conversation_query(gen: Generator) -> dict[str, Any]:
    """A realistic (small) request body for the analytics query."""
    return {
        "interval": "2025-03-01T00:00:00.000Z/2025-03-08T00:00:00.000Z",
        "order": "asc",
        "orderBy": "conversationStart",
        "paging": {"pageSize": 100, "pageNumber": 1},
        "segmentFilters": [{"type": "or", "predicates": [
            {"type": "dimension", "dimension": "queueId", "operator": "matches", "value": gen.uuid()}
            for _ in range(5)]}],
    }


def user_me_plain(gen: Generator) -> dict[str, Any]:
    """``GET /api/v2/users/me`` without expands: the user's own fields, no expanded sections."""
    full = gen.model("UserMe")
    plain = ("id", "name", "division", "chat", "department", "email", "primaryContactInfo", "addresses", "state",
             "title", "username", "manager", "images", "version", "acdAutoAnswer", "selfUri")
    return {k: full[k] for k in plain}


def bulk_contacts(gen: Generator, n: int = 250) -> dict[str, Any]:
    return {"entities": [gen.model("ExternalContact") for _ in range(n)]}


FIXTURES = {
    # name: (model type, operation it is used with)
    "users_page": ("UserEntityListing", "get_users"),
    "user_me": ("UserMe", "get_users_me"),
    "user_me_full": ("UserMe", "get_users_me (every field, for the round-trip check)"),
    "analytics": ("AnalyticsConversationQueryResponse", "post_analytics_conversations_details_query"),
    "analytics_query": ("ConversationQuery", "post_analytics_conversations_details_query (request body)"),
    "bulk_contacts": ("BulkContactsRequest", "post_externalcontacts_bulk_contacts_add (request body)"),
}


def generate(out: Path) -> dict[str, Any]:
    spec = read_spec(ROOT / "spec")
    out.mkdir(parents=True, exist_ok=True)
    docs = {
        "users_page": users_page(Generator(spec, SEED + 1, max_depth=1, list_len=1, nested_density=0.2)),
        "user_me": user_me_plain(Generator(spec, SEED + 2)),
        "user_me_full": Generator(spec, SEED + 6).model("UserMe"),
        "analytics": analytics_response(Generator(spec, SEED + 3)),
        "analytics_query": conversation_query(Generator(spec, SEED + 4)),
        "bulk_contacts": bulk_contacts(Generator(spec, SEED + 5, max_depth=2, list_len=2, nested_density=0.6)),
    }
    manifest: dict[str, Any] = {"seed": SEED, "spec": spec["info"], "fixtures": {}}
    for name, doc in docs.items():
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        (out / f"{name}.json").write_text(text, encoding="utf-8")
        model, op = FIXTURES[name]
        manifest["fixtures"][name] = {"model": model, "op": op, "bytes": len(text.encode("utf-8"))}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "fixtures")
    args = ap.parse_args()
    manifest = generate(args.out)
    for name, info in manifest["fixtures"].items():
        print(f"{name:16s} {info['model']:40s} {info['bytes'] / 1e6:8.3f} MB")


if __name__ == "__main__":
    main()
