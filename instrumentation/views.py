"""The instrumentation's half that lives in the views: the time DRF spends authenticating."""

from time import perf_counter

from .middleware import current_step


class InstrumentedView:
    """Times DRF's authentication step, for the ``auth`` figure in ``Server-Timing``.

    It also names the phase for the SQL panel: queries issued while DRF
    authenticates are "authentication" (unless a library step claims them,
    such as the session or token lookup), then "the resource itself", then
    "rendering the page". Here rather than in the middleware's process_view and
    process_template_response hooks: hooks cost every request, recorded or not.
    """

    def initial(self, request, *args, **kwargs):
        current_step.set("the view")
        super().initial(request, *args, **kwargs)

    def perform_authentication(self, request):
        current_step.set("authentication")
        started = perf_counter()
        try:
            super().perform_authentication(request)
        finally:
            cost = getattr(request._request, "cost", None)  # set by QueryCountMiddleware
            if cost is not None:
                cost.auth_seconds += perf_counter() - started
            current_step.set("the resource itself")

    def finalize_response(self, request, response, *args, **kwargs):
        current_step.set("rendering the page")  # the Response renders after the view returns it
        return super().finalize_response(request, response, *args, **kwargs)
