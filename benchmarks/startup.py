"""Issue 5.1, free when unused: what installing the plugin costs a suite that never
uses it.

Three measurements, all in fresh processes:

- the instructions ``pytest --collect-only -q`` executes on a generated 500-test
  suite, with the plugin active and with ``-p no:amplify``, counted by valgrind's
  callgrind (``apt-get install valgrind``): a count that the load of a shared
  machine cannot move, so the goal is judged on it;
- the wall-clock time of the same runs, in interleaved pairs (the order flips
  every pair, so that drift and caches weigh on both sides alike): informative,
  as pairs on a shared 2-core machine differ by tens of milliseconds;
- ``python -X importtime``: what importing the plugin module costs.

Both run with byte code, as an installed wheel has it: ``PYTHONDONTWRITEBYTECODE``
is dropped and byte code goes to a temporary ``PYTHONPYCACHEPREFIX`` (so that the
checkout stays clean), warmed by a first run. Without byte code an editable
checkout compiles the plugin's modules on every start; :func:`measure_collect`
with ``byte_code=False`` measures that case too.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

SUITE_FILES = 50
TESTS_PER_FILE = 10
PLUGIN_MODULE = "pytest_amplify.plugin"
# What a suite that never uses a fixture must not load.
HEAVY_MODULES = ("boto3", "botocore", "tenacity", "urllib3", "moto", "filelock")
# The goal, on instructions: at most 3% more with the plugin than without.
MAX_RATIO = 1.03
VALGRIND_INSTALL = "apt-get install -y valgrind"


def clean_environ() -> dict[str, str]:
    """The environment without anything that would configure the plugin or AWS, and
    without PYTHONPATH: the plugin is measured as installed. A checkout on the path
    brings its ``pytest_amplify.egg-info`` (left by ``pip install -e .``) as a second
    distribution, whose metadata pytest and pytest-metadata would read as well."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "AMPLIFY_", "PYTEST_")) and name != "PYTHONPATH"
    }


def run_environ(pycache: Path | None) -> dict[str, str]:
    """:func:`clean_environ`, writing byte code under ``pycache`` (None: none at all)."""
    environ = clean_environ()
    if pycache is None:
        environ["PYTHONDONTWRITEBYTECODE"] = "1"
        environ.pop("PYTHONPYCACHEPREFIX", None)
    else:
        environ.pop("PYTHONDONTWRITEBYTECODE", None)
        environ["PYTHONPYCACHEPREFIX"] = str(pycache)
    return environ


def write_suite(root: Path, files: int = SUITE_FILES, tests: int = TESTS_PER_FILE) -> int:
    """A plain suite (no fixture of the plugin) of ``files * tests`` tests."""
    (root / "pytest.ini").write_text("[pytest]\n")
    for index in range(files):
        body = "\n\n".join(
            f"def test_{index}_{n}():\n    assert {n} + 1 == {n + 1}" for n in range(tests)
        )
        (root / f"test_plain_{index:03d}.py").write_text(body + "\n")
    return files * tests


def _collect_seconds(root: Path, environ: Mapping[str, str], plugin: bool) -> float:
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    if not plugin:
        command += ["-p", "no:amplify"]
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=root, env=environ, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


@dataclasses.dataclass(frozen=True)
class CollectResult:
    tests: int
    with_plugin: list[float]  # seconds, pair by pair
    without_plugin: list[float]

    @property
    def median_added_ms(self) -> float:
        pairs = zip(self.with_plugin, self.without_plugin, strict=True)
        return statistics.median((on - off) * 1000 for on, off in pairs)

    @property
    def median_ratio(self) -> float:
        pairs = zip(self.with_plugin, self.without_plugin, strict=True)
        return statistics.median(on / off for on, off in pairs)

    @property
    def differences_ms(self) -> list[float]:
        pairs = zip(self.with_plugin, self.without_plugin, strict=True)
        return [(on - off) * 1000 for on, off in pairs]

    @property
    def median_with_ms(self) -> float:
        return statistics.median(self.with_plugin) * 1000

    @property
    def median_without_ms(self) -> float:
        return statistics.median(self.without_plugin) * 1000


