"""Places of projects: stored with checked coordinates, edited on the project form, shown
on server-drawn maps of the project, region and home pages (fr and en), kept in the
page cache and fragments and renewed by every change."""

import pickle
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from core import fragments
from places import maps, pages
from places.generate import create_locations
from places.models import Location
from places.pages import MAP_PLACES
from portfolio.generate import generate_projects
from portfolio.models import Project

from .admin_forms import admin_form_data
from .factories import make_project, make_region

pytestmark = pytest.mark.django_db

# What a map may add to a page, at most.
PAGE_BUDGET = 60 * 1024
SVG_RE = re.compile(r'<svg class="places-map-svg".*?</svg>', re.S)


def make_place(project, region, **fields):
    defaults = {
        "name_fr": "Canning, 24 Parganas Sud",
        "name_en": "Canning, South 24 Parganas",
        "latitude": Decimal("22.315"),
        "longitude": Decimal("88.666"),
    }
    return Location.objects.create(project=project, region=region, **defaults | fields)


@pytest.fixture
def bengal():
    india = make_region(name_fr="Inde", name_en="India", country="IN")
    west_bengal = make_region(
        parent=india, name_fr="Bengale occidental", name_en="West Bengal", country="IN"
    )
    nepal = make_region(name_fr="Népal", name_en="Nepal", country="NP")
    project = make_project(
        title_fr="L’eau au village", title_en="Water in the village", regions=[west_bengal, nepal]
    )
    make_place(project, west_bengal)
    make_place(
        project,
        nepal,
        name_fr="Itahari, district de Sunsari",
        name_en="Itahari, Sunsari district",
        latitude=Decimal("26.663"),
        longitude=Decimal("87.274"),
        order=1,
    )
    return project, india, west_bengal, nepal


def url_in(language, obj=None, name=None):
    with translation.override(language):
        return obj.get_absolute_url() if obj is not None else reverse(name)


def svg_of(html: str) -> str:
    found = SVG_RE.search(html)
    assert found, "no map on the page"
    return found.group(0)


def refused(operation) -> bool:
    try:
        with transaction.atomic():
            operation()
    except IntegrityError:
        return True
    return False


# The database ------------------------------------------------------------------------------


def test_the_database_refuses_coordinates_off_the_globe(bengal):
    project, _india, west_bengal, _nepal = bengal
    place = Location.objects.filter(project=project).first()
    for latitude, longitude in [("91", "88"), ("-90.00001", "88"), ("22", "180.5"), ("22", "-181")]:
        assert refused(
            lambda la=latitude, lo=longitude: make_place(
                project, west_bengal, latitude=Decimal(la), longitude=Decimal(lo)
            )
        ), (latitude, longitude)
    assert refused(lambda: Location.objects.filter(pk=place.pk).update(latitude=Decimal("91")))
    # The poles and the antimeridian are on the globe.
    make_place(project, west_bengal, latitude=Decimal("90"), longitude=Decimal("-180"))
    make_place(project, west_bengal, latitude=Decimal("-90"), longitude=Decimal("180"))


def test_validation_explains_the_range_in_the_visitors_language(bengal):
    project, _india, west_bengal, _nepal = bengal
    place = Location(
        project=project,
        region=west_bengal,
        name_fr="Ailleurs",
        latitude=Decimal("91"),
        longitude=Decimal("200"),
    )
    for language, words in [
        ("fr", "La latitude doit être comprise entre -90 et 90."),
        ("en", "The latitude must be between -90 and 90."),
    ]:
        with translation.override(language):
            with pytest.raises(ValidationError) as raised:
                place.full_clean()
            assert words in raised.value.message_dict["latitude"]
            assert "longitude" in raised.value.message_dict


# The admin ---------------------------------------------------------------------------------


def test_editors_add_a_place_on_the_project_form(editor_client, bengal):
    project, _india, west_bengal, _nepal = bengal
    url = reverse("admin:portfolio_project_change", args=[project.pk])
    page = editor_client.get(url)
    assert b"locations-TOTAL_FORMS" in page.content
    form = admin_form_data(page)
    form |= {
        "locations-TOTAL_FORMS": "3",
        "locations-2-name_fr": "Jaynagar",
        "locations-2-name_en": "Jaynagar",
        "locations-2-region": str(west_bengal.pk),
        "locations-2-latitude": "22.176",
        "locations-2-longitude": "88.419",
        "locations-2-exactness": "2",
        "locations-2-reach": "1",
        "locations-2-order": "2",
    }
    response = editor_client.post(url, form)
    assert response.status_code == 302, response.context and response.context["errors"]
    added = Location.objects.get(project=project, name_fr="Jaynagar")
    assert added.latitude == Decimal("22.176") and added.reach == Location.Reach.ACTIVITY


