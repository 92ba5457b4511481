"""The lab's CORS rule, through django-cors-headers' own hook (its check_request_enabled signal).

settings.CORS_ALLOWED_ORIGINS stays what a deployment configures (empty by
default). Under DEBUG, from loopback, this adds exactly the lab's same-site
front end (the API's port + 1) for the whole API, and the cross-site front end
for the lab's cookie probe only: the attacker's origin is never allowed.
"""

from .access import lab_enabled, origins


def allow_lab_front_ends(sender, request, **kwargs):
    if not lab_enabled(request):
        return False
    origin = request.headers.get("Origin")
    lab = origins(request)
    if origin == lab["front"]:
        return True
    return origin == lab["cross_front"] and request.path.startswith("/lab/probe/")
