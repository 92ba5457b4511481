"""The whole of what evil.localhost and app.localhost serve (lab/middleware.py routes them here)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.AttackerPageView.as_view(), name="attacker"),
    path("collect/", views.CollectView.as_view(), name="collect"),  # ?run=<id>&loot=<JSON>
    path("front-end/", views.CrossSiteFrontEndView.as_view(), name="cross-site-front-end"),
]
