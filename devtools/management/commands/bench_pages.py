"""Count the SQL queries and bytes of the benchmarked pages against the current database.

``manage.py bench`` runs it once per database, with the servers' settings, and reads its
``--json`` output; run by hand it prints a table.
"""

import json

from django.core.cache import cache
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from devtools.commands import DeveloperCommand
from devtools.middleware import show_partners_of
from devtools.pages import bench_pages, bench_project
from donations.models import Sponsorship
from partners.models import Partner
from portfolio.models import Project

TRANSACTION_MARKS = {"BEGIN", "COMMIT", "ROLLBACK"}


class Command(DeveloperCommand):
    help = "Print each benchmarked page's SQL queries (cache empty, then again) and size."

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="Print JSON for `bench`."
        )
        parser.add_argument(
            "--show-partners",
            action="store_true",
            help="First show every partner of the measured project (the shown mode hides one).",
        )

    def handle(self, *args, as_json=False, show_partners=False, **options):
        try:
            if show_partners:
                show_partners_of(bench_project().pk)
            pages = bench_pages()
            project = bench_project().pk
        except LookupError as error:
            raise CommandError(str(error)) from error
        client = Client(HTTP_HOST="127.0.0.1")
        measured = []
        for name, path in pages:
            cache.clear()  # The first request finds nothing cached, the second may.
            miss, response = self._get(client, path)
            hit, _again = self._get(client, path)
            measured.append(
                {
                    "name": name,
                    "path": path,
                    "status": response.status_code,
                    "queries_miss": miss,
                    "queries_hit": hit,
                    "bytes": len(response.content),
                }
            )
        counts = {
            "projects": Project.objects.published().count(),
            "partners": Partner.objects.count(),
            "sponsorships": Sponsorship.objects.count(),
        }
        if as_json:
            found = {"counts": counts, "pages": measured, "project": project}
            self.stdout.write(json.dumps(found))
            return
        self.stdout.write(", ".join(f"{value} {key}" for key, value in counts.items()))
        self.stdout.write(f"{'page':<20}{'status':>7}{'queries miss/hit':>18}{'bytes':>9}  address")
        for page in measured:
            queries = f"{page['queries_miss']}/{page['queries_hit']}"
            self.stdout.write(
                f"{page['name']:<20}{page['status']:>7}{queries:>18}{page['bytes']:>9}"
                f"  {page['path']}"
            )

    def _get(self, client, path):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        # Django logs the transaction that ATOMIC_REQUESTS opens as BEGIN and COMMIT even
        # when nothing is sent to the server; only statements count.
        statements = [q for q in queries.captured_queries if q["sql"] not in TRANSACTION_MARKS]
        return len(statements), response
