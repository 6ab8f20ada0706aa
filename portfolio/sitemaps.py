"""Sitemap sections for the public pages of projects and regions."""

from django.urls import reverse

from core.rows import PreparedQuery, RowsByKey
from core.sitemaps import TranslatedSitemap, slug_columns

from . import catalogue
from .models import Project, PublicationQuerySet, Region


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
# The latest change of a published project (from the end of an index), with a query
# compiled once: the index asks it again after each change of the catalogue.
_LATEST = PreparedQuery(
    Project,
    lambda now, keys: (
        PublicationQuerySet(Project)
        .published(now=now)
        .order_by("-updated_at")
        .values_list("updated_at")[:1]
    ),
)


class ProjectSitemap(TranslatedSitemap):
    priority = 1.0
    changefreq = "weekly"
    lastmod_field = "updated_at"
    project_content = True
    url_name = "portfolio:project_detail"

    def items(self):
        # Their latest date is read with a query of its own (``_LATEST``): the same rows.
        return Project.objects.published().order_by("pk").values_list(*ITEM_COLUMNS, named=True)

    def items_by_key(self, pks):
        return _ITEMS_BY_KEY(pks).values()

    def latest_date(self):
        found = _LATEST()
        return found[0][0] if found else None

    def kept_count(self) -> int | None:
        counts = catalogue.kept_summary()
        return None if counts is None else counts.projects

    def kept(self, name: str, vary: tuple, compute):
        """Kept across the changes of the catalogue that leave every published project as
        it was (a draft's) or move only places or partners (which the section does not
        show), as the list of projects keeps its count and pages. Named apart from what
        the base keeps: the value is kept with the change it was made at."""
        return catalogue.kept_apart_from(None, partners_apart=True)(f"{name}-apart", vary, compute)

    def lastmod(self, project):
        return project.updated_at


class RegionSitemap(TranslatedSitemap):
    priority = 0.5
    changefreq = "monthly"
    outside_catalogue = True
    url_name = "portfolio:region_detail"

    def items(self):
        return Region.objects.order_by("pk").values_list("pk", *slug_columns(), named=True)
