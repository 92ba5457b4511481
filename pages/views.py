"""The site's own pages: the landing page's comparison and the race, both read from the registry."""

import json

from django.contrib.auth.hashers import get_hasher
from django.views.generic import TemplateView

import registry
from measurements import account_events, database_leak
from measurements.capacity import capacity_column
from measurements.measure import landing_figures


class LandingView(TemplateView):
    """The comparison table for students, with figures the site measured itself."""

    template_name = "pages/index.html"

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
        # Measured only when asked: it takes seconds (Basic hashes the password on every
        # request) and holds a transaction open, so a first visit doesn't pay for it.
        if self.request.GET.get("measure") == "account-events":
            account_events.measured_once()
        table = account_events.measured_so_far()
        events = table and {"names": account_events.EVENTS, "rows": account_events.as_rows(table)}
        # The same for the stolen database: seconds too (it times the hashes an attacker would guess against).
        if self.request.GET.get("measure") == "database-leak":
            database_leak.measured_once()
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
        lanes = [{"scheme": s, "client": json.dumps(s.client.as_json())} for s in registry.schemes()]
        return super().get_context_data(
            lanes=lanes,
            hasher=hasher.algorithm,
            iterations=getattr(hasher, "iterations", None),
            **kwargs,
        )
