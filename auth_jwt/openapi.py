"""How the OpenAPI schema (drf-spectacular) describes JWTs: `jwtAuth`, one bearer scheme for jwt and jwt-stateless."""
from drf_spectacular.drainage import set_override
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .authentication import JWTStatelessUserAuthentication


class JWTScheme(OpenApiAuthenticationExtension):
    """jwtAuth: `Authorization: Bearer <access>`.

    drf-spectacular's own extension warns that simplejwt also accepts `JWT
    <access>` (OpenAPI has room for one prefix only); this one says so instead.
    """

    target_class = "rest_framework_simplejwt.authentication.JWTAuthentication"
    match_subclasses = True
    priority = 1
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": (
                "Paste the `access` token from `POST /api/jwt/login/`; Swagger UI sends `Authorization: Bearer <access>` "
                "(the server also accepts `JWT <access>`). The same token works at `/api/jwt/` and `/api/jwt-stateless/`."
            ),
        }


# jwt-stateless shares jwtAuth on purpose (the same tokens work there): not a name collision.
set_override(JWTStatelessUserAuthentication, "suppress_collision_warning", True)
