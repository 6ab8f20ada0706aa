"""Rebuild every project's search documents.

Saves keep them current; this is for what bypasses saves (SQL run by hand, a bulk
``update()`` of partners' names) and for a language just added.
"""

from django.core.management.base import BaseCommand

from core import pagecache
from portfolio.models import Project
from portfolio.search import refresh_search_documents


class Command(BaseCommand):
    help = "Rebuild the search documents of every project from their texts, partners and regions."

    def handle(self, *args, **options):
        ids = list(Project.objects.values_list("pk", flat=True))
        refresh_search_documents(ids)
        pagecache.invalidate()  # search results may differ
        self.stdout.write(self.style.SUCCESS(f"Search documents rebuilt for {len(ids)} projects."))
