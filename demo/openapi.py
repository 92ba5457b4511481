"""The base of the OpenAPI security schemes that the scheme apps describe (drf-spectacular extensions)."""

from drf_spectacular.drainage import set_override
from drf_spectacular.extensions import OpenApiAuthenticationExtension


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
