"""What each page of the browsable API says about its namespace (see templates/rest_framework/api.html).

Notice which namespaces get an authorization panel: exactly those whose scheme
a browser cannot send by itself. Basic has the browser's own prompt and
session has cookies; a `Token` or `Bearer` header must be added by a script.
"""

from dataclasses import dataclass

from django import template
from django.urls import reverse

from demo.schemes import BY_NS

register = template.Library()


@dataclass(frozen=True)
class Panel:
    """How the authorization panel (static/demo/authorize.js) gets a credential and sends it."""

    store: str  # the sessionStorage key: namespaces that accept the same credential share it
    keyword: str  # the header is "Authorization: <keyword> <credential>"
    login: str  # URL name of the login endpoint that hands out the credential
    refresh: str = ""  # URL name of the endpoint that renews an expired one (JWT only)

    def urls(self):
        return {"login": reverse(self.login), "refresh": reverse(self.refresh) if self.refresh else ""}


TOKEN_PANEL = Panel(store="token", keyword="Token", login="token:login")
JWT_PANEL = Panel(store="jwt", keyword="Bearer", login="jwt:login", refresh="jwt:refresh")
# knox: the same header keyword as DRF's tokens, but its own store: a DRF key is no use at /api/knox/, nor the reverse.
KNOX_PANEL = Panel(store="knox", keyword="Token", login="knox:login")
PANELS = {
    "token": TOKEN_PANEL,
    "token-cached": TOKEN_PANEL,
    "jwt": JWT_PANEL,
    "jwt-stateless": JWT_PANEL,
    "knox": KNOX_PANEL,
}


@register.simple_tag
def namespace_of(view):
    """The Scheme of the namespace the page belongs to; None outside the namespaces (e.g. /api/)."""
    return BY_NS.get(getattr(view, "scheme", None))


@register.simple_tag
def panel_of(view):
    """The authorization panel's settings for the page's namespace; None where the browser needs no panel."""
    return PANELS.get(getattr(view, "scheme", None))
