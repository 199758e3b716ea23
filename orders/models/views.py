"""A staff member's saved views of the Orders table."""

from django.conf import settings
from django.db import models
from django.utils.timezone import now


class SavedView(models.Model):
    """A named query string of the Orders table (filters and sort), the user's own:
    nobody else sees it (orders.saved_views)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=60)
    query = models.CharField(
        max_length=1000, blank=True, help_text="The list's query string, normalized."
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"], name="saved_view_name_unique"
            )
        ]

    def __str__(self):
        return self.name
