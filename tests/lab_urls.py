"""The site's URLconf as DJANGO_DEBUG=1 builds it (config/urls.py mounts the lab only with DEBUG on)."""

from config.urls import LAB
from config.urls import urlpatterns as site

urlpatterns = [*site, *LAB]
