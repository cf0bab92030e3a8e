"""Summaries of operations and models, in our own words, from the facts in ``spec/``.

Used by ``tools/generate.py`` (docstrings, so IDE hovers say what a method does) and
``tools/gen_docs.py`` (the reference pages).  A summary is hand-written for the
operations people use most (``tools/summaries.json``); every other one is built from
the HTTP method and path (verb + resource), and the fact notes (paging, required
permissions, grant restrictions, parameter values and defaults) come from the spec for
every operation.  No text from the platform's own descriptions is used.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

WRITTEN = Path(__file__).resolve().parent / "summaries.json"
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_LISTING_FIELDS = ("entities", "resources", "Resources", "results")
_ME_OWNER = {"organizations": "the token's organization", "tokens": "the token in use"}
_QUERY_WORDS = {"query": "Run a query over", "search": "Search", "aggregates": "Compute aggregates of",
                "observations": "Observe"}


@lru_cache(maxsize=1)
def written() -> dict[str, str]:
    """The hand-written summaries, by operation name."""
    data = json.loads(WRITTEN.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _words(segment: str) -> str:
    return _CAMEL.sub(" ", segment).replace("-", " ").replace("_", " ").lower()


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _article(phrase: str) -> str:
    return ("an " if phrase[:1] in "aeio" else "a ") + phrase


def _resource(path: str) -> tuple[str, bool, str]:
    """(noun phrase, path ends with an id, note about ``me``) for an API path."""
    segments = [s for s in path.split("/")[3:] if s]  # after /api/v2/
    me_note = ""
    groups: list[tuple[list[str], bool]] = []  # runs of static words, and whether an id follows
    for i, seg in enumerate(segments):
        if seg == "me":
            me_note = _ME_OWNER.get(segments[i - 1] if i else "", "the token's user")
            if i < len(segments) - 1:
                continue  # /voicemail/me/messages: the messages of the token's user's voicemail
        if seg.startswith("{") or seg == "me":
            if groups:
                groups[-1] = (groups[-1][0], True)
            continue
        if not groups or groups[-1][1]:
            groups.append(([], False))
        groups[-1][0].append(_words(seg))
    if not groups:
        return "the API root", False, me_note
    *owners, (last_words, last_has_id) = groups
    noun = " ".join(last_words)
    if last_has_id:
        noun = " ".join(last_words[:-1] + [_singular(last_words[-1])])
    for words, _ in reversed(owners):
        noun += " of " + _article(" ".join(words[:-1] + [_singular(words[-1])]))
    return noun, last_has_id, me_note


def generated_summary(op: dict[str, Any]) -> str:
    """Verb + resource from the HTTP method and path, e.g. 'List the members of a routing queue'."""
    noun, is_item, me_note = _resource(op["path"])
    last = op["path"].rstrip("/").rsplit("/", 1)[-1]
    method = op["method"]
    if method == "POST" and last in _QUERY_WORDS:
        rest, _, _ = _resource(op["path"].rsplit("/", 1)[0])
        text = f"{_QUERY_WORDS[last]} {rest}"
    elif method == "GET":
        if is_item:
            text = f"Get one {noun}" if not me_note else f"Get the {noun}"
        elif op.get("paging"):
            text = f"List {noun}, one page per call"
        else:
            text = f"Get {noun}"
    elif method == "HEAD":
        text = f"Check that the {noun} exists"
    elif method == "DELETE":
        text = f"Delete {'one ' if is_item and not me_note else 'the '}{noun}"
    elif method == "PUT":
        text = f"Replace {'one ' if is_item and not me_note else 'the '}{noun}"
    elif method == "PATCH":
        text = f"Change fields of {'one ' if is_item and not me_note else 'the '}{noun}"
    elif method == "POST" and not is_item and noun.endswith("s"):
        text = f"Create or add {noun}"
    elif method == "POST":
        text = f"Send a request to {noun}" if is_item else f"Request {noun}"
    else:
        text = f"{method} {noun}"
    if me_note:
        text += f" (me: {me_note})"
    return text + "."


def summary(op: dict[str, Any]) -> str:
    """One line saying what the operation does."""
    return written().get(op["name"]) or generated_summary(op)


def _code_list(values: list[Any]) -> str:
    return ", ".join(f"``{v}``" for v in values)


def fact_notes(op: dict[str, Any]) -> list[str]:
    """Sentences stating the operation's facts: paging, permissions, grants, auth."""
    notes = []
    if op.get("paging"):
        notes.append(f"Pages by ``{op['paging']}``: ``paginate(api.{op['name']})`` walks every page.")
    if "permissions" in op:
        perms = op["permissions"]
        if not perms:
            notes.append("Requires no permission.")
        elif len(perms) == 1:
            notes.append(f"Requires the permission {_code_list(perms)}.")
        else:
            notes.append(f"Requires {op.get('permissionsMatch', 'any')} of the permissions {_code_list(perms)}.")
    if op.get("user_context"):
        notes.append("Needs a user's token (code, PKCE, SAML2 bearer or implicit grant): "
                     "a client-credentials token is refused.")
    if not op.get("auth", True):
        notes.append("Sent without an access token.")
    return notes