def test_a_place_off_the_globe_is_refused_with_a_french_message_and_nothing_saved(
    editor_client, bengal
):
    project, _india, west_bengal, _nepal = bengal
    url = reverse("admin:portfolio_project_change", args=[project.pk])
    form = admin_form_data(editor_client.get(url, HTTP_ACCEPT_LANGUAGE="fr"))
    form |= {
        "title_fr": "Titre qui ne doit pas être enregistré",
        "locations-TOTAL_FORMS": "3",
        "locations-2-name_fr": "Nulle part",
        "locations-2-region": str(west_bengal.pk),
        "locations-2-latitude": "91",
        "locations-2-longitude": "88",
        "locations-2-exactness": "2",
        "locations-2-order": "2",
    }
    response = editor_client.post(url, form, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert "La latitude doit être comprise entre -90 et 90." in response.content.decode()
    assert not Location.objects.filter(name_fr="Nulle part").exists()
    project.refresh_from_db()
    assert project.title_fr == "L’eau au village"


def test_a_place_without_its_french_name_is_refused(editor_client, bengal):
    project, _india, west_bengal, _nepal = bengal
    url = reverse("admin:portfolio_project_change", args=[project.pk])
    form = admin_form_data(editor_client.get(url))
    form |= {
        "locations-TOTAL_FORMS": "3",
        "locations-2-name_en": "Nameless in French",
        "locations-2-region": str(west_bengal.pk),
        "locations-2-latitude": "22",
        "locations-2-longitude": "88",
        "locations-2-exactness": "2",
        "locations-2-order": "2",
    }
    response = editor_client.post(url, form)
    assert response.status_code == 200
    assert not Location.objects.filter(name_en="Nameless in French").exists()


# The maps ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_project_page_shows_its_places_on_a_map_and_in_a_list(client, bengal, language):
    project, _india, west_bengal, nepal = bengal
    html = client.get(url_in(language, project)).content.decode()
    svg = svg_of(html)
    names = {
        "fr": ("Canning, 24 Parganas Sud", "Itahari, district de Sunsari"),
        "en": ("Canning, South 24 Parganas", "Itahari, Sunsari district"),
    }[language]
    for name in names:
        assert svg.count(name) == 2  # the link's accessible name and its tooltip
        assert html.count(name) == 3  # and the list beside the map
    # Each point leads to its region's page; the SVG is named and described.
    assert f'href="{url_in(language, west_bengal)}"' in svg
    assert f'href="{url_in(language, nepal)}"' in svg
    assert 'aria-labelledby="project-map-title project-map-desc"' in svg
    assert svg.count("<a ") == 2 and svg.count("aria-label=") == 2
    caption = {
        "fr": "Les frontières sont approximatives et n’impliquent aucune prise de position "
        "sur les territoires contestés.",
        "en": "Boundaries are approximate and do not imply any position on disputed territories.",
    }[language]
    assert caption in html
    assert "<figure" in html and "<figcaption" in html


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("shown", ["home", "country", "state"])
def test_home_and_region_maps_lead_to_the_projects(client, bengal, language, shown):
    project, india, west_bengal, _nepal = bengal
    url = {
        "home": lambda: url_in(language, name="portfolio:home"),
        "country": lambda: url_in(language, india),  # the place is in one of its parts
        "state": lambda: url_in(language, west_bengal),
    }[shown]()
    html = client.get(url).content.decode()
    svg = svg_of(html)
    project_url = url_in(language, project)
    title = {"fr": "L’eau au village", "en": "Water in the village"}[language]
    canning = {"fr": "Canning, 24 Parganas Sud", "en": "Canning, South 24 Parganas"}[language]
    assert f'<a href="{project_url}" aria-label="{canning}, {title}">' in svg
    assert f'<a href="{project_url}">{title}</a>' in html  # the list beside the map
    # Nepal's place is on the home page only: not in India.
    assert ("Itahari" in svg) == (shown == "home")


def test_a_region_without_places_and_a_project_without_places_show_no_map(client, bengal):
    other = make_project(title_fr="Sans lieu")
    empty = make_region(name_fr="Sénégal", name_en="Senegal", country="SN")
    for url in (other.get_absolute_url(), empty.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "places-map" not in html


def test_places_of_unpublished_projects_stay_off_the_maps(client, bengal):
    _project, india, west_bengal, _nepal = bengal
    draft = make_project(title_fr="Brouillon secret", is_published=False)
    make_place(draft, west_bengal, name_fr="Lieu du brouillon", name_en="Draft place")
    for language in ("fr", "en"):
        for url in (url_in(language, name="portfolio:home"), url_in(language, india)):
            html = client.get(url).content.decode()
            assert "Canning" in svg_of(html)  # the published project's place is there
            assert "Lieu du brouillon" not in html and "Draft place" not in html


def test_the_svg_holds_no_address_of_another_site_and_compact_numbers(client, bengal):
    project, *_ = bengal
    for url in (project.get_absolute_url(), reverse("portfolio:home")):
        svg = svg_of(client.get(url).content.decode())
        assert not re.search(r"https?:|//|xlink|<image|<use|url\(", svg), url
        assert all(href.startswith("/") for href in re.findall(r'href="([^"]*)"', svg))
        numbers = re.findall(
            r"-?\d+(?:\.\d+)?", " ".join(re.findall(r'(?:d|cx|cy)="([^"]*)"', svg))
        )
        assert numbers and all(len(n.partition(".")[2]) <= 1 for n in numbers)


def test_a_map_of_many_places_worldwide_stays_within_the_page_budget(client, db):
    """The heaviest map: the most places the home page shows, on three continents."""
    projects = generate_projects(MAP_PLACES + 5, seed=3)
    assert create_locations(projects, seed=3) == MAP_PLACES + 5
    countries = Location.objects.values("region__country").distinct().count()
    assert countries >= 4
    html = client.get(reverse("portfolio:home")).content.decode()
    svg = svg_of(html)
    assert svg.count("<a ") == MAP_PLACES
    assert len(svg.encode()) < PAGE_BUDGET
    Location.objects.all().delete()
    bare = client.get(reverse("portfolio:home")).content.decode()
    assert "places-map" not in bare
    assert len(html.encode()) - len(bare.encode()) < PAGE_BUDGET


@pytest.mark.parametrize("shown", ["home", "country"])
def test_kept_pages_hold_a_mark_for_a_maps_land_and_serve_it_drawn(client, bengal, settings, shown):
    _project, india, *_ = bengal
    url = url_in("fr", name="portfolio:home") if shown == "home" else url_in("fr", india)
    drawn = svg_of(client.get(url).content.decode())  # Fragments off: drawn whole.
    assert maps.LAND_GROUP + "<path " in drawn and maps.LAND_MARK_START not in drawn
    settings.PAGE_CACHE_ENABLED = False
    settings.PAGE_CACHE_STATE = "cache"
    settings.FRAGMENT_CACHE_ENABLED = True
    cache.clear()
    visitor = Client()
    for _ in range(2):  # Drawn and kept, then served from what was kept.
        response = visitor.get(url)
        assert svg_of(response.content.decode()) == drawn
        assert int(response["Content-Length"]) == len(response.content)
    kept = fragments_kept()
    # The map's section and every fragment around it keep the mark, never the land.
    assert any(maps.LAND_GROUP + maps.LAND_MARK_START in each for each in kept)
    assert not [each for each in kept if maps.LAND_GROUP + "<path " in each]


def fragments_kept():
    """Return what the fragments keep, as text (a local-memory cache or Redis)."""
    prefix = fragments.FRAGMENT_KEY_PREFIX
    if hasattr(cache, "_cache"):  # Local memory: its keys hold ours.
        found = [pickle.loads(value) for key, value in cache._cache.items() if prefix in key]  # noqa: S301 - our own test cache
    else:
        server = cache.client.get_client()
        found = [cache.client.decode(server.get(key)) for key in server.keys(f"*{prefix}*")]
    texts = []
    for each in found:
        value = getattr(each, "value", each)
        texts.append(
            value[1].decode()
            if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], bytes)
            else str(value)
        )
    return texts


