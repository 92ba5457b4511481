"""What each page of the browsable API says about its namespace (see templates/rest_framework/api.html).

Notice which namespaces get an authorization panel: exactly those whose scheme
a browser cannot send by itself. Basic has the browser's own prompt and
session has cookies; a `Token` or `Bearer` header must be added by a script.
"""

from dataclasses import dataclass

from django import template
from django.urls import reverse

import registry

register = template.Library()


@dataclass(frozen=True)
class Panel:
    """How the authorization panel (pages/static/pages/authorize.js) gets a credential and sends it."""

    store: str  # the sessionStorage key: namespaces that accept the same credential share it
    keyword: str  # the header is "Authorization: <keyword> <credential>"
    login: str  # URL name of the login endpoint that hands out the credential (oauth2: the authorization endpoint)
    refresh: str = ""  # URL name of the endpoint that renews an expired one (JWT; oauth2: the token endpoint)
    flow: str = "password"  # "password": the panel POSTs a user name and password; "oauth2": authorization code + PKCE
    client_id: str = ""  # oauth2: the public client the panel is
    redirect_uri: str = ""  # oauth2: the registered redirect URI's path, where the browser comes back with ?code=
    issuer: str = ""  # oauth2: the authorization server's `iss` (RFC 9207) the redirect back must carry

    def urls(self):
        return {"login": reverse(self.login), "refresh": reverse(self.refresh) if self.refresh else ""}

    @classmethod
    def for_recipe(cls, recipe, request=None):
        """The panel for a namespace's client recipe: kinds token, jwt and oauth2 need one."""
        if recipe.kind == "oauth2":
            # One store for every namespace that accepts the authorization server's tokens.
            return cls(
                store="oauth2",
                keyword=recipe.keyword,
                login=recipe.authorize,
                refresh=recipe.token,
                flow="oauth2",
                client_id=recipe.client_id,
                redirect_uri=recipe.redirect_uri,
                issuer=recipe.as_json(request).get("issuer", "") if request else "",
            )
        if recipe.kind not in ("token", "jwt"):
            return None
        # Named after the login's namespace: token and token-cached share one credential, so one store.
        store = recipe.login.partition(":")[0]
        return cls(store=store, keyword=recipe.keyword, login=recipe.login, refresh=recipe.refresh)


@register.simple_tag
def namespace_of(view):
    """The Scheme of the namespace the page belongs to; None outside the namespaces (e.g. /api/)."""
    return registry.scheme(getattr(view, "scheme", None))


@register.simple_tag
def panel_of(view):
    """The authorization panel's settings for the page's namespace; None where the browser needs no panel."""
    scheme = registry.scheme(getattr(view, "scheme", None))
    return scheme and Panel.for_recipe(scheme.recipe, getattr(view, "request", None))
