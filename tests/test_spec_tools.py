"""The spec diff tool reports what changed between two API definitions."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from spec_diff import diff, render
from spec_io import read_spec, write_spec


def test_diff_of_a_spec_with_itself_is_empty(spec: dict[str, Any]) -> None:
    assert diff(spec, spec) == {"breaking": [], "added": [], "changed": []}


def test_diff_reports_added_removed_and_changed(spec: dict[str, Any], tmp_path: Path) -> None:
    new = copy.deepcopy(spec)
    users = next(a for a in new["apis"] if a["class"] == "UsersApi")
    get_user = next(o for o in users["operations"] if o["name"] == "get_user")
    get_user["params"].append({"name": "fresh", "wire": "fresh", "in": "query", "type": "bool"})
    users["operations"] = [o for o in users["operations"] if o["name"] != "get_users_me"]
    user = next(m for m in new["models"] if m["name"] == "User")
    next(f for f in user["fields"] if f["name"] == "state")["enum"].append("suspended")
    new["models"].append({"name": "BrandNew", "module": "brand_new", "fields": []})
    write_spec(new, tmp_path / "spec")  # and the files round-trip
    sections = diff(spec, read_spec(tmp_path / "spec"))
    assert "operation UsersApi.get_users_me removed" in sections["breaking"]
    assert any("UsersApi.get_user: parameter fresh added" in line for line in sections["changed"])
    assert any(line.startswith("model User: field state: enum values added ['suspended']")
               for line in sections["changed"])
    assert "model BrandNew" in sections["added"]
    assert "## Breaking changes (1)" in render(sections, markdown=True)
