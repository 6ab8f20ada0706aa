"""The benchmark's "edited", "renamed", "news", "catalogue", "place", "partner", "region",
"shown" and "scheduled" modes: an editor's change before every request.

With ``BENCH_EDIT_PROJECT=<project key>``, each request (but the floor's) first puts public
pages out of date as saving that project's story in the admin does (``core.pagecache``):
the page cache and that project's own fragments, and the kept search results. With
``BENCH_EDIT=title`` too, as changing its title does: its card and what names it as well;
with ``BENCH_EDIT=news``, as publishing a field update about it does; with
``BENCH_EDIT=catalogue``, as publishing a project does (any change of a project's place
in the catalogue: its status, regions, sector or partners), here the last one published:
every list and map is computed anew, the counts corrected for that project, and the parts
of the pages that show another project kept; with ``BENCH_EDIT=place``, as adding a place
to the measured project's map in its admin form does (its project fields left as they
were: its date of change moves, and the catalogue changes for it, which moves its map
only and which the lists and searches leave out); with
``BENCH_EDIT=partner``, as renaming the measured project's first partner does: every
fragment drawn anew but the counts, what shows no partner (cards, the top of project
pages, maps) and the other partners' cards, and the partner's projects' searched text
changed (their search documents); with ``BENCH_EDIT=region``, as renaming the measured
project's region with the fewest projects does: every fragment drawn anew but the
counts and what shows no name of a region, sector or partner (the lists' keys, funding
figures, results), and that region's projects' searched text changed; with
``BENCH_EDIT=shown``, as hiding one of the measured project's partners, then showing it
again, one request in two, does: its row written, its projects change the catalogue as
moving their partners only (the counts are corrected for them), every fragment is drawn
anew but the counts, what shows no partner and what chooses projects by no partner. In
``BENCH_EDIT=scheduled``, as a project scheduled for this moment going public does, here
the last one published: every token falls due, the project is logged as a change of the
catalogue, and what is kept under the names, counts and regions tokens is kept. In
the "partner", "region" and "shown" modes, the projects whose search documents a save
would rewrite are logged as searched edits, as that refresh does; the documents
themselves are left as they are.
The pages measured are then each the first request after such a change; the floor view is
served without it, and the floor under ``/bench/edit/`` after it: what the edit alone
costs, which the benchmark takes out of each page's time to tell what the page itself
costs (in production the editor's save pays for the edit, not the next visitor). Never
in production.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from core import fragments, pagecache
from portfolio.signal_handlers import dates_changed, news_changed

# What each kind of edit puts out of date besides the project's own page (see
# ``portfolio.signal_handlers``): a story, a title, a field update published.
PARTS = {
    "story": (),
    "title": ("card",),
    "news": ("bottom", fragments.NEWS),
    "catalogue": ("catalogue",),
    "place": ("place",),
    "partner": ("partner",),
    "region": ("region",),
    "shown": ("shown",),
    "scheduled": ("scheduled",),
}


# The floor view after the edit (``config.urls``): the edit's own cost.
EDIT_ALONE = "/bench/edit/"


def show_partners_of(project: int) -> int:
    """Show every partner of this project (the "shown" mode hides one of them, one request
    in two, and may stop with it hidden); return how many were hidden. Saved as an editor
    would, so that what is kept learns it."""
    from partners.models import Partner

    hidden = list(Partner.objects.filter(projects=project, is_public=False).distinct())
    for partner in hidden:
        partner.is_public = True
        partner.save(update_fields=["is_public"])
    return len(hidden)


class EditBeforeEachRequest:
    def __init__(self, get_response):
        self.get_response = get_response
        self.project = settings.BENCH_EDIT_PROJECT
        if settings.BENCH_EDIT not in PARTS:
            raise ImproperlyConfigured(f"BENCH_EDIT takes {', '.join(PARTS)}.")
        self.parts = PARTS[settings.BENCH_EDIT]
        self._other = None
        self._partnered = None
        self._partner = None
        self._located = None
        self._shown = None

    def other_project(self) -> int:
        """The project whose change of the catalogue the "catalogue" mode makes: the last
        one published, not the edited project (whose page is measured)."""
        if self._other is None:
            from portfolio.models import Project

            others = Project.objects.published().exclude(pk=self.project)
            latest = others.order_by("-published_at", "-pk").values_list("pk", flat=True)
            self._other = latest.first()
            if self._other is None:
                raise ImproperlyConfigured("BENCH_EDIT=catalogue needs two published projects.")
        return self._other

    def partnered(self) -> list[int]:
        """The projects of the measured project's first partner, whose rename the "partner"
        mode makes (their search documents change)."""
        if self._partnered is None:
            from portfolio.models import Partnership

            first = Partnership.objects.filter(project=self.project).order_by("order", "pk")
            partner = first.values_list("partner", flat=True).first()
            if partner is None:
                raise ImproperlyConfigured("BENCH_EDIT=partner needs a project with a partner.")
            with_it = Partnership.objects.filter(partner=partner)
            self._partner = partner
            self._partnered = sorted(set(with_it.values_list("project", flat=True)))
        return self._partnered

    def located(self) -> list[int]:
        """The projects of the measured project's region with the fewest projects (with
        its parts), whose rename the "region" mode makes (their search documents change,
        as ``Region.save`` finds them)."""
        if self._located is None:
            from django.db.models import Count, Q

            from portfolio.models import Project, Region

            links = Project.regions.through.objects
            its_own = links.filter(project=self.project).values("region")
            # Counted apart from the filter (one join each would count the project alone).
            regions = Region.objects.filter(pk__in=its_own).annotate(
                n=Count("projects", distinct=True) + Count("children__projects", distinct=True)
            )
            region = regions.order_by("n", "pk").first()
            if region is None:
                raise ImproperlyConfigured("BENCH_EDIT=region needs a project with a region.")
            here = links.filter(Q(region=region) | Q(region__parent=region))
            self._located = sorted(set(here.values_list("project_id", flat=True)))
        return self._located

    def shown(self) -> tuple[int, list[int]]:
        """The partner the "shown" mode hides and shows again, and its projects: of the
        measured project's partners, the one with the most projects but the partner whose
        page is measured (which must stay shown)."""
        if self._shown is None:
            from django.db.models import Count
            from django.utils import translation

            from devtools.pages import bench_pages
            from partners.models import Partner

            measured = {address for _name, address in bench_pages()}
            # Counted before the filter, which would otherwise count its own rows only.
            its_own = Partner.objects.annotate(n=Count("partnerships")).filter(
                projects=self.project
            )
            for partner in its_own.order_by("-n", "pk"):
                with translation.override("fr"):  # As the measured pages are addressed.
                    address = partner.get_absolute_url()
                if address not in measured:
                    projects = partner.projects.values_list("pk", flat=True)
                    self._shown = (partner.pk, sorted(set(projects)))
                    break
            else:
                raise ImproperlyConfigured(
                    "BENCH_EDIT=shown needs a project with a partner whose page is not measured."
                )
        return self._shown

    def __call__(self, request):
        if request.path.startswith("/bench/") and request.path != EDIT_ALONE:
            pass
        elif self.parts == PARTS["scheduled"]:
            # No editor's save: the visitor's request finds the publication due.
            self.publication_falls_due()
        else:
            if self.parts == PARTS["shown"]:
                self.toggle_shown()
            # As an editor's save in the admin, in a transaction: its commit renews the
            # tokens, and the next request finds them current. The row is written before
            # it, committed at once: both workers write the same row, and would otherwise
            # wait on each other's lock, which two editors seldom do.
            with transaction.atomic():
                self.edit()
        return self.get_response(request)

    def toggle_shown(self) -> None:
        """Hide the partner of the "shown" mode if shown, show it if hidden (whichever
        worker asks; a plain queryset, whose update puts nothing out of date)."""
        from django.db.models import Case, QuerySet, Value, When

        from partners.models import Partner

        partner, _projects = self.shown()
        QuerySet(Partner).filter(pk=partner).update(
            is_public=Case(When(is_public=True, then=Value(False)), default=Value(True))
        )

    def edit(self) -> None:
        """Make this mode's edit, as an editor's save does."""
        if self.parts == PARTS["news"]:
            news_changed([self.project])
        elif self.parts == PARTS["catalogue"]:
            # As publishing it does: its funding figures, its card and its news stay as they were.
            pagecache.invalidate(
                catalogue_of=[self.other_project()], figures_kept=True, cards_kept=True
            )
        elif self.parts == PARTS["place"]:
            from places.signal_handlers import places_changed

            dates_changed([self.project])  # Its form saved, its fields as they were.
            places_changed([self.project])
        elif self.parts == PARTS["partner"]:
            # As ``pagecache.counted_columns_saved`` and the search documents' refresh do.
            pagecache.invalidate(counts_kept=True, regions_kept=True)
            fragments.note_searched_edit(self.partnered())
            fragments.invalidate_partners([self._partner])
        elif self.parts == PARTS["region"]:
            # As ``Region.save`` (its projects' search documents) and
            # ``pagecache.counted_columns_saved`` do.
            fragments.note_searched_edit(self.located())
            pagecache.invalidate(counts_kept=True)
        elif self.parts == PARTS["shown"]:
            partner, projects = self.shown()
            # Its row written (``toggle_shown``), as the save does:
            # ``pagecache.counted_columns_saved``, its card and how many partners there
            # are, its projects' search documents (logged).
            pagecache.catalogue_moved_for(projects, regions_kept=True)
            fragments.invalidate_partners([partner], added=True)
            fragments.note_searched_edit(projects)
        else:
            pagecache.invalidate(content_of=[self.project], parts=self.parts, searched=True)

    def publication_falls_due(self) -> None:
        """Have the last project published go public at this moment, as if an editor had
        scheduled it for now: public from now (a plain queryset, whose update puts nothing
        out of date), and every token good until now, as the save that scheduled it left
        them (``pagecache.register_schedule``)."""
        from django.core.cache import cache
        from django.db import connection
        from django.utils import timezone

        from portfolio.models import Project

        moment = timezone.now()
        table, column = Project._meta.db_table, Project._meta.get_field("published_at").column
        with connection.cursor() as cursor:  # Written out: the edit, not the page, costs it.
            cursor.execute(
                f"UPDATE {connection.ops.quote_name(table)} "  # noqa: S608 - names quoted
                f"SET {connection.ops.quote_name(column)} = %s "
                f"WHERE {connection.ops.quote_name(Project._meta.pk.column)} = %s",
                [connection.ops.adapt_datetimefield_value(moment), self.other_project()],
            )
        keys = (pagecache.STATE_KEY, fragments.EDITORIAL_KEY, *fragments.SCHEDULED_KEYS)
        states = cache.get_many(keys)
        cache.set_many(
            {
                key: pagecache.ContentState(state.token, valid_until=moment)
                for key, state in states.items()
            },
            None,
        )
