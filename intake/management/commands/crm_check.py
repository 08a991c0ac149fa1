"""Check the SuperOffice tenant's setup for the bridge; docs/crm-bridge.md,
"Connecting a real tenant", follows its output line by line."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from intake.crm_check import check


class Command(BaseCommand):
    help = "Check that SuperOffice is set up for the bridge (sign-in, defaults, owners, fields, consents)."

    def handle(self, *args, **options):
        # In English, as docs/crm-bridge.md quotes it line by line; the admin's
        # CRM check page shows the same findings in the staff's language.
        with translation.override("en"):
            findings = check()
        for finding in findings:
            style = self.style.SUCCESS if finding.ok else self.style.ERROR
            self.stdout.write(style(("ok     " if finding.ok else "WRONG  ") + finding.text))
        problems = sum(not finding.ok for finding in findings)
        if problems:
            raise CommandError(f"{problems} problem(s) found; see docs/crm-bridge.md, 'Connecting a real tenant'.")
        self.stdout.write("Everything the bridge needs is in place.")
