"""Benchmarks for pytest-amplify's performance and scale goals.

Run them with ``python benchmarks/run.py``; ``benchmarks/README.md`` says what each
one measures. The tests do not import them: ``tests/test_performance_guards.py``
builds its own scenarios and counts calls, imports and waits of the plugin.
"""
