"""The extra scheme's credential-side table: one row per authenticated request, like a library that logs its tokens' use."""

from django.conf import settings
from django.db import models


class Visit(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"visit of user {self.user_id} at {self.at}"
