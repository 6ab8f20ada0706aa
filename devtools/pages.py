"""The public pages the benchmark measures, chosen from the current database."""

from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import translation

from partners.models import Partner
from portfolio.models import Project, Region

DEMO_PROJECT_SLUG = "prevenir-la-traite-des-etres-humains-dans-les-regions-rurales"
FLOOR = "floor"
SEARCHES = {"search-eau-ecole": "eau ecole", "search-traite": "traite"}
# Every page bench_pages() may return, in its order.
PAGE_NAMES = (
    FLOOR,
    "home",
    "projects",
    "projects-filtered",
    "projects-page-500",
    *SEARCHES,
    "project",
    "project-en",
    "partners",
    "partner",
    "region",
    "feed",
    "sitemap",
    "sitemap-projects",
)


def bench_project() -> Project:
    """Return the project whose pages are measured: the demo project, else the first one."""
    published = Project.objects.published()
    project = (
        published.filter(slug_fr=DEMO_PROJECT_SLUG).first() or published.order_by("pk").first()
    )
    if project is None:
        raise LookupError("No published project: run load_demo or generate_portfolio first.")
    return project


def bench_pages() -> list[tuple[str, str]]:
    """Return (name, address) of each measured page, the floor view first when it is on.

    The demo project, the country India and the partner with the most projects are
    preferred; any published project, country and partner do when they are missing.
    """
    published = Project.objects.published()
    project = bench_project()
    countries = Region.objects.filter(parent__isnull=True)
    region = countries.filter(country="IN").order_by("pk").first() or countries.first()
    partner = (
        Partner.objects.public()
        .annotate(n=Count("projects", filter=Q(projects__in=published)))
        .order_by("-n", "pk")
        .first()
    )

    pages = []
    if settings.BENCH_FLOOR_VIEW:
        pages.append((FLOOR, reverse("bench_floor")))
    with translation.override("fr"):
        projects = reverse("portfolio:project_list")
        pages += [
            ("home", reverse("portfolio:home")),
            ("projects", projects),
        ]
        if region is not None:
            query = urlencode({"region": region.slug, "status": project.status})
            pages.append(("projects-filtered", f"{projects}?{query}"))
        # Deep in the list (the last page when there are fewer).
        pages.append(("projects-page-500", f"{projects}?page=500"))
        pages += [(name, f"{projects}?{urlencode({'q': q})}") for name, q in SEARCHES.items()]
        pages.append(("project", project.get_absolute_url()))
    with translation.override("en"):
        pages.append(("project-en", project.get_absolute_url()))
    with translation.override("fr"):
        pages.append(("partners", reverse("partners:partner_list")))
        if partner is not None:
            pages.append(("partner", partner.get_absolute_url()))
        if region is not None:
            pages.append(("region", region.get_absolute_url()))
        pages.append(("feed", reverse("portfolio:feed")))
    pages.append(("sitemap", reverse("sitemap")))
    pages.append(("sitemap-projects", reverse("sitemap_section", kwargs={"section": "projects"})))
    return pages
