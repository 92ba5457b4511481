"""How the OpenAPI schema describes HTTP Basic: `basicAuth`, the browser's own user-name-and-password scheme."""

from api.openapi import SharedSecurityScheme


class BasicScheme(SharedSecurityScheme):
    """basicAuth: `Authorization: Basic base64(username:password)`, for our BasicAuthentication subclass too."""

    target_class = "rest_framework.authentication.BasicAuthentication"
    name = "basicAuth"
    definition = {"type": "http", "scheme": "basic"}
