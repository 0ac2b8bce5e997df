"""Every ``pip install`` the README, docs/ and examples/ show, and what it installs
pytest-amplify from: no release has been published, so a command that asks an index
for it by name works only after one, and must say so on its line."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from .conftest import REPO

# tomllib is 3.11's; the suite runs on 3.10 too.
_VERSION = re.search(r'^version = "([^"]+)"$', (REPO / "pyproject.toml").read_text(), re.MULTILINE)
assert _VERSION, "pyproject.toml names no version"
VERSION = _VERSION[1]
#: The file ``python -m build --wheel`` writes for this checkout.
WHEEL = f"pytest_amplify-{VERSION}-py3-none-any.whl"
#: What marks a command as one for once a release exists.
AFTER_A_RELEASE = "after a release"
#: Packages the docs install from PyPI beside pytest-amplify (they are released).
THIRD_PARTY = frozenset({"pytest-playwright", "pytest-base-url", "pillow"})

_PIP_INSTALL = re.compile(r"pip install ([^`#\n]*)")
_OPTIONS_WITH_VALUES = frozenset({"-r", "--requirement", "-c", "--constraint", "-t", "--target"})


@dataclass(frozen=True)
class InstallCommand:
    document: str
    line: str
    arguments: tuple[str, ...]

    def problems(self) -> list[str]:
        """What is wrong with each thing it installs (nothing, for a good command)."""
        requirements = _requirements(self.arguments)
        if not requirements:
            return [f"{self.document}: a pip install of nothing (split over lines?): {self.line}"]
        found = []
        for requirement in requirements:
            kind = install_source(requirement)
            if kind == "index" and AFTER_A_RELEASE not in self.line:
                found.append(
                    f"{self.document}: `pip install {requirement}` asks an index for "
                    f"pytest-amplify, which has no release: install from a checkout or a "
                    f"built wheel, or mark the line {AFTER_A_RELEASE!r}: {self.line.strip()}"
                )
            elif kind == "wheel" and Path(requirement).name.startswith("pytest_amplify-"):
                if Path(requirement).name != WHEEL:
                    found.append(
                        f"{self.document}: {requirement} is not the wheel this checkout "
                        f"builds ({WHEEL}): {self.line.strip()}"
                    )
            elif kind == "unknown":
                found.append(f"{self.document}: cannot tell what {requirement!r} installs")
        return found


def _requirements(arguments: tuple[str, ...]) -> list[str]:
    requirements: list[str] = []
    skip = False
    for word in arguments:
        if skip:
            skip = False
        elif word in _OPTIONS_WITH_VALUES:
            skip = True
        elif not word.startswith("-") and word not in ("&&", ";", "|"):
            requirements.append(word)
        elif word in ("&&", ";", "|"):
            break
    return requirements


def install_source(requirement: str) -> str:
    """``checkout`` (a folder: ``.``, ``.[dev]``, a path), ``wheel`` (a built
    ``.whl``), ``index`` (pytest-amplify by name), ``third-party`` or ``unknown``."""
    name = re.split(r"[\[<>=!~ ]", requirement, maxsplit=1)[0]
    if requirement.endswith(".whl"):
        return "wheel"
    if name in (".", "..") or name.startswith(("./", "../", "/", "~")) or "/" in name:
        return "checkout"
    if name.lower().replace("_", "-") == "pytest-amplify":
        return "index"
    if name.lower() in THIRD_PARTY:
        return "third-party"
    return "unknown"


def install_commands(documents: list[str]) -> list[InstallCommand]:
    """Every ``pip install`` of these files (relative to the repository), by line."""
    found = []
    for document in documents:
        for line in (REPO / document).read_text().splitlines():
            for match in _PIP_INSTALL.finditer(line):
                found.append(InstallCommand(document, line, tuple(_words(match[1]))))
    return found


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:  # a quote of the text around the command (a Python string)
        return [word.strip("\"'") for word in text.split()]
