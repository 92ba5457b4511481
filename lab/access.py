"""When the lab exists at all: DEBUG on, and a request from this machine to a loopback address.

The lab serves an attacker's pages and opens CORS to a second origin: nothing
a deployment may ever serve. Every view and the CORS rule ask ``lab_enabled``.
"""

from ipaddress import ip_address

from django.conf import settings
from django.http import Http404

# The lab's other sites, on the API's own port: Chromium resolves every *.localhost name to loopback.
ATTACKER_HOST = "evil.localhost"  # a cross-site attacker
CROSS_SITE_FRONT_END_HOST = "app.localhost"  # a front end of the site's own, on another site
SITES = {ATTACKER_HOST, CROSS_SITE_FRONT_END_HOST}
API_HOST = "127.0.0.1"


def is_loopback(address):
    try:
        return ip_address(address).is_loopback
    except ValueError:
        return False


def lab_enabled(request):
    return bool(settings.DEBUG) and is_loopback(request.META.get("REMOTE_ADDR", ""))


def require_lab(request):
    if not lab_enabled(request):
        raise Http404("no lab here: it exists only with DJANGO_DEBUG=1, from loopback")


def port_of(request):
    """The port of the (validated) Host header: the one the browser used, on whichever bind it arrived."""
    host, _, port = request.get_host().rpartition(":")
    return int(port) if host and port.isdigit() else 80


def origins(request):
    """The lab's four origins, all on loopback, derived from the port the API answered on."""
    port = port_of(request)
    return {
        "api": f"http://{API_HOST}:{port}",
        # Same site (the same host: a site ignores the port), another origin: the same gunicorn's second bind.
        "front": f"http://{API_HOST}:{port + 1}",
        "cross_front": f"http://{CROSS_SITE_FRONT_END_HOST}:{port}",
        "attacker": f"http://{ATTACKER_HOST}:{port}",
    }
