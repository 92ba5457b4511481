"""The site's own pages: the landing page's comparison and the race, both read from the registry."""

import json

from django.contrib.auth.hashers import get_hasher
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import TemplateView

import registry
from measurements import account_events, database_leak
from measurements.capacity import capacity_column
from measurements.measure import landing_figures


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303  # after a POST, GET the page again (Post/Redirect/Get): a reload doesn't measure twice


class LandingView(TemplateView):
    """The comparison table for students, with figures the site measured itself.

    The measurements that take seconds (and create and delete throwaway users)
    run only on a POST from the page's buttons, with its CSRF token, never on a GET.
    """

    template_name = "pages/index.html"
    # POST measure=<name>: what it runs, and the section the page returns to.
    measurements = {
        "account-events": (account_events.measured_once, "account-events"),
        "database-leak": (database_leak.measured_once, "database-leak"),
    }

    def post(self, request, *args, **kwargs):
        chosen = self.measurements.get(request.POST.get("measure", ""))
        if chosen is None:
            return HttpResponseBadRequest(
                f"measure must be one of: {', '.join(self.measurements)}", content_type="text/plain"
            )
        measure, section = chosen
        measure()
        return HttpResponseSeeOther(reverse("landing") + f"#{section}")

    def get_context_data(self, **kwargs):
        base = self.request.build_absolute_uri("/").rstrip("/")
        figures = landing_figures()
        rows = [
            {
                "scheme": s,
                "figures": figures.get(s.ns),
                "curl": [line.format(base=base) for line in s.curl],
            }
            for s in registry.schemes()
        ]
        # Measured only when asked (post): it takes seconds (Basic hashes the password on every
        # request) and holds a transaction open, so a first visit doesn't pay for it.
        table = account_events.measured_so_far()
        events = table and {"names": account_events.EVENTS, "rows": account_events.as_rows(table)}
        # The same for the stolen database: seconds too (it times the hashes an attacker would guess against).
        leaks = database_leak.measured_so_far()
        leak = leaks and {
            "rows": list(leaks.values()),
            "guessing": [database_leak.guessing_line(row) for row in leaks.values() if row.guessing],
        }
        for row in rows:  # "When to choose": the stolen-database cell, once measured
            row["leak"] = leaks and leaks.get(row["scheme"].ns)
        capacity = capacity_column()  # requests per second: make bench's, or compare_auth's ratio
        for row in rows:
            row["capacity"] = capacity["cells"].get(row["scheme"].ns)
        return super().get_context_data(
            rows=rows, base=base, account_events=events, database_leak=leak, capacity=capacity, **kwargs
        )


class RaceView(TemplateView):
    """The race: the browser logs in to each scheme through the real endpoints, then times the same GET me/ in each."""

    template_name = "pages/race.html"

    def get_context_data(self, **kwargs):
        hasher = get_hasher()  # what Basic pays on every request, named on the page
        lanes = [{"scheme": s, "client": json.dumps(s.recipe.as_json())} for s in registry.schemes()]
        return super().get_context_data(
            lanes=lanes,
            hasher=hasher.algorithm,
            iterations=getattr(hasher, "iterations", None),
            **kwargs,
        )
