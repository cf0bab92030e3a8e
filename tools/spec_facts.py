"""Add operation facts to ``spec/`` from the official SDK repository's per-API docs.

The official SDK repository (github.com/MyPureCloud/platform-client-sdk-python) has one
Markdown page per API group (``build/docs/<Class>.md``).  For each operation it states the
permissions it requires, whether it refuses client-credentials tokens, and for each
parameter its allowed values and default.  This tool reads those pages as *data* from a
git clone (no checkout needed) and merges the facts into the operation records of an
existing ``spec/``; no description text is carried over.

Facts written (see ``merge_facts``):

- operation ``permissions``: list of permission strings (empty: requires none), with
  ``permissionsMatch`` ``"all"`` or ``"any"`` when the list is not empty.  Absent when the
  docs do not cover the operation (added after the docs' release): unknown, not "none".
- operation ``user_context``: true when the operation needs a user's token (not valid with
  the client-credentials grant): the docs say so, or the path has a ``/me`` segment (the
  platform resolves "me" from the token's user).  False otherwise.
- operation ``paging``: the wire name of the query parameter that asks for the next page
  (``pageNumber``, ``cursor``, ``after``, ``nextPage``, ``before``, ``startIndex``) when the
  operation returns a listing; absent otherwise.  Derived from the spec itself.
- parameter ``enum`` (allowed values; for a list parameter, of its items) and
  ``default`` (the platform's default when the parameter is omitted).

Usage::

    python tools/spec_facts.py --sdk-repo /path/to/platform-client-sdk-python[.git] [--spec spec]

``spec/facts.json`` records which docs release and commit the facts came from.
"""
from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from spec_io import read_spec, write_spec  # noqa: E402

DOCS_DIR = "build/docs"
_SECTION = re.compile(r"^## (\w+)\s*$", re.M)
_WRAPS = re.compile(r"^Wraps (\w+) (\S+)", re.M)
_REQUIRES = re.compile(r"^Requires (ALL|ANY) permissions:\s*\n((?:\s*\n|\* .*\n)+)", re.M)
_REQUIRES_NONE = re.compile(r"^Requires no permissions", re.M)
_NO_CLIENT_CREDENTIALS = "not valid when using the Client Credentials OAuth grant"
_PARAM_ROW = re.compile(r"^\| \*\*(\w+)\*\* \|(.*)\|\s*$", re.M)
_DEFAULT = re.compile(r"\[default to (.*?)\]")
_VALUES = re.compile(r"\*\*Values\*\*: (.*?)\s*$")
# Query parameters that ask for the next page, in the order the paging helper tries them.
_PAGING_PARAMS = ("pageNumber", "cursor", "after", "nextPage", "startIndex", "before")
_LISTING_FIELDS = ("entities", "resources", "results", "Resources")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


def _git_dir(repo: Path) -> Path:
    return repo / ".git" if (repo / ".git").exists() else repo


def read_docs(repo: Path) -> tuple[dict[str, str], dict[str, str]]:
    """{class name: Markdown} of every per-API page at HEAD, and release facts."""
    git = _git_dir(repo)
    names = [n for n in _git(git, "ls-tree", "--name-only", f"HEAD:{DOCS_DIR}").split()
             if n.endswith("Api.md")]
    pages = {n[:-3]: _git(git, "show", f"HEAD:{DOCS_DIR}/{n}") for n in names}
    try:
        version = json.loads(_git(git, "show", "HEAD:version.json"))
        release = f"{version['major']}.{version['minor']}.{version['point']}"
    except (subprocess.CalledProcessError, ValueError, KeyError):
        release = "unknown"
    return pages, {"release": release, "commit": _git(git, "rev-parse", "HEAD").strip()}


