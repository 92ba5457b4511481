"""The one protected resource every namespace serves, whatever its scheme.

The views know nothing about authentication: each namespace mounts them with its
own ``authentication_classes`` (see ``demo/urls.py``), the way DRF's own tests
mount one view several ways.
"""

import json
from contextlib import suppress
from time import perf_counter

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.views.generic import TemplateView
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from . import registry
from .middleware import current_step
from .models import Note
from .serializers import ApiIndexSerializer, MeSerializer, NamespaceRootSerializer, NoteSerializer


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
    """Every namespace serves the same resource under one scheme each; `client` says how a generic client logs in."""

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
                        "client": s.client.as_json(request),
                    }
                    for s in registry.schemes()
                }
            }
        )


class LandingView(TemplateView):
    """The comparison table for students, with figures the site measured itself."""

    template_name = "demo/index.html"

    def get_context_data(self, **kwargs):
        from . import account_events, database_leak
        from .capacity import capacity_column
        from .measure import landing_figures

        base = self.request.build_absolute_uri("/").rstrip("/")
        figures = landing_figures()
        rows = [
            {
                "scheme": s,
                "figures": figures.get(s.ns),
                "curl": [line.format(base=base) for line in s.curl],
            }
            for s in registry.schemes()
        ]
        # Measured only when asked: it takes seconds (Basic hashes the password on every
        # request) and holds a transaction open, so a first visit doesn't pay for it.
        if self.request.GET.get("measure") == "account-events":
            account_events.measured_once()
        table = account_events.measured_so_far()
        events = table and {"names": account_events.EVENTS, "rows": account_events.as_rows(table)}
        # The same for the stolen database: seconds too (it times the hashes an attacker would guess against).
        if self.request.GET.get("measure") == "database-leak":
            database_leak.measured_once()
        leaks = database_leak.measured_so_far()
        leak = leaks and {
            "rows": list(leaks.values()),
            "guessing": [database_leak.guessing_line(row) for row in leaks.values() if row.guessing],
        }
        for row in rows:  # "When to choose": the stolen-database cell, once measured
            row["leak"] = leaks and leaks.get(row["scheme"].ns)
        capacity = capacity_column()  # requests per second: make bench's, or compare_auth's ratio
        for row in rows:
            row["capacity"] = capacity["cells"].get(row["scheme"].ns)
        return super().get_context_data(
            rows=rows, base=base, account_events=events, database_leak=leak, capacity=capacity, **kwargs
        )


class RaceView(TemplateView):
    """The race: the browser logs in to each scheme through the real endpoints, then times the same GET me/ in each."""

    template_name = "demo/race.html"

    def get_context_data(self, **kwargs):
        hasher = get_hasher()  # what Basic pays on every request, named on the page
        lanes = [{"scheme": s, "client": json.dumps(s.client.as_json(self.request))} for s in registry.schemes()]
        return super().get_context_data(
            lanes=lanes,
            hasher=hasher.algorithm,
            iterations=getattr(hasher, "iterations", None),
            **kwargs,
        )
