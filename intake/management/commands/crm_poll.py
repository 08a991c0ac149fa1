"""Fetch the CRM's answers (first contact, move status) when SuperOffice's
webhooks are not available: SUPEROFFICE_ANSWERS=poll, `--every 300`."""

import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from intake.answers import poll

logger = logging.getLogger("intake.answers")


class Command(BaseCommand):
    help = "Read completed follow-ups and move statuses from SuperOffice (SUPEROFFICE_ANSWERS=poll)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (0: run once).")

    def handle(self, *args, every, **options):
        if settings.SUPEROFFICE_ANSWERS != "poll":
            self.stdout.write("SUPEROFFICE_ANSWERS is not 'poll': nothing to do.")
            return
        while True:
            try:
                self.stdout.write(f"{poll()} registration(s) changed.")
            except Exception:
                logger.exception("crm poll round failed")
            if not every:
                return
            time.sleep(every)