def _value(text: str, type_expr: str) -> Any:
    """A default as written in the docs ('25', '&#39;ASC&#39;', 'False'), typed by the parameter."""
    text = html.unescape(text).strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        text = text[1:-1]
    base = type_expr[5:-1] if type_expr.startswith("list[") else type_expr
    try:
        if base == "int":
            return int(text)
        if base == "float":
            return float(text)
    except ValueError:
        return text
    if base == "bool" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def parse_page(markdown: str) -> dict[str, dict[str, Any]]:
    """{operation name: facts} of one per-API page."""
    out: dict[str, dict[str, Any]] = {}
    starts = list(_SECTION.finditer(markdown))
    for i, match in enumerate(starts):
        body = markdown[match.end(): starts[i + 1].start() if i + 1 < len(starts) else len(markdown)]
        wraps = _WRAPS.search(body)
        if not wraps:
            continue
        head = body.split("### Example", 1)[0]
        facts: dict[str, Any] = {"method": wraps.group(1), "path": wraps.group(2), "params": {}}
        required = _REQUIRES.search(head)
        if required:
            facts["permissions"] = [line[2:].strip() for line in required.group(2).splitlines()
                                    if line.startswith("* ")]
            facts["permissionsMatch"] = required.group(1).lower()
        elif _REQUIRES_NONE.search(head):
            facts["permissions"] = []
        facts["no_client_credentials"] = _NO_CLIENT_CREDENTIALS in head
        table = body.split("### Parameters", 1)[-1].split("### Return type", 1)[0]
        for row in _PARAM_ROW.finditer(table):
            notes = row.group(2).rsplit("|", 1)[-1]
            param: dict[str, str] = {}
            default = _DEFAULT.search(notes)
            if default:
                param["default"] = default.group(1)
            values = _VALUES.search(notes.split("<br />", 1)[-1]) if "<br />" in notes else None
            if values:
                param["enum"] = values.group(1)
            if param:
                facts["params"][row.group(1)] = param
        out[match.group(1)] = facts
    return out


# "me" after these names is the token's organization or the token itself, which a
# client-credentials token has too; elsewhere "me" is the token's user.
_ME_WITHOUT_USER = ("organizations", "tokens")


def me_means_user(path: str) -> bool:
    """Whether a ``/me`` segment of ``path`` stands for the token's user."""
    segments = path.split("/")
    return any(s == "me" and segments[i - 1] not in _ME_WITHOUT_USER for i, s in enumerate(segments) if i)


def _paging(op: dict[str, Any], listings: set[str]) -> str | None:
    if op["method"] != "GET" and not op["name"].endswith("_query"):
        return None
    if (op.get("returns") or "") not in listings:
        return None
    wires = {p["wire"] for p in op["params"] if p["in"] == "query"}
    return next((w for w in _PAGING_PARAMS if w in wires), None)


def merge_facts(spec: dict[str, Any], docs: dict[str, dict[str, dict[str, Any]]]) -> dict[str, int]:
    """Write the facts into ``spec`` in place; returns counts for the report."""
    listings = {m["name"] for m in spec["models"]
                if any(f["wire"] in _LISTING_FIELDS and f["type"].startswith("list[") for f in m["fields"])}
    counts = {"operations": 0, "with_permissions": 0, "user_context": 0, "paging": 0, "enum": 0, "default": 0,
              "path_mismatch": 0}
    for api in spec["apis"]:
        page = docs.get(api["class"], {})
        for op in api["operations"]:
            counts["operations"] += 1
            for key in ("permissions", "permissionsMatch", "user_context", "paging"):
                op.pop(key, None)
            facts = page.get(op["name"])
            if facts and (facts["method"], facts["path"]) != (op["method"], op["path"]):
                counts["path_mismatch"] += 1
                facts = None  # renamed or moved since the docs' release: its facts may not apply
            if facts and "permissions" in facts:
                op["permissions"] = facts["permissions"]
                if facts["permissions"]:
                    op["permissionsMatch"] = facts["permissionsMatch"]
                counts["with_permissions"] += 1
            op["user_context"] = bool(facts and facts["no_client_credentials"]) or me_means_user(op["path"])
            counts["user_context"] += op["user_context"]
            paging = _paging(op, listings)
            if paging:
                op["paging"] = paging
                counts["paging"] += 1
            for param in op["params"]:
                param.pop("enum", None)
                param.pop("default", None)
                known = (facts or {}).get("params", {}).get(param["name"], {})
                if "enum" in known:
                    param["enum"] = [_value(v, param["type"]) for v in known["enum"].split(", ")]
                    counts["enum"] += 1
                if "default" in known:
                    param["default"] = _value(known["default"], param["type"])
                    counts["default"] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sdk-repo", type=Path, required=True,
                    help="a clone (or bare git directory) of MyPureCloud/platform-client-sdk-python")
    ap.add_argument("--spec", type=Path, default=root / "spec")
    args = ap.parse_args(argv)
    pages, release = read_docs(args.sdk_repo)
    docs = {cls: parse_page(text) for cls, text in pages.items()}
    spec = read_spec(args.spec)
    counts = merge_facts(spec, docs)
    write_spec(spec, args.spec)
    (args.spec / "facts.json").write_text(json.dumps({
        "source": "MyPureCloud/platform-client-sdk-python build/docs/*Api.md",
        **release, **counts}, indent=2) + "\n")
    print(", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
