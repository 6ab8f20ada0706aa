"""The benchmark's "edited", "renamed", "news", "catalogue", "place" and "partner" modes: an
editor's change before every request.

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
figures, results), and that region's projects' searched text changed.
The pages measured are then each the first request after such a change. Never in
production.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

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
}


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

    def __call__(self, request):
        if request.path.startswith("/bench/"):
            pass
        elif self.parts == PARTS["news"]:
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
        else:
            pagecache.invalidate(content_of=[self.project], parts=self.parts, searched=True)
        return self.get_response(request)
