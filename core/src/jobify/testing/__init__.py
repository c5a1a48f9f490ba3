"""Test helpers for jobify apps and plugin distributions.

Importing :mod:`jobify` never imports this package, and this package never
imports pytest at import time except in :mod:`jobify.testing.aio`, the pytest
plugin that runs ``async def`` tests.
"""
