"""Fetch the CRM's answers (first contact, move status) once, now, when
SuperOffice's webhooks are not available (SUPEROFFICE_ANSWERS=poll). The
scheduler (`run_scheduler`) runs the same poll every five minutes."""

from django.conf import settings
from django.core.management.base import BaseCommand

from intake.answers import poll


class Command(BaseCommand):
    help = "Read completed follow-ups and move statuses from SuperOffice once (SUPEROFFICE_ANSWERS=poll)."

    def handle(self, *args, **options):
        if settings.SUPEROFFICE_ANSWERS != "poll":
            self.stdout.write("SUPEROFFICE_ANSWERS is not 'poll': nothing to do.")
            return
        self.stdout.write(f"{poll()} registration(s) changed.")
