"""Benchmarks for pytest-amplify's performance and scale goals.

Run them with ``python benchmarks/run.py``; ``benchmarks/README.md`` says what each
one measures. Two guards import from here, so that they test what the benchmarks
measure: ``tests/test_wait_model.py`` (the grid's model of the wait against the
real wait, on every family of the grid) and ``tests/test_performance_guards.py``
(``wait_all`` against a slow API).

PYTEST_DONT_REWRITE: a checkout on ``sys.path`` lists this package among the
plugin's files (its ``egg-info``), and pytest would warn, in every in-process
pytester run after a test imported it, that it cannot rewrite it; it has no
asserts to rewrite.
"""
