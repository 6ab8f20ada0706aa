"""The catalogue's counts, kept across its changes and corrected for the projects that
changed (``portfolio.catalogue``).

Some tests change a project behind the site's back (SQL, no signal): kept counts still
count it as it was, which tells a correction from a count made again.
"""

import dataclasses
import gc
import pickle
import pickletools
import random
import re
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from core import fragments
from partners.models import Partner
from places import pages
from places.models import Location
from portfolio import catalogue
from portfolio.models import Partnership, Project, Region
from tests import test_fragments
from tests.factories import make_partner, make_project, make_region, make_sector
from tests.test_places import make_place, svg_of

pytestmark = pytest.mark.django_db


# Fragments on, as with Redis (the fragments' tests' own fixture).
fragments_on = test_fragments.fragments_on


def next_request():
    """End a request and start another, as the site does between two visitors."""
    fragments._end_request()
    fragments._forget_token()


def counted_now() -> catalogue.Summary:
    """The counts made from the database, as a request without fragments makes them."""
    return catalogue._counted(0)[0]


def same_counts(a: catalogue.Summary, b: catalogue.Summary) -> bool:
    names = ("projects", "beneficiaries", "counted_beneficiaries", "partners", "regions")
    return all(
        getattr(a, name) == getattr(b, name) for name in (*names, "sectors", "located", "places")
    )


def kept() -> catalogue.Summary:
    next_request()
    return catalogue.summary()


def sql_beneficiaries(project, number):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Project._meta.db_table} SET beneficiaries = %s WHERE id = %s",  # noqa: S608
            [number, project.pk],
        )


@pytest.fixture
def catalogue_rows():
    india = make_region(name_fr="Inde", name_en="India", country="IN")
    bengal = make_region(name_fr="Bengale-Occidental", name_en="West Bengal", parent=india)
    nepal = make_region(name_fr="Népal", name_en="Nepal", country="NP")
    water, school = make_sector(name_fr="Eau"), make_sector(name_fr="Éducation")
    lead, local = make_partner(name_fr="Mumbai Smiles"), make_partner(name_fr="CHHORI")
    hidden = make_partner(name_fr="Bailleur discret", is_public=False)
    first = make_project(
        title_fr="Puits",
        sector=water,
        regions=[bengal],
        partners=[lead, hidden],
        beneficiaries=120,
    )
    second = make_project(
        title_fr="École", sector=school, regions=[nepal], partners=[local], beneficiaries=None
    )
    make_place(first, bengal)
    make_place(first, bengal, name_fr="Gosaba")
    make_place(second, nepal, name_fr="Katmandou")
    return {
        "regions": (india, bengal, nepal),
        "sectors": (water, school),
        "partners": (lead, local, hidden),
        "projects": (first, second),
    }


def test_the_counts_are_those_of_the_published_catalogue(catalogue_rows):
    (india, bengal, nepal), (water, school) = catalogue_rows["regions"], catalogue_rows["sectors"]
    lead, local, _hidden = catalogue_rows["partners"]
    draft = make_project(title_fr="Brouillon", sector=water, partners=[local], is_published=False)
    make_place(draft, nepal)

    counts = kept()

    assert counts.figures == {"projects": 2, "beneficiaries": 120}
    assert counts.partners == {lead.pk: 1, local.pk: 1}  # Public partners only.
    # A project in West Bengal takes place in India too.
    assert counts.regions == {india.pk: 1, bengal.pk: 1, nepal.pk: 1}
    assert counts.projects_in(india.pk) == 1
    assert (counts.located, counts.places_in(None)) == (3, 3)
    assert counts.places == {india.pk: 2, bengal.pk: 2, nepal.pk: 1}
    assert counts.sectors == {water.pk: 1, school.pk: 1}
    assert same_counts(counts, counted_now())


def change_each_way(rows):
    """Yield after each change of the catalogue an editor can make, one at a time."""
    (_india, bengal, nepal), (water, school) = rows["regions"], rows["sectors"]
    lead, local, hidden = rows["partners"]
    first, second = (Project.objects.get(pk=p.pk) for p in rows["projects"])
    first.is_published = False
    first.save()
    yield "unpublished"
    first.is_published = True
    first.save()
    yield "published again"
    second.sector = water
    second.save()
    yield "another sector"
    second.beneficiaries = 40
    second.save()
    yield "beneficiaries"
    second.regions.add(bengal)
    yield "a region added"
    nepal.projects.remove(second)
    yield "a region removed from the region's side"
    Partnership.objects.create(project=second, partner=lead, order=3)
    yield "a partnership"
    Partnership.objects.get(project=first, partner=lead).delete()
    yield "a partnership deleted"
    link = Partnership.objects.get(project=second, partner=local)
    link.project = first
    link.save()
    yield "a partnership moved to another project"
    make_project(title_fr="Nouveau", sector=school, regions=[nepal], partners=[hidden, local])
    yield "a new project"
    second.delete()
    yield "a project deleted"


def test_each_change_of_the_catalogue_is_counted_without_counting_again(catalogue_rows):
    untouched = make_project(title_fr="Intouché", beneficiaries=10)
    kept()
    # Changed behind the site's back: counted again, the figures would take it in.
    sql_beneficiaries(untouched, 99_999)

    for change in change_each_way(catalogue_rows):
        counts = kept()
        now = counted_now()
        assert counts.beneficiaries == now.beneficiaries - 99_999 + 10, change
        sql_beneficiaries(untouched, 10)
        assert same_counts(counts, counted_now()), change
        sql_beneficiaries(untouched, 99_999)


def sql_status(project, status):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Project._meta.db_table} SET status = %s WHERE id = %s",  # noqa: S608
            [status, project.pk],
        )


