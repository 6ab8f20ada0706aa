"""Issue the year's receipts of the donors who asked for one receipt a year."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from donations.receipts import issue_annual_receipts


class Command(BaseCommand):
    help = (
        "Issue one official donation receipt per donor with the annual preference, for the "
        "gifts of --year not yet covered by a receipt, and email them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args, year, **options):
        if not 2000 <= year <= timezone.localdate().year:
            raise CommandError(f"Not a year that can be receipted: {year}")
        issued, skipped = issue_annual_receipts(year)
        for line in skipped:
            self.stderr.write(f"Skipped donor {line}")
        self.stdout.write(f"Issued {len(issued)} annual receipt(s) for {year}.")
