"""What the quarterly report keeps of its own: page views as daily counts
per page (no visitor, no address, no identifier; docs/data-protection.md),
and which report e-mails have gone out."""

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PageViewDay(models.Model):
    """How often one page was viewed on one day (Europe/Stockholm)."""

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("page views of a day")
        verbose_name_plural = _("page views per day")
        constraints = [models.UniqueConstraint(fields=["page", "date"], name="one_count_per_page_and_day")]
        indexes = [models.Index(fields=["date"], name="pageviewday_date")]

    def __str__(self):
        return f"{self.page_id} {self.date}: {self.views}"

    @classmethod
    def count(cls, page_id, day=None, views=1):
        """Add views to a page's count of the day; safe when two requests race."""
        day = day or timezone.localdate()
        if cls.objects.filter(page_id=page_id, date=day).update(views=F("views") + views):
            return
        try:
            with transaction.atomic():
                cls.objects.create(page_id=page_id, date=day, views=views)
        except IntegrityError:  # created meanwhile by another request
            cls.objects.filter(page_id=page_id, date=day).update(views=F("views") + views)


class QuarterlyReportSent(models.Model):
    """One row per quarter and address: the scheduler may run twice, the e-mail goes once."""

    quarter = models.CharField(_("quarter"), max_length=7)  # "2026-Q3"
    email = models.EmailField(_("e-mail"))
    municipality = models.ForeignKey("places.Municipality", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("quarterly report e-mail")
        verbose_name_plural = _("quarterly report e-mails")
        constraints = [
            models.UniqueConstraint(fields=["quarter", "municipality", "email"], name="one_report_mail_per_quarter")
        ]

    def __str__(self):
        return f"{self.quarter} → {self.email}"