def counts_keys() -> tuple[str, str]:
    """The keys of the kept counts and of their head (``catalogue.summary``)."""
    size, ranked = catalogue.BUCKET_SIZE, catalogue.RANKED
    return (
        fragments.counts_key(f"catalogue-counts-by-{size}-{ranked}-packed"),
        fragments.counts_key(f"catalogue-head-by-{size}-{ranked}-packed"),
    )


def test_a_change_that_moves_no_count_writes_which_change_the_counts_count_up_to_only(
    catalogue_rows, monkeypatch
):
    """A project that changes the catalogue and adds what it did (its status, dates or a
    place moved within its regions) leaves the counts and their buckets as kept: only
    which change they count up to is written (``catalogue._Head``), and read back. A
    change that moves a count, with others that do not, writes them again, corrected."""
    first, second = catalogue_rows["projects"]
    before = kept()
    written = []
    real_set_many = fragments.set_many

    def set_many(values):
        written.extend(values.values())
        real_set_many(values)

    monkeypatch.setattr(fragments, "set_many", set_many)
    # Its status changed (behind the site's back: no token renewed), then logged as a
    # change of the catalogue, as its save logs it.
    sql_status(second, Project.Status.COMPLETED)
    fragments.CATALOGUE_CHANGES.note([second.pk])

    after = kept()

    assert after.changes > before.changes
    assert same_counts(after, before) and after.buckets == before.buckets
    assert [type(value) for value in written] == [catalogue._Head]
    written.clear()
    assert kept().changes == after.changes
    assert written == []  # Read back as written: nothing to correct.

    sql_beneficiaries(first, 500)
    sql_status(second, Project.Status.ACTIVE)
    fragments.CATALOGUE_CHANGES.note([second.pk])
    fragments.CATALOGUE_CHANGES.note([first.pk])

    moved = kept()

    assert moved.beneficiaries == 500
    assert same_counts(moved, counted_now())
    assert catalogue.Summary in {type(value) for value in written}
    written.clear()
    assert same_counts(kept(), moved) and written == []


def test_counts_no_longer_kept_are_counted_again_whatever_their_head_says(catalogue_rows):
    first, second = catalogue_rows["projects"]
    kept()
    sql_status(second, Project.Status.COMPLETED)
    fragments.CATALOGUE_CHANGES.note([second.pk])
    kept()  # Only the head is written.
    sql_beneficiaries(first, 500)  # Behind the site's back: only counting again sees it.
    counts, head = counts_keys()
    next_request()  # What the request wrote is sent when it ends.
    assert isinstance(cache.get(head), catalogue._Head)

    cache.delete(counts)  # The cache dropped them.

    assert kept().beneficiaries == 500


def test_a_head_written_for_other_counts_is_not_taken_for_theirs(catalogue_rows):
    """A reader that found no count moved writes its head after another wrote new
    counts: the new counts say which change they count up to."""
    first, second = catalogue_rows["projects"]
    old = kept()
    _counts, head = counts_keys()
    sql_beneficiaries(first, 500)
    fragments.CATALOGUE_CHANGES.note([first.pk])
    new = kept()
    assert new.generation != old.generation
    next_request()
    # Late: it found the old counts good up to the latest change.
    cache.set(head, catalogue._Head(new.changes + 1, old.generation))
    fragments.CATALOGUE_CHANGES.note([second.pk])
    sql_beneficiaries(second, 7)

    assert kept().beneficiaries == 507


def renamed(row):
    row = type(row).objects.get(pk=row.pk)
    row.name_fr = f"{row.name_fr} (renommé)"
    row.save()


def hidden(partner):
    partner = Partner.objects.get(pk=partner.pk)
    partner.is_public = False
    partner.save()


def moved(region):
    region = Region.objects.get(pk=region.pk)
    region.parent = None
    region.save()


@pytest.mark.parametrize(
    ("change", "counted_again"),
    [
        (lambda rows: renamed(rows["partners"][0]), False),
        (lambda rows: renamed(rows["regions"][1]), False),
        (lambda rows: renamed(rows["sectors"][0]), False),
        (lambda rows: make_partner(name_fr="Nouveau partenaire"), False),
        (lambda rows: make_region(name_fr="Sikkim", parent=rows["regions"][0]), False),
        (lambda rows: hidden(rows["partners"][0]), False),
        (lambda rows: moved(rows["regions"][1]), True),
    ],
    ids=[
        "partner renamed",
        "region renamed",
        "sector renamed",
        "partner added",
        "region added",
        "partner hidden",
        "region moved",
    ],
)
def test_a_partner_region_or_sector_saved_counts_again_only_when_the_counts_move(
    catalogue_rows, change, counted_again
):
    # The changes are to the first project's partner, region and sector (its search
    # document changes with their names: it is corrected for); the second one's number
    # of people reached changes behind the site's back, which only counting again sees.
    _first, second = catalogue_rows["projects"]
    kept()
    sql_beneficiaries(second, 500)
    assert kept().beneficiaries == 120

    change(catalogue_rows)

    counts = kept()
    assert counts.beneficiaries == (620 if counted_again else 120)
    # Kept, they are right all the same: what they count is as it was.
    sql_beneficiaries(second, 500 if counted_again else None)
    assert same_counts(counts, counted_now())


