"""Delete finished background tasks older than TASK_RESULT_RETENTION_HOURS.

A task's arguments are kept with its result: for an e-mail that is the
recipient, the subject and the whole body (a relayed message with the
visitor's name, address and text; an ambassador's private address). They
are needed only until the task has run; docs/data-protection.md promises
relayed messages are not kept. docker compose's `housekeeping`
service runs this every hour; without containers, run it from cron.
"""

import datetime
import logging

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

FINISHED = ("SUCCESSFUL", "FAILED")


def prune_task_results(hours=None, now=None):
    hours = settings.TASK_RESULT_RETENTION_HOURS if hours is None else hours
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=hours)
    deleted, _ = DBTaskResult.objects.filter(status__in=FINISHED, finished_at__lt=cutoff).delete()
    logger.info("retention: task_results_deleted=%s", deleted)
    return deleted


class Command(BaseCommand):
    help = "Delete finished task results (and the e-mails in their arguments) older than N hours."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=None, help="Default: TASK_RESULT_RETENTION_HOURS (24).")

    def handle(self, *args, hours=None, **options):
        deleted = prune_task_results(hours)
        if options["verbosity"]:
            self.stdout.write(f"Deleted {deleted} finished task results.")
