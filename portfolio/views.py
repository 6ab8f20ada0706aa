import copy
import functools
import hashlib
import itertools
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.core.validators import slug_re
from django.db import router
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.http import HttpResponse, HttpResponseServerError, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from core import fragments, preview
from core.i18n import get_by_translated_slug, object_urls_by_language
from core.pagecache import public_page
from core.pagination import KeysFirstPaginator, ranked_keys
from core.rows import PreparedQuery
from core.spreadsheets import csv_delimiter, csv_lines, spreadsheet_number, spreadsheet_safe
from core.text_search import fold
from partners.models import Partner
from partners.views import partner_rows

from . import catalogue
from .forms import ProjectFilterForm
from .models import (
    Partnership,
    Project,
    ProjectQuerySet,
    ProjectUpdate,
    ProjectUpdateQuerySet,
    Publication,
    PublicationQuerySet,
    Region,
    Sector,
    long_columns,
    publication_condition,
    publication_state,
)
from .rows import (
    kept_regions,
    kept_sectors,
    newest_published,
    published_page_row,
    related_rows,
    with_sectors,
)
from .search import SEARCH_RANK

PROJECTS_PER_PAGE = 12
HOME_PROJECTS = 6
HOME_UPDATES = 4
HOME_PARTNERS = 8
# Partners offered in the project list's filter; the partner list leads to the others.
FILTER_PARTNERS = 20


def card_projects(queryset):
    """Return projects with what a project card shows, in a fixed number of queries."""
    return queryset.for_cards()


def keys(queryset) -> list[int]:
    """Return the primary keys of these projects, in order: what a kept list keeps.

    A card is kept on its own (``{% project_cards %}``), so a kept list holds no rows that
    a change to one project would leave stale; the cards not kept are loaded by key.
    """
    return list(queryset.values_list("pk", flat=True))


def region_tree(regions):
    """Return ``{region pk: [pks of the region and every region inside it]}``."""
    children = {}
    for region in regions:
        children.setdefault(region.parent_id, []).append(region.pk)

    def subtree(pk, seen):
        if pk in seen:  # A loop in bad data must not hang the page.
            return []
        seen.add(pk)
        found = [pk]
        for child in children.get(pk, []):
            found += subtree(child, seen)
        return found

    return {region.pk: subtree(region.pk, set()) for region in regions}


@public_page
@require_safe
def home(request):
    # Named anew when what it holds changed: a release serving meanwhile keeps its own.
    content = fragments.memo("home-content", (), home_content)
    news = home_news()
    # Its fragments are kept under both: they are drawn anew with what they show.
    stamps = {"stamp": content["stamp"], "news_stamp": news["stamp"]}
    return render(request, "portfolio/home.html", content | news | stamps)


def home_news() -> dict:
    """The latest field updates, kept apart from the rest of the home page: publishing one
    renders only this part anew (``fragments.NEWS``).

    Which updates they are is kept across the catalogue and corrected for the projects
    that changed it (published or unpublished, a project adds or takes out its updates);
    the updates themselves are kept across the catalogue under their keys, so a change of
    the catalogue that leaves them the latest reads one small query and draws nothing
    anew."""
    if not fragments.in_use():
        latest = ProjectUpdate.objects.published().order_by("-published_at", "-pk")
        return news_of(latest[:HOME_UPDATES])

    shown = latest_news_keys()

    def shown_news() -> dict:
        found = news_of(ProjectUpdate.objects.filter(pk__in=shown))
        by_pk = {update.pk: update for update in found["updates"]}
        return found | {"updates": [by_pk[pk] for pk in shown if pk in by_pk]}

    # Updates, their projects' titles and addresses: no name of a region, sector or partner.
    return fragments.memo(
        "home-news", (shown,), shown_news, across_catalogue=True, no_partners=True, no_names=True
    )


# The latest field updates kept across the catalogue, more than are shown: a project
# unpublished takes its own out and leaves enough (``catalogue.kept_first``).
NEWS_KEPT = 3 * HOME_UPDATES
# The latest field updates, and those of some projects: ``(key, project, published at)``,
# the queries built once per process.
_UPDATE_COLUMNS = ("pk", "project_id", "published_at")
_LATEST_UPDATES = newest_published(
    ProjectUpdate, ProjectUpdateQuerySet, NEWS_KEPT + 1, *_UPDATE_COLUMNS
)
_LATEST_UPDATES_OF = newest_published(
    ProjectUpdate, ProjectUpdateQuerySet, NEWS_KEPT + 1, *_UPDATE_COLUMNS, of="project"
)


def latest_news_keys() -> tuple[int, ...]:
    """Return the keys of the latest published field updates (``HOME_UPDATES``), kept
    across the catalogue under the version of every project's news (a field update
    published, changed or taken out moves it) and corrected for the projects that changed
    the catalogue since."""
    fragments.shows_news_of([fragments.ANY_PROJECT])
    every = fragments.ANY_PROJECT
    version = fragments.part_versions(fragments.NEWS, [every])[every]
    key = fragments.fragment_key(
        "news-first", version, across_catalogue=True, no_partners=True, no_names=True
    )
    found = catalogue.kept_first(
        key, HOME_UPDATES, NEWS_KEPT, _news_rows, _news_project, no_places=True
    )
    return tuple(pk for pk, _project in found)


def _news_rows(project_pks=None) -> list[tuple[tuple, tuple[int, int]]]:
    """Return ``(order key, (key, project))`` of the latest published field updates (one
    more than are kept), or of these projects' only, the latest first."""
    found = _LATEST_UPDATES() if project_pks is None else _LATEST_UPDATES_OF(project_pks)
    return sorted(
        (catalogue.latest_first(moment, pk), (pk, project)) for pk, project, moment in found
    )


