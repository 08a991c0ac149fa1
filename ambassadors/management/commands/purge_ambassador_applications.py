"""Delete ambassador applications that did not make an ambassador, as the
consent text promises ("deleted 12 months after I applied at the latest").
Run it daily; docs/data-protection.md explains the retention."""

import logging

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.models import ModelLogEntry

from ambassadors.models import AmbassadorApplication

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Delete ambassador applications not accepted that were received more than 12 months ago."

    def handle(self, *args, **options):
        pks = [str(pk) for pk in AmbassadorApplication.objects.past_retention().values_list("pk", flat=True)]
        with transaction.atomic():
            # The admin's history labels each entry with the applicant's name.
            ModelLogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(AmbassadorApplication), object_id__in=pks
            ).delete()
            count, _details = AmbassadorApplication.objects.filter(pk__in=pks).delete()
        logger.info("retention: ambassador_applications_deleted=%s", count)
        if options["verbosity"]:
            self.stdout.write(f"Deleted {count} ambassador applications.")
