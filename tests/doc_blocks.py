"""The Python samples of README.md and docs/*.md, handed to the tests that run them.

A test module declares each sample it runs at module level, ``SMOKE =
doc_block("README.md", "# test_smoke.py")``; :data:`DECLARED` records it, and
``tests/test_doc_blocks.py`` imports every such module and fails when a sample of the
documents was declared by none (a new sample without a test), or when a declaration no
longer matches exactly one sample.
"""

from __future__ import annotations

import re
import textwrap

from .conftest import REPO

# Fenced blocks, also inside list items (indented: dedented before use).
_PYTHON_BLOCK = re.compile(r"^ *```python\n(.*?)^ *```", flags=re.DOTALL | re.MULTILINE)

#: (document, block) for every block a test module declared.
DECLARED: set[tuple[str, str]] = set()


def documents() -> list[str]:
    """README.md and every page of docs/, relative to the repository."""
    return ["README.md", *sorted(f"docs/{p.name}" for p in (REPO / "docs").glob("*.md"))]


def python_blocks(document: str) -> list[str]:
    """Every ```python block of ``document``, dedented, in order."""
    text = (REPO / document).read_text()
    return [textwrap.dedent(block) for block in _PYTHON_BLOCK.findall(text)]


def doc_block(document: str, start: str) -> str:
    """The one ```python block of ``document`` that starts with ``start`` (one or more
    lines), recorded as run by the calling module."""
    matches = [block for block in python_blocks(document) if block.startswith(start)]
    assert len(matches) == 1, (
        f"{len(matches)} python blocks of {document} start with {start!r}; expected one"
    )
    DECLARED.add((document, matches[0]))
    return matches[0]
