"""URLs typed without their trailing slash: a 308 to the URL with it, for every method, DEBUG on or off.

Every URL of the site ends with a slash (``/api/token/login/``), and students
type them without (``/api/token/login``). Django's ``APPEND_SLASH`` answers a
GET with a 301 to the slashed URL, but a 301 is followed with a GET, so it
cannot carry a POST's body; for POST, PUT, PATCH and DELETE Django therefore
raises a RuntimeError with DEBUG on (a 500 with the debug page) and, with DEBUG
off, sends the 301 that the client follows with a GET, its body lost.

A 308 Permanent Redirect is the status made for this: the client sends the
same method and the same body again, to the URL in ``Location`` (browsers,
``fetch()``, ``curl -L``, Python's requests, Locust). Nothing runs before the
redirect but the middleware, so the request without the slash changes nothing.
The body names the right URL, for a client that does not follow redirects
(curl without ``-L``). Being a middleware, it covers every namespace, the
tutorial's URLs and any URL added later, with no change to the URL patterns.
"""

import json

from django.http import HttpResponsePermanentRedirect
from django.middleware.common import CommonMiddleware
from django.utils.http import escape_leading_slashes


class SlashRedirect(HttpResponsePermanentRedirect):
    """308 to the URL with the slash, and a JSON ``detail`` that names it."""

    def __init__(self, redirect_to):
        detail = (
            f"This URL ends with a slash: {redirect_to} (a 308 redirect: send the same request there; "
            "curl follows it with -L)."
        )
        super().__init__(
            redirect_to,
            preserve_request=True,  # 308, not 301: the method and body are sent again
            content=json.dumps({"detail": detail}),
            content_type="application/json",
        )
        # CommonMiddleware adds it to the responses it passes on, not to the ones it makes.
        self["Content-Length"] = str(len(self.content))


class TrailingSlashMiddleware(CommonMiddleware):
    """Django's CommonMiddleware (it takes its place in MIDDLEWARE), whose APPEND_SLASH answers 308 for every method."""

    response_redirect_class = SlashRedirect

    def get_full_path_with_slash(self, request):
        # Django's, without the RuntimeError it raises for POST, PUT, PATCH and
        # DELETE under DEBUG: that guards against a 301, and this answers 308.
        return escape_leading_slashes(request.get_full_path(force_append_slash=True))
