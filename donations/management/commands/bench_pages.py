"""Time the public pages and count their SQL queries against the current database.

Run it on a portfolio made by ``generate_portfolio`` (``make bench`` does both on a
throw-away SQLite file) to see how the pages behave at scale.
"""

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from partners.models import Partner
from portfolio.models import Project, Region


class Command(BaseCommand):
    help = "Print the median time and the SQL queries of each public page."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20, help="Requests per page.")

    def handle(self, *args, repeat, **options):
        project = Project.objects.published().order_by("pk").first()
        if project is None:
            raise CommandError("No published project: run generate_portfolio first.")
        partner = project.partners.order_by("pk").first()
        region = Region.objects.filter(parent__isnull=True).order_by("pk").first()
        client = Client(HTTP_HOST="127.0.0.1")
        counts = (
            f"{Project.objects.published().count()} published projects, "
            f"{Partner.objects.count()} partners, {Region.objects.count()} regions"
        )
        self.stdout.write(counts)
        self.stdout.write(f"{'page':<34}{'status':>7}{'queries':>9}{'median ms':>11}{'max ms':>9}")
        for language in ("fr", "en"):
            with translation.override(language):
                pages = {
                    "home": reverse("portfolio:home"),
                    "project list": reverse("portfolio:project_list"),
                    "project list, page 3": reverse("portfolio:project_list") + "?page=3",
                    "search": reverse("portfolio:project_list") + "?q=project",
                    "project": project.get_absolute_url(),
                    "pledge form": reverse("donations:pledge", kwargs={"slug": project.slug}),
                    "partner": partner.get_absolute_url() if partner else None,
                    "region": region.get_absolute_url() if region else None,
                    "feed": reverse("portfolio:feed"),
                }
            for name, path in pages.items():
                if path:
                    self._measure(client, f"{name} ({language})", path, repeat)
        self._measure(client, "sitemap", "/sitemap.xml", repeat)

    def _measure(self, client, name, path, repeat):
        client.get(path)  # warm the template and URL caches
        timings = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
        self.stdout.write(
            f"{name:<34}{response.status_code:>7}{len(queries):>9}"
            f"{statistics.median(timings):>11.1f}{max(timings):>9.1f}"
        )
