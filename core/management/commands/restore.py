"""Restore a backup made by ``manage.py backup`` into an empty database and media folder."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from core import backups, pagecache


class Command(BaseCommand):
    help = (
        "Restore a backup folder into the configured database and MEDIA_ROOT, which must be "
        "empty (--force replaces what they hold), then check every media file's SHA-256."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="A backup-YYYYMMDD-HHMMSS folder.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that has tables and media that has files.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        try:
            manifest = backups.restore(
                Path(options["folder"]), alias=options["database"], force=options["force"]
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        # Pages and fragments kept before the restore show content that may no longer exist.
        pagecache.clear()
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Restored the database and {len(manifest['media'])} media files "
                    f"from the backup of {manifest['created_at']}; every hash matches."
                )
            )
