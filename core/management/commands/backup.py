"""Back up the database and the uploaded media into one new, timestamped folder."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from core import backups


class Command(BaseCommand):
    help = (
        "Copy the database (pg_dump -Fc, or SQLite's backup API) and every media file, "
        "with their SHA-256 hashes, into a new folder backup-YYYYMMDD-HHMMSS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=str(settings.BACKUP_DIR),
            help="Folder that receives the new backup folder (default: BACKUP_DIR).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        try:
            folder = backups.backup(Path(options["output_dir"]), alias=options["database"])
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        # The path alone on stdout, so a script can use it.
        self.stdout.write(str(folder))
