"""The URL resolver each namespace is mounted with: Django's, less the exception for a URL that is not its own.

Django resolves ``/api/jwt-stateless/me/`` by trying the URLconf's patterns
in order. An included URLconf (``path("api/public/", include(...))``) whose
prefix does not match says so by raising ``Resolver404``, which the URLconf
above catches before it tries the next pattern; a plain pattern says it by
returning ``None``. Matching the prefix's regular expression, raising and
catching cost about 10,000 instructions (``benchmarks/instructions.py``):
every namespace paid that once for each namespace mounted before it, so
jwt-stateless, seventh, paid it six times, public, first, never. Django
treats the two answers alike (the ``tried`` list of a 404 gets ``[pattern]``
either way), so this one returns ``None``, after a ``str.startswith`` (the
prefix is plain text); a URL under its prefix is resolved by Django's own code.
"""

from django.urls import URLResolver
from django.urls.resolvers import RoutePattern


class NamespaceResolver(URLResolver):
    """Django's URLResolver; a path outside its prefix is answered ``None``, as a plain pattern answers it."""

    def __init__(self, route, urlpatterns, ns):
        if "<" in route:
            raise ValueError(f"a namespace's route is plain text, not {route!r}")  # so that it is its own prefix
        super().__init__(RoutePattern(route, is_endpoint=False), urlpatterns, app_name=ns, namespace=ns)
        self.prefix = route

    def resolve(self, path):
        # The prefix is plain text: its RoutePattern's regex is "^" and the prefix, as str.startswith checks it.
        if not path.startswith(self.prefix):
            return None
        return super().resolve(path)


def mount(route, urlpatterns, ns):
    """``path(route, include((urlpatterns, ns)))``, with a NamespaceResolver (the URLResolver that path() makes)."""
    return NamespaceResolver(route, urlpatterns, ns)
