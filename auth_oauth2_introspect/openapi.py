"""oauth2-introspect's security scheme: oauth2's own (the same flow, the same tokens), for its authentication class."""

from drf_spectacular.drainage import set_override

from auth_oauth2.openapi import OAuth2Scheme

from .authentication import CachedIntrospectionAuthentication, IntrospectionAuthentication

set_override(IntrospectionAuthentication, "suppress_collision_warning", True)
set_override(CachedIntrospectionAuthentication, "suppress_collision_warning", True)


class IntrospectedOAuth2Scheme(OAuth2Scheme):
    """The same `oauth2` scheme: one "Authorize" in Swagger UI serves oauth2 and both introspection namespaces."""

    target_class = "auth_oauth2_introspect.authentication.IntrospectionAuthentication"
    variants = [CachedIntrospectionAuthentication]