def param_note(param: dict[str, Any]) -> str:
    """Allowed values and default of a parameter, as a short phrase ('' when none)."""
    bits = []
    if "enum" in param:
        bits.append(("each one of " if param["type"].startswith("list[") else "one of ") + _code_list(param["enum"]))
    if "default" in param:
        bits.append(f"default ``{param['default']}``")
    return "; ".join(bits)


def _model_words(name: str) -> str:
    return _CAMEL.sub(" ", name).lower()


def model_summary(model: dict[str, Any], returned_by: list[str], accepted_by: list[str]) -> str:
    """One line for a model: what it holds and where it is used ('UsersApi.get_user')."""
    items = next((f for f in model["fields"] if f["wire"] in _LISTING_FIELDS and f["type"].startswith("list[")),
                 None)
    if items:
        text = f"One page of {items['type'][5:-1]} items with the paging fields of the listing."
    elif not model["fields"]:
        text = f"The {_model_words(model['name'])} object; it declares no fields."
    else:
        text = f"The {_model_words(model['name'])} object ({len(model['fields'])} fields)."
    for verb, users in (("Returned by", returned_by), ("Sent to", accepted_by)):
        if users:
            more = f" and {len(users) - 2} more" if len(users) > 2 else ""
            text += f" {verb} {', '.join(users[:2])}{more}."
    return text


def method_doc(op: dict[str, Any]) -> list[str]:
    """Docstring lines of a generated API method: summary, route and facts, parameters, return."""
    doc = [summary(op), ""]
    head = f"``{op['method']} {op['path']}``."
    flags = [w for w in ("deprecated", "preview") if op.get(w)]
    if flags:
        head += " " + " ".join(f"**{w.capitalize()}.**" for w in flags)
    doc += [head, *fact_notes(op), ""]
    for p in op["params"]:
        bits = [f"{p['in']} ``{p['wire']}``"]
        if p.get("required"):
            bits.append("required")
        for key in ("pattern", "minimum", "maximum", "minLength", "maxLength"):
            if key in p:
                bits.append(f"{key} {p[key]!r}")
        note = param_note(p)
        doc.append(f":param {p['type']} {p['name']}: {', '.join(bits)}" + (f"; {note}" if note else ""))
    doc.append(f":return: {op['returns'] or 'None'}")
    return doc


_uses: dict[str, tuple[list[str], list[str]]] = {}


def index_uses(spec: dict[str, Any]) -> None:
    """Remember which operations return or accept each model (for :func:`model_doc`)."""
    names = {m["name"] for m in spec["models"]}
    found: dict[str, tuple[set[str], set[str]]] = {}
    token = re.compile(r"[A-Za-z_]\w*")
    for api in spec["apis"]:
        for op in api["operations"]:
            label = f"{api['class']}.{op['name']}"
            for t in token.findall(op.get("returns") or ""):
                if t in names:
                    found.setdefault(t, (set(), set()))[0].add(label)
            for p in op["params"]:
                for t in token.findall(p["type"]):
                    if t in names:
                        found.setdefault(t, (set(), set()))[1].add(label)
    _uses.clear()
    _uses.update({k: (sorted(r), sorted(a)) for k, (r, a) in found.items()})


def model_doc(model: dict[str, Any]) -> str:
    returned, accepted = _uses.get(model["name"], ([], []))
    return model_summary(model, returned, accepted)
