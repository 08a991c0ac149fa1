from django.core.management.base import BaseCommand

from tasteget.translations import ensure_locales


class Command(BaseCommand):
    help = (
        "Create a locale for each language in TASTEGET_LANGUAGES and fill the extra ones (not sv, en) "
        "with aliases of the Swedish pages until editors translate them. Safe to run again."
    )

    def handle(self, *args, **options):
        synchronised = ensure_locales()
        if options["verbosity"]:
            self.stdout.write(f"Locales ready; synchronised from Swedish: {', '.join(synchronised) or 'none'}.")