def test_a_partner_of_more_projects_than_a_correction_checks_is_counted_again(
    catalogue_rows, monkeypatch
):
    """Shown or hidden, a partner of more projects than half the changes a correction
    checks one by one puts the counts out of date: they are counted again."""
    first, _second = catalogue_rows["projects"]
    local = catalogue_rows["partners"][1]  # The second project's partner alone.
    fresh_local = Partner.objects.get(pk=local.pk)
    kept()
    # Behind the site's back, and not a project of the partner: only counting again sees it.
    sql_beneficiaries(first, 500)
    assert kept().beneficiaries == 120
    monkeypatch.setattr(fragments, "MAX_CATALOGUE_CHANGES", 1)  # Corrected: none.

    hidden(fresh_local)

    counts = kept()
    assert counts.beneficiaries == 500
    assert local.pk not in dict(counts.partners.items())
    assert same_counts(counts, counted_now())


def test_a_project_scheduled_by_a_save_is_counted_at_its_time(catalogue_rows):
    assert kept().figures == {"projects": 2, "beneficiaries": 120}
    soon = timezone.now() + timedelta(seconds=1.5)
    make_project(title_fr="Bientôt", published_at=soon, beneficiaries=5)
    assert kept().figures == {"projects": 2, "beneficiaries": 120}

    time.sleep(max(0, (soon - timezone.now()).total_seconds()) + 0.1)

    assert kept().figures == {"projects": 3, "beneficiaries": 125}


def test_counts_are_made_again_when_the_changes_cannot_be_told(catalogue_rows):
    first, second = catalogue_rows["projects"]
    kept()
    sql_beneficiaries(first, 500)
    # Too many changes since the counts were kept: their log is not read one by one.
    for _ in range(fragments.CATALOGUE_CHANGES.most + 1):
        fragments.CATALOGUE_CHANGES.note([second.pk])
    assert kept().beneficiaries == 500

    sql_beneficiaries(first, 600)
    buckets = kept().buckets
    fragments.CATALOGUE_CHANGES.note([second.pk])
    # A bucket of what each project adds is gone (the cache dropped it).
    cache.delete_many([catalogue._bucket_key(generation) for generation in buckets.values()])
    assert kept().beneficiaries == 600


def get(client, url, language):
    with translation.override(language):
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_pages_show_a_published_project_in_their_counts(catalogue_rows, language):
    lead = catalogue_rows["partners"][0]
    visitor = Client()
    with translation.override(language):
        home, listing = reverse("portfolio:home"), reverse("portfolio:project_list")
        partners = reverse("partners:partner_list")
    newcomer = make_partner(name_fr="AGROGOTHI SANGSTHA", name_en="AGROGOTHI SANGSTHA")
    water = catalogue_rows["sectors"][0]
    by_sector = f"{listing}?sector={getattr(water, f'slug_{language}')}"
    by_partner = f"{listing}?partner={getattr(lead, f'slug_{language}') or lead.slug}"
    for url in (home, listing, partners, by_sector, by_partner):
        get(visitor, url, language)
    people = "people reached" if language == "en" else "personnes rejointes"
    assert f">120</strong> {people}" in get(visitor, home, language)

    make_project(
        title_fr="Nouveau",
        title_en="New",
        partners=[newcomer, lead],
        beneficiaries=1000,
        funding_goal=Decimal("100"),
    )

    assert re.search(rf">1\D{{1,6}}120</strong> {people}", get(visitor, home, language))
    assert "AGROGOTHI SANGSTHA</option>" in get(visitor, listing, language)
    # The lists' counts too: every project, a sector's, a partner's.
    found = "projects found" if language == "en" else "projets trouvés"
    assert re.search(r">\s*3 projec?ts\s*<", get(visitor, listing, language))
    assert re.search(r">\s*1 projec?ts? (found|trouvé)", get(visitor, by_sector, language))
    assert f"2 {found}" in get(visitor, by_partner, language)
    shown = get(visitor, partners, language)
    assert "2 projects" in shown if language == "en" else "2 projets" in shown


def sql_place_name(where: dict, name: str):
    """Rename places behind the site's back (no signal, no renewed token)."""
    ((column, value),) = where.items()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Location._meta.db_table} SET name_fr = %s WHERE {column} = %s",  # noqa: S608
            [name, value],
        )


def map_names(client, url, language="fr") -> list[str]:
    """The places a page's map shows, in order."""
    return re.findall(r'aria-label="([^",]+),', svg_of(get(client, url, language)))


def test_the_maps_follow_the_catalogue_and_keep_what_it_did_not_change(catalogue_rows):
    india, bengal, _nepal = catalogue_rows["regions"]
    _first, second = catalogue_rows["projects"]
    # A draft with a place (saved before the pages are kept).
    latest = make_project(title_fr="Dernier", regions=[bengal], is_published=False)
    make_place(latest, bengal, name_fr="Basanti")
    visitor = Client()
    with translation.override("fr"):
        home, region = reverse("portfolio:home"), india.get_absolute_url()
    for url in (home, region):
        assert "Basanti" not in map_names(visitor, url)
    # Renamed behind the site's back: a map found again would show the new name.
    sql_place_name({"project_id": second.pk}, "Renommé en douce")

    # Published: the latest project comes first, with its place.
    published = Project.objects.get(pk=latest.pk)
    published.is_published = True
    published.published_at = timezone.now()
    published.save()

    assert map_names(visitor, home)[0] == "Basanti"
    assert map_names(visitor, region)[0] == "Basanti"
    assert "Katmandou" in map_names(visitor, home)  # Kept, not found again.

    # Unpublished: its place leaves both maps; the others stay as they were.
    unpublished = Project.objects.get(pk=latest.pk)
    unpublished.is_published = False
    unpublished.save()
    assert "Basanti" not in map_names(visitor, home)
    assert "Basanti" not in map_names(visitor, region)
    assert "Katmandou" in map_names(visitor, home)


