import logging
import uuid

import jwt
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenBackendError, TokenError
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
    TokenVerifySerializer,
)
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import UntypedToken
from rest_framework_simplejwt.utils import datetime_from_epoch

logger = logging.getLogger(__name__)

# The claim every refresh token of one login carries, through all its rotations (RFC 9700, 4.14.2).
FAMILY_CLAIM = "family"


class LoginSerializer(TokenObtainPairSerializer):
    """simplejwt's login, plus a `username` claim, so that jwt-stateless can answer me/ without loading the user,
    and a `family` claim naming this login's chain of refresh tokens (see RefreshSerializer)."""

    @classmethod
    def get_token(cls, user):
        token = super().get_token(user)
        token["username"] = user.get_username()
        token[FAMILY_CLAIM] = uuid.uuid4().hex
        return token


class RefreshSerializer(TokenRefreshSerializer):
    """simplejwt's refresh, made atomic: of N clients sending one refresh token at once, exactly one gets new tokens.

    simplejwt checks the blacklist, then get_or_create's the blacklist row: two
    requests can both pass the check and both mint tokens. Here the row is
    inserted, and the database decides (one BlacklistedToken per
    OutstandingToken): whoever inserts it second gets an IntegrityError, so 401.

    And beyond simplejwt (RFC 9700, 4.14.2): a refresh token presented again
    after it was used means two parties hold it, and the server cannot tell the
    user from the thief, so the whole login's chain ends (every outstanding
    token of its family is blacklisted): both must log in again. Access tokens
    already issued work until they expire. The token of a deleted user is a
    401 (simplejwt 5.5 lets DoesNotExist become a 500).
    """

    user = None  # the refresh token's user, once check_user found it

    def validate(self, attrs):
        try:
            refresh = self.token_class(attrs["refresh"])  # signature, expiry, type, blacklist
        except TokenError:
            self.end_family_if_reused(attrs["refresh"])
            raise
        self.check_user(refresh)
        try:
            with transaction.atomic():
                self.use_up(refresh)
                data = {"access": str(refresh.access_token)}
                refresh.set_jti()
                refresh.set_exp()
                refresh.set_iat()
                self.outstand(refresh)
        except IntegrityError:  # another request used this token first, a moment ago
            self.end_family(refresh)
            raise TokenError(_("Token is blacklisted")) from None
        data["refresh"] = str(refresh)
        return data

    def check_user(self, refresh):
        user_id = refresh.payload.get(api_settings.USER_ID_CLAIM)
        if user_id is None:
            return
        user = get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first()
        if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
            raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account")
        self.user = user

    def use_up(self, refresh):
        """Blacklist `refresh` by inserting its row: an IntegrityError if it is there already."""
        outstanding, _ = OutstandingToken.objects.get_or_create(
            jti=refresh[api_settings.JTI_CLAIM],
            defaults={
                "user": self.user,
                "token": str(refresh),
                "created_at": refresh.current_time,
                "expires_at": datetime_from_epoch(refresh["exp"]),
            },
        )
        BlacklistedToken.objects.create(token=outstanding)

    def outstand(self, refresh):
        OutstandingToken.objects.create(
            user=self.user,
            jti=refresh[api_settings.JTI_CLAIM],
            token=str(refresh),
            created_at=refresh.current_time,
            expires_at=datetime_from_epoch(refresh["exp"]),
        )

    def end_family_if_reused(self, raw):
        """`raw` was refused: if it is a genuine refresh token that was used already, end its family."""
        try:
            refresh = self.token_class(raw, verify=False)
            refresh.get_token_backend().decode(raw, verify=True)  # nobody ends a chain with a forged token
        except (TokenError, TokenBackendError):
            return
        if refresh.get(api_settings.TOKEN_TYPE_CLAIM) != refresh.token_type:
            return
        if BlacklistedToken.objects.filter(token__jti=refresh.get(api_settings.JTI_CLAIM)).exists():
            self.end_family(refresh)

    def end_family(self, refresh):
        """Blacklist every outstanding, unexpired refresh token of `refresh`'s family (tokens without one: none)."""
        family = refresh.get(FAMILY_CLAIM)
        user_id = refresh.get(api_settings.USER_ID_CLAIM)
        if family is None or user_id is None:
            return
        live = OutstandingToken.objects.filter(
            **{f"user__{api_settings.USER_ID_FIELD}": user_id},
            blacklistedtoken__isnull=True,
            expires_at__gt=timezone.now(),
        )
        # The claim is inside each stored token: read it (our own rows) without checking their signatures again.
        members = [
            o for o in live if jwt.decode(o.token, options={"verify_signature": False}).get(FAMILY_CLAIM) == family
        ]
        BlacklistedToken.objects.bulk_create([BlacklistedToken(token=o) for o in members], ignore_conflicts=True)
        logger.warning(
            "refresh token reused after rotation: user %s's login (family %s) ended, %d token(s) blacklisted",
            user_id,
            family[:8],
            len(members),
        )


class VerifySerializer(TokenVerifySerializer):
    """simplejwt's verify; a blacklisted token is invalid like any other: 401 (simplejwt answers 400).

    The token class is a hook, as in simplejwt's other serializers (its own
    verify names UntypedToken): jwt-rsa's verify names its RS256 one.
    """

    token_class = UntypedToken

    def validate(self, attrs):
        token = self.token_class(attrs["token"])  # the signature and expiry, whatever the token's type
        if BlacklistedToken.objects.filter(token__jti=token.get(api_settings.JTI_CLAIM)).exists():
            raise InvalidToken("Token is blacklisted")
        return {}
