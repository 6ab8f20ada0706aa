"""Put every page kept by the page cache out of date (after a change made outside the
admin, e.g. an SQL fix or a restore)."""

from django.core.management.base import BaseCommand

from core import pagecache


class Command(BaseCommand):
    help = "Put every cached public page out of date; the next request renders it anew."

    def handle(self, *args, **options):
        pagecache.clear()
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS("Cached pages are out of date."))