def test_a_map_that_left_places_out_finds_them_when_a_shown_project_moves_after_them(
    catalogue_rows, monkeypatch
):
    _first, second = catalogue_rows["projects"]
    monkeypatch.setattr(pages, "MAP_PLACES", 2)
    visitor = Client()
    with translation.override("fr"):
        home = reverse("portfolio:home")
    # The latest project first: the school's place, then the first of the well's two.
    assert map_names(visitor, home) == ["Katmandou", "Canning"]
    sql_place_name({"name_fr": "Gosaba"}, "Gosaba renommé")
    sql_place_name({"name_fr": "Canning, 24 Parganas Sud"}, "Canning renommé")
    next_request()
    assert map_names(visitor, home) == ["Katmandou", "Canning"]

    # A shown project changes and stays where it was: nothing is found again.
    moved = Project.objects.get(pk=second.pk)
    moved.sector = catalogue_rows["sectors"][0]
    moved.save()
    assert map_names(visitor, home) == ["Katmandou", "Canning"]

    # It moves after the places left out (an older date): they are found again.
    older = Project.objects.get(pk=second.pk)
    older.published_at = timezone.now() - timedelta(days=30)
    older.save()
    assert map_names(visitor, home) == ["Canning renommé", "Gosaba renommé"]

    # Unpublished now, it was not among them: they stay.
    leaving = Project.objects.get(pk=second.pk)
    leaving.is_published = False
    leaving.save()
    assert map_names(visitor, home) == ["Canning renommé", "Gosaba renommé"]


