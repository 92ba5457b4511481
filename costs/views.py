"""/costs/: the last recorded `compare_auth --algorithms` and `--profile`, with their dates; or the command that records them."""

from django.conf import settings
from django.http import FileResponse, Http404
from django.views import View
from django.views.generic import TemplateView

from . import record


class CostsView(TemplateView):
    """What each JWT algorithm costs and where each namespace's time goes, as last measured on this checkout."""

    template_name = "costs/costs.html"

    def get_context_data(self, **kwargs):
        measured = record.load("algorithms")
        profile = record.load("profile")
        rows = measured and [{"algorithm": name, **row} for name, row in measured["algorithms"].items()]
        parts = profile and [
            {"ns": ns, "requests": figures["requests"], "parts": [figures["parts_ms"][p] for p in profile["parts"]]}
            for ns, figures in profile["namespaces"].items()
        ]
        return super().get_context_data(
            algorithms=measured,
            algorithm_rows=rows,
            profile=profile,
            profile_rows=parts,
            has_chart=record.chart_path() is not None,
            configured=settings.JWT_ASYMMETRIC_ALGORITHM,
            **kwargs,
        )


class ProfileChartView(View):
    """The stacked chart the last `compare_auth --profile` drew (SVG); 404 until one was recorded."""

    def get(self, request):
        path = record.chart_path()
        if path is None:
            raise Http404("No profile recorded yet: run `manage.py compare_auth --profile`.")
        return FileResponse(path.open("rb"), content_type="image/svg+xml")
