"""Erasure receipts (Art. 17). The access log itself is `intake.AccessLogEntry`."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ErasureReceipt(models.Model):
    """What one erasure removed, by type and id, without the erased data:
    kept as the controller's proof that the request was carried out."""

    wagtail_reference_index_ignore = True

    erased_at = models.DateTimeField(_("erased"), default=timezone.now)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("erased by")
    )
    # [{"what": "registration", "id": 12, "done": "anonymised"}, …]
    items = models.JSONField(_("what was erased"), default=list)
    # The CRM erasure deliveries (intake.Delivery ids): their status is the CRM's part.
    crm_deliveries = models.JSONField(_("CRM erasure deliveries"), default=list)
    # The erasure ledger (privacy/ledger.py): the object this erasure is
    # written to, outside the database, so that a restored backup cannot bring
    # the person back. `ledger_entry` holds the entry (keyed hashes only) until
    # it is written; then it is emptied and `ledger_written_at` set.
    ledger_name = models.CharField(_("erasure ledger entry"), max_length=200, blank=True)
    ledger_entry = models.JSONField(default=dict, blank=True)
    ledger_written_at = models.DateTimeField(_("written to the erasure ledger"), null=True, blank=True)

    class Meta:
        verbose_name = _("erasure receipt")
        verbose_name_plural = _("erasure receipts")
        ordering = ["-erased_at"]

    def __str__(self):
        return f"Erasure #{self.pk}"

    @property
    def ledger_pending(self):
        """Erased, but not yet recorded outside the database: a restore could bring the person back."""
        return bool(self.ledger_name) and self.ledger_written_at is None