def test_a_land_mark_stands_for_the_land_it_is_filled_in_with():
    points = [maps.Point(22.3, 88.7, "/a/", "a & b"), maps.Point(26.7, 87.3, "/b/", "c")]
    options = {"title": "Carte", "description": "Deux lieux", "id_prefix": "m"}
    marked = maps.render_svg(points, land_marked=True, **options)
    whole = maps.render_svg(points, **options)
    assert maps.LAND_MARK_START in marked and "<path " not in marked
    assert maps.with_land(marked) == whole
    assert maps.with_land(marked + marked) == whole + whole
    # Only a mark where a map's land goes is filled in; anything else is left as it is.
    mark = maps.land_mark(maps.View.around(points))
    for text in (
        f"<p>{mark}</p>",
        maps.LAND_GROUP + "<!--places-map-land 1 2 3-->",
        maps.LAND_GROUP + "<!--places-map-land a b c d e f-->",
        maps.LAND_GROUP + "<!--places-map-land 1 2 3 4 5 nan-->",
        maps.LAND_GROUP + "<!--places-map-land 1 2 3 4 5 6",
    ):
        assert maps.with_land(text) == text


def test_the_demo_project_map_is_small(client, demo):
    html = client.get(demo.get_absolute_url()).content.decode()
    assert len(svg_of(html).encode()) < 20 * 1024


