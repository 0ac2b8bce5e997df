"""The import contracts in pyproject.toml name modules one by one; these checks keep
those lists complete as modules are added, so that no contract goes stale."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest itself depends on tomli before Python 3.11
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]


def contract(name_start: str) -> dict[str, object]:
    found = [c for c in CONFIG["contracts"] if c["name"].startswith(name_start)]
    assert len(found) == 1, name_start
    return found[0]


def modules(folder: Path, package: str) -> set[str]:
    return {f"{package}.{path.stem}" for path in folder.glob("_*.py") if path.stem != "__init__"}


CORE = modules(REPO / "pytest_amplify", "pytest_amplify") | {"pytest_amplify.plugin"}
SERVICE = modules(REPO / "pytest_amplify" / "testing", "pytest_amplify.testing") | {
    "pytest_amplify.testing.__main__"
}
LAYERS: list[str] = contract("The plugin's layers")["layers"]  # type: ignore[assignment]
FOUNDATIONS = {f"pytest_amplify.{name.strip()}" for name in LAYERS[-1].split(":")}


def test_the_local_service_parts_are_all_held_to_the_foundations() -> None:
    checked = contract("The local service's parts")
    sources = set(checked["source_modules"])  # type: ignore[arg-type]
    assert sources == SERVICE - {"pytest_amplify.testing._fixtures"}
    forbidden = set(checked["forbidden_modules"])  # type: ignore[arg-type]
    assert forbidden >= CORE - FOUNDATIONS


def test_the_fixtures_are_kept_from_every_private_module() -> None:
    forbidden = set(contract("The local service's fixtures")["forbidden_modules"])  # type: ignore[arg-type]
    assert forbidden == CORE


@pytest.mark.parametrize("layer", LAYERS)
def test_every_layer_names_existing_modules(layer: str) -> None:
    names = {f"pytest_amplify.{name.strip()}" for name in layer.split(":")}
    assert names <= CORE


@pytest.mark.parametrize(
    "module",
    sorted((REPO / "pytest_amplify").rglob("*.py")),
    ids=lambda path: str(path.relative_to(REPO)),
)
def test_no_module_is_over_400_lines(module: Path) -> None:
    # One idea per module: past 400 lines a module usually holds two.
    assert len(module.read_text().splitlines()) <= 400
