"""Render the API reference of the documentation site from ``spec/``.

Writes Markdown under ``docs/reference/`` (build output, not committed):

    reference/index.md                 API groups, with operation counts
    reference/operations.md            path areas, each linking to its operations
    reference/paths/<area>.md          the operations under /api/v2/<area>, by path
    reference/apis/<module>.md         one page per API group: what each method does
    reference/apis/<module>/<op>.md    one page per operation: facts, parameters, example
    reference/models/index.md          model index, by first letter
    reference/models/<Model>.md        one page per model, with the operations that use it

The spec carries no description text: summaries are our own (tools/summaries.py), the
rest is derived from the data (types, locations, permissions, flags). A page per
operation keeps every page small (phones, search results that land on the right page).
Usage:

    python tools/gen_docs.py [--spec spec] [--out docs/reference]
"""
from __future__ import annotations

import argparse
import html
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import summaries  # noqa: E402
from spec_io import read_spec  # noqa: E402

PACKAGE = "PureCloudPlatformClientV2"
_TYPE_NAME = re.compile(r"[A-Za-z_]\w*")
_LOCATION_TEXT = {"path": "path", "query": "query", "header": "header", "body": "body", "form": "form"}
# Examples and cross-link lists stay out of the search index: they repeat on every
# page and would only bloat it; names, paths and parameter tables are indexed.
EXAMPLE_FENCE = "``` { .python data-search-exclude }"
NO_SEARCH = "{: data-search-exclude }"
NO_SEARCH_HEADING = "{ data-search-exclude }"
NO_SEARCH_PAGE = "---\nsearch:\n  exclude: true\n---\n\n"
_PLACEHOLDER_BY_TYPE = {
    "str": None,  # built from the parameter name
    "int": "25",
    "float": "1.5",
    "bool": "True",
    "date": '"2024-01-31"',
    "datetime": '"2024-01-31T00:00:00Z"',
    "object": "{}",
    "dict(str, object)": "{}",
}