def test_the_view_fits_its_points_with_a_margin():
    points = [maps.Point(22.3, 88.7, "/a/", "a"), maps.Point(26.7, 87.3, "/b/", "b")]
    view = maps.View.around(points)
    for point in points:
        x, y = view.project(point.longitude, point.latitude)
        assert 0.1 * view.width < x < 0.9 * view.width
        assert 0.1 * view.height < y < 0.9 * view.height
    assert maps.number(12.345) == "12.3" and maps.number(-0.04) == "0" and maps.number(3.0) == "3"


def test_clipping_keeps_what_lies_inside_the_box():
    square = [(0, 0), (10, 0), (10, 10), (0, 10)]
    assert sorted(maps.clip(square, (5, -5, 15, 5))) == [(5, 0), (5, 5), (10, 0), (10, 5)]
    assert maps.clip(square, (20, 20, 30, 30)) == []


# The caches --------------------------------------------------------------------------------


@pytest.fixture(params=["cache", "database"])
def page_cache_on(request, settings):
    settings.PAGE_CACHE_ENABLED = True
    settings.FRAGMENT_CACHE_ENABLED = True
    settings.PAGE_CACHE_STATE = request.param


def test_a_new_place_shows_on_the_next_request_in_both_languages(page_cache_on, bengal):
    project, india, west_bengal, _nepal = bengal
    visitor = Client()
    pages = [
        url_in(language, obj)
        for language in ("fr", "en")
        for obj in (project, india, west_bengal, None)
        if obj is not None
    ] + [url_in(language, name="portfolio:home") for language in ("fr", "en")]
    for url in pages:
        visitor.get(url)
    with CaptureQueriesContext(connection) as queries:
        visitor.get(pages[0])
    assert len(queries) <= 1  # served from the cache (the token may live in the database)

    make_place(
        project,
        west_bengal,
        name_fr="Basanti, 24 Parganas Sud",
        name_en="Basanti, South 24 Parganas",
        latitude=Decimal("22.19"),
        longitude=Decimal("88.67"),
        order=5,
    )
    for url in pages:
        html = visitor.get(url).content.decode()
        name = (
            "Basanti, 24 Parganas Sud" if url.startswith("/fr/") else "Basanti, South 24 Parganas"
        )
        assert name in svg_of(html), url

    place = Location.objects.get(name_fr="Basanti, 24 Parganas Sud")
    place.name_en = "Basanti village"
    place.save()
    for url in pages:
        if url.startswith("/en/"):  # The project's map, and the home and region maps.
            assert "Basanti village" in svg_of(visitor.get(url).content.decode()), url
    place.delete()
    for url in pages:
        assert "Basanti" not in visitor.get(url).content.decode(), url
    Location.objects.filter(project=project).update(name_en="Renamed in bulk")
    assert "Renamed in bulk" in visitor.get(url_in("en", project)).content.decode()


def test_a_place_added_in_the_admin_shows_on_the_next_request(page_cache_on, bengal, editor_client):
    project, _india, west_bengal, _nepal = bengal
    visitor = Client()
    visitor.get(url_in("fr", project))
    url = reverse("admin:portfolio_project_change", args=[project.pk])
    form = admin_form_data(editor_client.get(url)) | {
        "locations-TOTAL_FORMS": "3",
        "locations-2-name_fr": "Gosaba",
        "locations-2-name_en": "Gosaba island",
        "locations-2-region": str(west_bengal.pk),
        "locations-2-latitude": "22.16",
        "locations-2-longitude": "88.81",
        "locations-2-exactness": "2",
        "locations-2-order": "2",
    }
    assert editor_client.post(url, form).status_code == 302
    assert "Gosaba" in svg_of(visitor.get(url_in("fr", project)).content.decode())
    assert "Gosaba island" in svg_of(visitor.get(url_in("en", project)).content.decode())


