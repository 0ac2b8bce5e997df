"""The public API is listed three times in ``pytest_amplify/__init__.py``, on purpose:
``__all__`` as a literal, the ``TYPE_CHECKING`` imports (mypy reads them; a derived
``__all__`` made ``mypy --strict`` reject users' ``from pytest_amplify import
AmplifyJob``) and the lazy map (what is imported on first use). These checks keep the
three and a typed user's file in agreement."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pytest_amplify

REPO = Path(__file__).resolve().parent.parent
INIT = ast.parse((REPO / "pytest_amplify" / "__init__.py").read_text())
USER_FILE = REPO / "tests" / "public_api_user.py"


def _type_checking_imports() -> dict[str, str]:
    """Name -> module, from the ``if TYPE_CHECKING:`` block."""
    (block,) = [
        node
        for node in INIT.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    ]
    return {
        alias.name: f"{'.' * node.level}{node.module}"
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def _literal(name: str) -> object:
    (value,) = [
        node.value
        for node in INIT.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and any(
            isinstance(target, ast.Name) and target.id == name
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        )
    ]
    assert value is not None
    return ast.literal_eval(value)


def test_all_the_type_checking_imports_and_the_lazy_map_agree() -> None:
    exported = _literal("__all__")
    lazy = _literal("_LAZY")
    assert isinstance(exported, list)
    assert isinstance(lazy, dict)
    assert sorted(exported) == sorted(set(exported)), "a name listed twice"
    assert set(exported) == set(lazy) == set(_type_checking_imports())
    assert _type_checking_imports() == lazy


@pytest.mark.parametrize("name", pytest_amplify.__all__)
def test_every_exported_name_loads_on_first_use(name: str) -> None:
    assert getattr(pytest_amplify, name) is not None


def test_the_typed_user_file_imports_every_exported_name() -> None:
    tree = ast.parse(USER_FILE.read_text())
    imported = {
        alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == "pytest_amplify"
        for alias in node.names
    }
    assert imported == set(pytest_amplify.__all__)


def test_every_public_exception_is_named_as_users_import_it() -> None:
    exceptions = [
        value
        for name in pytest_amplify.__all__
        if isinstance(value := getattr(pytest_amplify, name), type)
        and issubclass(value, BaseException)
    ]
    assert "NotAnImage" in {cls.__name__ for cls in exceptions}
    for cls in exceptions:
        assert f"{cls.__module__}.{cls.__qualname__}" == f"pytest_amplify.{cls.__name__}"


def test_not_an_image_shows_as_pytest_amplify_not_an_image(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from pytest_amplify import image_info

        def test_screenshot():
            image_info(b"")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E * pytest_amplify.NotAnImage: it is empty"])
    assert "pytest_amplify._core" not in result.stdout.str()
