"""The generated API reference covers the whole spec, and its examples are valid Python.

Fast (no MkDocs, no browser): renders the reference into a temporary directory.
"""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import gen_docs  # noqa: E402
from spec_io import read_spec  # noqa: E402

FENCE = re.compile(r"^``` \{ \.python data-search-exclude \}\n(.*?)^```$", re.S | re.M)
LINK = re.compile(r"\]\(([^)#]+\.md)(?:#([^)]+))?\)")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    gen_docs.generate(ROOT / "spec", out)
    return out


@pytest.fixture(scope="module")
def spec() -> dict:
    return read_spec(ROOT / "spec")


def _op_page(reference: Path, api: dict, op: dict) -> str:
    return (reference / "apis" / api["module"] / f"{op['name']}.md").read_text(encoding="utf-8")


def test_every_api_group_operation_and_model_has_a_page(reference: Path, spec: dict) -> None:
    for api in spec["apis"]:
        group = (reference / "apis" / f"{api['module']}.md").read_text(encoding="utf-8")
        assert group.startswith(f"# {api['class']}\n")
        for op in api["operations"]:
            # the group page keeps an anchor per method (old links land on its row)
            assert f"({api['module']}/{op['name']}.md){{#{op['name']}}}" in group
            page = _op_page(reference, api, op)
            assert page.replace("<wbr>", "").startswith(f"# {op['name']}\n\n")
            assert f"<code>{op['method']} " in page
    models = {p.stem for p in (reference / "models").glob("*.md") if not p.stem.startswith("index")}
    assert models == {m["name"] for m in spec["models"]}


def test_pages_state_summary_permissions_and_grant(reference: Path, spec: dict) -> None:
    users = next(a for a in spec["apis"] if a["class"] == "UsersApi")
    ops = {o["name"]: o for o in users["operations"]}
    me = _op_page(reference, users, ops["get_users_me"])
    assert "Get the user the access token belongs to" in me  # hand-written summary
    assert "client-credentials token is refused" in me
    assert "get_code_authorization_token(" in me and "get_client_credentials_token(" not in me
    listing = _op_page(reference, users, ops["get_users"])
    assert "Pages by `pageNumber`" in listing and "paginate(api.get_users" in listing
    assert "one of <code>active</code>, <code>inactive</code>" in listing  # parameter values
    assert "default <code>25</code>" in listing
    skills = _op_page(reference, users, ops["get_user_routingskills"])
    assert "Requires" in skills and "permission" in skills
    generated = _op_page(reference, users, ops["delete_user_routinglanguage"])
    assert generated.split("\n")[2].startswith("Delete ")  # generated summary: verb first


def test_examples_are_valid_python_calling_the_documented_method(reference: Path, spec: dict) -> None:
    for api in spec["apis"]:
        for op in api["operations"]:
            examples = FENCE.findall(_op_page(reference, api, op))
            assert len(examples) == 1, f"{api['class']}.{op['name']}"
            tree = ast.parse(examples[0])
            calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                     and isinstance(n.func, ast.Attribute) and n.func.attr == op["name"]]
            refs = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == op["name"]]
            required = [p for p in op["params"] if p.get("required")]
            if op.get("paging"):  # paginate(api.method, *required, page_size=...)
                assert len(refs) == 1 and not calls, f"{api['class']}.{op['name']}"
                continue
            assert len(calls) == 1, f"{api['class']}.{op['name']}"
            assert len(calls[0].args) == len(required), f"{api['class']}.{op['name']}"
            logins = [n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call)
                      and isinstance(n.func, ast.Attribute) and n.func.attr.endswith("_token")]
            if op.get("user_context"):
                assert logins == ["get_code_authorization_token"], f"{api['class']}.{op['name']}"


def test_links_point_at_generated_pages_and_anchors(reference: Path) -> None:
    anchors: dict[Path, set[str]] = {}
    for page in reference.rglob("*.md"):
        anchors[page.resolve()] = set(re.findall(r"\{#([\w-]+)\}", page.read_text(encoding="utf-8")))
    for page in reference.rglob("*.md"):
        for target, anchor in LINK.findall(page.read_text(encoding="utf-8")):
            resolved = (page.parent / target).resolve()
            assert resolved in anchors, f"{page.name} links to missing {target}"
            if anchor and resolved.parent.name == "apis":
                assert anchor in anchors[resolved], f"{page.name} links to missing {target}#{anchor}"


def test_model_pages_summarise_and_link_back_to_operations(reference: Path) -> None:
    user = (reference / "models" / "User.md").read_text(encoding="utf-8")
    assert "[UsersApi.get_user](../apis/users_api/get_user.md)" in user
    assert "## Fields { data-search-exclude }" in user  # field tables stay out of the search index
    create_user = (reference / "models" / "CreateUser.md").read_text(encoding="utf-8")
    assert "[UsersApi.post_users](../apis/users_api/post_users.md)" in create_user
    listing = (reference / "models" / "UserEntityListing.md").read_text(encoding="utf-8")
    assert "One page of User items" in listing


# A sample of reference examples, run as a user would run them, against the emulator:
# (module, operation, whether the call must succeed; a placeholder id gives a reported 404).
SAMPLE = [
    ("users_api", "get_users", True),
    ("users_api", "get_user", False),
    ("users_api", "get_users_me", True),  # user-context: the example logs in with a code
    ("routing_api", "get_routing_queues", True),
    ("routing_api", "get_routing_queues_me", True),
    ("presence_api", "get_presencedefinitions", True),
    ("notifications_api", "post_notifications_channels", True),
    ("organization_api", "get_organizations_me", True),
]


@pytest.fixture(scope="module")
def emulator():
    try:
        from PureCloudPlatformClientV2.emulator import Emulator
    except ImportError as exc:
        pytest.skip(f"the emulator is not available: {exc}")
    with Emulator(seed_users=2) as emu:
        yield emu


@pytest.mark.parametrize("module,operation,succeeds", SAMPLE)
def test_examples_run_against_the_emulator(reference: Path, emulator, module: str, operation: str, succeeds: bool,
                                           tmp_path: Path) -> None:
    import os
    import subprocess

    page = (reference / "apis" / module / f"{operation}.md").read_text(encoding="utf-8")
    code = FENCE.search(page).group(1)
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    redirect = "http://127.0.0.1/callback"
    env = dict(os.environ, GENESYS_CLOUD_HOST=emulator.base_url, GENESYS_CLOUD_CLIENT_ID=emulator.client_id,
               GENESYS_CLOUD_CLIENT_SECRET=emulator.client_secret, GENESYS_CLOUD_REDIRECT_URI=redirect,
               GENESYS_CLOUD_AUTH_CODE=emulator.issue_auth_code(redirect_uri=redirect),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    result = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    if succeeds:
        assert "call failed" not in result.stdout, result.stdout
