"""/outages/: what keeps working while the database or the cache is down, as manage.py outages last measured it."""

from django.conf import settings
from django.views.generic import TemplateView

from . import measure


class OutagesView(TemplateView):
    """The recorded measurement (OUTAGES_FILE), never figures typed in: the page says which command makes it."""

    template_name = "outages/outages.html"

    def get_context_data(self, **kwargs):
        measured = measure.read(settings.OUTAGES_FILE)
        rows = []
        if measured:
            services = measured["services"]
            for ns in services[measure.SERVICES[0]]["namespaces"]:
                cells = [services[s]["namespaces"][ns][c] for s in measure.SERVICES for c in measure.CELLS]
                rows.append({"ns": ns, "cells": cells})
        return super().get_context_data(measured=measured, rows=rows, services=measure.SERVICES, **kwargs)
