"""The extra scheme's "library": DRF's token check, then a visit written to its own table (one more query per request)."""

from auth_token.authentication import TokenAuthentication

from .models import Visit


class VisitLoggingTokenAuthentication(TokenAuthentication):
    """TokenAuthentication that records each authenticated request in the Visit table."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        Visit.objects.create(user=user)
        return user, token