def _news_project(row) -> int:
    return row[1][1]


def news_of(updates) -> dict:
    """Return these field updates with their projects, as the home page shows them."""
    fragments.shows_news_of([fragments.ANY_PROJECT])
    updates = list(
        updates.select_related("project").defer(*(f"project__{name}" for name in long_columns()))
    )
    # Each update names its project: renaming one renders this anew.
    fragments.shows_cards_of({update.project_id for update in updates})
    return {"stamp": uuid.uuid4().hex, "updates": updates}


def home_content() -> dict:
    """What the home page shows but its news, kept as a fragment (only editors' changes
    move it)."""
    counts = catalogue.kept_summary()
    if counts is not None:
        projects = catalogue.first_published(HOME_PROJECTS)
        partners, partner_versions = home_partners(counts)
        countries = [
            region
            for region in kept_regions()
            if region.parent_id is None and counts.projects_in(region.pk)
        ]
        shown = (projects, [p.pk for p in partners], [c.pk for c in countries], counts.figures)
        return {
            # What its parts show but names: they are kept under it across the catalogue.
            "shown": hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest(),
            "stamp": uuid.uuid4().hex,
            "projects": projects,
            "partners": partners,
            "partner_versions": tuple(sorted(partner_versions.items())),
            "countries": countries,
            "figures": counts.figures,
        }
    published = Project.objects.published()
    projects = keys(published[:HOME_PROJECTS])
    partners = partners_with_projects(published)[:HOME_PARTNERS]
    countries = [
        region
        for region in regions_with_projects(published)
        if region.parent_id is None and region.has_projects
    ]
    figures = published.aggregate(projects=Count("pk"), beneficiaries=Sum("beneficiaries"))
    stamp = uuid.uuid4().hex
    return {
        "shown": stamp,
        "stamp": stamp,
        "projects": projects,
        "partners": list(partners),
        "partner_versions": (),
        "countries": list(countries),
        "figures": figures,
    }


def partners_with_projects(published) -> QuerySet:
    """Return the public partners of these projects, by kind and name: read in the order
    of an index (``Partner.Meta.indexes``), each checked until there are enough."""
    return (
        Partner.objects.public()
        .filter(Exists(Partnership.objects.filter(partner=OuterRef("pk"), project__in=published)))
        .order_by("kind", "name", "pk")
    )


def first_partner_keys(read: int) -> list[int]:
    """Return the keys of the first ``read`` public partners by kind and name (which
    partners there are and their order: under ``ANY_PARTNER``, read before them)."""
    fragments.partner_versions([fragments.ANY_PARTNER])
    return list(
        Partner.objects.public().order_by("kind", "name", "pk").values_list("pk", flat=True)[:read]
    )


def shown_partners(shown: tuple[int, ...]) -> list[Partner]:
    """Return these partners' rows, by kind and name (under their versions, read first)."""
    fragments.partner_versions(shown)
    return list(Partner.objects.filter(pk__in=shown).order_by("kind", "name", "pk"))


def home_partners(counts: catalogue.Summary) -> tuple[list[Partner], dict]:
    """Return the first public partners, by kind and name, with published projects, and
    their versions.

    The first public partners in that order are read (in the order of an index, kept
    across the catalogue), a few times as many as shown, more only when too few of them
    have published projects: a partner saved reads a few rows, not every partner. Both are
    kept under the counts token and the partners' versions (the order under every
    partner's, the rows under those shown): a region or a sector saved keeps them, and
    the rows are kept across the saves of partners not shown."""
    read = 4 * HOME_PARTNERS
    while True:
        in_order = fragments.memo(
            "partners-in-order",
            (read,),
            functools.partial(first_partner_keys, read),
            across_catalogue=True,
            no_partners=True,
            no_names=True,
        )
        with_projects = (pk for pk in in_order if pk in counts.partners)
        shown = tuple(itertools.islice(with_projects, HOME_PARTNERS))
        if len(shown) == HOME_PARTNERS or len(in_order) < read:
            break
        read *= 4
    # Read before their rows (what shows them is kept under them).
    versions = fragments.partner_versions(shown)
    partners = fragments.memo(
        "home-partners",
        shown,
        functools.partial(shown_partners, shown),
        across_catalogue=True,
        no_partners=True,
        no_names=True,
    )
    return partners, versions


# The list parameters a selection reads, in this order.
SELECTION_PARAMETERS = ("q", "region", "sector", "partner", "status")


