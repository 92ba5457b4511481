"""/lab/ on the API's origin (the victim's side). The other sites' pages are in sites_urls.py."""

from django.urls import path

from . import views

app_name = "lab"
urlpatterns = [
    path("", views.LabView.as_view(), name="index"),
    path("probe/set/", views.ProbeSetView.as_view(), name="probe-set"),
    path("probe/echo/", views.ProbeEchoView.as_view(), name="probe-echo"),
    path("stolen/", views.StolenView.as_view(), name="stolen"),  # ?run=<the run id>
    path("app-client/", views.AppClientView.as_view(), name="app-client"),
    # The same-site front end: this page, served on the API's port + 1 (make demo's second bind).
    path("front-end/", views.SameSiteFrontEndView.as_view(), name="front-end"),
]
