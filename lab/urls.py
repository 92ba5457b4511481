"""/lab/ on the API's origin (the victim's side). The other sites' pages are in sites_urls.py."""

from django.urls import path

from . import views

# URL names without an app namespace: "lab" is the topic the pages' menu names (pages/topics.py).
urlpatterns = [
    path("", views.LabView.as_view(), name="lab"),
    path("probe/set/", views.ProbeSetView.as_view(), name="lab-probe-set"),
    path("probe/echo/", views.ProbeEchoView.as_view(), name="lab-probe-echo"),
    path("stolen/", views.StolenView.as_view(), name="lab-stolen"),  # ?run=<the run id>
    path("app-client/", views.AppClientView.as_view(), name="lab-app-client"),
    # The same-site front end: this page, served on the API's port + 1 (make demo's second bind).
    path("front-end/", views.SameSiteFrontEndView.as_view(), name="lab-front-end"),
]
