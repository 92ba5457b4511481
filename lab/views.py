"""The browser lab's pages: the victim's (/lab/ on the API's origin), its probe and what the attacker stole,
and the other sites' (lab/sites_urls.py): the attacker's page and server, and the two front ends.

Every view answers 404 unless the lab is on (lab/access.py). Nothing here
reflects input into a page: the "injected" script is a fixed file
(static/lab/injected.js) the victim's page loads, standing for one.
"""

import json
import re
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.generic import TemplateView

import registry

from .access import API_HOST, ATTACKER_HOST, CROSS_SITE_FRONT_END_HOST, origins, port_of, require_lab
from .app_client import app_client_rows
from .attacks import ATTACKS, STORAGE_WORDS, STORAGES, where_to_keep
from .credentials import DEMO_PASSWORD, DEMO_USER

# Cookies the probe sets, one per SameSite value a site could choose (claim a). Not credentials: their names only.
PROBE_COOKIES = {
    "lab-probe-lax": {"samesite": "Lax"},
    "lab-probe-strict": {"samesite": "Strict"},
    "lab-probe-none-secure": {"samesite": "None", "secure": True},
    "lab-probe-none": {"samesite": "None"},  # without Secure: browsers should refuse it
}
LOOT_SECONDS = 600


def recipes(request=None):
    """{ns: the client recipe GET /api/ publishes}, for every namespace with a credential.

    Made for `request` as GET /api/ makes it: an authorization-code recipe's
    redirect URI absolute, and its issuer, for the host the page was asked on.
    """
    return {s.ns: s.recipe.as_json(request) for s in registry.schemes() if s.recipe.kind != "none"}


class LabPageMixin:
    def dispatch(self, request, *args, **kwargs):
        require_lab(request)
        return super().dispatch(request, *args, **kwargs)


class LabView(LabPageMixin, TemplateView):
    """The attacks, one button each, run by the student's own browser against every namespace."""

    template_name = "lab/index.html"

    def get(self, request, *args, **kwargs):
        if request.get_host().rsplit(":", 1)[0] != API_HOST:  # localhost and 127.0.0.1 are two sites
            return redirect(f"http://{API_HOST}:{port_of(request)}/lab/")
        response = super().get(request, *args, **kwargs)
        # Django's default (same-origin) would cut this page off from the other sites' window it opens;
        # this keeps the window it opens, and nothing else, able to answer it (postMessage).
        response["Cross-Origin-Opener-Policy"] = "same-origin-allow-popups"
        return response

    def get_context_data(self, **kwargs):
        namespaces = recipes(self.request)
        config = {
            "origins": origins(self.request),
            "namespaces": namespaces,
            "user": DEMO_USER,
            "password": DEMO_PASSWORD,
            "probes": {name: probe_words(attributes) for name, attributes in PROBE_COOKIES.items()},
        }
        rows = [
            {"ns": ns, "storage": storage, "storage_words": STORAGE_WORDS[storage]}
            for ns, recipe in namespaces.items()
            for storage in STORAGES.get(recipe["kind"], [])
        ]
        skipped = [f"{ns} ({recipe['kind']})" for ns, recipe in namespaces.items() if recipe["kind"] not in STORAGES]
        return super().get_context_data(
            config=config,
            storages=STORAGES,
            rows=rows,
            skipped=skipped,
            attacks=ATTACKS,
            where=where_to_keep(),
            **kwargs,
        )


def probe_words(attributes):
    return f"SameSite={attributes['samesite']}" + ("; Secure" if attributes.get("secure") else "")


class ProbeSetView(LabPageMixin, View):
    """Sets one cookie per SameSite value (claim a); the page then reads which the browser kept."""

    def get(self, request):
        response = JsonResponse({"set": list(PROBE_COOKIES)})
        for name, attributes in PROBE_COOKIES.items():
            response.set_cookie(name, "probe", max_age=600, httponly=False, **attributes)
        return response


class ProbeEchoView(LabPageMixin, View):
    """Which cookies came with this request: names only, never values (CORS: the lab's two front ends)."""

    def get(self, request):
        session_cookies = {
            s.ns: names for s in registry.schemes() if (names := credential_cookie_names(s, request.COOKIES))
        }
        return JsonResponse(
            {
                "probes": sorted(name for name in request.COOKIES if name in PROBE_COOKIES),
                "credential_cookies": {
                    ns: sorted(name for name in names if name in request.COOKIES)
                    for ns, names in session_cookies.items()
                },
            }
        )


def credential_cookie_names(scheme, received=()):
    """The cookies that may carry a cookie scheme's credential: Django's session cookie for session; for the
    "cookie" kind (jwt-cookie) the ones its scheme names, or else every cookie that is not the CSRF cookie's."""
    kind = scheme.recipe.kind
    if kind == "session":
        return [settings.SESSION_COOKIE_NAME]
    if kind != "cookie":
        return []
    named = getattr(scheme, "credential_cookies", None)
    if named:
        return list(named)
    recipe = scheme.recipe.as_json()
    ignored = {*PROBE_COOKIES, recipe.get("csrf_cookie", "csrftoken"), settings.SESSION_COOKIE_NAME}
    return [name for name in received if name not in ignored]


