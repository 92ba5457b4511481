"""The one protected resource every namespace serves, whatever its scheme.

The views know nothing about authentication: each namespace mounts them with its
own ``authentication_classes`` (see ``config/urls.py``), the way DRF's own tests
mount one view several ways.
"""

from contextlib import suppress

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework import generics
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

import registry
from instrumentation.views import InstrumentedView

from .models import Note
from .serializers import ApiIndexSerializer, MeSerializer, NamespaceRootSerializer, NoteSerializer


class SchemeView(InstrumentedView, APIView):
    scheme = None  # the namespace, set by as_view(scheme=...)


class NamespaceRootView(SchemeView):
    """The namespace's endpoints, and how to authenticate to them."""

    permission_classes = [AllowAny]
    endpoint_names = ["me", "notes-list", "login", "logout", "refresh", "verify", "jwks"]

    def get_view_name(self):
        return f"/api/{self.scheme}/: {registry.scheme(self.scheme).title}"

    def get_view_description(self, html=False):
        text = registry.scheme(self.scheme).how
        return format_html("<p>{}</p>", text) if html else text  # html: marked safe, as DRF's own is

    @extend_schema(responses=NamespaceRootSerializer)
    def get(self, request):
        scheme = registry.scheme(self.scheme)
        endpoints = {}
        for name in self.endpoint_names:
            with suppress(NoReverseMatch):  # a namespace without this scheme's own endpoint
                endpoints[name] = request.build_absolute_uri(reverse(f"{self.scheme}:{name}"))
        return Response(
            {
                "namespace": scheme.ns,
                "scheme": scheme.title,
                "how_to_authenticate": scheme.how,
                "endpoints": endpoints,
                "openapi": {
                    "schema": request.build_absolute_uri(reverse("schema")),
                    "swagger_ui": request.build_absolute_uri(reverse("swagger-ui")) + f"#/{scheme.ns}",
                },
            }
        )


class MeView(SchemeView):
    """Who the namespace's scheme says you are."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        return Response({"username": user.username if user.is_authenticated else None, "scheme": self.scheme})


class OwnNotesMixin:
    serializer_class = NoteSerializer

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:
            return Note.objects.none()
        # By id, not by user object: jwt-stateless never loads the user.
        return Note.objects.filter(owner_id=user.id)


class NoteListView(InstrumentedView, OwnNotesMixin, generics.ListCreateAPIView):
    """Your own notes. POST a title and a body to add one."""

    scheme = None
    checks_access_in_view = ("POST",)  # perform_create refuses an anonymous writer (public allows any reader)

    def perform_create(self, serializer):
        if not self.request.user.is_authenticated:
            raise NotAuthenticated("Notes belong to a user: log in to write one.")
        # jwt-stateless never loads the user and token-cached may answer from its
        # cache, so either can name an account deleted since: the insert would
        # then break the owner foreign key (a 500). One query, on writes only.
        if not get_user_model().objects.filter(pk=self.request.user.id).exists():
            raise AuthenticationFailed("The account this credential belongs to no longer exists.", "user_not_found")
        serializer.save(owner_id=self.request.user.id)


class NoteDetailView(InstrumentedView, OwnNotesMixin, generics.RetrieveUpdateDestroyAPIView):
    """One of your own notes; anyone else's is 404."""

    scheme = None


class ApiIndexView(SchemeView):
    """Every namespace serves the same resource under one scheme each; `client` says how a generic client logs in.

    `me_queries` and `reading` are what the benchmark's report needs of each
    namespace: it knows no namespace by name.
    """

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses=ApiIndexSerializer)
    def get(self, request):
        return Response(
            {
                "namespaces": {
                    s.ns: {
                        "url": request.build_absolute_uri(f"/api/{s.ns}/"),
                        "scheme": s.title,
                        "client": s.recipe.as_json(request),
                        "me_queries": s.me_queries,
                        "reading": s.reading,
                    }
                    for s in registry.schemes()
                }
            }
        )


class SwaggerUIView(SpectacularSwaggerView):
    """drf-spectacular's Swagger UI, under Django's own Cross-Origin-Opener-Policy (same-origin), not its unsafe-none.

    oauth2's "Authorize" opens a popup at this site's own authorization server,
    whose pages are same-origin; a popup keeps its `window.opener` (which its
    oauth2-redirect.html hands the code to) only if the opener's policy is the same.
    """

    schema = None  # a page, not an operation: out of the OpenAPI schema, as drf-spectacular keeps its own view

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Cross-Origin-Opener-Policy"] = "same-origin"
        return response