@dataclass
class ProjectSelection:
    """The published projects a list's search and filters choose, and what chose them.

    Its form and its rows are built when first asked: a list drawn from kept fragments
    needs neither (its filter panel and its keys are kept).
    """

    build_form: Callable[[], ProjectFilterForm]
    query: str
    status: str
    # {"region": Region | None, "sector": Sector | None, "partner": PartnerOption | None}
    chosen: dict
    more_partners: bool
    regions: list
    # What the filter panel offers, beyond names: which regions and sectors have projects,
    # which partners are offered.
    offered: tuple = ()

    @cached_property
    def form(self) -> ProjectFilterForm:
        return self.build_form()

    @cached_property
    def projects(self) -> QuerySet:
        return chosen_projects(Project.objects.published(), *self.choice)

    @cached_property
    def choice(self) -> tuple:
        """What chooses the rows, as the query takes it: the search, the status, the
        region with every region inside it, the sector's and the partner's keys."""
        region, sector, partner = (self.chosen[name] for name in ("region", "sector", "partner"))
        regions = tuple(region_tree(self.regions)[region.pk]) if region else ()
        return (self.query, self.status, regions, sector and sector.pk, partner and partner.pk)

    def prepared(self, what: str, build: Callable) -> PreparedQuery:
        """Return the query ``build(projects, keys)`` of the projects chosen, compiled once
        per process, language and choice (``core.rows.PreparedQuery``): a list drawn
        after a change of the catalogue runs it without building it."""
        key = (what, translation.get_language(), *self.choice)
        query = _PREPARED_SELECTIONS.get(key)
        if query is not None:
            _PREPARED_SELECTIONS.move_to_end(key)
        else:
            while len(_PREPARED_SELECTIONS) >= PREPARED_SELECTIONS:
                _PREPARED_SELECTIONS.popitem(last=False)  # The least recently asked.
            choice = self.choice

            def built(now, keys):
                return build(
                    chosen_projects(ProjectQuerySet(Project).published(now=now), *choice), keys
                )

            # Only the search recheck takes keys (in ``IN``): padded.
            query = _PREPARED_SELECTIONS[key] = PreparedQuery(Project, built, keys_in=True)
        return query

    @property
    def is_filtered(self) -> bool:
        return bool(self.query or self.status or any(self.chosen.values()))

    @property
    def memo_key(self) -> tuple:
        """The values that choose the rows, for fragments kept per selection."""
        return (self.query, self.status, *(obj and obj.pk for obj in self.chosen.values()))

    def known_count(self) -> int | None:
        """Return how many projects are chosen, from the kept counts of the catalogue, when
        they tell it: no search or status, at most one of a region, a sector or a partner.
        None otherwise."""
        region, sector, partner = (self.chosen[name] for name in ("region", "sector", "partner"))
        if self.query or self.status or len([obj for obj in (region, sector, partner) if obj]) > 1:
            return None
        counts = catalogue.kept_summary()
        if counts is None:
            return None
        if region:
            return counts.projects_in(region.pk)
        if sector:
            return counts.sectors.get(sector.pk, 0)
        if partner:
            return counts.partners.get(partner.pk, 0)  # The filter offers public partners only.
        return counts.projects

    def touches(self) -> Callable[[catalogue.Entry], bool] | None:
        """Return whether a project's entry in the counts of the catalogue could be among
        the chosen projects (``catalogue.kept_apart``): in the chosen region, sector and
        partner; None when none is chosen (any project could)."""
        region, sector, partner = (self.chosen[name] for name in ("region", "sector", "partner"))
        tests = [
            test(obj.pk)
            for test, obj in (
                (catalogue.in_region, region),
                (catalogue.in_sector, sector),
                (catalogue.with_partner, partner),
            )
            if obj
        ]
        if not tests:
            return None
        return lambda entry: all(test(entry) for test in tests)

    def still_found(self, pks) -> dict[int, int]:
        """Return ``{key: search rank}`` for those of these projects the selection chooses now."""
        query = self.prepared(
            "found", lambda projects, keys: ranked_keys(projects.filter(pk__in=keys), SEARCH_RANK)
        )
        return dict(query(pks))

    def page_keys(self, bottom: int, top: int) -> list[int]:
        """Return the keys of the projects chosen from ``bottom`` to ``top``, in order."""
        query = self.prepared(
            f"page-{bottom}-{top}", lambda projects, keys: projects.values_list("pk")[bottom:top]
        )
        return [pk for (pk,) in query()]

    def count(self) -> int:
        """Return how many projects are chosen (counted over the rows, in one query that
        returns the count with the first row, or no row)."""
        query = self.prepared(
            "count",
            lambda projects, keys: (
                projects.order_by().annotate(counted=Window(Count("pk"))).values_list("counted")[:1]
            ),
        )
        rows = query()
        return rows[0][0] if rows else 0


# The queries of the lists' selections, compiled (``ProjectSelection.prepared``); beyond
# this number, the least recently asked is forgotten.
_PREPARED_SELECTIONS: OrderedDict[tuple, PreparedQuery] = OrderedDict()
PREPARED_SELECTIONS = 500


def chosen_projects(projects, query, status, regions, sector, partner):
    """Return those of ``projects`` that a search, a status, regions (keys), a sector and a
    partner (keys) choose: ``ProjectSelection.choice``."""
    if query:
        projects = projects.search(query)
    if regions:
        projects = projects.in_regions(regions)
    if sector:
        projects = projects.filter(sector=sector)
    if partner:
        projects = projects.with_partner(partner)
    if status:
        projects = projects.filter(status=status)
    return projects


