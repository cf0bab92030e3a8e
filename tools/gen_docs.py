"""Render the API reference of the documentation site from ``spec/``.

Writes Markdown under ``docs/reference/`` (build output, not committed):

    reference/index.md              API groups, with operation counts
    reference/operations.md         every operation by HTTP path
    reference/apis/<module>.md      one page per API group, one section per method
    reference/models/index.md       model index, by first letter
    reference/models/<Model>.md     one page per model, with the operations that use it

The spec carries no description text, so every sentence here is generic and
derived from the data (types, locations, flags). Usage:

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
from spec_io import read_spec  # noqa: E402

PACKAGE = "PureCloudPlatformClientV2"
_TYPE_NAME = re.compile(r"[A-Za-z_]\w*")
_LOCATION_TEXT = {"path": "path", "query": "query", "header": "header", "body": "body", "form": "form"}
# Examples and cross-link lists stay out of the search index: they repeat on every
# page and would only bloat it; names, paths and parameter tables are indexed.
EXAMPLE_FENCE = "``` { .python data-search-exclude }"
NO_SEARCH = "{: data-search-exclude }"
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


def _example(api: dict[str, Any], op: dict[str, Any], ref: Reference) -> str:
    lines = [
        "import os",
        "",
        f"import {PACKAGE}",
        f"from {PACKAGE}.api_client import ApiClient",
        f"from {PACKAGE}.rest import ApiException",
        "",
        f'{PACKAGE}.configuration.host = os.environ["GENESYS_CLOUD_HOST"]',
        "api_client = ApiClient().get_client_credentials_token(",
        '    os.environ["GENESYS_CLOUD_CLIENT_ID"], os.environ["GENESYS_CLOUD_CLIENT_SECRET"]',
        ")",
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
    if op["returns"]:
        lines.append(f"    result = {call}")
        lines.append("    print(result)")
    else:
        lines.append(f"    {call}")
    lines.append("except ApiException as error:")
    lines.append('    print("call failed:", error.status, error.reason)')
    return "\n".join(lines)


def _marks(op: dict[str, Any]) -> str:
    marks = []
    if op.get("deprecated"):
        marks.append("deprecated")
    if op.get("preview"):
        marks.append("preview")
    return ", ".join(marks)


def render_api(api: dict[str, Any], ref: Reference) -> str:
    ops = sorted(api["operations"], key=lambda o: o["name"])
    out = [
        f"# {api['class']}",
        "",
        f"`{PACKAGE}.{api['class']}` (module `{PACKAGE}.apis.{api['module']}`) groups "
        f"{len(ops)} operations of the Platform API. Create it with an authenticated "
        "`ApiClient`; without one it uses the shared default client. Required parameters are "
        "positional, in the order shown; optional parameters are keyword-only. The examples read "
        "the API host and a client-credentials OAuth client from the environment variables "
        "`GENESYS_CLOUD_HOST`, `GENESYS_CLOUD_CLIENT_ID` and `GENESYS_CLOUD_CLIENT_SECRET`.",
        "",
        "| Method | HTTP request |",
        "|---|---|",
    ]
    for op in ops:
        marks = f" *({_marks(op)})*" if _marks(op) else ""
        out.append(f"| [{op['name']}](#{op['name']}){marks} | `{op['method']} {op['path']}` |")
    for op in ops:
        out += ["", f"## {op['name']} {{#{op['name']}}}", ""]
        out += [f"`{op['method']} {op['path']}`", ""]
        if op.get("deprecated"):
            out += ['!!! warning "Deprecated"', "    The platform marks this operation as deprecated.", ""]
        if op.get("preview"):
            out += [
                '!!! note "Preview"',
                "    This is a preview operation: the platform may change or remove it without notice.",
                "",
            ]
        out += ["```python", _signature(api, op), "```", ""]
        if op["params"]:
            out += [
                "| Parameter | Wire name | In | Type | Required | Constraints |",
                "|---|---|---|---|---|---|",
            ]
            for p in op["params"]:
                out.append(
                    f"| `{p['name']}` | `{p['wire']}` | {_LOCATION_TEXT.get(p['in'], p['in'])} | "
                    f"{ref.type_md(p['type'], '../models/')} | {'yes' if p.get('required') else 'no'} | "
                    f"{_constraints(p)} |"
                )
            out.append("")
        else:
            out += ["No parameters.", ""]
        out.append(f"**Returns:** {ref.type_md(op['returns'], '../models/')}")
        extras = []
        if op["contentTypes"] != ["application/json"]:
            extras.append("request content types " + ", ".join(f"`{c}`" for c in op["contentTypes"]))
        if op["accepts"] != ["application/json"]:
            extras.append("response content types " + ", ".join(f"`{c}`" for c in op["accepts"]))
        if not op.get("auth", True):
            extras.append("no access token needed")
        if extras:
            out += ["", "**Also:** " + "; ".join(extras) + "."]
        out += ["", EXAMPLE_FENCE, _example(api, op, ref), "```"]
    return "\n".join(out) + "\n"


def render_model(model: dict[str, Any], ref: Reference) -> str:
    name = model["name"]
    out = [
        f"# {name}",
        "",
        f"`{PACKAGE}.{name}` (module `{PACKAGE}.models.{model['module']}`). Build one with "
        f"`{PACKAGE}.{name}()` and assign attributes; `to_dict()` and `to_json()` give its content.",
        "",
    ]
    if model["fields"]:
        out += ["| Attribute | Wire name | Type | Allowed values |", "|---|---|---|---|"]
        for f in model["fields"]:
            enum = ", ".join(_cell(v) for v in f.get("enum", []))
            out.append(f"| `{f['name']}` | `{f['wire']}` | {ref.type_md(f['type'], '')} | {enum} |")
        if any("enum" in f for f in model["fields"]):
            out += ["", "A value the platform added after this release reads as `'outdated_sdk_version'`."]
    else:
        out.append("This model has no declared fields.")
    uses = ref.used_by_ops.get(name, [])
    returned = sorted({(c, m, o) for c, m, o, role in uses if role == "returns"})
    accepted = sorted({(c, m, o) for c, m, o, role in uses if role == "accepts"})
    if returned:
        out += ["", f"## Returned by {NO_SEARCH}", ""]
        out += [f"- [{c}.{o}](../apis/{m}.md#{o})" for c, m, o in returned]
    if accepted:
        out += ["", f"## Accepted by {NO_SEARCH}", ""]
        out += [f"- [{c}.{o}](../apis/{m}.md#{o})" for c, m, o in accepted]
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
        "| API group | Module | Operations |",
        "|---|---|---|",
    ]
    for api in ref.apis:
        out.append(f"| [{api['class']}](apis/{api['module']}.md) | `{api['module']}` | {len(api['operations'])} |")
    return "\n".join(out) + "\n"


def render_operations(ref: Reference) -> str:
    rows = []
    for api in ref.apis:
        for op in api["operations"]:
            rows.append((op["path"], op["method"], api, op))
    rows.sort(key=lambda r: (r[0], r[1]))
    out = [
        NO_SEARCH_PAGE + "# Operations by path",
        "",
        "Every operation of the Platform API, sorted by path, with the SDK method that calls it.",
        "",
        "| HTTP request | Method | Notes |",
        "|---|---|---|",
    ]
    for path, method, api, op in rows:
        out.append(
            f"| `{method} {path}` | [{api['class']}.{op['name']}](apis/{api['module']}.md#{op['name']}) "
            f"| {_marks(op)} |"
        )
    return "\n".join(out) + "\n"


def _letter(name: str) -> str:
    return name[0].upper() if name[0].isalpha() else "#"


def render_model_index(ref: Reference) -> str:
    by_letter: dict[str, list[str]] = defaultdict(list)
    for model in ref.models:
        by_letter[_letter(model["name"])].append(model["name"])
    letters = sorted(by_letter)
    out = [
        NO_SEARCH_PAGE + "# Models",
        "",
        f"{len(ref.models)} models, each with its own page. Every model is importable as "
        f"`{PACKAGE}.<Name>`.",
        "",
        " · ".join(f"[{letter}](#letter-{letter.lower()})" for letter in letters),
    ]
    for letter in letters:
        out += ["", f"## {letter} {{#letter-{letter.lower()}}}", ""]
        out.append(" · ".join(f"[{n}]({n}.md)" for n in by_letter[letter]))
    return "\n".join(out) + "\n"


def generate(spec_dir: Path, out_dir: Path) -> dict[str, int]:
    ref = Reference(read_spec(spec_dir))
    pages: dict[Path, str] = {
        out_dir / "index.md": render_index(ref),
        out_dir / "operations.md": render_operations(ref),
        out_dir / "models" / "index.md": render_model_index(ref),
    }
    for api in ref.apis:
        pages[out_dir / "apis" / f"{api['module']}.md"] = render_api(api, ref)
    for model in ref.models:
        pages[out_dir / "models" / f"{model['name']}.md"] = render_model(model, ref)
    # Write only what changed and remove what is gone: `mkdocs serve` watches this tree,
    # and rewriting every file on each rebuild would trigger another rebuild.
    if out_dir.exists():
        for old in out_dir.rglob("*"):
            if old.is_file() and old not in pages:
                old.unlink()
    for sub in ("apis", "models"):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    for path, text in pages.items():
        data = text.encode("utf-8")
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    return {"apis": len(ref.apis), "models": len(ref.models), "pages": len(ref.apis) + len(ref.models) + 3}


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
