"""The lab's other sites get their own small URLconf: evil.localhost serves the attacker's pages and nothing
of the victim's site (no API, no /lab/), and with the lab off (DEBUG off, or not from loopback) a 404."""

from django.http import Http404

from .access import SITES, lab_enabled


class LabSitesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # get_host() first: with DEBUG off, ALLOWED_HOSTS has no *.localhost and Django refuses the host (400).
        host = request.get_host().rsplit(":", 1)[0]
        if host in SITES:
            if not lab_enabled(request):
                raise Http404("no lab here")
            request.urlconf = "lab.sites_urls"
        return self.get_response(request)
