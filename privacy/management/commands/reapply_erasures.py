"""Erase again, after a backup is restored, everyone the erasure ledger holds.

Run it after every restore (docs/backups.md), before the site takes traffic
again; it is safe to run at any time and a second run changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from privacy import reapply, registry


class Command(BaseCommand):
    help = "Erase again every person in the erasure ledger who is back in the database (after a restore)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be erased.")

    def handle(self, *args, dry_run, **options):
        counts = reapply.reapply(dry_run=dry_run)
        verb = "would be erased" if dry_run else "erased again"
        self.stdout.write(
            f"Ledger entries read: {counts.entries}; people {verb}: {counts.people} ("
            + ", ".join(f"{plural}: {counts.rows.get((label, kind), 0)}" for label, kind, plural in registry.kinds())
            + ")"
        )
        if not dry_run:
            self.stdout.write(
                f"CRM erasure deliveries queued: {counts.crm_deliveries}; receipts: "
                + (", ".join(f"#{pk}" for pk in counts.receipts) or "none")
            )
        if counts.unreadable or counts.other_key:
            raise CommandError(
                f"{counts.unreadable} ledger entries could not be read and {counts.other_key} were written with "
                "another ERASURE_LEDGER_KEY: the people they name were NOT looked for. Restore the key "
                "(or the objects) and run this again."
            )