@pytest.mark.parametrize("few", [pages.FEW_PROJECTS, 0], ids=["prepared", "database"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_regions_kept_map_takes_in_a_project_published_since_with_its_places_there_only(
    settings, bengal, monkeypatch, few, language
):
    """A region's map is kept across the catalogue and corrected for the projects that
    changed it since: their places in the region, in the catalogue's order, none of their
    places elsewhere (chosen by region after one prepared query, or by the database when
    many projects changed)."""
    settings.PAGE_CACHE_ENABLED = False
    settings.PAGE_CACHE_STATE = "cache"  # As with Redis: fragments kept in the shared cache.
    settings.FRAGMENT_CACHE_ENABLED = True
    monkeypatch.setattr(pages, "FEW_PROJECTS", few)
    _project, india, _west_bengal, nepal = bengal
    newer = make_project(title_fr="Nouveau projet", title_en="New project", is_published=False)
    newer.regions.set([india, nepal])
    make_place(newer, india, name_fr="Gosaba (Inde)", name_en="Gosaba (India)", order=2)
    make_place(newer, india, name_fr="Basanti (Inde)", name_en="Basanti (India)")
    make_place(newer, nepal, name_fr="Dharan (Népal)", name_en="Dharan (Nepal)", order=1)
    visitor = Client()
    urls = {region: url_in(language, region) for region in (india, nepal)}
    for url in urls.values():
        assert "Basanti" not in visitor.get(url).content.decode()
    corrected = []
    region_rows = pages._region_rows
    monkeypatch.setattr(
        pages,
        "_region_rows",
        lambda pks, *rest: corrected.append(list(pks)) or region_rows(pks, *rest),
    )

    newer.is_published = True
    newer.save()

    shown = {region: svg_of(visitor.get(url).content.decode()) for region, url in urls.items()}
    assert [newer.pk] in corrected  # Corrected, not found again.
    assert "Basanti" in shown[india] and "Dharan" not in shown[india]
    assert "Dharan" in shown[nepal] and "Basanti" not in shown[nepal]
    # Published last, it comes first: before Canning, on India's map.
    assert (
        shown[india].index("Basanti")
        < shown[india].index("Gosaba")  # By their own order.
        < shown[india].index("Canning")
    )
    assert shown[nepal].index("Dharan") < shown[nepal].index("Itahari")


def test_the_first_places_of_projects_in_a_region_are_those_the_database_chooses(bengal):
    """More places than a map shows, of projects featured or not, two published at the
    same moment: the same first ones, in the same order, whether chosen by region after
    the prepared query or by the database."""
    project, india, west_bengal, nepal = bengal
    moment = project.published_at
    projects = [
        project,
        make_project(is_featured=True, published_at=moment - timezone.timedelta(days=30)),
        make_project(published_at=moment),
        make_project(published_at=moment),
    ]
    for number in range(MAP_PLACES + 15):
        make_place(
            projects[number % len(projects)],
            nepal if number % 5 == 0 else west_bengal,
            name_fr=f"Lieu {number}",
            name_en=f"Place {number}",
            order=(number * 7) % 11,
        )
    inside = [india.pk, west_bengal.pk]
    pks = [each.pk for each in projects]

    def located():
        return pages._published_locations().filter(region__in=inside)

    chosen = pages._region_rows(pks, inside, located)
    assert len(chosen) == MAP_PLACES + 1
    assert chosen == list(pages._first_places(located().filter(project__in=pks)))
    # The featured project's places first, then the latest published (the latest made
    # first among those published at the same moment).
    assert [row[4] for row in chosen[:3]] == [projects[1].pk] * 3


# Query counts ------------------------------------------------------------------------------


def map_pages():
    project = Project.objects.published().filter(locations__isnull=False).order_by("pk").first()
    region = project.locations.order_by("pk").first().region
    return {
        "home": reverse("portfolio:home"),
        "project": project.get_absolute_url(),
        "region": region.get_absolute_url(),
        "country": (region.parent or region).get_absolute_url(),
    }


def count_queries(url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(url)
    assert response.status_code == 200
    assert "places-map-svg" in response.content.decode(), url
    return len(queries)


def test_map_pages_run_as_many_queries_with_2_or_60_projects(settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False
    create_locations(generate_projects(2, seed=2), seed=2)
    small = {name: count_queries(url) for name, url in map_pages().items()}
    create_locations(generate_projects(58, seed=58), seed=58)
    assert Location.objects.count() >= 55
    large = {name: count_queries(url) for name, url in map_pages().items()}
    assert small == large


# Demo and generated content ----------------------------------------------------------------


def test_load_demo_gives_the_demo_project_its_places_once(demo):
    places = list(demo.locations.order_by("order"))
    assert len(places) == 6
    assert {p.region.slug_fr for p in places} == {"bengale-occidental", "nepal", "bangladesh"}
    assert all(p.name_fr and p.name_en for p in places)
    call_command("load_demo", "--reset", verbosity=0)
    assert sorted(Location.objects.values_list("pk", flat=True)) == sorted(p.pk for p in places)


def test_generated_projects_get_a_place_in_one_of_their_regions(db):
    projects = generate_projects(12, seed=5)
    assert create_locations(projects, seed=5) == 12
    for place in Location.objects.select_related("project"):
        assert place.project.regions.filter(pk=place.region_id).exists()


def test_places_adds_its_maps_through_the_portfolio_page_extension_point():
    from pathlib import Path

    from places import sections
    from portfolio import page_extensions

    assert sections.project_section in page_extensions.page_sections("project")
    assert sections.region_section in page_extensions.page_sections("region")
    assert sections.home_section in page_extensions.page_sections("home")
    page_extensions.add_page_section("home", sections.home_section)  # added once only
    assert page_extensions.page_sections("home").count(sections.home_section) == 1
    with pytest.raises(ValueError):
        page_extensions.add_page_section("partner", sections.home_section)
    # The portfolio's templates do not know the places app.
    templates = Path(__file__).parent.parent / "templates" / "portfolio"
    assert not any("places_map" in t.read_text() for t in templates.glob("*.html"))


def test_names_are_escaped_in_the_map_and_the_list(client, bengal):
    project, _india, west_bengal, _nepal = bengal
    attack = '<script>alert(1)</script>" onmouseover="x'
    make_place(project, west_bengal, name_fr=attack, name_en=attack)
    for language in ("fr", "en"):
        html = client.get(url_in(language, project)).content.decode()
        assert "<script>alert(1)" not in html
        assert '" onmouseover="x' not in html
        assert svg_of(html).count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2


@pytest.mark.parametrize(
    ("language", "heading", "more"),
    [
        ("fr", "Lieux indiqués", "La carte montre 2 lieux sur 5"),
        ("en", "Places shown", "The map shows 2 of 5 places"),
    ],
)
def test_the_map_section_lists_its_places_escaped_in_the_visitors_language(language, heading, more):
    from core.templatetags.translated_fields import TranslatedText
    from places.pages import ListedPlace
    from places.sections import _section

    places = [
        ListedPlace(
            TranslatedText("Canning & <Sud>", "fr", language != "fr"),
            TranslatedText("L’eau au village", "fr", language != "fr"),
            "/fr/projets/l-eau/?a=1&b=2",
            22.3,
            88.6,
        ),
        ListedPlace(
            TranslatedText("Dhaka", "en", language != "en"),
            TranslatedText("Girls' school", "en", language != "en"),
            "/en/projects/school/",
            23.8,
            90.4,
        ),
    ]
    content = {"svg": "<svg></svg>", "places": places, "total": 5, "map_id": "region-map"}
    with translation.override(language):
        html = _section(content)
        assert _section({**content, "places": []}) == ""
        assert "La carte montre" not in _section({**content, "total": 2})
        assert "The map shows" not in _section({**content, "total": 2})
    other = "en" if language == "fr" else "fr"
    assert (
        '<section class="container section places-map" aria-labelledby="region-map-heading">'
        in html
    )
    assert f'<h3 id="region-map-list-heading">{heading}</h3>' in html
    assert more in html
    assert "<svg></svg>" in html
    # Names escaped; a text in the other language says so.
    escaped = "Canning &amp; &lt;Sud&gt;"
    first, second = re.findall(r"<li>.*?</li>", html)
    if language == "fr":
        assert first == (
            f'<li><span>{escaped}</span> — <a href="/fr/projets/l-eau/?a=1&amp;b=2">'
            "L’eau au village</a></li>"
        )
        assert f'<span lang="{other}">Dhaka</span>' in second
    else:
        assert f'<span lang="{other}">{escaped}</span>' in first
        assert second == (
            '<li><span>Dhaka</span> — <a href="/en/projects/school/">Girls&#x27; school</a></li>'
        )
