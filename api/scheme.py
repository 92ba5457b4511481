"""The public namespace: no scheme at all, the baseline that shows what the framework itself costs."""

from registry import Scheme


class PublicScheme(Scheme):
    ns = "public"
    title = "No authentication (the baseline)"
    how = "Nothing to send: every request is anonymous. This shows what the framework itself costs."
    credential_lives = "nowhere"
    server_looks_up = "nothing"
    logout_revokes = "n/a"
    choose_when = "never for anyone's own data: it is the baseline, what the framework costs without a scheme"
    csrf = "n/a"
    browser_native = "yes"
    curl = ["curl -i {base}/api/public/me/"]
    reading = "The baseline: Django and DRF with no authentication at all."
    me_queries = 0


SCHEMES = [PublicScheme()]
