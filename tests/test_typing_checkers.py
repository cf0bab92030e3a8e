"""Both mypy and pyright (basedpyright, which bundles its Node.js) catch a user's typing mistakes.

The script makes the mistakes a migrating user makes: a misspelt enum value, a wrong
attribute on an item from ``paginate`` (sync) and ``apaginate`` (asyncio), and ``callback=``
on an asyncio method.  Each line marked ``# error`` must be flagged by both checkers, and
the corrected script must be clean for both.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

MISTAKES = textwrap.dedent("""
    from PureCloudPlatformClientV2 import ApiClient, UsersApi, iter_pages, paginate
    from PureCloudPlatformClientV2.aio import AsyncApiClient, UsersApiAsync, aiter_pages, apaginate
    from PureCloudPlatformClientV2.models import UpdateUser, User, UserEntityListing

    users = UsersApi(ApiClient())
    update = UpdateUser()
    update.state = "activ"  # error: not one of the known values
    state = update.state
    if state == "outdated_sdk_version":  # reads may say the SDK is older than the server
        pass
    for user in paginate(users.get_users, page_size=100):
        print(user.nmae)  # error: User has no 'nmae'
    for page in iter_pages(users.get_users):
        first: User = (page.entities or [])[0]


    async def main() -> None:
        async with AsyncApiClient() as client:
            ausers = UsersApiAsync(client)
            async for auser in apaginate(ausers.get_users, page_size=10):
                print(auser.emial)  # error: User has no 'emial'
            async for apage in aiter_pages(ausers.get_users):
                listing: UserEntityListing = apage
            await ausers.get_user("abc", callback=print)  # error: no callback= on asyncio methods
""")

CORRECTED = (MISTAKES.replace('"activ"', '"active"').replace("user.nmae", "user.name")
             .replace("auser.emial", "auser.email").replace('"abc", callback=print', '"abc"'))


def _expected_lines(script: str) -> list[int]:
    return [n for n, line in enumerate(script.splitlines(), 1) if "# error" in line]


def _write(tmp_path: Path, script: str) -> Path:
    path = tmp_path / "user_script.py"
    path.write_text(script)
    return path


def _mypy(tmp_path: Path, script: str) -> tuple[list[int], str]:
    path = _write(tmp_path, script)
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "--python-version", "3.10",
                             "--cache-dir", str(tmp_path / "cache"), str(path)],
                            capture_output=True, text=True, cwd=ROOT, timeout=600)
    lines = sorted({int(m.group(1)) for m in re.finditer(rf"^{re.escape(str(path))}:(\d+): error:",
                                                        result.stdout, re.M)})
    return lines, result.stdout


def _pyright_command() -> list[str] | None:
    exe = shutil.which("basedpyright", path=str(Path(sys.executable).parent)) or shutil.which("basedpyright")
    return [exe] if exe else None


def _pyright(tmp_path: Path, script: str) -> tuple[list[int], str]:
    path = _write(tmp_path, script)
    # extraPaths: an editable install is found through an import hook, which pyright does not run
    (tmp_path / "pyrightconfig.json").write_text(json.dumps(
        {"typeCheckingMode": "standard", "pythonVersion": "3.10", "extraPaths": [str(ROOT)]}))
    command = _pyright_command()
    assert command is not None
    result = subprocess.run([*command, "--outputjson", "--pythonpath", sys.executable, str(path)],
                            capture_output=True, text=True, cwd=tmp_path, timeout=600)
    report = json.loads(result.stdout)
    lines = sorted({d["range"]["start"]["line"] + 1 for d in report["generalDiagnostics"]
                    if d["severity"] == "error" and d["file"] == str(path)})
    return lines, result.stdout


@pytest.mark.skipif(subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True).returncode,
                    reason="mypy not installed")
def test_mypy_flags_each_mistake_and_passes_the_corrected_script(tmp_path: Path) -> None:
    lines, output = _mypy(tmp_path, MISTAKES)
    assert lines == _expected_lines(MISTAKES), output
    lines, output = _mypy(tmp_path, CORRECTED)
    assert lines == [], output


@pytest.mark.skipif(_pyright_command() is None, reason="basedpyright not installed (dev extra)")
def test_pyright_flags_each_mistake_and_passes_the_corrected_script(tmp_path: Path) -> None:
    lines, output = _pyright(tmp_path, MISTAKES)
    assert lines == _expected_lines(MISTAKES), output
    lines, output = _pyright(tmp_path, CORRECTED)
    assert lines == [], output


def _stub_enum_fields() -> dict[tuple[str, str], list[str]]:
    """(model, attribute) -> the values the stubs accept, from every model stub and ``_enums.pyi``."""
    import ast

    models = ROOT / "PureCloudPlatformClientV2" / "models"
    aliases = {node.targets[0].id: [e.value for e in ast.walk(node.value.slice) if isinstance(e, ast.Constant)]
               for node in ast.parse((models / "_enums.pyi").read_text()).body
               if isinstance(node, ast.Assign) and isinstance(node.value, ast.Subscript)}
    found: dict[tuple[str, str], list[str]] = {}
    for stub in models.glob("_b_*.pyi"):
        for cls in ast.parse(stub.read_text()).body:
            if not isinstance(cls, ast.ClassDef):
                continue
            for field in cls.body:
                if isinstance(field, ast.AnnAssign) and ast.unparse(field.annotation).startswith("_e.F["):
                    alias = ast.unparse(field.annotation)[len("_e.F[_e."):-1]
                    found[(cls.name, field.target.id)] = aliases[alias]  # type: ignore[union-attr]
    return found


def test_enum_stubs_agree_with_the_run_time() -> None:
    import PureCloudPlatformClientV2 as sdk

    fields = _stub_enum_fields()
    assert len(fields) > 3000 and fields[("UpdateUser", "state")] == ["active", "inactive", "deleted"]
    for (model, name), values in fields.items():
        instance = getattr(sdk, model)()
        for value in values:  # every value the stub accepts is kept as it is
            setattr(instance, name, value)
            assert getattr(instance, name) == value, (model, name, value)
        setattr(instance, name, "not-a-known-value")  # and anything else reads as the stub's extra value
        assert getattr(instance, name) == "outdated_sdk_version", (model, name)


def test_async_stubs_agree_with_the_run_time() -> None:
    import ast
    import inspect

    from PureCloudPlatformClientV2 import aio

    checked = 0
    for stub in (ROOT / "PureCloudPlatformClientV2" / "aio" / "apis").glob("*_api.pyi"):
        cls_node = next(n for n in ast.parse(stub.read_text()).body if isinstance(n, ast.ClassDef))
        cls = getattr(aio, cls_node.name)
        for fn in cls_node.body:
            if not isinstance(fn, ast.AsyncFunctionDef):
                continue
            runtime = inspect.signature(getattr(cls, fn.name))
            names = [p.name for p in runtime.parameters.values() if p.kind is not p.VAR_KEYWORD]
            stubbed = [a.arg for a in fn.args.args + fn.args.kwonlyargs]
            assert stubbed == names, (cls_node.name, fn.name)
            assert inspect.iscoroutinefunction(getattr(cls, fn.name))
            checked += 1
    assert checked > 3000
