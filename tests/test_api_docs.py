"""Method docstrings are stored once, in ``apis/*.pyi``; the runtime reads them from there."""
from __future__ import annotations

import ast
from pathlib import Path

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import _api, aio, apis

APIS = Path(apis.__file__).parent


def _stub_docs(stub: Path) -> dict[str, str | None]:
    cls = next(n for n in ast.parse(stub.read_text(encoding="utf-8")).body if isinstance(n, ast.ClassDef))
    return {f.name: ast.get_docstring(f, clean=False) for f in cls.body if isinstance(f, ast.FunctionDef)}


def test_every_method_has_its_stub_docstring_at_run_time() -> None:
    checked = 0
    for name, module in apis._MODULES.items():
        cls = getattr(apis, name)
        for method, doc in _stub_docs(APIS / f"{module}.pyi").items():
            assert doc, (name, method)
            assert getattr(cls, method).__doc__ == doc, (name, method)
            assert getattr(getattr(aio, name + "Async"), method).__doc__ == doc, (name, method)
            checked += 1
    assert checked == 3508


def test_help_shows_the_docstring() -> None:
    import pydoc

    text = pydoc.render_doc(sdk.UsersApi.get_users, renderer=pydoc.plaintext)
    assert "GET /api/v2/users" in text and ":param str sort_order:" in text


def _thing_api() -> type:
    class Api(_api.BaseApi):
        _operations = _api.Operation.rows((("get_thing", "GET", "/api/v2/things/{id}", "Thing", None,
                                            (("thing_id", "id", "path", "str", None, True),
                                             ("expand", "expand", "query", "list[str]", None))),))
    return Api


def test_a_stub_docstring_is_read_as_python_reads_it(tmp_path: Path) -> None:
    doc = 'Get one thing.\n\n        :param str thing_id: path ``id``, required, pattern \'\\\\d+\\\\.x\'\n        '
    stub = tmp_path / "thing_api.pyi"
    stub.write_text('class Api:\n    def get_thing(self, thing_id: str) -> None:\n        """' + doc + '"""\n',
                    encoding="utf-8")
    Api = _thing_api()
    _api.add_methods(Api, str(tmp_path / "thing_api.py"))
    assert Api.get_thing.__doc__ == ast.get_docstring(ast.parse(stub.read_text()).body[0].body[0], clean=False)
    assert "pattern '\\d+\\.x'" in Api.get_thing.__doc__


def test_a_missing_stub_leaves_the_methods_without_docstrings() -> None:
    Api = _thing_api()
    _api.add_methods(Api, str(Path(__file__).parent / "no_such_module.py"))
    assert Api.get_thing.__doc__ is None
    assert str(__import__("inspect").signature(Api.get_thing)) == (
        "(self, thing_id: 'str', *, expand: 'list[str] | None' = None, **options: 'Unpack[CallOptions]')"
        " -> 'Thing'")
