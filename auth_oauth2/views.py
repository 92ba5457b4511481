"""The authorization server's consent page: django-oauth-toolkit's AuthorizationView, with one hole closed."""

from oauth2_provider import views
from oauth2_provider.models import get_application_model


class AuthorizationView(views.AuthorizationView):
    """DOT's login-then-consent page (authorize/); a consent form naming no registered client is a 400, not a 500.

    DOT's GET refuses an unknown client_id with its error page, but the POST of
    the consent form (whose hidden fields anyone can edit) looks the client up
    with .get() and raises DoesNotExist. Refused here the way the GET refuses it.
    """

    def form_valid(self, form):
        if not get_application_model().objects.filter(client_id=form.cleaned_data["client_id"]).exists():
            error = {"error": "invalid_client", "description": "No client is registered with this client_id."}
            return self.render_to_response(self.get_context_data(form=form, error=error), status=400)
        return super().form_valid(form)