def measure_collect(pairs: int = 30, byte_code: bool = True) -> CollectResult:
    with tempfile.TemporaryDirectory(prefix="amplify-startup-") as directory:
        root = Path(directory) / "suite"
        root.mkdir()
        tests = write_suite(root)
        environ = run_environ(Path(directory) / "pycache" if byte_code else None)
        # Warm-up: byte code written, the OS's file cache filled, for both sides.
        _collect_seconds(root, environ, plugin=True)
        _collect_seconds(root, environ, plugin=False)
        on: list[float] = []
        off: list[float] = []
        for index in range(pairs):
            if index % 2 == 0:
                on.append(_collect_seconds(root, environ, plugin=True))
                off.append(_collect_seconds(root, environ, plugin=False))
            else:
                off.append(_collect_seconds(root, environ, plugin=False))
                on.append(_collect_seconds(root, environ, plugin=True))
    return CollectResult(tests, on, off)


@dataclasses.dataclass(frozen=True)
class ImportTimes:
    """Microseconds from ``-X importtime``, medians over several runs."""

    plugin_cumulative: float  # the top-level pytest_amplify* entries
    total: float  # every top-level entry: the whole interpreter start
    plugin_after_pytest: float  # the same with pytest imported first, as in a run


def _top_level_cumulative(stderr: str) -> dict[str, int]:
    """``-X importtime`` lines whose module is not nested (no indentation)."""
    found: dict[str, int] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        _, cumulative, name = line[len("import time:") :].split("|")
        if name.startswith(" ") and not name.startswith("  ") and cumulative.strip().isdigit():
            found[name.strip()] = int(cumulative)
    return found


def _importtime(code: str, environ: Mapping[str, str]) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return _top_level_cumulative(done.stderr)


def _plugin_share(entries: Mapping[str, int]) -> int:
    return sum(us for name, us in entries.items() if name.startswith("pytest_amplify"))


def measure_imports(runs: int = 7) -> ImportTimes:
    with tempfile.TemporaryDirectory(prefix="amplify-importtime-") as pycache:
        environ = run_environ(Path(pycache))
        _importtime(f"import {PLUGIN_MODULE}", environ)  # writes the byte code
        alone = [_importtime(f"import {PLUGIN_MODULE}", environ) for _ in range(runs)]
        after = [
            _importtime(f"import pytest; import {PLUGIN_MODULE}", environ) for _ in range(runs)
        ]
    return ImportTimes(
        plugin_cumulative=statistics.median(_plugin_share(e) for e in alone),
        total=statistics.median(sum(e.values()) for e in alone),
        plugin_after_pytest=statistics.median(_plugin_share(e) for e in after),
    )


def modules_loaded_by_import(environ: Mapping[str, str] | None = None) -> list[str]:
    """Every module in ``sys.modules`` after ``import pytest_amplify.plugin``, in a
    fresh interpreter."""
    code = f"import sys, {PLUGIN_MODULE}; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=dict(environ) if environ is not None else clean_environ(),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def heavy(modules: list[str]) -> list[str]:
    """The modules among ``modules`` that belong to a heavy package."""
    return sorted(m for m in modules if m.split(".")[0] in HEAVY_MODULES)


@dataclasses.dataclass(frozen=True)
class InstructionCounts:
    """Instructions executed by one collect-only run on each side (callgrind's Ir)."""

    tests: int
    with_plugin: int
    without_plugin: int

    @property
    def ratio(self) -> float:
        return self.with_plugin / self.without_plugin

    @property
    def met(self) -> bool:
        return self.ratio <= MAX_RATIO


_COLLECTED = re.compile(r"^==\d+== Collected : (\d+)$", re.MULTILINE)


def _instructions(root: Path, environ: Mapping[str, str], plugin: bool, valgrind: str) -> int:
    command = [
        valgrind,
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "pytest",
        "--collect-only",
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    if not plugin:
        command += ["-p", "no:amplify"]
    done = subprocess.run(
        command, cwd=root, env=environ, capture_output=True, text=True, check=False
    )
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return int(found.group(1))


def measure_instructions() -> InstructionCounts:
    """One callgrind run per side, byte code written first (as for the timed runs)
    and hash randomisation off, so that two runs count the same to a few parts in
    ten thousand."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise RuntimeError(f"valgrind is not installed: {VALGRIND_INSTALL}")
    with tempfile.TemporaryDirectory(prefix="amplify-instructions-") as directory:
        root = Path(directory) / "suite"
        root.mkdir()
        tests = write_suite(root)
        environ = run_environ(Path(directory) / "pycache")
        environ["PYTHONHASHSEED"] = "0"
        _collect_seconds(root, environ, plugin=True)
        _collect_seconds(root, environ, plugin=False)
        return InstructionCounts(
            tests,
            with_plugin=_instructions(root, environ, True, valgrind),
            without_plugin=_instructions(root, environ, False, valgrind),
        )
