"""PKCE (RFC 7636) and HTML forms' hidden fields, for the clients of this project that are not browsers. Standard library only.

The recipe client's oauth2 kind uses it (``RecipeClient.login_oauth2``), and so
do the tests and login_costs; the Locust process too, without setting Django
up. A browser does the same in pages/static/pages/authorize.js.
"""

import base64
import hashlib
import re
import secrets


def verifier():
    """A code_verifier: 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1); 86 here."""
    return secrets.token_urlsafe(64)


def challenge(code_verifier):
    """The S256 code_challenge: BASE64URL(SHA256(verifier)), without padding (§4.2)."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def hidden_fields(html):
    """{name: value} of a form's hidden inputs (the login page's, the consent page's), as a browser would send them."""
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", html):
        kind, name, value = (re.search(rf'\b{a}="([^"]*)"', tag) for a in ("type", "name", "value"))
        if kind and kind.group(1) == "hidden" and name:
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return fields


def unescape(text):
    return (
        text.replace("&quot;", '"')
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )
