"""Sitemap sections for the public pages of projects and regions."""

from django.urls import reverse

from core.rows import RowsByKey
from core.sitemaps import TranslatedSitemap, slug_columns

from . import catalogue
from .models import Project, Region


class PageSitemap(TranslatedSitemap):
    """The pages that list things: home, projects, partners."""

    priority = 0.8
    changefreq = "weekly"

    outside_catalogue = True

    def items(self):
        return ["portfolio:home", "portfolio:project_list", "partners:partner_list"]

    def location(self, item):
        return reverse(item)


# An entry's address and date: rows, not model instances, for a thousand at a time.
ITEM_COLUMNS = ("pk", "updated_at", *slug_columns())
# The same, read by key with a query compiled once: the entries written anew after an edit.
_ITEMS_BY_KEY = RowsByKey(Project, only=lambda: ITEM_COLUMNS[1:])


class ProjectSitemap(TranslatedSitemap):
    priority = 1.0
    changefreq = "weekly"
    lastmod_field = "updated_at"
    project_content = True
    url_name = "portfolio:project_detail"

    def items(self):
        return Project.objects.published().order_by("pk").values_list(*ITEM_COLUMNS, named=True)

    def items_by_key(self, pks):
        return _ITEMS_BY_KEY(pks).values()

    def kept_count(self) -> int | None:
        counts = catalogue.kept_summary()
        return None if counts is None else counts.projects

    def lastmod(self, project):
        return project.updated_at


class RegionSitemap(TranslatedSitemap):
    priority = 0.5
    changefreq = "monthly"
    outside_catalogue = True
    url_name = "portfolio:region_detail"

    def items(self):
        return Region.objects.order_by("pk").values_list("pk", *slug_columns(), named=True)
