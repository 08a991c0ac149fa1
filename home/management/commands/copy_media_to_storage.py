"""Copy an existing media directory (var/media) into the configured storage.

For the move to object storage (docs/deployment.md): run it once with the
production settings, MEDIA_S3_* set, against the old `media` volume:

    manage.py copy_media_to_storage --source /app/var/media

Idempotent: a file already in the storage with the same size is skipped, so
an interrupted copy is simply run again. Names are kept, so the database's
image, rendition and document rows point at the copies.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Copy a media directory (default MEDIA_ROOT) into a storage (default: STORAGES['default'])."

    def add_arguments(self, parser):
        parser.add_argument("--source", default=None, help="The directory to copy (default MEDIA_ROOT).")
        parser.add_argument("--storage", default="default", help="The STORAGES alias to copy into.")
        parser.add_argument("--dry-run", action="store_true", help="Count, copy nothing.")

    def handle(self, *args, source, storage, dry_run, **options):
        root = Path(source or settings.MEDIA_ROOT)
        if not root.is_dir():
            raise CommandError(f"{root} is not a directory.")
        target = storages[storage]
        copied = skipped = copied_bytes = 0
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
            name = path.relative_to(root).as_posix()
            size = path.stat().st_size
            if target.exists(name) and target.size(name) == size:
                skipped += 1
                continue
            if not dry_run:
                self.copy(target, path, name)
            copied += 1
            copied_bytes += size
            if options["verbosity"] > 1:
                self.stdout.write(f"copied {name}")
        verb = "would copy" if dry_run else "copied"
        self.stdout.write(f"{verb} {copied} file(s) ({copied_bytes} bytes), skipped {skipped} already there")

    def copy(self, target, path, name):
        # A different size means an interrupted or stale copy: replace it
        # under the same name (the storage would otherwise pick a new one).
        if target.exists(name):
            target.delete(name)
        with path.open("rb") as handle:
            try:
                saved = target.save(name, File(handle, name=name))
            except SuspiciousFileOperation as error:
                raise CommandError(f"{name}: {error}") from error
        if saved != name:
            raise CommandError(f"{name} was stored as {saved} (the storage renamed it): stopped.")
