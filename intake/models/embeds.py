"""Where the embedded registration form is loaded from."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from places.models import Municipality


class EmbedLoad(models.Model):
    """When the embedded form was last loaded from one allowed website."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    origin = models.CharField(_("website"), max_length=200)
    last_loaded_at = models.DateTimeField(_("last loaded"))

    class Meta:
        verbose_name = _("embedded form load")
        permissions = [
            (
                "manage_embed",
                _("Can see the embed code and edit the allowed websites of their municipality"),
            )
        ]
        constraints = [models.UniqueConstraint(fields=["municipality", "origin"], name="one_load_row_per_origin")]

    def __str__(self):
        return f"{self.origin} ({self.last_loaded_at:%Y-%m-%d})"
