from django.core.management.base import BaseCommand

from reports.quarterly_mail import send_quarterly_reports


class Command(BaseCommand):
    help = "E-mail each municipality's report contacts a link to the last quarter's report (once per quarter)."

    def handle(self, *args, **options):
        told = send_quarterly_reports()
        if options["verbosity"]:
            self.stdout.write(f"Quarterly report e-mails queued: {len(told)}")
