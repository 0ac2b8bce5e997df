"""Benchmarks for pytest-amplify's performance and scale goals (issue 5).

Run them with ``python benchmarks/run.py``; ``benchmarks/README.md`` says what each
one measures. The modules are importable (``from benchmarks import schedule``) so
that ``tests/test_performance_guards.py`` runs the same scenarios, reduced, and
asserts on the counts they produce.
"""
