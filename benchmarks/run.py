"""Run the performance benchmarks (issues 5 and 12) and print one table.

Each benchmark prints its details as it goes; the final table has one row per
figure, what it is compared with, the ratio and whether the goal is met. The exit
status is 1 when a goal is missed. ``--only schedule,many`` runs a subset.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make ``benchmarks`` importable from the checkout.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import grid, logs, many_jobs, model_check, schedule, startup, workers
from benchmarks.report import Row, missed, number, table
from pytest_amplify._http.transport import POOL_CONNECTIONS


def say(text: str = "") -> None:
    print(text, flush=True)


# -- 1. free when unused ----------------------------------------------------------------


def run_startup(options: argparse.Namespace) -> list[Row]:
    name = "1 startup"
    say(f"== {name}: pytest --collect-only -q on 500 plain tests")
    heavy = startup.heavy(startup.modules_loaded_by_import())
    counts = startup.measure_instructions()
    say(
        f"callgrind: {counts.with_plugin:,} instructions with the plugin, "
        f"{counts.without_plugin:,} with -p no:amplify (ratio {counts.ratio:.4f})"
    )
    collect = startup.measure_collect(options.pairs)
    say(
        f"{options.pairs} interleaved pairs: with the plugin {collect.median_with_ms:.1f} ms, "
        f"with -p no:amplify {collect.median_without_ms:.1f} ms (medians); "
        f"per-pair differences from {min(collect.differences_ms):.0f} to "
        f"{max(collect.differences_ms):.0f} ms"
    )
    cold_pairs = max(5, options.pairs // 3)
    cold = startup.measure_collect(cold_pairs, byte_code=False)
    say(
        f"without byte code ({cold_pairs} pairs): added {cold.median_added_ms:.1f} ms, "
        f"ratio {cold.median_ratio:.3f}"
    )
    imports = startup.measure_imports()
    say(
        f"-X importtime: pytest_amplify* {imports.plugin_cumulative:.0f} us of "
        f"{imports.total:.0f} us; after `import pytest`: {imports.plugin_after_pytest:.0f} us"
    )
    say()
    return [
        Row(
            name,
            "heavy modules after `import pytest_amplify.plugin`",
            len(heavy),
            goal="none",
            met=not heavy,
        ),
        Row(
            name,
            f"collect-only {counts.tests} tests: instructions (millions)",
            counts.with_plugin / 1e6,
            "",
            "-p no:amplify",
            counts.without_plugin / 1e6,
            ratio=counts.ratio,
            goal=f"ratio <= {startup.MAX_RATIO}",
            met=counts.met,
        ),
        Row(
            name,
            f"collect-only {collect.tests} tests: added time (informative, noisy)",
            collect.median_added_ms,
            "ms",
            "-p no:amplify",
            collect.median_without_ms,
            ratio=collect.median_ratio,
        ),
        Row(
            name,
            "the same without byte code (informative)",
            cold.median_added_ms,
            "ms",
            "-p no:amplify",
            cold.median_without_ms,
            ratio=cold.median_ratio,
        ),
        Row(
            name,
            "-X importtime: pytest_amplify* cumulative",
            imports.plugin_cumulative / 1000,
            "ms",
            "all imports",
            imports.total / 1000,
        ),
        Row(
            name,
            "the same, pytest imported first",
            imports.plugin_after_pytest / 1000,
            "ms",
        ),
    ]


# -- 2. one wait per run ------------------------------------------------------------------


def run_workers(options: argparse.Namespace) -> list[Row]:
    name = "2 xdist"
    say(f"== {name}: {workers.TESTS} tests on one job, -n 0 then -n 4 (real time)")
    result = workers.measure()
    for run in (result.serial, result.parallel):
        say(
            f"-n {run.workers}: {run.passed} passed, GetJob {run.get_job}, all calls "
            f"{run.all_calls}, amplify sections {run.summary_sections}"
        )
    say()
    serial, parallel = result.serial, result.parallel
    return [
        Row(
            name,
            "GetJob calls, -n 4",
            parallel.get_job,
            reference_name="-n 0",
            reference=serial.get_job,
            goal=f"ratio <= {workers.MAX_RATIO}",
            met=result.ratio <= workers.MAX_RATIO and result.all_passed,
        ),
        Row(
            name,
            "all calls, -n 4 (see README)",
            parallel.all_calls,
            reference_name="-n 0",
            reference=serial.all_calls,
        ),
        Row(
            name,
            "amplify summary sections, -n 4",
            parallel.summary_sections,
            goal="exactly 1, with the job",
            met=result.summary_once,
        ),
    ]


# -- 3. the poll schedule against fixed polls ----------------------------------------------


def run_schedule(options: argparse.Namespace) -> list[Row]:
    name = "3 schedule"
    cells = grid.grid()
    say(
        f"== {name}: {len(cells)} cells, {options.jobs} simulated jobs per cell over "
        f"{len(grid.SEEDS)} seeds, {options.processes} process(es); each figure is "
        "plugin / fixed 10 s / fixed 30 s"
    )
    results = schedule.run(cells, jobs=options.jobs, processes=options.processes)
    say(schedule.grid_table(results))
    say()
    say("By family: E / calls against the fixed 30 s poll's, for each length (* a goal missed)")
    say(schedule.family_table(results))
    say()
    rows = []
    for goal, (met, total) in schedule.goal_counts(results).items():
        rows.append(
            Row(
                name,
                f"cells meeting {goal}",
                met,
                reference_name="cells with the goal",
                reference=total,
                goal="every cell",
                met=met == total,
            )
        )
    say(
        f"Model check: the first {options.check_jobs} draws of every cell through the real "
        "wait (JobWait, in-process client)"
    )
    checked = model_check.check(cells, options.check_jobs)
    say(f"  {checked.jobs} jobs, {len(checked.mismatches)} differ from the model")
    for line in checked.mismatches[:10]:
        say(f"    {line}")
    rows.append(
        Row(
            name,
            f"real wait against the model, {checked.jobs} jobs of {checked.cells} cells: mean calls",
            checked.real_calls,
            goal="same calls, lag and sleeps, job by job",
            met=checked.same,
        )
    )
    say(
        f"HTTP check: the first {options.http_jobs} draws of {len(model_check.HTTP_CELLS)} cells "
        "through JobWait over HTTP and boto3"
    )
    for cell in model_check.HTTP_CELLS:
        over_http = model_check.check([cell], options.http_jobs, over_http=True)
        say(
            f"  {cell.name}: {over_http.jobs} jobs, calls {over_http.real_calls:.2f}; "
            f"{len(over_http.mismatches)} job(s) differ from the model"
        )
        for line in over_http.mismatches[:5]:
            say(f"    {line}")
        rows.append(
            Row(
                name,
                f"HTTP against the model, {cell.name}: mean calls",
                over_http.real_calls,
                goal="same calls, lag and sleeps, job by job",
                met=over_http.same,
            )
        )
    note = schedule.closing_note(results)
    say()
    say(f"Cells that miss a goal ({len(note)}):" if note else "Every cell meets its goals.")
    for line in note:
        say(line)
    say()
    return rows


# -- 4. many jobs at once -----------------------------------------------------------------


def run_many(options: argparse.Namespace) -> list[Row]:
    name = "4 wait_all"
    say(
        f"== {name}: {many_jobs.JOBS} jobs of {many_jobs.SHORTEST_MINUTES:g}-"
        f"{many_jobs.LONGEST_MINUTES:g} min started together, waited for "
        f"{many_jobs.WAIT_STARTS_AFTER:g} s later (simulated time)"
    )
    result = many_jobs.measure(seed=options.seed)
    together, one_by_one = result.together, result.one_by_one
    say(f"run_waits: {number(together.elapsed, 's')}, calls per job {together.calls}")
    say(f"one wait after another: {number(one_by_one.elapsed, 's')}, calls {one_by_one.calls}")
    say()
    over = many_jobs.MAX_OVERSHOOT
    worst = max(
        range(len(together.calls)), key=lambda i: together.calls[i] - result.allowed_calls[i]
    )
    return [
        Row(
            name,
            "elapsed",
            together.elapsed,
            "s",
            "slowest job",
            result.slowest,
            goal=f"<= slowest + {over:g} s",
            met=together.elapsed <= result.slowest + over,
        ),
        Row(name, "elapsed", together.elapsed, "s", "sum of the jobs", result.sum_of_remaining),
        Row(name, "elapsed", together.elapsed, "s", "one wait after another", one_by_one.elapsed),
        Row(
            name,
            "calls of the job nearest its bound",
            together.calls[worst],
            "",
            "fixed 30 s + 3",
            result.allowed_calls[worst],
            goal="every job <= fixed 30 s + 3",
            met=result.calls_within_bound,
        ),
        Row(name, "calls per job, max", together.max_calls),
        *side_by_side_rows(name),
        Row(
            name,
            "calls per job, mean",
            together.mean_calls,
            "",
            "one wait after another",
            one_by_one.mean_calls,
        ),
    ]


def side_by_side_rows(name: str) -> list[Row]:
    """Issue 24: ``run_waits`` against a slow API, side by side and in one thread."""
    bound = many_jobs.WORST_LAG_BOUND
    rows = []
    for latency in (many_jobs.LATENCY, 2 * many_jobs.LATENCY):
        together = many_jobs.wait_with_latency(POOL_CONNECTIONS, latency=latency)
        alone = many_jobs.wait_with_latency(1, latency=latency)
        say(
            f"{many_jobs.LATENCY_TARGETS} jobs, {latency * 1000:.0f} ms a call (simulated): "
            f"worst lag {together.worst_lag:.1f} s side by side "
            f"({POOL_CONNECTIONS} at a time), {alone.worst_lag:.1f} s in one thread; "
            f"mean {together.mean_lag:.1f} / {alone.mean_lag:.1f} s"
        )
        rows.append(
            Row(
                name,
                f"{many_jobs.LATENCY_TARGETS} jobs at {latency * 1000:.0f} ms a call: worst lag",
                together.worst_lag,
                "s",
                "one thread",
                alone.worst_lag,
                goal=f"<= cap + call timeout ({bound:g} s)" if latency == many_jobs.LATENCY else "",
                met=together.worst_lag <= bound if latency == many_jobs.LATENCY else None,
            )
        )
    real_bound = many_jobs.REAL_CAP + many_jobs.REAL_CALL_TIMEOUT
    together = many_jobs.wait_on_the_real_clock(POOL_CONNECTIONS)
    alone = many_jobs.wait_on_the_real_clock(1)
    say(
        f"real clock, {many_jobs.REAL_TARGETS} jobs, 150 ms a call, cap "
        f"{many_jobs.REAL_CAP:g} s: worst lag {together.worst_lag:.2f} s side by side, "
        f"{alone.worst_lag:.2f} s in one thread"
    )
    rows.append(
        Row(
            name,
            f"real clock, {many_jobs.REAL_TARGETS} jobs at 150 ms a call: worst lag",
            together.worst_lag,
            "s",
            "one thread",
            alone.worst_lag,
            goal=f"<= cap + call timeout ({real_bound:g} s)",
            met=together.worst_lag <= real_bound,
        )
    )
    return rows


# -- 5. log search (issue 11) -------------------------------------------------------------


def run_logs(options: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    for megabytes in options.log_sizes:
        name = f"5 logs {megabytes} MB"
        say(f"== {name}: every line says 'compiled module'; plugin vs naive, median of 3")
        for result in logs.measure(megabytes):
            say(
                f"  {result.case.name}: plugin {result.plugin:.2f} s, naive {result.naive:.2f} s, "
                f"ratio {result.ratio:.2f}, peak {result.peak_mb:.1f} MB"
            )
            rows.append(
                Row(
                    name,
                    result.case.name,
                    result.plugin,
                    "s",
                    "naive",
                    result.naive,
                    goal=f"ratio <= {logs.MAX_RATIO}",
                    met=result.ratio <= logs.MAX_RATIO,
                )
            )
            rows.append(
                Row(
                    name,
                    f"{result.case.name}: peak memory",
                    result.peak_mb,
                    "MB",
                    goal=f"< {logs.MAX_PEAK_MB:g} MB",
                    met=result.peak_mb < logs.MAX_PEAK_MB,
                )
            )
        say()
    return rows


BENCHMARKS: dict[str, Callable[[argparse.Namespace], list[Row]]] = {
    "startup": run_startup,
    "workers": run_workers,
    "schedule": run_schedule,
    "many": run_many,
    "logs": run_logs,
}
# Run by default: everything but the log search, which takes a few minutes of its own.
DEFAULT_BENCHMARKS = ("startup", "workers", "schedule", "many")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        default=",".join(DEFAULT_BENCHMARKS),
        help=f"comma-separated subset of {', '.join(BENCHMARKS)} (default: all but logs)",
    )
    parser.add_argument(
        "--jobs", type=int, default=3000, help="simulated jobs per schedule cell (default 3000)"
    )
    parser.add_argument(
        "--check-jobs",
        type=int,
        default=10,
        help="draws of every cell checked through the real wait against the model (default 10)",
    )
    parser.add_argument(
        "--http-jobs",
        type=int,
        default=100,
        help="jobs per cell checked through the real wait over HTTP (default 100)",
    )
    parser.add_argument(
        "--pairs", type=int, default=30, help="collect-only pairs for startup (default 30)"
    )
    parser.add_argument("--seed", type=int, default=5, help="seed of every draw (default 5)")
    parser.add_argument(
        "--log-sizes",
        default="100,500",
        help="sizes of the logs searched, in MB (default 100,500)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="processes for the schedule grid (default: up to 2); figures do not depend on it",
    )
    options = parser.parse_args(argv)
    options.only = [name.strip() for name in options.only.split(",") if name.strip()]
    options.log_sizes = [int(size) for size in options.log_sizes.split(",") if size.strip()]
    unknown = sorted(set(options.only) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    if min(options.jobs, options.pairs, options.http_jobs, options.check_jobs) < 1:
        parser.error("--jobs, --check-jobs, --http-jobs and --pairs must be at least 1")
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    started = time.perf_counter()
    rows: list[Row] = []
    for name in options.only:
        rows.extend(BENCHMARKS[name](options))
    say(f"== summary ({time.perf_counter() - started:.0f} s, {os.cpu_count()} cores)")
    say(table(rows))
    failures = missed(rows)
    say()
    if failures:
        say(f"{len(failures)} goal(s) missed:")
        for row in failures:
            say(f"  {row.benchmark}: {row.measure} = {number(row.value, row.unit)} ({row.goal})")
        return 1
    say("every goal met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
