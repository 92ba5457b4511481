"""The resource server's side of RFC 7662: ask the authorization server about a token, over HTTP.

Standard library only (urllib), as a separate service would call another: the
authorization server may be this site in another process (``make demo`` starts
one on PORT+2 and sets ``OAUTH2_INTROSPECT_URL``), or this very site when the
setting is unset.

How the resource server authenticates its requests (RFC 7662 §2.1): DOT's
IntrospectTokenView (a ClientProtectedScopedResourceView) takes the client's
id and secret (Basic or form fields), or else an access token with the scope
`introspection`. The secret would cost the authorization server one PBKDF2 hash
per introspection (DOT stores client secrets with Django's password hasher,
~0.5 s each): so the resource server spends its secret once, on a
client-credentials token (scope `introspection`), and sends that token with
every introspection until it expires or is refused; then it gets another.
"""

import json
import threading
import time
from base64 import b64encode
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urljoin
from urllib.request import Request, urlopen

from django.conf import settings
from django.urls import reverse

from auth_oauth2.clients import RESOURCE_SERVER
from instrumentation.middleware import outgoing_call
from outages import state
from outages.errors import ServiceUnavailable

from . import in_process

CALL = "introspect"  # the Server-Timing entry, and what X-Outgoing-Calls counts


class AuthorizationServerUnavailable(ServiceUnavailable):
    """The authorization server did not answer (down, too slow, or not as RFC 7662 says): 503, never a 500."""

    service = "authorization server"
    detail = (
        "The authorization server cannot be reached right now, so no token can be checked. "
        "Nothing was changed; try again in a few seconds."
    )


class Refused(Exception):
    """The authorization server refused the resource server's own credentials (its token expired or was revoked)."""


class IntrospectionClient:
    """Posts tokens to the authorization server's introspection endpoint as the client drf-demo-resource-server.

    One per process: it keeps the resource server's own access token (scope
    `introspection`) between requests, behind a lock, as a connection pool
    keeps connections.
    """

    timeout = 2.0  # seconds: an authorization server that does not answer costs a client this, then a 503
    scope = "introspection"

    def __init__(self):
        self.lock = threading.Lock()
        self.own_tokens = {}  # introspection URL -> (access token, monotonic time it expires): one per server

    def introspection_url(self, request):
        """Where to ask: an in-process request's own server (in_process), OAUTH2_INTROSPECT_URL, or this site itself.

        Unset, the site asks itself at the host the request came to: under
        gunicorn, another of its threads or workers answers.
        """
        return (
            in_process.introspection_url.get()
            or settings.OAUTH2_INTROSPECT_URL
            or request.build_absolute_uri(reverse("oauth2_provider:introspect"))
        )

    def token_url(self, request):
        # DOT mounts its token endpoint beside the introspection endpoint: <...>/o/token/ next to <...>/o/introspect/.
        return urljoin(self.introspection_url(request), "../token/")

    def introspect(self, request, token):
        """The authorization server's answer about `token` (a dict: `active`, and `username`, `exp`... when active)."""
        try:
            answer = self.ask(request, token, self.credential(request))
        except Refused:  # our own token ran out or was revoked: one new one, one more try
            self.forget(request)
            try:
                answer = self.ask(request, token, self.credential(request))
            except Refused as refused:
                raise AuthorizationServerUnavailable("the introspection endpoint refused a fresh token") from refused
        if state.is_down(AuthorizationServerUnavailable.service):
            state.came_back(AuthorizationServerUnavailable.service)
        return answer

    def ask(self, request, token, credential):
        answer = self.post(request, self.introspection_url(request), {"token": token}, f"Bearer {credential}")
        if not isinstance(answer, dict) or not isinstance(answer.get("active"), bool):
            raise AuthorizationServerUnavailable(f"not an RFC 7662 answer: {answer!r:.100}")
        return answer

    def credential(self, request):
        """The resource server's own access token, from the client-credentials grant once, kept until it expires."""
        url = self.introspection_url(request)
        with self.lock:
            own = self.own_tokens.get(url)
            if own is None or own[1] <= time.monotonic():
                basic = b64encode(f"{RESOURCE_SERVER.client_id}:{RESOURCE_SERVER.secret()}".encode()).decode()
                fields = {"grant_type": "client_credentials", "scope": self.scope}
                try:
                    answer = self.post(request, self.token_url(request), fields, f"Basic {basic}")
                except Refused as refused:
                    raise AuthorizationServerUnavailable(
                        "the authorization server refused the resource server's client credentials "
                        "(is drf-demo-resource-server registered, by manage.py seed_demo, with this checkout's secret?)"
                    ) from refused
                lifetime = answer.get("expires_in", 0) if isinstance(answer, dict) else 0
                if "access_token" not in answer or not isinstance(lifetime, int):
                    raise AuthorizationServerUnavailable(f"not a token endpoint's answer: {answer!r:.100}")
                own = self.own_tokens[url] = answer["access_token"], time.monotonic() + lifetime - 5  # renewed early
            return own[0]

    def forget(self, request):
        with self.lock:
            self.own_tokens.pop(self.introspection_url(request), None)

    def post(self, request, url, fields, authorization):
        """POST `fields` form-encoded to `url`, counted as one outgoing call of `request`: the JSON answer."""
        headers = {
            "Authorization": authorization,
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        call = Request(url, data=urlencode(fields).encode(), headers=headers, method="POST")
        with outgoing_call(request, CALL):
            try:
                with urlopen(call, timeout=self.timeout) as response:  # noqa: S310 (a URL from the settings or this site)
                    body = response.read()
            except HTTPError as error:
                if error.code in (400, 401, 403):
                    raise Refused(error.code) from error
                raise AuthorizationServerUnavailable(f"HTTP {error.code} from {url}") from error
            except (URLError, OSError) as error:  # refused, unreachable, timed out (TimeoutError is an OSError)
                raise AuthorizationServerUnavailable(f"{url}: {error}") from error
        try:
            return json.loads(body)
        except ValueError as error:
            raise AuthorizationServerUnavailable(f"{url} did not answer JSON") from error


client = IntrospectionClient()
