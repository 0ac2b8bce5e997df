"""pytest-amplify's test suite.

PYTEST_DONT_REWRITE: this package's ``__init__`` has no asserts. The sdist ships the
suite, so an in-tree ``pytest_amplify.egg-info`` (which ``pip install -e .`` writes)
lists ``tests/__init__.py``, and pytest then asks to rewrite the ``tests`` package of
its plugin's distribution in every inner run, after it was imported: without this
marker that warning is an error under ``-W error``.
"""
