"""api/resolvers.py: a namespace mounted by mount() resolves every URL as Django's path(include()) does."""

import pytest
from django.urls import Resolver404, URLResolver, get_resolver, include, path

import registry
from api.resolvers import NamespaceResolver, mount


def mounted():
    return [
        p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace in registry.namespaces()
    ]


def test_every_namespace_is_mounted_by_mount():
    assert [p.namespace for p in mounted()] == registry.namespaces()
    assert all(isinstance(p, NamespaceResolver) for p in mounted())


@pytest.mark.parametrize("url", ["me/", "notes/", "notes/7/", "", "login/", "nope/", "notes/x/", "me"])
def test_a_url_resolves_as_djangos_resolver_resolves_it(url):
    for ours in mounted():
        djangos = path(str(ours.pattern), include((ours.url_patterns, ours.namespace)))
        for prefix in (str(ours.pattern), "api/other/", "api/"):
            assert answer(ours, prefix + url) == answer(djangos, prefix + url)


def answer(resolver, url):
    """What the URLconf above a resolver sees: its match (view, name, namespaces, route, kwargs), or no match."""
    try:
        match = resolver.resolve(url)
    except Resolver404 as not_found:
        return ("no match", not_found.args[0].get("tried") is not None)  # a URL under its prefix: the tried list
    if match is None:
        return ("no match", False)
    return (match.func, match.url_name, match.namespaces, match.route, match.kwargs)


def test_a_route_with_a_converter_is_refused():
    with pytest.raises(ValueError, match="plain text"):
        mount("api/<str:ns>/", [], "any")
