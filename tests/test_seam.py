"""Only tests/seam.py imports pytest_amplify's private modules (ruff's SLF001 keeps
private attributes out of the other tests)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def private_imports(path: Path) -> list[str]:
    """``module (line N)`` for each import of a private pytest_amplify module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            parts = name.split(".")
            private = [p for p in parts[1:] if p.startswith("_") and not p.startswith("__")]
            if parts[0] == "pytest_amplify" and private:
                found.append(f"{name} (line {node.lineno})")
    return found


def test_only_the_seam_imports_private_modules() -> None:
    offenders = {
        path.name: private_imports(path)
        for path in sorted(TESTS.glob("*.py"))
        if path.name != "seam.py" and private_imports(path)
    }
    assert offenders == {}, "import these through tests/seam.py instead"
    assert private_imports(TESTS / "seam.py"), "the seam itself reaches the private modules"
