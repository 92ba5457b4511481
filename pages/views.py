"""The site's own pages: an overview, one page per measured topic, and the race; all read from the registry.

Every figure on them is measured by this server (or read from make bench's
summary); nothing is typed in. A measurement that takes seconds runs when a
student presses its button (a POST), never as a side effect of opening a page.
"""

import json

from django.contrib.auth.hashers import get_hasher
from django.shortcuts import redirect
from django.views.generic import TemplateView

import registry
from measurements import account_events, database_leak
from measurements.capacity import capacity_column
from measurements.measure import landing_figures


class TopicView(TemplateView):
    """A page of the site: one row per mounted namespace (the menu of topics comes from pages.context_processors)."""

    def rows(self):
        base = self.request.build_absolute_uri("/").rstrip("/")
        figures = landing_figures()
        return [
            {"scheme": s, "figures": figures.get(s.ns), "curl": [line.format(base=base) for line in s.curl]}
            for s in registry.schemes()
        ]

    def get_context_data(self, **kwargs):
        base = self.request.build_absolute_uri("/").rstrip("/")
        return super().get_context_data(base=base, **kwargs)


class LandingView(TopicView):
    """The overview: the comparison table and a chart of what each namespace costs."""

    template_name = "pages/index.html"

    def get_context_data(self, **kwargs):
        rows = self.rows()
        capacity = capacity_column()  # requests per second: make bench's, or compare_auth's ratio
        for row in rows:
            row["capacity"] = capacity["cells"].get(row["scheme"].ns)
        return super().get_context_data(rows=rows, capacity=capacity, chart=chart(rows, capacity), **kwargs)


def chart(rows, capacity, width=420):
    """The overview's bars: each namespace's capacity x public, with its spread where the run measured one."""
    bars = capacity.get("bars", {})
    top = max([1.0, *(b["high"] or b["x"] for b in bars.values())])
    scale = width / top
    drawn = []
    for row in rows:
        b = bars.get(row["scheme"].ns)
        if b is None:
            continue
        drawn.append(
            {
                "ns": row["scheme"].ns,
                "label": b["label"],
                "spread": b["low"] is not None and f"{b['low']:.2f} to {b['high']:.2f}",
                "width": round(b["x"] * scale, 1),
                "low": b["low"] is not None and round(b["low"] * scale, 1),
                "high": b["high"] is not None and round(b["high"] * scale, 1),
                "y": 24 * len(drawn),
            }
        )
    return {"bars": drawn, "height": 24 * len(drawn), "width": width, "public": round(scale, 1)}


class StepByStepView(TopicView):
    """One authenticated GET me/ per namespace, as recorded, and the curl lines that send it."""

    template_name = "pages/step_by_step.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(rows=self.rows(), **kwargs)


class MeasuredOnRequestView(TopicView):
    """A table that takes seconds to measure: measured when a student presses the button (POST), then shown."""

    measurement = None  # a module with measured_once() and measured_so_far()

    def post(self, request):
        self.measurement.measured_once()
        return redirect(request.path)  # POST, then GET: reloading the page does not measure again


class AccountEventsView(MeasuredOnRequestView):
    """Logout, a password change, deactivation, deletion: does each credential still work?"""

    template_name = "pages/account_events.html"
    measurement = account_events

    def get_context_data(self, **kwargs):
        table = account_events.measured_so_far()
        events = table and {"names": account_events.EVENTS, "rows": account_events.as_rows(table)}
        return super().get_context_data(account_events=events, **kwargs)


class StolenDatabaseView(MeasuredOnRequestView):
    """What each scheme's stored side of a credential gives someone with a copy of the database."""

    template_name = "pages/stolen_database.html"
    measurement = database_leak

    def get_context_data(self, **kwargs):
        leaks = database_leak.measured_so_far()
        leak = leaks and {
            "rows": list(leaks.values()),
            "guessing": [database_leak.guessing_line(row) for row in leaks.values() if row.guessing],
        }
        return super().get_context_data(database_leak=leak, **kwargs)


class ChooseView(TopicView):
    """When to choose which scheme: each app's choose_when beside the measured queries and stolen-database cell."""

    template_name = "pages/choose.html"

    def get_context_data(self, **kwargs):
        rows = self.rows()
        leaks = database_leak.measured_so_far()
        for row in rows:
            row["leak"] = leaks and leaks.get(row["scheme"].ns)
        return super().get_context_data(rows=rows, **kwargs)


class RaceView(TopicView):
    """The race: the browser logs in to each scheme through the real endpoints, then times the same GET me/ in each."""

    template_name = "pages/race.html"

    def get_context_data(self, **kwargs):
        hasher = get_hasher()  # what Basic pays on every request, named on the page
        lanes = [{"scheme": s, "client": json.dumps(s.recipe.as_json(self.request))} for s in registry.schemes()]
        return super().get_context_data(
            lanes=lanes,
            hasher=hasher.algorithm,
            iterations=getattr(hasher, "iterations", None),
            **kwargs,
        )