class StolenView(LabPageMixin, View):
    """What the attacker's server received from the injected script of run `run`, and what it got with it."""

    def get(self, request):
        run = run_id(request)
        if run is None:
            return JsonResponse({"detail": RUN_DETAIL}, status=400)
        return JsonResponse(cache.get(f"lab:loot:{run}") or {"loot": None, "replays": []})


class AppClientView(LabPageMixin, View):
    """Claim (b): this server runs the cookie-jar client (lab/app_client.py) against its own API."""

    def post(self, request):
        api = origins(request)["api"]
        return JsonResponse({"rows": app_client_rows(api, recipes(request), DEMO_USER, DEMO_PASSWORD)})


@method_decorator(xframe_options_deny, name="dispatch")
class SitePageView(LabPageMixin, TemplateView):
    """A page of one of the lab's other origins; it acts when the lab page (its opener) tells it to."""

    role = ""
    host = ""

    def get(self, request, *args, **kwargs):
        if self.host and request.get_host().rsplit(":", 1)[0] != self.host:
            raise Http404("this page exists on its own site only")
        response = super().get(request, *args, **kwargs)
        response["Cross-Origin-Opener-Policy"] = "unsafe-none"  # so that its opener, the lab page, hears it
        return response

    def get_template_names(self):
        return ["lab/site.html"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(role=self.role, **kwargs)


class AttackerPageView(SitePageView):
    role = "attacker"
    host = ATTACKER_HOST


class CrossSiteFrontEndView(SitePageView):
    role = "cross-site front end"
    host = CROSS_SITE_FRONT_END_HOST


class SameSiteFrontEndView(SitePageView):
    role = "same-site front end"
    host = API_HOST


class CollectView(View):
    """The attacker's server: takes what the injected script read (a GET, like an image's URL) and tries it.

    It has none of the victim's cookies: it replays each stolen value itself,
    the stolen cookies as a Cookie header and every stolen string as each token
    scheme's Authorization header, at GET me/ of every namespace GET /api/ lists.
    """

    def get(self, request):
        require_lab(request)
        if request.get_host().rsplit(":", 1)[0] != ATTACKER_HOST:
            raise Http404("the attacker's server is on the attacker's site only")
        run = run_id(request)
        if run is None:
            return JsonResponse({"detail": RUN_DETAIL}, status=400)
        try:
            loot = json.loads(request.GET.get("loot", ""))
        except ValueError:
            return JsonResponse({"detail": "loot must be JSON"}, status=400)
        if not isinstance(loot, dict):
            return JsonResponse({"detail": "loot must be a JSON object"}, status=400)
        api = origins(request)["api"]
        found = {"loot": loot, "replays": replay(api, loot)}
        cache.set(f"lab:loot:{run}", found, LOOT_SECONDS)
        return JsonResponse({"received": sorted(loot)})


RUN_DETAIL = "run must be 1 to 64 letters, digits, - or _"


def run_id(request):
    run = request.GET.get("run", "")
    return run if re.fullmatch(r"[\w-]{1,64}", run, flags=re.ASCII) else None


def fetch_me(api, ns, headers):
    request = Request(f"{api}/api/{ns}/me/", headers={"Accept": "application/json", **headers})
    try:
        with urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()).get("username")
    except HTTPError as error:
        return error.code, None
    except (URLError, ValueError):
        return 0, None


def stolen_strings(loot):
    """(where it was found, value) for every string the script read out of web storage."""
    for area in ("localStorage", "sessionStorage"):
        items = loot.get(area) or {}
        if isinstance(items, dict):
            yield from ((f"{area}:{key}", value) for key, value in items.items() if isinstance(value, str))


def replay(api, loot):
    """Every stolen value, tried where it could be a credential; one row per try."""
    with urlopen(Request(f"{api}/api/", headers={"Accept": "application/json"}), timeout=10) as response:
        namespaces = {ns: entry["client"] for ns, entry in json.loads(response.read())["namespaces"].items()}
    rows = []
    cookies = loot.get("cookies") if isinstance(loot.get("cookies"), str) else ""
    for ns, recipe in namespaces.items():
        if recipe["kind"] in ("session", "cookie") and cookies:
            status, username = fetch_me(api, ns, {"Cookie": cookies})
            rows.append({"source": "cookies", "namespace": ns, "status": status, "username": username})
        if recipe.get("keyword"):
            for source, value in stolen_strings(loot):
                status, username = fetch_me(api, ns, {"Authorization": f"{recipe['keyword']} {value}"})
                rows.append({"source": source, "namespace": ns, "status": status, "username": username})
    return rows
