"""Work done once for all pytest-xdist workers of a run: each wait for a target,
each verdict of a site check.

Each xdist worker is a session of its own, so without this N workers poll the
same job N times. The first worker to need a result takes a file lock and works;
the others block on the lock and then read its result. This is the pattern
xdist documents for session work done once: a lock and a JSON file in the folder
the run's workers share (``getbasetemp().parent``), named after the run's
``testrunuid`` so that no later run reads them. Only plain data crosses.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from .._core.records import WaitRecord
from .._core.target import Target

DIRECTORY_PREFIX = "pytest-amplify-"
T = TypeVar("T")


def run_directory(shared_root: Path, run_id: str) -> Path:
    return shared_root / f"{DIRECTORY_PREFIX}{run_id}"


def for_worker(workerinput: dict[str, object], shared_root: Path) -> SharedWaits:
    """The waits of this xdist worker's run, shared through ``shared_root``
    (``tmp_path_factory.getbasetemp().parent``, which belongs to the run)."""
    return SharedWaits(run_directory(shared_root, str(workerinput["testrunuid"])))


class SharedWaits:
    """Results shared through files in ``directory`` (one per run)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _paths(self, key: str) -> tuple[Path, Path]:
        name = hashlib.sha256(key.encode()).hexdigest()[:24]
        return self.directory / f"{name}.json", self.directory / f"{name}.lock"

    def first_to_explain(self, key: str, test: str) -> str:
        """The run's first test to be stopped by the error ``key`` names: ``test``
        unless another worker's test came first (``Explanations``' claim)."""
        first, _ = self.once(
            f"explained {key}", lambda: test, write=lambda t: {"test": t}, read=_test_of
        )
        return first

    @staticmethod
    def _target_key(target: Target) -> str:
        return json.dumps(target.to_dict(), sort_keys=True)

    def once(
        self,
        key: str,
        compute: Callable[[], T],
        *,
        write: Callable[[T], dict[str, Any]],
        read: Callable[[dict[str, Any]], T],
    ) -> tuple[T, bool]:
        """The result for ``key``: the one a worker of the run left, else
        ``compute()``'s, left for the others (``write`` and ``read`` turn it into
        plain data and back). True when this call computed it."""
        from filelock import FileLock

        self.directory.mkdir(parents=True, exist_ok=True)
        result, lock = self._paths(key)
        with FileLock(str(lock)):
            if result.exists():
                return read(json.loads(result.read_text())), False
            computed = compute()
            self._publish(result, write(computed))
            return computed, True

    def wait(self, target: Target, compute: Callable[[], WaitRecord]) -> WaitRecord:
        record, _ = self.once(
            self._target_key(target), compute, write=WaitRecord.to_dict, read=WaitRecord.from_dict
        )
        return record

    def wait_all(
        self,
        targets: Sequence[Target],
        together: Callable[[list[Target], Callable[[Target, WaitRecord], None]], None],
        alone: Callable[[Target], WaitRecord],
    ) -> dict[Target, WaitRecord]:
        """Records for every target: read where another worker has one, waited for
        at once (``together(targets, publish)``) where no worker is on it, and
        otherwise read when the worker that waits for it is done.

        The targets this worker claims are waited for together and published one by
        one as they end, so that a worker waiting for a fast job does not wait for
        the slowest. A target another worker holds is awaited only after this
        worker's own waits: two workers that claimed each other's targets cannot
        block each other.
        """
        from filelock import FileLock, Timeout

        self.directory.mkdir(parents=True, exist_ok=True)
        records: dict[Target, WaitRecord] = {}
        claimed: dict[Target, FileLock] = {}
        held_elsewhere: list[Target] = []
        for target in targets:
            result, lock_path = self._paths(self._target_key(target))
            lock = FileLock(str(lock_path))
            try:
                lock.acquire(timeout=0)
            except Timeout:
                held_elsewhere.append(target)
                continue
            if result.exists():
                records[target] = WaitRecord.from_dict(json.loads(result.read_text()))
                lock.release()
            else:
                claimed[target] = lock

        def publish(target: Target, record: WaitRecord) -> None:
            self._publish(self._paths(self._target_key(target))[0], record.to_dict())
            records[target] = record
            claimed.pop(target).release()

        try:
            if claimed:
                together(list(claimed), publish)
        finally:
            for lock in claimed.values():
                lock.release()
        for target in held_elsewhere:
            records[target] = self.wait(target, functools.partial(alone, target))
        return records

    def _publish(self, result: Path, data: dict[str, Any]) -> None:
        temporary = result.with_suffix(".tmp")
        # A job carries presigned URLs: readable by this user only, and the
        # controller removes the folder when the run ends.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(data, handle)
        temporary.replace(result)


def _test_of(data: dict[str, Any]) -> str:
    return str(data["test"])
