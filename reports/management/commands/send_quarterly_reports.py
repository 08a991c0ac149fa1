from django.core.management.base import BaseCommand

from reports import quarterly_mail


class Command(BaseCommand):
    help = "E-mail each municipality's report contacts a link to the last quarter's report (once per quarter)."

    def handle(self, *args, **options):
        told = quarterly_mail.send_quarterly_reports()
        if options["verbosity"]:
            self.stdout.write(f"Quarterly report e-mails queued: {len(told)}")