def sql(statement: str, params: list):
    """Change the catalogue behind the site's back (no signal, no log, no renewed token):
    what is kept shows it only when computed again."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def card_titles(html: str) -> list[str]:
    return re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', html)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_region_or_partner_page_stays_as_it_was_while_the_catalogue_changes_elsewhere(
    catalogue_rows, language
):
    india, bengal, nepal = catalogue_rows["regions"]
    lead, local, _hidden = catalogue_rows["partners"]
    first = catalogue_rows["projects"][0]
    # Before the pages are kept: a second project in Bengal with the lead partner, and one
    # in Nepal with the local partner and a place.
    dyke = make_project(title_fr="Digue", title_en="Dyke", regions=[bengal], partners=[lead])
    elsewhere = make_project(title_fr="Forêt", regions=[nepal], partners=[local])
    make_place(elsewhere, nepal, name_fr="Pokhara")
    # And a draft with a place in Bengal.
    draft = make_project(
        title_fr="Mangrove", title_en="Mangrove", regions=[bengal], is_published=False
    )
    make_place(draft, bengal, name_fr="Sundarbans", name_en="Sundarbans")
    visitor = Client()
    with translation.override(language):
        region, partner = india.get_absolute_url(), lead.get_absolute_url()
        # The list filtered by the region and the partner's, and by a sector.
        listing = reverse("portfolio:project_list")
        by_region = f"{listing}?region={getattr(india, f'slug_{language}')}"
        by_partner = f"{listing}?partner={getattr(lead, f'slug_{language}') or lead.slug}"
    well, dyke_title = (getattr(project, f"title_{language}") for project in (first, dyke))
    for url in (region, partner, by_region, by_partner):
        assert card_titles(get(visitor, url, language)) == [dyke_title, well], url
    places = map_names(visitor, region, language)
    assert len(places) == 2
    # Behind the site's back, the two projects swap their dates and the well's places are
    # renamed: pages computed again would show them the other way round, and new names.
    table = Project._meta.db_table
    sql(
        f"UPDATE {table} SET published_at = %s WHERE id = %s",  # noqa: S608
        [timezone.now() - timedelta(days=30), dyke.pk],
    )
    sql_place_name({"project_id": first.pk}, "Renommé en douce")

    # The project in Nepal completed, another one published there: the pages of India
    # and of the lead partner, and India's map, are kept.
    elsewhere = Project.objects.get(pk=elsewhere.pk)
    elsewhere.status = Project.Status.COMPLETED
    elsewhere.save()
    make_project(title_fr="Verger", regions=[nepal], partners=[local])
    for url in (region, partner, by_region, by_partner):
        assert card_titles(get(visitor, url, language)) == [dyke_title, well], url
    assert map_names(visitor, region, language) == places

    # A project that comes into India, or to the lead partner, draws their page anew.
    make_project(title_fr="Canal", title_en="Canal", regions=[bengal])
    for url in (region, by_region):
        assert card_titles(get(visitor, url, language)) == ["Canal", well, dyke_title], url
    make_project(title_fr="Rizière", title_en="Rice field", partners=[lead])
    field = "Rizière" if language == "fr" else "Rice field"
    for url in (partner, by_partner):
        assert card_titles(get(visitor, url, language)) == [field, well, dyke_title], url
    assert map_names(visitor, region, language) == places  # Neither has a place there.
    # The draft published: its place comes first on India's map.
    published = Project.objects.get(pk=draft.pk)
    published.is_published = True
    published.save()
    assert map_names(visitor, region, language)[0] == "Sundarbans"

    # And one that leaves them.
    moved = Project.objects.get(pk=first.pk)
    moved.regions.set([nepal])
    assert "Mangrove" in card_titles(get(visitor, region, language))
    assert well not in card_titles(get(visitor, region, language))
    Partnership.objects.filter(project=first, partner=lead).delete()
    assert card_titles(get(visitor, partner, language)) == [field, dyke_title]


def first_in_database(number: int) -> list[int]:
    return list(Project.objects.published().values_list("pk", flat=True)[:number])


def test_the_latest_projects_are_kept_and_corrected_for_each_change(catalogue_rows, monkeypatch):
    nepal = catalogue_rows["regions"][2]
    monkeypatch.setattr(catalogue, "FIRST_KEPT", 4)
    made = [make_project(title_fr=f"Projet {n}", regions=[nepal]) for n in range(4)]
    assert catalogue.first_published(3) == first_in_database(3)
    # Behind the site's back, two projects shown swap their dates: found again, the
    # order would follow.
    older, newer = made[1], made[2]
    dates = {p.pk: p.published_at for p in Project.objects.filter(pk__in=[older.pk, newer.pk])}
    with connection.cursor() as cursor:
        for project, other in ((older, newer), (newer, older)):
            cursor.execute(
                f"UPDATE {Project._meta.db_table} SET published_at = %s WHERE id = %s",  # noqa: S608
                [dates[other.pk], project.pk],
            )
    stale = catalogue.first_published(3)
    assert stale != first_in_database(3)

    def fresh_row(project):
        return Project.objects.get(pk=project.pk)

    # Each change is corrected, the swap kept as it was.
    newest = make_project(title_fr="Le plus récent", regions=[nepal])
    assert catalogue.first_published(3)[0] == newest.pk
    featured = fresh_row(made[0])
    featured.is_featured = True
    featured.save()
    assert catalogue.first_published(3)[0] == featured.pk
    assert catalogue.first_published(3)[1] == newest.pk
    gone = fresh_row(newest)
    gone.is_published = False
    gone.save()
    # The swapped projects were not read again: their kept order stays.
    assert catalogue.first_published(3) == [featured.pk, made[3].pk, newer.pk]
    assert first_in_database(3) == [featured.pk, made[3].pk, older.pk]

    # Enough projects leave that the kept ones run short: they are read again.
    for project in made:
        left = fresh_row(project)
        left.is_published = False
        left.save()
    assert catalogue.first_published(3) == first_in_database(3)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_home_page_and_the_list_show_the_latest_project_first(catalogue_rows, language):
    visitor = Client()
    with translation.override(language):
        home, listing = reverse("portfolio:home"), reverse("portfolio:project_list")
    for url in (home, listing):
        get(visitor, url, language)
    latest = make_project(title_fr="Tout nouveau", title_en="Brand new")
    title = "Tout nouveau" if language == "fr" else "Brand new"
    for url in (home, listing):
        assert card_titles(get(visitor, url, language))[0] == title, url
    latest = Project.objects.get(pk=latest.pk)
    latest.is_published = False
    latest.save()
    for url in (home, listing):
        assert title not in card_titles(get(visitor, url, language)), url


def test_a_latest_project_that_moves_behind_those_left_out_is_not_taken_for_the_next(
    catalogue_rows, monkeypatch
):
    monkeypatch.setattr(catalogue, "FIRST_KEPT", 2)
    a, b, c = (make_project(title_fr=name) for name in ("A", "B", "C"))
    assert catalogue.first_published(2) == [c.pk, b.pk]
    # The latest one dated back before every other: the next ones were not kept, so they
    # are read again.
    moved = Project.objects.get(pk=c.pk)
    moved.published_at = timezone.now() - timedelta(days=3650)
    moved.save()
    assert catalogue.first_published(2) == [b.pk, a.pk] == first_in_database(2)


def test_counts_kept_in_buckets_of_another_size_are_not_read_as_these(catalogue_rows, monkeypatch):
    second = catalogue_rows["projects"][1]
    # Kept by a release whose buckets held other projects (here: every key in one).
    monkeypatch.setattr(catalogue, "BUCKET_SIZE", 1_000_000)
    kept()
    monkeypatch.setattr(catalogue, "BUCKET_SIZE", 1)
    # A change read with this release's buckets would miss what the project added.
    moved = Project.objects.get(pk=second.pk)
    moved.beneficiaries = 40
    moved.save()
    assert same_counts(kept(), counted_now())


def sitemap_index(client) -> dict[str, list[str]]:
    """Each section's pages in the sitemap index, each with its date: ``{section: [lastmod
    of each page]}``."""
    listed = re.findall(
        r"<sitemap><loc>[^<]*/sitemap-(\w+)\.xml[^<]*</loc>(?:<lastmod>([^<]*)</lastmod>)?",
        client.get("/sitemap.xml").content.decode(),
    )
    sections: dict[str, list[str]] = {}
    for section, lastmod in listed:
        sections.setdefault(section, []).append(lastmod)
    return sections


def test_the_sitemap_index_follows_the_catalogue_and_keeps_the_sections_outside_it(
    catalogue_rows, monkeypatch
):
    from partners.sitemaps import PartnerSitemap
    from portfolio.sitemaps import ProjectSitemap, RegionSitemap

    # One item a page (each item has an address in each language).
    for section in (ProjectSitemap, PartnerSitemap, RegionSitemap):
        monkeypatch.setattr(section, "limit", 2)
    lead, local, _hidden = catalogue_rows["partners"]
    visitor = Client()
    before = sitemap_index(visitor)
    assert (len(before["projects"]), len(before["partners"]), len(before["regions"])) == (2, 2, 3)
    # Changed behind the site's back: a section read again would show it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Partner._meta.db_table} SET is_public = %s WHERE id = %s",  # noqa: S608
            [False, local.pk],
        )

    make_project(title_fr="Nouveau", partners=[lead])

    after = sitemap_index(visitor)
    assert len(after["projects"]) == 3
    # The partners and regions kept across the change of the catalogue, their dates too.
    assert after["partners"] == before["partners"] and after["regions"] == before["regions"]

    # A partner saved changes every section that could show it: the partners' date. How
    # many partners there are is kept across such saves (the one hidden behind the site's
    # back is still counted), and counted again when a partner is added (here a hidden
    # one) or deleted.
    lead.save()
    saved = sitemap_index(visitor)
    assert len(saved["projects"]) == 3
    assert len(saved["partners"]) == 2 and saved["partners"] != before["partners"]
    make_partner(is_public=False)
    assert len(sitemap_index(visitor)["partners"]) == 1


def computed_by(monkeypatch, section, methods) -> list[str]:
    """Return the list of the names of these methods of ``section`` called from now on."""
    computed = []
    for method in methods:
        original = getattr(section, method)

        def spied(self, *args, _original=original, _method=method):
            computed.append(_method)
            return _original(self, *args)

        monkeypatch.setattr(section, method, spied)
    return computed


def test_the_projects_sitemap_keeps_its_count_and_pages_across_a_place_saved(
    catalogue_rows, monkeypatch
):
    """A place saved changes the catalogue for its maps: the projects' sitemap, which shows
    no place, keeps how many projects there are and which a page lists, and follows a
    project published or unpublished on the next request."""
    from portfolio.sitemaps import ProjectSitemap

    monkeypatch.setattr(ProjectSitemap, "limit", 2)  # One project a page.
    first, second = catalogue_rows["projects"]
    _india, bengal, _nepal = catalogue_rows["regions"]
    visitor = Client()
    second_page = reverse("sitemap_section", kwargs={"section": "projects"}) + "?p=2"

    def second_listed() -> str:
        return visitor.get(second_page).content.decode()

    assert len(sitemap_index(visitor)["projects"]) == 2
    assert f"/{first.slug_fr}/" not in second_listed()  # The second page: the second project.
    computed = computed_by(monkeypatch, ProjectSitemap, ("_keys", "_counted"))

    make_place(first, bengal, name_fr="Basanti")
    assert len(sitemap_index(visitor)["projects"]) == 2
    assert f"/{second.slug_fr}/" in second_listed()
    assert computed == []

    newer = make_project(title_fr="Troisième projet")
    assert len(sitemap_index(visitor)["projects"]) == 3
    assert f"/{newer.slug_fr}/" not in second_listed()
    assert set(computed) == {"_keys", "_counted"}
    second.is_published = False
    second.save()
    assert len(sitemap_index(visitor)["projects"]) == 2
    assert f"/{newer.slug_fr}/" in second_listed()


def test_the_projects_latest_date_is_the_latest_published_projects(catalogue_rows):
    """Read with one compiled query: the same date as the section's items give, drafts and
    projects scheduled for later left out."""
    from core.sitemaps import TranslatedSitemap
    from portfolio.sitemaps import ProjectSitemap

    first, second = catalogue_rows["projects"]
    draft = make_project(is_published=False)
    scheduled = make_project(published_at=timezone.now() + timedelta(days=3))
    now = timezone.now()
    for project, days in ((first, 30), (second, 20), (draft, 1), (scheduled, 2)):
        Project.objects.filter(pk=project.pk).update(updated_at=now - timedelta(days=days))
    section = ProjectSitemap()
    assert section.latest_date() == now - timedelta(days=20)
    assert section.latest_date() == TranslatedSitemap.latest_date(section)


def test_a_region_renamed_leaves_the_projects_sitemap_as_it_was_kept(catalogue_rows, monkeypatch):
    """The projects' section names no region: after a region renamed, its number of
    projects, which projects its pages list and their entries are read back, not computed
    again; a project edited since moves its date in the index."""
    from portfolio.sitemaps import ProjectSitemap

    first, _second = catalogue_rows["projects"]
    _india, bengal, _nepal = catalogue_rows["regions"]
    Project.objects.update(updated_at=timezone.now() - timedelta(days=400))
    visitor = Client()
    section = reverse("sitemap_section", kwargs={"section": "projects"})
    index, page = visitor.get("/sitemap.xml").content, visitor.get(section).content
    today = timezone.localdate().isoformat()
    assert not sitemap_index(visitor)["projects"][0].startswith(today)
    computed = computed_by(monkeypatch, ProjectSitemap, ("_keys", "_counted", "_entries_xml"))

    bengal.name_fr, bengal.name_en = "Bengale", "Bengal"
    bengal.save()

    assert visitor.get("/sitemap.xml").content == index
    assert visitor.get(section).content == page
    assert computed == []
    edited = Project.objects.get(pk=first.pk)
    edited.summary_fr = "Un résumé revu"
    edited.save()
    assert sitemap_index(visitor)["projects"][0].startswith(today)


def test_counting_everything_pauses_the_garbage_collector_and_restores_it(
    catalogue_rows, monkeypatch
):
    """Counting every project runs with Python's cyclic collector paused (its many new
    tuples would set off collections through every object), and leaves it as it found
    it: enabled again after the count, even a failed one; off when it was off."""
    seen = []
    real_entries = catalogue.entries
    expected = counted_now()

    def entries(pks=None):
        seen.append(gc.isenabled())
        return real_entries(pks)

    monkeypatch.setattr(catalogue, "entries", entries)
    assert gc.isenabled()
    assert same_counts(catalogue._counted(0)[0], expected)
    assert seen == [False]
    assert gc.isenabled()

    def failing(pks=None):
        raise RuntimeError

    monkeypatch.setattr(catalogue, "entries", failing)
    with pytest.raises(RuntimeError):
        catalogue._counted(0)
    assert gc.isenabled()
    monkeypatch.setattr(catalogue, "entries", entries)
    gc.disable()
    try:
        catalogue._counted(0)
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.django_db(False)
@pytest.mark.parametrize("seed", range(3))
def test_counting_every_entry_at_once_counts_what_adding_them_one_by_one_does(seed):
    """The counts made from scratch (``Summary.of``, in bulk) are those that adding each
    project's entry makes, which the corrections go on from: sectors or none, people
    reached or not said, regions, partners and places in any number."""
    rng = random.Random(seed)

    def chain():
        return tuple(rng.sample(range(1, 30), rng.randint(1, 3)))

    entries = [
        (
            rng.choice([None, 1, 2, 3]),
            rng.choice([None, 0, rng.randint(1, 5_000)]),
            tuple(sorted(rng.sample(range(1, 30), rng.randint(0, 4)))),
            tuple(sorted(rng.sample(range(1, 60), rng.randint(0, 3)))),
            tuple(sorted(chain() for _ in range(rng.randint(0, 3)))),
        )
        for _ in range(rng.randint(1, 200))
    ]
    # Two places in one region, each counted; a sector and nothing else.
    entries += [(1, 30, (1, 2), (5,), ((2, 1), (2, 1), (3,))), (2, None, (), (), ())]
    one_by_one = catalogue.Summary(changes=7)
    for entry in entries:
        one_by_one.add(entry)
    at_once = catalogue.Summary.of(entries, changes=7)
    assert same_counts(at_once, one_by_one)
    assert at_once.changes == 7
    assert at_once.top_partners(catalogue.RANKED) == one_by_one.top_partners(catalogue.RANKED)


@pytest.mark.django_db(False)
@pytest.mark.parametrize("seed", range(4))
def test_the_partners_ranking_kept_through_corrections_is_the_ranking_counted_anew(seed):
    """What the corrections keep of the ranking of partners (``Summary.rank_after``) is the
    ranking counted from scratch, through projects published, unpublished and moved
    between partners, few partners or many."""
    rng = random.Random(seed)
    # Few partners or many; few projects (partners gain and lose their only one) or many.
    partner_keys = range(1, [12, 40, 60, 200][seed])
    number = [300, 300, 12, 300][seed]

    def entry():
        return (None, None, (), tuple(sorted(rng.sample(partner_keys, rng.randint(0, 3)))), ())

    projects = {pk: entry() for pk in range(number)}
    summary = catalogue.Summary()
    for each in projects.values():
        summary.add(each)
    summary.top_partners(catalogue.RANKED)
    kept = 0
    for _step in range(400):
        before = catalogue.Summary(partners=Counter(summary.partners), ranking=summary.ranking)
        after = catalogue.Summary(partners=Counter(summary.partners))
        touched = set()
        for pk in rng.sample(sorted(projects), rng.randint(1, 3)):
            if projects[pk] is not None:
                after.add(projects[pk], -1)
                touched.update(projects[pk][3])
            # Published with other partners, with the same ones, or unpublished.
            projects[pk] = rng.choice([entry(), projects[pk], None])
            if projects[pk] is not None:
                after.add(projects[pk])
                touched.update(projects[pk][3])
        after.rank_after(before, touched)
        kept += after.ranking is not None
        assert after.top_partners(catalogue.RANKED) == after._ranked(catalogue.RANKED)
        assert after.top_partners(5) == after._ranked(5)
        summary = after
    assert kept > 20  # The kept ranking served, not only the one counted anew.


def test_the_entries_of_some_projects_are_those_counted_for_every_project():
    """A correction reads the projects that changed with one query written out
    (``catalogue.entries``): the same entries as counting every project finds, for the
    published ones only (not those scheduled or unpublished, whose links it reads)."""
    india = make_region(name_fr="Inde", name_en="India", country="IN")
    bengal = make_region(name_fr="Bengale", name_en="Bengal", parent=india)
    nepal = make_region(name_fr="Népal", name_en="Nepal", country="NP")
    public, hidden = make_partner(), make_partner(is_public=False)
    water = make_sector(name_fr="Eau", name_en="Water")
    full = make_project(
        regions=[bengal, nepal], partners=[public, hidden], sector=water, beneficiaries=1200
    )
    make_place(full, bengal)
    make_place(full, nepal)
    bare = make_project()
    scheduled = make_project(
        regions=[india], partners=[public], published_at=timezone.now() + timedelta(days=2)
    )
    unpublished = make_project(regions=[nepal], partners=[public], is_published=False)
    make_place(unpublished, nepal)
    # Its only partner not public; two places in one region; regions and no partner.
    discreet = make_project(regions=[nepal], partners=[hidden], sector=water)
    make_place(discreet, bengal)
    make_place(discreet, bengal, name_fr="Gosaba")
    everything = catalogue.entries()
    assert everything[discreet.pk] == (
        water.pk,
        None,
        (nepal.pk,),
        (),
        ((bengal.pk, india.pk), (bengal.pk, india.pk)),
    )
    assert set(everything) == {full.pk, bare.pk, discreet.pk}
    # The publication rule written out is the models' own.
    assert set(everything) == set(Project.objects.published().values_list("pk", flat=True))
    assert everything[full.pk] == (
        water.pk,
        1200,
        tuple(sorted([bengal.pk, india.pk, nepal.pk])),
        (public.pk,),
        tuple(sorted([(bengal.pk, india.pk), (nepal.pk,)])),
    )
    keys = [full.pk, bare.pk, discreet.pk, scheduled.pk, unpublished.pk, 999_999]
    assert catalogue.entries(keys) == everything
    assert catalogue.entries([unpublished.pk]) == {}


def test_the_entries_of_three_projects_and_of_four_are_read_by_one_statement(monkeypatch):
    projects = [make_project(beneficiaries=n) for n in range(1, 5)]
    pks = [project.pk for project in projects]
    statements = []
    read = catalogue._entries_read

    def reading(sql, params):
        statements.append(sql)
        return read(sql, params)

    monkeypatch.setattr(catalogue, "_entries_read", reading)
    three, four = catalogue.entries(pks[:3]), catalogue.entries(pks)
    # The key padding the series of three is no project's.
    assert {pk: entry[1] for pk, entry in three.items()} == {
        pk: n for n, pk in enumerate(pks[:3], 1)
    }
    assert set(four) == set(pks)
    assert len(statements) == 2 and statements[0] == statements[1]


def test_the_counts_are_good_no_longer_than_the_names_token(catalogue_rows):
    """Whoever shortened the names token alone (a publication scheduled from a worker that
    did not tell the counts token), the counts are corrected at that publication too."""
    from core.pagecache import ContentState

    assert kept().figures == {"projects": 2, "beneficiaries": 120}
    soon = timezone.now() + timedelta(seconds=1.5)
    make_project(title_fr="Bientôt", published_at=soon, beneficiaries=5)
    assert kept().figures == {"projects": 2, "beneficiaries": 120}
    assert cache.get(fragments.NAMES_KEY).valid_until == soon
    counts = cache.get(fragments.COUNTS_KEY)
    cache.set(fragments.COUNTS_KEY, ContentState(token=counts.token), None)  # Not told.

    time.sleep(max(0, (soon - timezone.now()).total_seconds()) + 0.1)

    assert kept().figures == {"projects": 3, "beneficiaries": 125}


def test_a_project_going_public_by_its_date_is_counted_by_a_correction(catalogue_rows):
    """A scheduled publication falling due logs the projects it publishes: the counts
    kept are corrected for them, as for a project published by a save, not counted again
    (and the other pages' fragments stay)."""
    first, _second = catalogue_rows["projects"]
    soon = timezone.now() + timedelta(seconds=1.5)
    make_project(title_fr="Bientôt", published_at=soon, beneficiaries=5)
    assert kept().figures == {"projects": 2, "beneficiaries": 120}
    tokens = {key: cache.get(key).token for key in fragments.SCHEDULED_KEYS}
    # Behind the site's back, and not a project published then: only counting again sees it.
    sql_beneficiaries(first, 500)

    time.sleep(max(0, (soon - timezone.now()).total_seconds()) + 0.1)

    counts = kept()
    assert counts.figures == {"projects": 3, "beneficiaries": 125}
    assert {key: cache.get(key).token for key in fragments.SCHEDULED_KEYS} == tokens
    # Good until the next publication: none is scheduled.
    assert all(cache.get(key).valid_until is None for key in fragments.SCHEDULED_KEYS)


def test_too_many_projects_going_public_at_once_are_counted_again(catalogue_rows, monkeypatch):
    first, _second = catalogue_rows["projects"]
    soon = timezone.now() + timedelta(seconds=1.5)
    make_project(title_fr="Bientôt", published_at=soon, beneficiaries=5)
    make_project(title_fr="Bientôt aussi", published_at=soon, beneficiaries=7)
    assert kept().figures == {"projects": 2, "beneficiaries": 120}
    tokens = {key: cache.get(key).token for key in fragments.SCHEDULED_KEYS}
    sql_beneficiaries(first, 500)
    monkeypatch.setattr(fragments, "MAX_CATALOGUE_CHANGES", 3)  # One at most logged.

    time.sleep(max(0, (soon - timezone.now()).total_seconds()) + 0.1)

    assert kept().figures == {"projects": 4, "beneficiaries": 512}
    renewed = {key: cache.get(key).token for key in fragments.SCHEDULED_KEYS}
    assert all(renewed[key] != token for key, token in tokens.items())


def opcodes(value) -> int:
    return sum(1 for _ in pickletools.genops(pickle.dumps(value)))


@pytest.mark.parametrize("partners", [20, 2_000])
def test_kept_counts_read_back_as_packed_counts_that_answer_as_the_counters_did(partners):
    rng = random.Random(partners)
    counted = catalogue.Summary(
        projects=partners,
        partners=Counter({pk: rng.randint(1, 40) for pk in rng.sample(range(1, 50_000), partners)}),
        regions=Counter({1: 5, 7: 2}),
        sectors=Counter({3: 4}),
        places=Counter({1: 9}),
    )
    counted.top_partners(catalogue.RANKED)
    kept = pickle.loads(pickle.dumps(counted))  # noqa: S301 - its own value

    assert isinstance(kept.partners, catalogue.PackedCounts)
    assert kept == counted and counted == kept
    for pk in [*counted.partners, 0, 49_999, 50_001, -3]:
        assert kept.partners.get(pk, 0) == counted.partners.get(pk, 0)
        assert (pk in kept.partners) == (pk in counted.partners)
    assert len(kept.partners) == len(counted.partners)
    assert dict(kept.partners.items()) == dict(counted.partners)
    assert kept.top_partners(5) == counted.top_partners(5) == counted._ranked(5)
    assert kept.projects_in(1) == 5 and kept.projects_in(2) == 0
    assert kept.places_in(1) == 9 and kept.sectors.get(3) == 4
    # Corrected on a copy, which takes changes as the counter does, the kept ones left.
    copy, changed = catalogue._copied(kept.partners), Counter(counted.partners)
    present = list(counted.partners)
    for _ in range(300):
        pk = rng.choice([*present[:5], rng.randint(1, 50_000), 0])
        by = rng.choice([-1, 1])
        catalogue._adjust(copy, [pk], by)
        catalogue._adjust(changed, [pk], by)
        assert copy.get(pk, 0) == changed.get(pk, 0)
    assert dict(copy.items()) == dict(changed) and len(copy) == len(changed)
    assert list(copy) == sorted(changed)
    assert kept.partners == counted.partners
    # Read back, it builds nothing per partner: as many pickle operations at any number.
    assert opcodes(counted) == opcodes(dataclasses.replace(counted, partners=Counter({1: 1})))
