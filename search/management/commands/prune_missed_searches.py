import datetime
import logging

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from search.models import MissedQuery

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Delete searches without results not searched for MISSED_SEARCH_RETENTION_DAYS."

    def handle(self, *args, **options):
        cutoff = timezone.now() - datetime.timedelta(days=settings.MISSED_SEARCH_RETENTION_DAYS)
        deleted, _ = MissedQuery.objects.filter(last_searched__lt=cutoff).delete()
        logger.info("retention: missed_searches=%s", deleted)
        self.stdout.write(f"Deleted {deleted} searches without results.")