def select_projects(params) -> ProjectSelection:
    """Return the published projects that these list parameters choose (``q``, ``region``
    with its parts, ``sector``, ``partner``, ``status``), read as the project list reads
    them: slugs in the current language, invalid values left out (the form says which).

    What the form makes of the parameters is kept (across the catalogue, under what the
    form offers): a list drawn again validates nothing.

    The list page, its CSV export and the API all select through here.
    """
    regions, sectors = fragments.memo("list-choices", (), filter_choices)
    wanted_partner = params.get("partner", "")
    wanted = wanted_partner if slug_re.match(wanted_partner) else ""

    def offered_partners():
        counts = catalogue.kept_summary()
        if counts is None:
            return partner_options(Project.objects.published(), wanted_partner)
        ranking = offered_ranking(counts)

        def ranked():
            # The ranked partners' versions, read before their rows: a partner saved
            # draws these anew, and another partner's save leaves them.
            fragments.partner_versions([pk for pk, _count in ranking[:-1]])
            return partner_options(Project.objects.published(), wanted_partner, counts)

        # With the kept counts, the partners offered follow from their ranking: kept under
        # it across the catalogue (a change that leaves it reads no partner), and across
        # the other partners' saves and the regions' and sectors' (it shows none of their
        # names) when no other partner is asked for by its address (whose version is not
        # known before its row is found).
        return fragments.memo(
            "list-partner-options-ranked",
            (wanted, ranking),
            ranked,
            across_catalogue=True,
            no_partners=not wanted,
            no_names=not wanted,
        )

    partners, more_partners = fragments.memo("list-partner-options", (wanted,), offered_partners)
    made = []

    def build_form() -> ProjectFilterForm:
        if not made:
            form = ProjectFilterForm(
                params,
                regions=regions,
                sectors=sectors,
                partners=partners,
                more_partners=more_partners,
            )
            form.is_valid()
            made.append(form)
        return made[0]

    def read_form() -> tuple:
        form = build_form()
        chosen = (form.selected(name) for name in ("region", "sector", "partner"))
        return (
            form.value("q").strip(),
            form.value("status"),
            *(obj and obj.pk for obj in chosen),
        )

    # The partners offered with their versions: what shows them (the filter panel) or
    # reads their addresses (the form) is kept across the other partners' saves. With a
    # partner asked for by its address, whose version is read after its row, under the
    # names token too: any partner's save draws them anew.
    versions = fragments.partner_versions([partner.pk for partner in partners])
    asked_for = fragments.names_token() if wanted and fragments.in_use() else None
    offered = (
        tuple(region.pk for region in regions if region.has_projects),
        tuple(sector.pk for sector in sectors if sector.has_projects),
        tuple((partner.pk, versions.get(partner.pk)) for partner in partners),
        more_partners,
        asked_for,
    )
    asked = tuple(params.get(name, "") for name in SELECTION_PARAMETERS)
    # What the form makes of them depends on the names and on what it offers.
    query, status, *pks = fragments.memo(
        "list-selection", (asked, offered), read_form, across_catalogue=True, no_partners=True
    )
    options = (regions, sectors, partners)
    chosen = {
        name: next((obj for obj in objs if obj.pk == pk), None) if pk is not None else None
        for name, objs, pk in zip(("region", "sector", "partner"), options, pks, strict=True)
    }
    return ProjectSelection(build_form, query, status, chosen, more_partners, regions, offered)


@public_page
@require_safe
def project_list(request):
    """List, search and filter the published projects."""
    selection = select_projects(request.GET)
    query, status, chosen = selection.query, selection.status, selection.chosen
    page = KeysFirstPaginator(
        lambda: card_projects(selection.projects),
        PROJECTS_PER_PAGE,
        memo=("list", selection.memo_key),
        keys_only=True,
        # Searches are checked again, project by project, after a story is rewritten or
        # a project changes the catalogue.
        recheck=selection.still_found if query else None,
        recheck_catalogue=True,
        # A partner or a region renamed: its projects' searched text changed, logged (not
        # the keys).
        no_names=True,
        rank=SEARCH_RANK,
        known_count=selection.known_count,
        # Kept while the catalogue changes with projects outside the region, sector or
        # partner chosen (or, unfiltered, with projects not published), and, with no
        # partner chosen and no search, across the partners shown or hidden.
        keep=catalogue.kept_apart_from(
            selection.touches(),
            partners_apart=not (query or selection.chosen["partner"]),
        ),
        # Unfiltered, its first page is the latest projects, kept across the catalogue.
        first=None if selection.is_filtered else catalogue.first_published,
        page_keys=selection.page_keys,
        counter=selection.count,
    ).get_page(request.GET.get("page"))
    language = translation.get_language()
    return render(
        request,
        "portfolio/project_list.html",
        {
            # Built when the filter panel is drawn, not when it is kept.
            "form": SimpleLazyObject(lambda: selection.form),
            "page_obj": page,
            "page_projects": page.object_list,
            "query": query,
            **chosen,
            "status": status,
            "is_filtered": selection.is_filtered,
            "language_urls": list_urls_by_language(query, status, chosen, page.number),
            "canonical_path": list_url(language, query, status, chosen, page.number),
            "export_url": list_url(language, query, status, chosen, url_name="project_export"),
            "removal_links": removal_links(query, status, chosen),
            "more_partners": selection.more_partners,
            "offered": selection.offered,
        },
    )


# Rows read from the database at a time while an export streams.
EXPORT_CHUNK = 500


def export_columns() -> list[str]:
    """Return the export's column headers, in the current language."""
    return [
        _("Title"),
        _("Summary"),
        _("Status"),
        _("Sector"),
        _("Regions"),
        _("Partners"),
        _("Beneficiaries"),
        _("Start date"),
        _("End date"),
        _("Funding goal (CAD)"),
        _("Page address"),
    ]


def export_rows(projects, site: str):
    """Yield the export's rows for these projects, each text cell spreadsheet-safe."""
    language = translation.get_language()
    public_partnerships = Partnership.objects.filter(partner__is_public=True).select_related(
        "partner"
    )
    rows = projects.select_related("sector").prefetch_related(
        "regions", Prefetch("partnerships", queryset=public_partnerships)
    )
    statuses = dict(Project.Status.choices)
    for project in rows.iterator(chunk_size=EXPORT_CHUNK):
        text = [
            project.title,
            project.summary,
            statuses.get(project.status, project.status),
            project.sector or "",
            ", ".join(str(region) for region in project.regions.all()),
            ", ".join(str(p.partner) for p in project.partnerships.all()),
        ]
        yield [
            *(spreadsheet_safe(cell) for cell in text),
            spreadsheet_number(project.beneficiaries, language),
            project.start_date.isoformat() if project.start_date else "",
            project.end_date.isoformat() if project.end_date else "",
            spreadsheet_number(project.funding_goal, language),
            spreadsheet_safe(site + project.get_absolute_url()),
        ]


