"""The site's recurring jobs while it runs (`make run`, compose): every
minute, scheduled pages go live (and expire) on time; once a day, ambassador
applications past their retention are deleted and each municipality's
advisers get their digest of new and overdue registrations.

A database outage does not stop the loop: the round is logged and tried
again at the next minute.
"""

import logging
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from intake.work import send_daily_digests

logger = logging.getLogger(__name__)


def run_once(daily=True):
    """One round of the recurring jobs; the daily ones too when `daily`."""
    call_command("publish_scheduled", verbosity=0)
    send_daily_digests()  # limits itself: working days from 07:00, once a day
    if daily:
        call_command("purge_ambassador_applications", verbosity=0)


class Command(BaseCommand):
    help = "Run the recurring jobs (scheduled publishing) once, or every N seconds with --every."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (0: run once).")

    def handle(self, *args, every, **options):
        last_daily = None
        while True:
            close_old_connections()
            today = timezone.localdate()
            try:
                run_once(daily=last_daily != today)
                last_daily = today
            except DatabaseError:
                if not every:
                    raise
                logger.exception("Housekeeping round failed; trying again in %s s", every)
            if not every:
                return
            time.sleep(every)
