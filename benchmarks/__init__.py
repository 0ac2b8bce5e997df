"""Benchmarks for pytest-amplify's performance and scale goals (issues 5 and 12).

Run them with ``python benchmarks/run.py``; ``benchmarks/README.md`` says what each
one measures. The modules are importable (``from benchmarks import many_jobs``) so
that ``tests/test_performance_guards.py`` can run a scenario, reduced; the schedule's
guards build their cells in the tests (``tests/test_schedule_rules.py``).
"""