@public_page
@require_safe
def project_export(request):
    """The project list as filtered, as a CSV file with headers in the visitor's language.

    Streamed, so its size does not bound the server's memory; never kept by the page
    cache (streamed responses are not).
    """
    selection = select_projects(request.GET)
    language = translation.get_language()
    site = f"{request.scheme}://{request.get_host()}"

    def lines():
        # The rows are read while the response streams: under the visitor's language.
        with translation.override(language):
            header = [spreadsheet_safe(column) for column in export_columns()]
            yield from csv_lines(
                itertools.chain([header], export_rows(selection.projects, site)),
                delimiter=csv_delimiter(language),
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    filename = _("projects.csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def filter_choices() -> tuple[list[Region], list[Sector]]:
    """Return every region and sector, each knowing whether it has published projects.

    With the kept counts, they are kept across the catalogue under which of them have
    projects: a change of the catalogue that leaves those as they were reads them as kept.
    """
    counts = catalogue.kept_summary()
    if counts is not None:
        offered = (
            tuple(region.pk for region in kept_regions() if counts.projects_in(region.pk)),
            tuple(pk for pk in kept_sectors() if counts.sectors.get(pk)),
        )
        return fragments.memo(
            "list-choices-offered",
            offered,
            lambda: choices_offering(*offered),
            across_catalogue=True,
            no_partners=True,
        )
    published = Project.objects.published()
    regions = regions_with_projects(published)
    sectors = list(
        Sector.objects.annotate(has_projects=Exists(published.filter(sector=OuterRef("pk"))))
    )
    return regions, sectors


def choices_offering(regions: tuple[int, ...], sectors: tuple[int, ...]):
    """Return every region and sector, those of these keys marked as having projects."""
    with_projects = set(regions)
    every_region = [copy.copy(region) for region in kept_regions()]
    for region in every_region:
        region.has_projects = region.pk in with_projects
    with_projects = set(sectors)
    every_sector = [copy.copy(sector) for sector in kept_sectors().values()]
    for sector in every_sector:
        sector.has_projects = sector.pk in with_projects
    return every_region, every_sector


def offered_ranking(counts: catalogue.Summary) -> tuple:
    """What the partners offered by the filter depend on in the counts: the first partners
    by number of projects, with those numbers, and whether others have projects."""
    top = counts.top_partners(FILTER_PARTNERS + 1)
    return (*((pk, counts.partners[pk]) for pk in top), len(counts.partners))


def regions_with_projects(published) -> list[Region]:
    """Return every region in name order, each knowing whether any of these projects
    takes place in it or in a region inside it (one query)."""
    regions = list(
        Region.objects.annotate(
            has_projects=Exists(
                Project.regions.through.objects.filter(region=OuterRef("pk"), project__in=published)
            )
        ).order_by("name")
    )
    tree = region_tree(regions)
    by_pk = {region.pk: region for region in regions}
    for region in regions:
        # A country has projects when any of its parts has.
        region.has_projects = any(by_pk[pk].has_projects for pk in tree[region.pk])
    return regions


class PartnerOption(NamedTuple):
    """A partner the list's filter offers: what its select, its chosen filter and the
    list's addresses show of it. Kept as a tuple, read back at a fraction of the cost of
    a model instance: a list reads the partners offered at every request."""

    pk: int
    name: str
    slug: str
    project_count: int | None  # None: counted in the database, and none found
    # The slug in each language, as (language, slug) pairs: the list's address in another
    # language names the partner with that language's slug.
    slugs: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.name

    def slug_in(self, language: str) -> str:
        return dict(self.slugs).get(language) or self.slug


def partner_options(
    published, wanted: str, counts: catalogue.Summary | None = None
) -> tuple[list[PartnerOption], bool]:
    """Return the partners the filter offers, and whether it leaves some out.

    A select of every partner grows with the portfolio; it offers the partners with
    the most published projects, plus the one the address asks for, whatever its rank.
    The partner list leads to the others. All in one query, in name order. With the
    kept counts of the catalogue (``counts``), the ranking comes from them.
    """
    # One more than offered, to know whether some are left out.
    if counts is not None:
        top = counts.top_partners(FILTER_PARTNERS + 1)
        counted = Partner.objects.all()
    else:
        top = (
            Partnership.objects.filter(project__in=published, partner__is_public=True)
            .values("partner_id")
            .annotate(projects=Count("pk"))
            .order_by("-projects", "partner_id")
            .values("partner_id")[: FILTER_PARTNERS + 1]
        )
        # Counted again for the few rows fetched, each through its own links (an index
        # lookup), so that the filter knows their rank and whether they have projects.
        counted = Partner.objects.annotate(
            project_count=Subquery(
                Partnership.objects.filter(
                    Exists(published.filter(pk=OuterRef("project_id"))), partner=OuterRef("pk")
                )
                .values("partner_id")
                .annotate(projects=Count("pk"))
                .values("projects")
            )
        )
    shown = Q(pk__in=top)
    if slug_re.match(wanted or ""):  # Anything else cannot be a slug, nor reach the database.
        shown |= Q(slug=wanted)
    languages = [code for code, _name in settings.LANGUAGES]
    slugs = [f"slug_{code}" for code in languages]
    found = counted.public().filter(shown)
    if counts is None:
        found = found.values_list("pk", "name", "slug", "project_count", *slugs)
    else:
        found = found.values_list("pk", "name", "slug", *slugs)
    rows = []
    for row in found:
        pk, name, slug = row[:3]
        count = row[3] if counts is None else counts.partners.get(pk, 0)
        own = tuple(zip(languages, row[-len(slugs) :], strict=True))
        rows.append(PartnerOption(pk, name, slug, count, own))
    ranked = sorted((p for p in rows if p.project_count), key=lambda p: (-p.project_count, p.pk))
    offered = ranked[:FILTER_PARTNERS]
    offered += [p for p in rows if p.slug == wanted and p not in offered]
    return sorted(offered, key=lambda p: fold(str(p))), len(ranked) > FILTER_PARTNERS


def list_url(language, query, status, chosen, page_number=1, url_name="project_list") -> str:
    """Return the project list's address (or its export's) in ``language`` with these
    filters."""
    params = {}
    if query:
        params["q"] = query
    for name, obj in chosen.items():
        if obj is not None:
            if isinstance(obj, PartnerOption):
                params[name] = obj.slug_in(language)
            else:
                params[name] = getattr(obj, f"slug_{language}", None) or obj.slug
    if status:
        params["status"] = status
    if page_number and page_number > 1:
        params["page"] = page_number
    with translation.override(language):
        path = reverse(f"portfolio:{url_name}")
    return f"{path}?{urlencode(params)}" if params else path


def list_urls_by_language(query, status, chosen, page_number) -> dict[str, str]:
    """Return the same view of the list in each language, its slugs translated."""
    return {
        code: list_url(code, query, status, chosen, page_number)
        for code, _name in settings.LANGUAGES
    }


def removal_links(query, status, chosen) -> list[tuple[str, str]]:
    """Return (label, address of the list without it) for each filter in use."""
    language = translation.get_language()
    links = []
    if query:
        # Each language quotes in its own way: “school” in English, « école » in French.
        label = _("“%(query)s”") % {"query": query}
        links.append((label, list_url(language, "", status, chosen)))
    for name, obj in chosen.items():
        if obj is not None:
            links.append((str(obj), list_url(language, query, status, chosen | {name: None})))
    if status:
        label = dict(Project.Status.choices)[status]
        links.append((str(label), list_url(language, query, "", chosen)))
    return links


def page_queryset(projects, updates):
    """Return these projects with what their page shows, and these of their updates."""
    return projects.select_related("sector").prefetch_related(
        Prefetch("regions", queryset=Region.objects.select_related("parent")),
        "images",
        Prefetch(
            "partnerships",
            queryset=Partnership.objects.filter(partner__is_public=True).select_related("partner"),
        ),
        Prefetch("updates", queryset=updates.order_by("-published_at", "-pk")),
    )


def find_project(slug):
    """Return the published project at this slug, with what its page shows, or a response
    (a redirect from an old or other-language slug, a 404)."""
    return get_by_translated_slug(
        page_queryset(Project.objects.published(), ProjectUpdate.objects.published()), slug
    )


def project_page_content(pk) -> dict | None:
    """What the page of the published project ``pk`` shows, or None when it is not.

    Kept under the project's content version (``project_detail``), across the
    catalogue: a change of the project's place in the catalogue (published, its regions,
    its partners) moves its versions. It names no region, sector or partner (kept under
    the counts token): its sector and regions are added apart (``with_page_links``), its
    regions kept under its card version, so a rewritten story reads only the project
    again. Its field updates, partnerships and related projects are not in it either:
    ``project_detail`` adds them, kept under its news version, its card version and its
    partners' versions (``kept_partnerships``), and the editorial token.
    """
    project = published_page_row(pk)
    if project is None:
        return None
    return project_context(project, {"regions": (), "partnerships": ()})


def with_page_links(pk, content: dict) -> dict:
    """Add to what the page of project ``pk`` shows (``project_page_content``) its sector
    and regions, from every sector and region kept (``kept_sectors``, ``kept_regions``):
    which regions are its own is kept under its card version (which its regions move) and
    the counts token, so a region or a sector saved reads none of its rows again."""
    with_sectors({pk: content["project"]})
    card = fragments.part_versions("card", [pk])[pk]
    keys = fragments.memo(
        "project-region-keys",
        (pk, card),
        lambda: [region for (region,) in _REGION_KEYS([pk])],
        across_catalogue=True,
        no_partners=True,
        no_names=True,
    )
    return {**content, "regions": kept_regions_of(keys)}


# The keys of a project's regions (``with_page_links``).
_REGION_KEYS = PreparedQuery(
    Project.regions.through,
    lambda now, keys: (
        QuerySet(Project.regions.through).filter(project_id=keys[0]).values_list("region_id")
    ),
    server_prepared=True,
)


def kept_regions_of(pks) -> list[Region]:
    """Return the regions of these keys in name order, each with its parent, taken from
    the kept regions (``kept_regions``)."""
    wanted = set(pks)
    if not wanted:
        return []
    every = kept_regions()
    by_key = {region.pk: region for region in every}
    parent = Region._meta.get_field("parent")
    regions = []
    for region in every:
        if region.pk in wanted:
            region = copy.copy(region)
            parent.set_cached_value(region, by_key.get(region.parent_id))
            regions.append(region)
    return regions


def kept_partnerships(pk) -> dict:
    """Return the partnerships that the page of project ``pk`` shows, by role, read only
    when the part of its page that shows them is drawn (after a story rewritten, it is
    kept), kept under its card version, which its partnerships move, and its partners'
    versions: a region or a sector saved, or another partner, keeps them."""

    @functools.cache
    def read() -> dict:
        card = fragments.part_versions("card", [pk])[pk]
        links = fragments.memo(
            "project-partnership-links",
            (pk, card),
            lambda: [tuple(row) for row in _PARTNERSHIP_LINKS([pk])],
            across_catalogue=True,
            no_partners=True,
            no_names=True,
        )
        return partnership_context(partnerships_of(pk, links))

    return {
        name: SimpleLazyObject(functools.partial(lambda name: read()[name], name))
        for name in ("lead_partnerships", "partner_roles")
    }


# A project's partnerships, as its page orders them, without their partners (a
# partner's save leaves them): ``(key, partner, role, order)``.
_PARTNERSHIP_COLUMNS = ("pk", "partner_id", "role", "order")
_PARTNERSHIP_LINKS = PreparedQuery(
    Partnership,
    lambda now, keys: (
        QuerySet(Partnership)
        .filter(project_id=keys[0])
        .order_by("order", "pk")
        .values_list(*_PARTNERSHIP_COLUMNS)
    ),
    server_prepared=True,
)


def partnerships_of(pk, links) -> list[Partnership]:
    """Return the partnerships of project ``pk`` of these links (``_PARTNERSHIP_LINKS``) with public
    partners, each with its partner: those rows kept each under its partner's version
    (read before them, and what is being kept then depends on them), so a partner's save
    reads that partner's row again, not the others'."""
    pks = list(dict.fromkeys(partner for _pk, partner, _role, _order in links))
    versions = fragments.partner_versions(pks)
    partners = partner_rows(pks, versions, fields=None, name="project-partner-row")
    alias = router.db_for_read(Partnership)
    columns = ["id", "project_id", "partner_id", "role", "order"]
    partnerships = []
    for key, partner_pk, role, order in links:
        partner = partners.get(partner_pk)
        if partner is None or not partner.is_public:
            continue
        partnership = Partnership.from_db(alias, columns, (key, pk, partner_pk, role, order))
        Partnership._meta.get_field("partner").set_cached_value(partnership, partner)
        partnerships.append(partnership)
    return partnerships


def page_updates(pk) -> list[ProjectUpdate]:
    """Return the field updates of project ``pk`` that are published (by their own state),
    latest first.

    For its page only, which shows only while the project is published: whether it is
    does not choose them (a project published again keeps its news version,
    ``fragments.KEPT_WITH_CARDS``). Elsewhere, ``ProjectUpdate.objects.published()``.
    """
    fragments.shows_news_of([pk])  # Kept with its news version, which its updates move.
    return list(
        ProjectUpdate.objects.filter(publication_condition(), project=pk).order_by(
            "-published_at", "-pk"
        )
    )


def kept_updates(pk):
    """Return the published field updates of project ``pk``, read only when the part of its
    page that shows them is rendered (after a story is rewritten, it is kept)."""
    return SimpleLazyObject(
        lambda: fragments.memo(
            "project-news",
            (pk,),
            lambda: page_updates(pk),
            across_catalogue=True,
            no_partners=True,
            no_names=True,
        )
    )


def _published_at(code: str) -> PreparedQuery:
    return PreparedQuery(
        Project,
        lambda now, keys: (
            PublicationQuerySet(Project)
            .published(now=now)
            .filter(**{f"slug_{code}": keys[0]})
            .order_by(*Project._meta.ordering)
            .values_list("pk")[:1]
        ),
        text_keys=True,
    )


# The published project at a slug, in each language, with a query compiled once: a
# project's page drawn again after its title or its place in the catalogue changed
# looks its address up again (``kept_project_at``).
_PUBLISHED_AT = {code: _published_at(code) for code, _name in settings.LANGUAGES}


def published_pk(slug) -> int | None:
    """Return the key of the published project at this slug in the current language."""
    prepared = _PUBLISHED_AT.get(translation.get_language())
    if prepared is None:  # Not one of the site's languages: as the translated manager reads.
        return Project.objects.published().filter(slug=slug).values_list("pk", flat=True).first()
    found = prepared([slug])
    return found[0][0] if found else None


def kept_project_at(slug) -> int | None:
    """Return ``published_pk(slug)``, kept across the catalogue under the content version
    of the project found: a change of its place in the catalogue (unpublished, a new
    address) moves that version, a change made by other projects leaves it good. No
    project found is kept under the editorial token (one may be published there)."""

    def find() -> int | None:
        # Read before the rows, as every version: a project published after it renews it.
        token = {fragments.EDITORIAL_DEPENDENCY: fragments.editorial_token()}
        pk = published_pk(slug)
        if pk is None:
            fragments.depends_on(token)
            return None
        # The version is read before the row it describes: asked again after it, the
        # same answer holds at a moment whose later changes move that version.
        fragments.shows_content_of([pk])
        again = published_pk(slug)
        if again != pk:
            fragments.depends_on(token)
        return again

    return fragments.memo(
        "project-at", (slug,), find, across_catalogue=True, no_partners=True, no_names=True
    )


def with_photos(context: dict) -> dict:
    """Add the project's photos to what its page shows, read only when the part of the page
    that shows them is rendered: kept apart (``project_detail``), a rewritten story does not
    read them again."""
    project = context["project"]
    return {**context, "photos": SimpleLazyObject(lambda: list(project.images.all()))}


def related_projects(project, regions) -> list[int]:
    """Return the keys of published projects in the same regions (or their countries) or
    the same sector as ``project``, in the catalogue's order: one query, compiled once per
    process (``related_rows``)."""
    nearby = sorted({r.pk for r in regions} | {r.parent_id for r in regions if r.parent_id})
    return [pk for (pk,) in related_rows(project.pk, nearby, project.sector_id)]


def project_context(project, links: dict | None = None) -> dict:
    """What the page of this project shows: from ``page_queryset``, or with its photos and
    sector only and ``links``, its regions and partnerships (``kept_regions_of``,
    ``partnerships_of``; its updates then added by the caller)."""
    if links is None:
        links = {
            "regions": list(project.regions.all()),
            "partnerships": list(project.partnerships.all()),
            "updates": list(project.updates.all()),
        }
    return {
        "project": project,
        "regions": links["regions"],
        "updates": links.get("updates", ()),
        **partnership_context(links["partnerships"]),
        "language_urls": object_urls_by_language(project),
    }


def partnership_context(partnerships) -> dict:
    """What a project's page shows of these partnerships: the lead partners, then the
    others by role."""
    roles = []
    for role, label in Partnership.Role.choices:
        members = [p for p in partnerships if p.role == role]
        if members and role != Partnership.Role.LEAD:
            roles.append((label, members))
    return {
        "lead_partnerships": [p for p in partnerships if p.role == Partnership.Role.LEAD],
        "partner_roles": roles,
    }


def with_related(context: dict) -> dict:
    """Add the projects related to the page's project: chosen from the catalogue by its
    regions and sector, they are kept, apart from what the project's versions keep, under
    those and the counts token (a region, a sector or a partner saved keeps them; any
    other change renews it), until a change of the catalogue moves more than some
    projects' places or partners (``catalogue.kept_apart``, with no check of which
    projects changed)."""
    project, regions = context["project"], context["regions"]
    related = catalogue.kept_apart(
        "related-chosen",
        (project.pk, tuple(sorted(region.pk for region in regions)), project.sector_id),
        lambda: related_projects(project, regions),
        None,
        no_names=True,
        no_places=True,
        partners_apart=True,
    )
    return {**context, "related_projects": related}


@public_page
@require_safe
def project_detail(request, slug):
    content = None
    if fragments.in_use():
        # What the page shows is kept under the project's content version: a new photo or
        # a rewritten story renders this page anew, not the others. The funding panel and
        # the cards are kept under their own versions (``core.fragments``).
        pk = kept_project_at(slug)
        if pk is not None:
            fragments.read_project_versions(pk)
            version = fragments.content_versions([pk])[pk]
            # No name of a partner, region or sector in it: a save of theirs leaves it
            # (``with_page_links``, ``kept_partnerships``).
            content = fragments.memo(
                "project-page-content",
                (pk, version),
                lambda: project_page_content(pk),
                across_catalogue=True,
                no_partners=True,
                no_names=True,
            )
            if content is not None:
                content = {
                    **with_page_links(pk, content),
                    "updates": kept_updates(pk),
                    **kept_partnerships(pk),
                }
    if content is None:
        project = find_project(slug)
        if not isinstance(project, Project):
            return project  # The redirect or the 404.
        content = project_context(project)
    return render(request, "portfolio/project_detail.html", with_photos(with_related(content)))


@require_safe
def project_preview(request, pk):
    """Show a project as its page will look, whatever its state (see ``core.preview``)."""
    preview.start(request)
    project = get_object_or_404(
        page_queryset(Project.objects.all(), ProjectUpdate.objects.all()),
        pk=pk,
    )
    refused = preview.refusal(request, project)
    if refused is not None:
        return refused
    for update in project.updates.all():
        # Updates the public does not see yet say so, each in its own state.
        state = publication_state(update.is_published, update.published_at)
        if state != Publication.PUBLISHED:
            update.preview_note = state.label
    context = with_photos(with_related(project_context(project))) | preview.context(
        request, project, preview_message(project)
    )
    return preview.mark(render(request, "portfolio/project_detail.html", context))


def preview_message(project) -> str:
    """Return what the preview's banner says of the project's state."""
    state = project.publication_state()
    if state == Publication.DRAFT:
        return _("This project is a draft: visitors cannot see it.")
    if state == Publication.SCHEDULED:
        when = date_format(localtime(project.published_at), "DATETIME_FORMAT")
        return _("This project is scheduled for %(date)s: visitors cannot see it yet.") % {
            "date": when
        }
    return _("This project is published: visitors see this page.")


@public_page
@require_safe
def region_detail(request, slug):
    regions = kept_regions()
    region = kept_region(regions, slug)
    if region is None:
        found = get_by_translated_slug(Region.objects.select_related("parent"), slug)
        if not isinstance(found, Region):
            return found  # The redirect or the 404.
        region = found
    inside = region_tree(regions)[region.pk]
    page = KeysFirstPaginator(
        lambda: card_projects(Project.objects.published().in_regions(inside)),
        PROJECTS_PER_PAGE,
        memo=("region", (region.pk,)),
        keys_only=True,
        known_count=lambda: region_count(region),
        # A change of the catalogue elsewhere leaves the region's list as it was.
        keep=catalogue.kept_apart_from(catalogue.in_region(region.pk), partners_apart=True),
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "portfolio/region_detail.html",
        {
            "region": region,
            "subregions": [r for r in regions if r.parent_id == region.pk],
            "page_obj": page,
            "page_projects": page.object_list,
            "language_urls": object_urls_by_language(region),
        },
    )


def region_count(region: Region) -> int | None:
    """Return how many published projects take place in this region or inside it, from
    the kept counts of the catalogue (None without them)."""
    counts = catalogue.kept_summary()
    return None if counts is None else counts.projects_in(region.pk)


def kept_region(regions: list[Region], slug: str) -> Region | None:
    """Return the region at this slug in the current language, with its parent, from the
    kept list of every region (its key kept across the catalogue: every change of a region
    renews every fragment kept under the regions token); None when fragments are off or
    no region has this slug."""
    if not fragments.in_use():
        return None
    pk = fragments.memo(
        "region-at",
        (slug,),
        lambda: Region.objects.filter(slug=slug).values_list("pk", flat=True).first(),
        across_catalogue=True,
        no_partners=True,
    )
    by_pk = {region.pk: region for region in regions}
    region = by_pk.get(pk)
    if region is not None and region.parent_id is not None:
        region.parent = by_pk[region.parent_id]
    return region


def page_not_found(request, exception=None):
    """The 404 page, in the site's look, with the language switcher pointing home."""
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls[code] = reverse("portfolio:home")
    return render(request, "404.html", {"language_urls": urls}, status=404)


def server_error(request):
    """The 500 page; it reads nothing from the database or the cache, either of which may
    be what failed (its header and footer are rendered, not read from the fragments)."""
    fragments.serve_request(request, public=False)
    try:
        return HttpResponseServerError(loader.render_to_string("500.html", {}, request))
    except Exception:  # The error page must never fail in turn.
        return HttpResponseServerError(
            "<h1>Erreur du serveur / Server error</h1>", content_type="text/html"
        )


@require_safe
@cache_control(max_age=60 * 60 * 24)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