class Reference:
    """Indexes over the spec used while rendering pages."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.apis: list[dict[str, Any]] = sorted(spec["apis"], key=lambda a: a["class"])
        self.models: list[dict[str, Any]] = spec["models"]
        self.model_names: set[str] = {m["name"] for m in self.models}
        self.version: str = spec["info"].get("version", "")
        # model name -> [(api class, api module, operation name, role)]
        self.used_by_ops: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
        # model name -> names of models with a field of that type
        self.used_by_models: dict[str, set[str]] = defaultdict(set)
        for api in self.apis:
            for op in api["operations"]:
                for name in self.models_in(op["returns"] or ""):
                    self.used_by_ops[name].append((api["class"], api["module"], op["name"], "returns"))
                for param in op["params"]:
                    for name in self.models_in(param["type"]):
                        self.used_by_ops[name].append((api["class"], api["module"], op["name"], "accepts"))
        for model in self.models:
            for field in model["fields"]:
                for name in self.models_in(field["type"]):
                    if name != model["name"]:
                        self.used_by_models[name].add(model["name"])

    def models_in(self, type_expr: str) -> list[str]:
        return [t for t in _TYPE_NAME.findall(type_expr) if t in self.model_names]

    def type_md(self, type_expr: str | None, prefix: str) -> str:
        """A type expression as Markdown, model names linked to their pages."""
        if not type_expr:
            return "`None`"
        parts: list[str] = []
        pos = 0
        for match in _TYPE_NAME.finditer(type_expr):
            if match.group(0) not in self.model_names:
                continue
            if match.start() > pos:
                parts.append(f"`{type_expr[pos:match.start()]}`")
            parts.append(f"[{match.group(0)}]({prefix}{match.group(0)}.md)")
            pos = match.end()
        if pos < len(type_expr):
            parts.append(f"`{type_expr[pos:]}`")
        return "".join(parts)


def _cell(text: str) -> str:
    """Literal text inside a Markdown table cell, shown as code."""
    return "<code>" + html.escape(text).replace("|", "&#124;") + "</code>"


def _constraints(param: dict[str, Any]) -> str:
    parts = []
    if "pattern" in param:
        parts.append("pattern " + _cell(param["pattern"]))
    if "minimum" in param:
        parts.append(f"minimum {param['minimum']}")
    if "maximum" in param:
        parts.append(f"maximum {param['maximum']}")
    return ", ".join(parts)


def _placeholder(param: dict[str, Any], ref: Reference) -> str:
    type_expr = param["type"]
    if type_expr in ref.model_names:
        return f"{PACKAGE}.{type_expr}()"
    fixed = _PLACEHOLDER_BY_TYPE.get(type_expr)
    if fixed is not None:
        return fixed
    if type_expr.startswith("list["):
        inner = type_expr[5:-1]
        if inner in ref.model_names:
            return f"[{PACKAGE}.{inner}()]"
        return f"[{_placeholder({'name': param['name'], 'type': inner}, ref)}]"
    if type_expr.startswith("dict("):
        return "{}"
    return '"' + param["name"].replace("_", "-") + '-value"'


def _signature(api: dict[str, Any], op: dict[str, Any]) -> str:
    required = [p for p in op["params"] if p.get("required")]
    optional = [p for p in op["params"] if not p.get("required")]
    args = [f"{p['name']}: {p['type']}" for p in required]
    if optional:
        args.append("*")
        args.extend(f"{p['name']}: {p['type']} = None" for p in optional)
    returns = op["returns"] or "None"
    head = f"{api['class']}.{op['name']}"
    one_line = f"{head}({', '.join(args)}) -> {returns}"
    if len(one_line) <= 100:
        return one_line
    inner = "".join(f"    {a},\n" for a in args)
    return f"{head}(\n{inner}) -> {returns}"


_USER_LOGIN = [
    "# A user's token: this operation is refused with client credentials. The code comes from",
    "# the browser redirect of the authorization-code flow (see the Authentication guide).",
    "api_client, _ = ApiClient().get_code_authorization_token(",
    '    os.environ["GENESYS_CLOUD_CLIENT_ID"], os.environ["GENESYS_CLOUD_CLIENT_SECRET"],',
    '    os.environ["GENESYS_CLOUD_AUTH_CODE"], os.environ["GENESYS_CLOUD_REDIRECT_URI"],',
    ")",
]
_CLIENT_LOGIN = [
    "api_client = ApiClient().get_client_credentials_token(",
    '    os.environ["GENESYS_CLOUD_CLIENT_ID"], os.environ["GENESYS_CLOUD_CLIENT_SECRET"]',
    ")",
]
_NO_LOGIN = ["api_client = ApiClient()  # this operation is sent without an access token"]


def login_lines(op: dict[str, Any]) -> list[str]:
    """The login an example shows: one whose grant the operation accepts."""
    if not op.get("auth", True):
        return _NO_LOGIN
    return _USER_LOGIN if op.get("user_context") else _CLIENT_LOGIN


def _example(api: dict[str, Any], op: dict[str, Any], ref: Reference) -> str:
    lines = [
        "import os",
        "",
        f"import {PACKAGE}",
        f"from {PACKAGE}.api_client import ApiClient",
        f"from {PACKAGE}.rest import ApiException",
        "",
        f'{PACKAGE}.configuration.host = os.environ["GENESYS_CLOUD_HOST"]',
        *login_lines(op),
        f"api = {PACKAGE}.{api['class']}(api_client)",
    ]
    call_args = []
    for param in op["params"]:
        if not param.get("required"):
            continue
        value = _placeholder(param, ref)
        if param["in"] == "body" and param["type"] in ref.model_names:
            lines.append(f"{param['name']} = {value}  # set the fields the call needs")
            call_args.append(param["name"])
        else:
            call_args.append(value)
    call = f"api.{op['name']}({', '.join(call_args)})"
    lines.append("try:")
    if op.get("paging"):
        args = "".join(", " + a for a in call_args)
        lines.append(f"    for item in {PACKAGE}.paginate(api.{op['name']}{args}, page_size=100):")
        lines.append("        print(item)  # every item of every page, fetched as the loop goes")
        lines.append('    print("listed every page")')
    elif op["returns"]:
        lines.append(f"    result = {call}")
        lines.append("    print(result)")
    else:
        lines.append(f"    {call}")
        lines.append('    print("done")')
    lines.append("except ApiException as error:")
    lines.append('    print("call failed:", error.status, error.reason)')
    return "\n".join(lines)


def _marks(op: dict[str, Any]) -> str:
    marks = []
    if op.get("deprecated"):
        marks.append("deprecated")
    if op.get("preview"):
        marks.append("preview")
    if op.get("user_context"):
        marks.append("user token")
    return ", ".join(marks)


def _path_html(method: str, path: str) -> str:
    """An HTTP route as inline HTML code that may wrap after '/', never inside a word."""
    return f"<code>{method} " + html.escape(path).replace("/", "/<wbr>") + "</code>"


def _wbr(name: str) -> str:
    """An identifier that may wrap after its underscores, never inside a word."""
    return html.escape(name).replace("_", "_<wbr>")


def _ident(name: str) -> str:
    return f"<code>{_wbr(name)}</code>"


def _md_inline(text: str) -> str:
    """Docstring-style ``code`` to Markdown `code`."""
    return text.replace("``", "`")


def _facts_md(op: dict[str, Any]) -> list[str]:
    return [_md_inline(note) for note in summaries.fact_notes(op)]


def render_api(api: dict[str, Any], ref: Reference) -> str:
    """The API group page: what each method does, linking to a page per operation."""
    ops = sorted(api["operations"], key=lambda o: o["name"])
    out = [
        f"# {api['class']}",
        "",
        f"`{PACKAGE}.{api['class']}` (module `{PACKAGE}.apis.{api['module']}`, asyncio twin "
        f"`{PACKAGE}.aio.{api['class']}Async`) groups {len(ops)} operations of the Platform API. "
        "Create it with an authenticated `ApiClient`; without one it uses the shared default client. "
        "Each method has its own page with the permissions it needs, its parameters and an example.",
        "",
        '<div class="ref-table ref-methods" markdown data-search-exclude>',
        "",
        "| Method | What it does | HTTP request |",
        "|---|---|---|",
    ]
    for op in ops:
        marks = f" *({_marks(op)})*" if _marks(op) else ""
        out.append(f"| [{_ident(op['name'])}]({api['module']}/{op['name']}.md){{#{op['name']}}}{marks} | "
                   f"{_md_inline(summaries.summary(op)).replace('|', '&#124;')} | "
                   f"{_path_html(op['method'], op['path'])} |")
    out += ["", "</div>"]
    return "\n".join(out) + "\n"


def _param_notes(p: dict[str, Any]) -> str:
    parts = []
    constraints = _constraints(p)
    if constraints:
        parts.append(constraints)
    if "enum" in p:
        parts.append(("each one of " if p["type"].startswith("list[") else "one of ")
                     + ", ".join(_cell(str(v)) for v in p["enum"]))
    if "default" in p:
        parts.append("default " + _cell(str(p["default"])))
    return "; ".join(parts)


def render_operation(api: dict[str, Any], op: dict[str, Any], ref: Reference) -> str:
    """One operation's page. Indexed for search: its name and what it does; the signature,
    parameter table and example stay out of the index (they would only bloat it)."""
    out = [
        f"# {_wbr(op['name'])}",
        "",
        _md_inline(summaries.summary(op)),
        "",
        _path_html(op["method"], op["path"]),
        "",
        f"[{api['class']}](../{api['module']}.md) · returns {ref.type_md(op['returns'], '../../models/')}",
        NO_SEARCH,
        "",
    ]
    facts = _facts_md(op)
    if facts:  # on the page, not in the search index (it would double the index for little gain)
        out += [" ".join(facts), NO_SEARCH, ""]
    if op.get("deprecated"):
        out += ['!!! warning "Deprecated"', "    The platform marks this operation as deprecated.", ""]
    if op.get("preview"):
        out += ['!!! note "Preview"',
                "    This is a preview operation: the platform may change or remove it without notice.", ""]
    out += [f"## Signature {NO_SEARCH_HEADING}", "", "``` { .python .ref-signature data-search-exclude }",
            _signature(api, op), "```", ""]
    if op["params"]:
        out += [f"## Parameters {NO_SEARCH_HEADING}", "", '<div class="ref-table ref-params" markdown>', "",
                "| Parameter | Type | Required | In (wire name) | Values and limits |",
                "|---|---|---|---|---|"]
        for p in op["params"]:
            out.append(
                f"| {_ident(p['name'])} | {ref.type_md(p['type'], '../../models/')} | "
                f"{'**yes**' if p.get('required') else 'no'} | {_LOCATION_TEXT.get(p['in'], p['in'])} "
                f"`{p['wire']}` | {_param_notes(p)} |")
        out += ["", "</div>", ""]
    extras = []
    if op["contentTypes"] != ["application/json"]:
        extras.append("request content types " + ", ".join(f"`{c}`" for c in op["contentTypes"]))
    if op["accepts"] != ["application/json"]:
        extras.append("response content types " + ", ".join(f"`{c}`" for c in op["accepts"]))
    if extras:
        out += ["**Also:** " + "; ".join(extras) + ".", ""]
    out += [f"## Example {NO_SEARCH_HEADING}", "", EXAMPLE_FENCE, _example(api, op, ref), "```"]
    return "\n".join(out) + "\n"


def render_model(model: dict[str, Any], ref: Reference) -> str:
    name = model["name"]
    uses = ref.used_by_ops.get(name, [])
    returned = sorted({(c, m, o) for c, m, o, role in uses if role == "returns"})
    accepted = sorted({(c, m, o) for c, m, o, role in uses if role == "accepts"})
    text = summaries.model_summary(model, [f"{c}.{o}" for c, _, o in returned],
                                   [f"{c}.{o}" for c, _, o in accepted])
    # Only the title of a model page is indexed for search: 6,651 pages of text would make the
    # index several megabytes, and a model is looked up by name.
    out = [
        f"# {name}",
        "",
        text,
        NO_SEARCH,
        "",
        f"`{PACKAGE}.{name}` (module `{PACKAGE}.models.{model['module']}`). Build one with "
        f"`{PACKAGE}.{name}()` and assign attributes; `to_dict()` and `to_json()` give its content.",
        NO_SEARCH,
        "",
    ]
    if model["fields"]:
        out += [f"## Fields {NO_SEARCH_HEADING}", "", '<div class="ref-table ref-fields" markdown>', "",
                "| Attribute | Type | Wire name | Allowed values |", "|---|---|---|---|"]
        for f in model["fields"]:
            enum = ", ".join(_cell(v) for v in f.get("enum", []))
            out.append(f"| {_ident(f['name'])} | {ref.type_md(f['type'], '')} | `{f['wire']}` | {enum} |")
        out += ["", "</div>"]
        if any("enum" in f for f in model["fields"]):
            out += ["", "A value the platform added after this release reads as `'outdated_sdk_version'`."]
    else:
        out += ["This model has no declared fields.", NO_SEARCH]
    if returned:
        out += ["", f"## Returned by {NO_SEARCH}", ""]
        out += [f"- [{c}.{o}](../apis/{m}/{o}.md)" for c, m, o in returned]
    if accepted:
        out += ["", f"## Accepted by {NO_SEARCH}", ""]
        out += [f"- [{c}.{o}](../apis/{m}/{o}.md)" for c, m, o in accepted]
    parents = sorted(ref.used_by_models.get(name, ()))
    if parents:
        out += ["", f"## Used in models {NO_SEARCH}", ""]
        out.append(", ".join(f"[{p}]({p}.md)" for p in parents))
    return "\n".join(out) + "\n"


def render_index(ref: Reference) -> str:
    total_ops = sum(len(a["operations"]) for a in ref.apis)
    out = [
        "# API reference",
        "",
        f"Generated from the API definition of release {ref.version}: {len(ref.apis)} API groups, "
        f"{total_ops} operations and {len(ref.models)} models. "
        "[All operations by path](operations.md) · [All models](models/index.md)",
        "",
        "Each operation's page says what it does, which permissions it needs, whether it needs a "
        "user's token (operations on `/me` and a few others refuse client credentials), how it pages, "
        "the values its parameters accept, and shows an example that logs in with a grant it accepts.",
        "",
        "| API group | Module | Operations |",
        "|---|---|---|",
    ]
    for api in ref.apis:
        out.append(f"| [{api['class']}](apis/{api['module']}.md) | `{api['module']}` | {len(api['operations'])} |")
    return "\n".join(out) + "\n"


def _area(path: str) -> str:
    parts = [p for p in path.split("/")[3:] if p]
    return re.sub(r"[^a-z0-9]+", "-", parts[0].lower()) if parts else "root"


def render_operations(ref: Reference) -> dict[str, str]:
    """``operations.md`` (the path areas) and one ``paths/<area>.md`` per area."""
    rows: dict[str, list[tuple[str, str, dict[str, Any], dict[str, Any]]]] = defaultdict(list)
    seen = set()
    for api in ref.apis:
        for op in api["operations"]:
            if (op["method"], op["path"], op["name"]) in seen:
                continue  # the same operation in several API groups: list it once
            seen.add((op["method"], op["path"], op["name"]))
            rows[_area(op["path"])].append((op["path"], op["method"], api, op))
    index = [
        NO_SEARCH_PAGE + "# Operations by path",
        "",
        "Every operation of the Platform API, by the first part of its path after `/api/v2/`.",
        "",
        " · ".join(f"[{area}](paths/{area}.md) ({len(items)})" for area, items in sorted(rows.items())),
    ]
    pages = {"operations.md": "\n".join(index) + "\n"}
    for area, items in rows.items():
        items.sort(key=lambda r: (r[0], r[1]))
        out = [NO_SEARCH_PAGE + f"# /api/v2/{area}", "", '<div class="ref-table ref-paths" markdown>', "",
               "| HTTP request | Method | Notes |", "|---|---|---|"]
        for path, method, api, op in items:
            out.append(f"| {_path_html(method, path)} | [{api['class']}.{op['name']}](../apis/{api['module']}/"
                       f"{op['name']}.md) | {_marks(op)} |")
        out += ["", "</div>"]
        pages[f"paths/{area}.md"] = "\n".join(out) + "\n"
    return pages


def _letter(name: str) -> str:
    return name[0].upper() if name[0].isalpha() else "#"


def render_model_index(ref: Reference) -> dict[str, str]:
    """``models/index.md`` (letters, counts) and ``models/index-<letter>.md`` listing the models:
    one page of 6,651 links would weigh 600 kB."""
    by_letter: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for model in ref.models:
        by_letter[_letter(model["name"])].append(model)
    slug = {letter: "other" if letter == "#" else letter.lower() for letter in by_letter}
    out = [
        NO_SEARCH_PAGE + "# Models",
        "",
        f"{len(ref.models)} models, each with its own page. Every model is importable as "
        f"`{PACKAGE}.<Name>`. By first letter:",
        "",
        " · ".join(f"[{letter}](index-{slug[letter]}.md) ({len(by_letter[letter])})" for letter in sorted(by_letter)),
    ]
    pages = {"models/index.md": "\n".join(out) + "\n"}
    for letter, models in by_letter.items():
        lines = [NO_SEARCH_PAGE + f"# Models: {letter}", "", "[All letters](index.md)", ""]
        lines += [f"- [{m['name']}]({m['name']}.md) ({len(m['fields'])} fields)" for m in models]
        pages[f"models/index-{slug[letter]}.md"] = "\n".join(lines) + "\n"
    return pages


def generate(spec_dir: Path, out_dir: Path) -> dict[str, int]:
    ref = Reference(read_spec(spec_dir))
    pages: dict[Path, str] = {out_dir / "index.md": render_index(ref)}
    for rel, text in [*render_operations(ref).items(), *render_model_index(ref).items()]:
        pages[out_dir / rel] = text
    for api in ref.apis:
        pages[out_dir / "apis" / f"{api['module']}.md"] = render_api(api, ref)
        for op in api["operations"]:
            pages[out_dir / "apis" / api["module"] / f"{op['name']}.md"] = render_operation(api, op, ref)
    for model in ref.models:
        pages[out_dir / "models" / f"{model['name']}.md"] = render_model(model, ref)
    # Write only what changed and remove what is gone: `mkdocs serve` watches this tree,
    # and rewriting every file on each rebuild would trigger another rebuild.
    if out_dir.exists():
        for old in out_dir.rglob("*"):
            if old.is_file() and old not in pages:
                old.unlink()
    for path in {p.parent for p in pages}:
        path.mkdir(parents=True, exist_ok=True)
    for path, text in pages.items():
        data = text.encode("utf-8")
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    return {"apis": len(ref.apis), "models": len(ref.models), "pages": len(pages)}


API_GROUPS_NAV_MARKER = "reference/apis/"


def _expand_nav(items: list[Any], api_pages: list[dict[str, str]]) -> list[Any]:
    """Replace the ``reference/apis/`` entry of the nav with one entry per API group."""
    expanded: list[Any] = []
    for item in items:
        if isinstance(item, dict):
            item = {k: (api_pages if v == API_GROUPS_NAV_MARKER else
                        _expand_nav(v, api_pages) if isinstance(v, list) else v) for k, v in item.items()}
        elif item == API_GROUPS_NAV_MARKER:
            expanded.extend(api_pages)
            continue
        expanded.append(item)
    return expanded


def on_config(config: Any) -> Any:
    """MkDocs hook: generate the reference pages and list the API groups in the nav.

    Listed under ``hooks:`` in mkdocs.yml, so a plain ``mkdocs build`` is complete.
    Set GEN_DOCS_SKIP=1 to reuse pages already generated.
    """
    import os

    root = Path(config["config_file_path"]).resolve().parent
    out = Path(config["docs_dir"]) / "reference"
    if os.environ.get("GEN_DOCS_SKIP") != "1" or not (out / "index.md").exists():
        generate(root / "spec", out)
    apis = sorted(read_spec_apis(root / "spec"), key=lambda a: a["class"])
    pages = [{a["class"]: f"reference/apis/{a['module']}.md"} for a in apis]
    if config.get("nav"):
        config["nav"] = _expand_nav(config["nav"], pages)
    return config


# Search ranking: guides first, then API group and operation pages, model pages last (a
# model is still found by its exact name: its title is indexed).
SEARCH_BOOST = {"guide": 4.0, "api": 2.0, "operation": 2.0, "model": 0.5}


def page_kind(src_uri: str) -> str:
    if not src_uri.startswith("reference/"):
        return "guide"
    if src_uri.startswith("reference/models/"):
        return "model"
    if src_uri.startswith("reference/apis/"):
        return "operation" if src_uri.count("/") == 3 else "api"
    return "api"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """MkDocs hook: the search boost of each page by its kind (a page's own front matter wins)."""
    search = page.meta.setdefault("search", {})
    if isinstance(search, dict):
        search.setdefault("boost", SEARCH_BOOST[page_kind(page.file.src_uri)])
    return markdown


_WORD = re.compile(r"[a-z]{5,}")
_SUFFIXES = (("ations", ("ate",)), ("ation", ("ate",)), ("ings", ("e", "")), ("ing", ("e", "")),
             ("ions", ("e", "")), ("ion", ("e", "")), ("ies", ("y",)), ("ied", ("y",)), ("ed", ("e", "")),
             ("es", ("e", "")), ("s", ("",)))


def word_forms(text: str) -> set[str]:
    """Base forms of the words of ``text`` that it does not contain itself ("migrating" ->
    "migrate", "migrat"): the search box matches the typed word as a prefix of indexed
    words (Material adds a trailing wildcard, which also turns off lunr's stemmer), so
    "migrate" would not find a page that only says "Migrating"."""
    words = set(_WORD.findall(re.sub(r"<[^>]+>", " ", text).lower()))
    forms = set()
    for word in words:
        for suffix, replacements in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                forms.update(word[: -len(suffix)] + r for r in replacements)
                break
    return {f for f in forms if not any(w.startswith(f) for w in words)}


def on_post_build(config: Any) -> None:
    """MkDocs hook: give guide pages' search entries the base forms of their words (hidden).

    Runs after the search plugin wrote ``search/search_index.json`` (hooks run after plugins)."""
    import json

    index = Path(config["site_dir"]) / "search" / "search_index.json"
    if not index.exists():
        return
    data = json.loads(index.read_text(encoding="utf-8"))
    for doc in data["docs"]:
        if page_kind(doc["location"]) == "guide":
            forms = word_forms(doc["title"] + " " + doc["text"])
            if forms:
                doc["text"] += ' <span hidden>' + " ".join(sorted(forms)) + "</span>"
    index.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


# Pages other people write; until they exist, the build uses a generated stand-in
# (never written to disk) so that the nav and links resolve.
PAGES_OWNED_ELSEWHERE = {
    "emulator.md": "Emulator",
    "benchmarks.md": "Benchmarks",
    "reliability.md": "Reliability",
}


def on_files(files: Any, config: Any) -> Any:
    """MkDocs hook: stand-ins for guide pages that are not written yet."""
    from mkdocs.structure.files import File

    for src, title in PAGES_OWNED_ELSEWHERE.items():
        if files.get_file_from_path(src) is None:
            files.append(File.generated(config, src, content=f"# {title}\n\nThis page is being written.\n"))
    return files


def read_spec_apis(spec_dir: Path) -> list[dict[str, Any]]:
    import json

    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((spec_dir / "apis").glob("*.json"))]


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=root / "spec")
    parser.add_argument("--out", type=Path, default=root / "docs" / "reference")
    args = parser.parse_args(argv)
    counts = generate(args.spec, args.out)
    print(f"gen_docs: {counts['pages']} pages ({counts['apis']} API groups, {counts['models']} models) in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
