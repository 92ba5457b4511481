"""Compatibility only: the namespaces are in demo.registry, described by each app's scheme.py.

benchmarks/run.py still imports NAMESPACES without setting Django up; it will
read GET /api/ instead (issue 10), and then this file goes.
tests/test_registry.py checks that the list matches the registry's.
"""

NAMESPACES = ["public", "basic", "session", "token", "token-cached", "jwt", "jwt-stateless", "jwt-rsa", "knox"]
