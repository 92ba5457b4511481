"""The menu of topics on every page of the site, whichever app serves the page."""

from .topics import menu


def topics(request):
    match = getattr(request, "resolver_match", None)
    return {"topics": menu(match.url_name if match else "")}
