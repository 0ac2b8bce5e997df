"""The folders are the layers: private subpackages, each one layer (or one concern
within a layer), and import contracts in pyproject.toml that name packages, so that
a new module needs no contract edit. These checks keep the shape that the contracts
rely on; ``lint-imports`` checks the imports themselves."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest itself depends on tomli before Python 3.11
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "pytest_amplify"
TESTING = PACKAGE / "testing"
PYPROJECT = (REPO / "pyproject.toml").read_text()
CONFIG = tomllib.loads(PYPROJECT)["tool"]["importlinter"]
# The modules that are a layer of their own, named as modules in the contracts.
SINGLE_MODULE_LAYERS = {"pytest_amplify.plugin", "pytest_amplify.testing.__main__"}
MAX_MODULES = 12
MAX_LINES = 500


def subpackages() -> list[Path]:
    return sorted(
        p.parent for p in PACKAGE.rglob("__init__.py") if p.parent not in (PACKAGE, TESTING)
    )


def test_private_modules_live_in_subpackages() -> None:
    at_root = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert at_root == ["__init__.py", "plugin.py"]
    assert sorted(p.name for p in TESTING.glob("*.py")) == ["__init__.py", "__main__.py"]


@pytest.mark.parametrize("package", subpackages(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_package_is_small_and_its_init_empty(package: Path) -> None:
    modules = [p for p in package.glob("*.py") if p.name != "__init__.py"]
    assert 1 <= len(modules) <= MAX_MODULES
    # Start-up loads the __init__ of every package on its way: they hold nothing.
    assert (package / "__init__.py").read_text() == ""
    assert not [p for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"]


@pytest.mark.parametrize(
    "module", sorted(PACKAGE.rglob("*.py")), ids=lambda path: str(path.relative_to(REPO))
)
def test_no_module_is_over_500_lines(module: Path) -> None:
    # One idea per module: past 500 lines a module holds two.
    assert len(module.read_text().splitlines()) <= MAX_LINES


def test_the_layers_are_packages_with_the_plugin_on_top() -> None:
    (layers,) = [
        c["layers"]
        for c in CONFIG["contracts"]
        if c["type"] == "layers" and c["containers"] == ["pytest_amplify"]
    ]
    assert layers[0] == "plugin"
    below = [name.strip() for layer in layers[1:] for name in layer.replace("|", ":").split(":")]
    assert len(layers) - 1 >= 4
    assert sorted(below) == sorted(p.name for p in subpackages() if p.parent == PACKAGE)


def test_the_contracts_name_packages_and_stay_short() -> None:
    section = PYPROJECT[PYPROJECT.index("[tool.importlinter]") :]
    assert len(section.splitlines()) < 80
    named = {
        module
        for contract in CONFIG["contracts"]
        for key in ("source_modules", "forbidden_modules", "ancestors", "containers")
        for module in contract.get(key, [])
        if module.startswith("pytest_amplify")
    }
    modules = {
        ".".join(p.relative_to(REPO).with_suffix("").parts) for p in PACKAGE.rglob("*.py")
    } - {f"{'.'.join(p.relative_to(REPO).parts)}" for p in subpackages()}
    assert named & modules <= SINGLE_MODULE_LAYERS


# ``_jobs.waiting.JobWait``: a reference in a docstring or comment, by its first part.
_REFERENCE = re.compile(r"``(_[A-Za-z]\w*)((?:\.\w+)*)(?:\(\))?``")


@pytest.mark.parametrize(
    "module", sorted(PACKAGE.rglob("*.py")), ids=lambda path: str(path.relative_to(REPO))
)
def test_references_to_other_modules_name_their_package(module: Path) -> None:
    # The move to packages left ``_waiting`` and ``_transport`` in docstrings, modules
    # that no longer exist under those names: another module is named by its path
    # from a package (``_jobs.waiting``); a private name alone is this module's own.
    packages = {p.name: p for p in subpackages()}
    text = module.read_text()
    own = set(re.findall(r"\b_\w+\b", re.sub(r"``[^`]*``", "", text)))
    stale = []
    for first, rest in _REFERENCE.findall(text):
        if first in packages:
            parts = rest.split(".")[1:]
            if parts and not (packages[first] / f"{parts[0]}.py").is_file():
                stale.append(f"{first}{rest}")
        elif first not in own:
            stale.append(first)
    assert not stale, f"names no module or name of this one: {stale}"
