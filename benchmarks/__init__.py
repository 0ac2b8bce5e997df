"""Benchmarks for pytest-amplify's performance and scale goals.

Run them with ``python benchmarks/run.py``; ``benchmarks/README.md`` says what each
one measures. The tests do not import them: the counting guards build their own
scenarios (``tests/test_performance_guards.py``, ``tests/test_schedule_rules.py``).
"""
