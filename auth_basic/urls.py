"""HTTP Basic adds no endpoints of its own to /api/basic/."""

urlpatterns = []
