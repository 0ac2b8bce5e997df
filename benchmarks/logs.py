"""Issue 11.1, log search: ``assert_log_contains`` / ``assert_log_not_contains`` against
the naive way, on logs of 100-500 MB whose every line shares a word with the pattern.

The log: ``[INFO]: compiled module NNNNNN of the application bundle`` on every line,
``[INFO]: Compiled successfully in 212.4s`` as the last one, served by the local
Amplify service (real clock, chunked HTTP on 127.0.0.1).

The naive way: download the whole log into memory with the same ``Fetcher``, decode
it, and one ``re.search`` with ``re.MULTILINE`` (``re.escape`` for a plain string).
It answers the same question only for these patterns: over the whole text, ``$``
does not match before ``\\r\\n`` and ``\\A``/``\\Z``/lookarounds see other lines.

Measured for each case: the median wall time of the plugin's assertion and of the
naive way (runs interleaved), their ratio (goal: at most 1.5), and the peak of
Python's allocations during the plugin's assertion (``tracemalloc``, in a run of its
own; goal: under 64 MB). The service runs in this process, so its allocations count
too.
"""

from __future__ import annotations

import dataclasses
import re
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator

from pytest_amplify import (
    AmplifyAssertionError,
    AmplifyJob,
    Fetcher,
    assert_log_contains,
    assert_log_not_contains,
)
from pytest_amplify.testing import FakeAmplify, FakeStep

MAX_RATIO = 1.5
MAX_PEAK_MB = 64.0
LINE = "[INFO]: compiled module {:06d} of the application bundle\n"
LAST_LINE = b"[INFO]: Compiled successfully in 212.4s\n"
LINES_PER_CHUNK = 1000


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    assertion: Callable[..., None]
    pattern: str | re.Pattern[str]
    fails: bool  # whether the plugin's assertion fails (its message is part of the time)


CASES = (
    Case(
        "contains 'Compiled successfully' (last line)",
        assert_log_contains,
        "Compiled successfully",
        False,
    ),
    Case(
        "contains 'Compiled successfully in 999' (missing)",
        assert_log_contains,
        "Compiled successfully in 999",
        True,
    ),
    Case(
        "contains /^\\[INFO\\]: Compiled successfully in \\d+/ (last line)",
        assert_log_contains,
        re.compile(r"^\[INFO\]: Compiled successfully in \d+"),
        False,
    ),
    Case(
        "contains /compiled module \\d+ failed$/ (missing)",
        assert_log_contains,
        re.compile(r"compiled module \d+ failed$"),
        True,
    ),
    Case(
        "contains /(?<!not )Compiled successfully in \\d+(?=\\.\\ds$)/ (last line)",
        assert_log_contains,
        re.compile(r"(?<!not )Compiled successfully in \d+(?=\.\ds$)"),
        False,
    ),
    Case("not_contains 'npm ERR!' (missing)", assert_log_not_contains, "npm ERR!", False),
    Case(
        "not_contains /error TS\\d+|npm ERR!/i (missing)",
        assert_log_not_contains,
        re.compile(r"error TS\d+|npm ERR!", re.IGNORECASE),
        False,
    ),
    Case(
        "not_contains 'compiled module' (every line)",
        assert_log_not_contains,
        "compiled module",
        True,
    ),
)


@dataclasses.dataclass(frozen=True)
class Result:
    case: Case
    megabytes: int
    plugin: float  # median seconds
    naive: float
    peak_mb: float

    @property
    def ratio(self) -> float:
        return self.plugin / self.naive


def log_body(megabytes: int) -> Callable[[], Iterator[bytes]]:
    chunk = "".join(LINE.format(n) for n in range(LINES_PER_CHUNK)).encode()
    chunks = megabytes * 1024 * 1024 // len(chunk)

    def body() -> Iterator[bytes]:
        for _ in range(chunks):
            yield chunk
        yield LAST_LINE

    return body


def naive(job: AmplifyJob, pattern: str | re.Pattern[str], fetcher: Fetcher) -> bool:
    """The whole log in memory, decoded, one search."""
    url = job.step("BUILD").log_url
    assert url is not None
    text = fetcher.read_bytes(url, "the BUILD log").decode("utf-8", "replace")
    if isinstance(pattern, str):
        return re.search(re.escape(pattern), text, re.MULTILINE) is not None
    return re.compile(pattern.pattern, pattern.flags | re.MULTILINE).search(text) is not None


def plugin(case: Case, job: AmplifyJob, fetcher: Fetcher) -> None:
    try:
        case.assertion(job, "BUILD", case.pattern, fetcher)
    except AmplifyAssertionError:
        if not case.fails:
            raise
    else:
        assert not case.fails, f"{case.name}: the assertion passed"


def measure(megabytes: int, repeats: int = 3, cases: tuple[Case, ...] = CASES) -> list[Result]:
    fetcher = Fetcher(max_bytes=2 * megabytes * 1024 * 1024)
    results = []
    with FakeAmplify() as fake:
        fake.add_job(
            app_id="d1",
            branch="main",
            job_id="1",
            steps=[FakeStep("BUILD", log=log_body(megabytes))],
        )
        answer = fake.client().get_job(appId="d1", branchName="main", jobId="1")
        job = AmplifyJob.from_api(answer, app_id="d1", branch="main")
        for case in cases:
            plugin_times, naive_times = [], []
            for _ in range(repeats):
                start = time.perf_counter()
                plugin(case, job, fetcher)
                plugin_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                naive(job, case.pattern, fetcher)
                naive_times.append(time.perf_counter() - start)
            tracemalloc.start()
            try:
                plugin(case, job, fetcher)
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            results.append(
                Result(
                    case,
                    megabytes,
                    statistics.median(plugin_times),
                    statistics.median(naive_times),
                    peak / (1024 * 1024),
                )
            )
    return results
