"""The OpenAPI schema's shared parts (drf-spectacular): what every operation answers besides success, and the base of the security schemes that the scheme apps describe.

drf-spectacular documents what a view returns when all goes well. DRF answers
more, before the view or instead of it, and always by the same rules: 400 for
a body that fails its serializer, 401 or 403 when authentication or a
permission refuses, 404 for an object the queryset doesn't hold, 415 for a
body it can't parse, 429 from a throttle. ``AutoSchema`` reads each view's
authentication classes, permissions, throttles, URL and request body, and adds
those answers, with DRF's bodies and the ``WWW-Authenticate`` and
``Retry-After`` headers. A new namespace gets them for free; its security
scheme is all it describes (``auth_*/openapi.py``).
"""

import re

from drf_spectacular import openapi
from drf_spectacular.drainage import set_override
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


class ErrorSerializer(serializers.Serializer):
    """DRF's body for every refusal but a validation error (rest_framework.views.exception_handler)."""

    detail = serializers.CharField(help_text="why the request was refused")


# DRF's body for a validation error: a serializer can't say "any field name", so the schema is written out.
MESSAGES = {"type": "array", "items": {"type": "string"}}
VALIDATION_ERROR = {
    "type": "object",
    "description": (
        "What is wrong with the request: each refused field's name (or `non_field_errors`) with its messages, "
        'e.g. `{"title": ["This field may not be blank."]}`; `detail` alone for a body that could not be parsed.'
    ),
    "properties": {"detail": {"type": "string"}, "non_field_errors": MESSAGES},
    "additionalProperties": MESSAGES,
}
# What DRF's CharField refuses besides a blank: a NUL character (ProhibitNullCharactersValidator). Where blank is
# allowed, drf-spectacular adds "or empty" (`maxLength: 0`) to a pattern, so the pattern itself excludes it.
WITHOUT_NUL = r"^[^\x00]+$"
# ...and, unless trim_whitespace is off, a string of white space only: it is stripped to a blank.
NOT_ONLY_WHITESPACE = r"^[^\x00]*[^\s\x00][^\x00]*$"


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, plus the answers DRF itself gives: each derived from the view, never listed by hand.

    Notice where each one comes from: the request body (400, 415), the
    authentication classes and permissions (401 with the first class's
    challenge, or 403 for a scheme without one, such as sessions), the URL's
    parameters (404), the throttles (429). A view whose own code refuses
    credentials says so: by a challenge of its own (``get_authenticate_header``,
    as some login views have), or by naming the methods in
    ``checks_access_in_view``.
    """

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            responses = operation["responses"]
            for code, response in self.refusals(operation).items():
                # What the view documents itself wins; the headers are DRF's either way.
                documented = responses.setdefault(code, response)
                if "headers" in response:
                    documented.setdefault("headers", {}).update(response["headers"])
            operation["responses"] = dict(sorted(responses.items()))
        return operation

    def refusals(self, operation):
        """{status code: response object} for every refusal DRF can give this operation."""
        refusals = {}
        if "requestBody" in operation:
            refusals["400"] = self.validation_error("The body was refused: see which field, and why.")
            refusals["415"] = self.detail("The body's Content-Type is none of those the operation parses.")
        if self.authenticates():
            # DRF's rule (APIView.handle_exception): 401 with the view's challenge, or 403 if it has none.
            challenge = self.view.get_authenticate_header(self.view.request)
            if challenge:
                refused = (
                    "No valid credentials" if self.view.get_authenticators() else "The credentials sent were refused"
                )
                refusals["401"] = self.detail(
                    f"{refused}. `WWW-Authenticate: {challenge}` says how to authenticate.",
                    {"WWW-Authenticate": self.header({"type": "string", "enum": [challenge]}, "the challenge")},
                )
            else:
                refusals["403"] = self.detail(self.forbidden())
        if re.search(r"{\w+}", self.path):
            refusals["404"] = not_found = self.detail(
                "No such object for you (another user's is not yours). An id that is no number matches no URL: "
                "Django's own page says so, in HTML."
            )
            not_found["content"]["text/html"] = {"schema": {"type": "string"}}
        if self.throttled():
            refusals["429"] = self.detail(
                "Too many attempts: try again after `Retry-After` seconds.",
                {"Retry-After": self.header({"type": "integer", "minimum": 0}, "seconds to wait")},
            )
        return refusals

    def authenticates(self):
        """Whether DRF may refuse this operation as not authenticated (or wrongly, or not allowed)."""
        view = self.view
        return bool(
            view.get_authenticators()  # credentials of the scheme, but wrong ones: AuthenticationFailed
            or not all(isinstance(permission, AllowAny) for permission in view.get_permissions())
            or type(view).get_authenticate_header is not APIView.get_authenticate_header  # a challenge of its own
            or self.method in getattr(view, "checks_access_in_view", ())
        )

    def forbidden(self):
        authenticators = self.view.get_authenticators()
        if not authenticators:
            return "Refused: this needs a user, and this namespace authenticates none (DRF answers 403 without a challenge)."
        reasons = ["no valid credentials (this scheme has no `WWW-Authenticate` challenge, so DRF answers 403)"]
        if self.method not in ("GET", "HEAD", "OPTIONS") and any(
            hasattr(authenticator, "enforce_csrf") for authenticator in authenticators
        ):
            reasons.append("no valid CSRF token (the `csrftoken` cookie's value in `X-CSRFToken`)")
        return "Refused: " + ", or ".join(reasons) + "."

    def throttled(self):
        """Whether a throttle counts this operation's requests (a throttle's `methods`, if it names them)."""
        return any(
            self.method in getattr(throttle, "methods", (self.method,)) for throttle in self.view.get_throttles()
        )

    def detail(self, description, headers=None):
        return self.refusal(self.resolve_serializer(ErrorSerializer, "response"), description, headers)

    def validation_error(self, description):
        component = ResolvedComponent("ValidationError", ResolvedComponent.SCHEMA, VALIDATION_ERROR, "ValidationError")
        self.registry.register_on_missing(component)
        return self.refusal(component, description)

    def refusal(self, component, description, headers=None):
        content = {media_type: {"schema": component.ref} for media_type in self.map_renderers("media_type")}
        return {"description": description, "content": content, **({"headers": headers} if headers else {})}

    @staticmethod
    def header(schema, description):
        return {"schema": schema, "description": description, "required": True}

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """Strings as DRF's CharField takes them: never a NUL, and never blank unless allow_blank (minLength: 1)."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and isinstance(field, serializers.CharField) and schema and "pattern" not in schema:
            if not field.allow_blank and field.trim_whitespace:
                schema["pattern"] = NOT_ONLY_WHITESPACE
            elif "$ref" not in schema:
                schema["pattern"] = WITHOUT_NUL
        return schema


class SharedSecurityScheme(OpenApiAuthenticationExtension):
    """One security scheme, written out in `definition`, for `target_class` and the `variants` that take the same credential.

    Notice that token and token-cached (and jwt and jwt-stateless) share one
    scheme: one "Authorize" in Swagger UI serves both namespaces, because the
    same credential works in both.
    """

    match_subclasses = True
    priority = 1  # over drf-spectacular's own description of the same class
    definition = {}
    variants = ()  # subclasses of target_class: the same scheme on purpose, not a name collision

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for variant in cls.variants:
            set_override(variant, "suppress_collision_warning", True)

    def get_security_definition(self, auto_schema):
        return self.definition
