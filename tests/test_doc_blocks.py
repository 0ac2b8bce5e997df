"""Every ```python block of README.md and docs/*.md is run by some test."""

from __future__ import annotations

import importlib

from .conftest import REPO
from .doc_blocks import DECLARED, documents, python_blocks


def _modules_that_run_samples() -> list[str]:
    tests = REPO / "tests"
    names = []
    for path in sorted(tests.rglob("*.py")):
        if path.name != "doc_blocks.py" and "doc_block(" in path.read_text():
            parts = path.relative_to(REPO).with_suffix("").parts
            names.append(".".join(parts))
    return names


def test_every_python_sample_of_the_docs_is_run_by_a_test() -> None:
    modules = _modules_that_run_samples()
    assert "tests.test_readme" in modules
    for name in modules:
        # Declarations are at module level: importing the module declares its samples
        # (a module that skips at import must declare them before it skips).
        importlib.import_module(name)
    in_the_docs = {
        (document, block) for document in documents() for block in python_blocks(document)
    }
    not_run = sorted(f"{doc}: {block.splitlines()[0]!r}" for doc, block in in_the_docs - DECLARED)
    assert not not_run, "python blocks no test runs (declare them with doc_block):\n" + "\n".join(
        not_run
    )
    assert len(in_the_docs) >= 17
