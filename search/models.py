"""What visitors searched for and did not find (Wagtail's search promotions
already count every query; this adds the misses editors should act on)."""

import re

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# An e-mail address, or a run of 7+ digits (spaces, dashes allowed): a phone or personal number.
LOOKS_PERSONAL = re.compile(r"\S@\S|\d(?:[\s-]?\d){6,}")


class MissedQuery(models.Model):
    """A search that found nothing, counted per language so editors can fill the gap.

    Kept MISSED_SEARCH_RETENTION_DAYS after it was last searched
    (`manage.py prune_missed_searches`, daily in housekeeping).
    """

    query_string = models.CharField(_("search"), max_length=100)
    language = models.CharField(_("language"), max_length=10)
    hits = models.PositiveIntegerField(_("times searched"), default=0)
    last_searched = models.DateTimeField(_("last searched"), default=timezone.now)

    class Meta:
        verbose_name = _("search without results")
        verbose_name_plural = _("searches without results")
        ordering = ["-hits", "-last_searched"]
        constraints = [
            models.UniqueConstraint(fields=["query_string", "language"], name="one_missed_query_per_language")
        ]

    def __str__(self):
        return self.query_string

    @classmethod
    def record(cls, query_string, language):
        if LOOKS_PERSONAL.search(query_string):
            return  # an e-mail address or a phone number: not kept, even as a statistic
        missed, _created = cls.objects.get_or_create(query_string=query_string[:100], language=language)
        cls.objects.filter(pk=missed.pk).update(hits=F("hits") + 1, last_searched=timezone.now())
