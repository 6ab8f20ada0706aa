"""An editor's change to one project's own content renders only that project anew.

A project's story, subtitle, cover, dates, photos and results are shown by its own page
and card (and the search, the feed, the sitemap): changing them moves that project's
content version, not the editorial token, so the fragments of every other page stay kept.
As in ``test_fragments``, a title changed behind the site's back (SQL, no signal) tells a
kept fragment (the old title) from one computed anew (the new one).
"""

import contextlib
import dataclasses
import os
import re
import subprocess
import sys
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_init
from django.template import Template, TemplateSyntaxError
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.html import escape

from core import fragments, pagecache
from core import sitemaps as core_sitemaps
from core.changes import changed_columns
from core.models import PageCacheState
from core.sitemaps import TranslatedSitemap
from devtools.middleware import EditBeforeEachRequest, show_partners_of
from partners import views as partners_views
from partners.models import Partner
from places import sections
from places.models import Location
from portfolio import catalogue
from portfolio.models import Partnership, Project, ProjectImage, ProjectUpdate, Region, Sector
from portfolio.signal_handlers import OWN_CONTENT_COLUMNS
from results.models import Disaggregation, Indicator, Period, Result
from tests import test_fragment_writes, test_fragments
from tests.admin_forms import admin_form_data
from tests.factories import (
    make_partner,
    make_photo,
    make_project,
    make_region,
    make_update,
    uploaded_image,
)
from tests.results_factories import make_indicator, make_part, make_period, make_result
from tests.test_fragments import count_cache_reads, pages, sql_title
from tests.test_places import make_place

pytestmark = pytest.mark.django_db

# The fixtures of the fragments' tests: fragments on, two projects sharing a region.
fragments_on = test_fragments.fragments_on
projects = test_fragments.projects

ATOM = {"atom": "http://www.w3.org/2005/Atom"}
SITEMAP = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BEHIND = "Titre changé sans signal"
# A project key that no page shows: moving its content version moves only "any project".
ANOTHER_PROJECT = 999_999


def sql_title_of(project, title):
    """``sql_title`` for a project saved afterwards: the untranslated column too, which
    the translations keep equal to the French one, so the save sees no title change."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Project._meta.db_table} SET title = %s, title_fr = %s WHERE id = %s",  # noqa: S608
            [title, title, project.pk],
        )


@contextlib.contextmanager
def partner_rows_built(monkeypatch):
    """Yield the list of the Partner instances built meanwhile: read from the database
    or unpickled from the cache."""
    rows = []

    def unpickled(instance, state):
        rows.append(instance)
        Model.__setstate__(instance, state)

    monkeypatch.setattr(Partner, "__setstate__", unpickled)
    post_init.connect(
        lambda instance, **kwargs: rows.append(instance),
        sender=Partner,
        weak=False,
        dispatch_uid="counted-partner-rows",
    )
    try:
        yield rows
    finally:
        post_init.disconnect(sender=Partner, dispatch_uid="counted-partner-rows")


def editorial():
    """Return the editorial token as the next request reads it."""
    fragments._forget_token()
    return fragments.editorial_token()


def searched_edits():
    """Return how many searched edits were logged (``fragments.note_searched_edit``)."""
    return cache.get(fragments.SEARCH_EDITS_KEY) or 0


def french(address, *args):
    """Return ``address(*args)`` (a reverse, a get_absolute_url) in French."""
    with translation.override("fr"):
        return address(*args)


def fresh(project):
    """The project as an editor's form loads it."""
    return Project.objects.get(pk=project.pk)


def save_story(project, fr, en):
    project = fresh(project)
    project.body_fr = f"<p>{fr}</p>"
    project.body_en = f"<p>{en}</p>"
    project.save()
    return project


def get(client, url, language="fr"):
    with translation.override(language):
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def page_url(project, language):
    with translation.override(language):
        return fresh(project).get_absolute_url()


def visit_everything(visitor, funded, other, region, partner):
    """Request every page in both languages (so their fragments are kept); return them."""
    urls = pages(funded, other, region, partner)
    for url in urls.values():
        get(visitor, url)
    for project in (funded, other):
        for language in ("fr", "en"):
            get(visitor, page_url(project, language), language)
    return urls


# -- A project's story -------------------------------------------------------------------


def test_a_story_edit_renders_that_projects_page_anew_and_keeps_every_other_fragment(projects):
    funded, other, *_ = projects
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    token, other_version = editorial(), fragments.content_versions([other.pk])[other.pk]
    funded_version = fragments.content_versions([funded.pk])[funded.pk]
    sql_title(other, BEHIND)

    save_story(funded, "Un puits creusé par le village", "A well dug by the village")

    assert editorial() == token
    assert fragments.content_versions([other.pk])[other.pk] == other_version
    assert fragments.content_versions([funded.pk])[funded.pk] != funded_version
    for name, url in urls.items():
        html = get(visitor, url)
        # The other project's card and page were kept: nothing told the site of the title.
        assert "L’école des filles" in html, name
        assert BEHIND not in html, name
    french = get(visitor, page_url(funded, "fr"))
    assert "Un puits creusé par le village" in french
    english = get(visitor, page_url(funded, "en"), "en")
    assert "A well dug by the village" in english
    assert "Un puits creusé" not in english


@pytest.mark.parametrize(
    "changes",
    [
        {"subtitle_fr": "Un sous-titre neuf"},
        {"beneficiaries_description_fr": "des familles"},
        {"start_date": date(2024, 3, 1), "end_date": date(2026, 6, 30)},
        {"iati_identifier": "CA-CRA-1-XYZ"},
    ],
    ids=["subtitle", "beneficiaries", "dates", "iati"],
)
def test_other_own_content_columns_move_only_that_projects_content(projects, changes):
    funded, other, *_ = projects
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    token = editorial()
    before = fragments.content_versions([funded.pk])[funded.pk]
    sql_title(other, BEHIND)

    project = fresh(funded)
    for name, value in changes.items():
        setattr(project, name, value)
    project.save()

    assert editorial() == token
    assert fragments.content_versions([funded.pk])[funded.pk] != before
    for name, url in urls.items():
        assert BEHIND not in get(visitor, url), name
    french = get(visitor, page_url(funded, "fr"))
    if "subtitle_fr" in changes:
        assert "Un sous-titre neuf" in french
    if "start_date" in changes:
        assert "mars 2024" in french and "juin 2026" in french


def every_version(project) -> list[str]:
    """Return every version of a project's fragments: content, funding, each part."""
    versions = [
        fragments.content_versions([project.pk])[project.pk],
        fragments.funding_versions([project.pk])[project.pk],
    ]
    return versions + [
        fragments.part_versions(p, [project.pk])[project.pk] for p in fragments.PARTS
    ]


def card_link(project, title) -> str:
    """Return the title of a project's card as the card shows it, in French."""
    return f'class="card-title"><a href="{page_url(project, "fr")}">{title}</a>'


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (lambda project: setattr(project, "slug_fr", "l-eau-ailleurs"), "/l-eau-ailleurs/"),
        (
            lambda project: setattr(project, "status", Project.Status.COMPLETED),
            'class="status status-completed"',
        ),
        (lambda project: setattr(project, "is_featured", True), "L’eau au village"),
        (lambda project: setattr(project, "is_published", False), None),
    ],
    ids=["slug", "status", "featured", "unpublished"],
)
def test_a_projects_place_in_the_catalogue_draws_the_lists_and_it_anew_not_the_others(
    projects, change, shown
):
    funded, other, *_ = projects
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    with translation.override("fr"):
        urls["completed"] = reverse("portfolio:project_list") + "?status=completed"
    get(visitor, urls["completed"])
    token, others = editorial(), every_version(other)
    funded_versions = every_version(funded)
    sql_title(other, BEHIND)

    project = fresh(funded)
    change(project)
    project.body_fr = "<p>Et une histoire neuve</p>"
    project.save()

    assert editorial() != token
    assert every_version(other) == others
    # Every version of the changed project moves, but its funding figures' when the
    # change leaves them (and its giving panel's links) as they were, and its card's when
    # it leaves what the card shows (featured, unpublished), and then its news's (its
    # field updates show nothing else of it).
    content, figures, card, bottom, results, news, places = every_version(funded)
    assert not {content, bottom, results, places} & set(funded_versions)
    assert (figures == funded_versions[1]) == (project.slug_fr == funded.slug_fr)
    card_kept = project.slug_fr == funded.slug_fr and project.status == funded.status
    assert (card == funded_versions[2]) == card_kept
    assert (news == funded_versions[5]) == card_kept
    # The other project's card and page are kept: they still show its old title.
    for name in ("home", "list", "search", "region", "partner"):
        assert card_link(other, "L’école des filles") in get(visitor, urls[name]), name
    assert "<h1>L’école des filles</h1>" in get(visitor, urls["project"])
    # The lists are drawn anew, and the changed project's card.
    listed = get(visitor, urls["list"])
    completed = get(visitor, urls["completed"])
    if shown is None:
        assert "L’eau au village" not in listed
        assert get(visitor, page_url(other, "fr")) and "Et une histoire neuve" not in listed
    else:
        assert shown in listed
        assert ("L’eau au village" in completed) == (project.status == Project.Status.COMPLETED)
        assert "Et une histoire neuve" in get(visitor, page_url(funded, "fr"))


def test_a_deleted_project_leaves_every_page_and_the_others_stay_kept(projects):
    """Deleted, a project leaves the catalogue as an unpublished one does: the lists, the
    searches, its region's and partner's pages, the maps, the news feed and the sitemap
    drop it (its places, field updates and photos with it) on the next request in both
    languages, and its page is gone; the other project's fragments stay kept (its title
    changed behind the site's back does not show) and the counts are corrected, not
    counted again."""
    funded, other, region, partner = projects
    make_place(funded, region, name_fr="Canning", name_en="Canning")
    make_update(funded, title_fr="Le puits est creusé", title_en="The well is dug")
    make_photo(funded, caption_fr="Le puits au matin")
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    addresses = {language: page_url(funded, language) for language in ("fr", "en")}
    shown = {}
    for language in ("fr", "en"):
        with translation.override(language):
            listed = reverse("portfolio:project_list")
            shown[language] = {
                "home": reverse("portfolio:home"),
                "list": listed,
                "search": f"{listed}?q={'inde' if language == 'fr' else 'india'}",
                "region": region.get_absolute_url(),
                "partner": partner.get_absolute_url(),
                "feed": reverse("portfolio:feed"),
                "sitemap": reverse("sitemap_section", kwargs={"section": "projects"}),
            }
    gone = {
        "fr": ("L’eau au village", "Canning", "Le puits est creusé"),
        "en": ("Water in the village", "Canning", "The well is dug"),
    }
    for language, pages_shown in shown.items():
        for name, url in pages_shown.items():
            page = get(visitor, url, language)
            if name in ("home", "region", "feed"):
                assert any(text in page for text in gone[language][1:]), (language, name)
            if name == "sitemap":
                assert addresses[language] in page, language
            else:
                assert gone[language][0] in page, (language, name)
    counts = catalogue.summary()
    fragments._end_request()
    token, others, counts_token = editorial(), every_version(other), fragments.counts_token()
    sql_title(other, BEHIND)
    # Behind the site's back too: counted again, the counts would take it in.
    sql(f"UPDATE {Project._meta.db_table} SET beneficiaries = 99999 WHERE id = %s", [other.pk])  # noqa: S608

    fresh(funded).delete()

    assert editorial() != token
    assert every_version(other) == others
    for name in ("home", "list", "search", "region", "partner"):
        assert card_link(other, "L’école des filles") in get(visitor, urls[name]), name
    for language, pages_shown in shown.items():
        for name, url in pages_shown.items():
            page = get(visitor, url, language)
            for text in gone[language]:
                assert text not in page, (language, name, text)
            assert addresses[language] not in page, (language, name)
    for language, address in addresses.items():
        with translation.override(language):
            assert visitor.get(address).status_code == 404
    fragments._forget_token()
    assert fragments.counts_token() == counts_token  # The counts kept, and corrected:
    corrected = catalogue.summary()
    assert corrected.projects == counts.projects - 1
    assert corrected.beneficiaries == counts.beneficiaries - (funded.beneficiaries or 0)


@pytest.mark.parametrize(
    "change",
    [
        lambda project: Partner.objects.filter(pk=project.partners.get().pk).update(
            is_public=False
        ),
    ],
    ids=["partners-updated"],
)
def test_a_partners_publicness_changed_in_bulk_renews_every_fragment(projects, change):
    funded, other, *_ = projects
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    token = editorial()
    sql_title(other, BEHIND)

    project = fresh(funded)
    change(project)
    project.save()

    assert editorial() != token
    for name, url in urls.items():
        if name == "partner" and not Partner.objects.filter(is_public=True).exists():
            continue  # Hidden: its page is gone.
        assert BEHIND in get(visitor, url), name


@pytest.mark.parametrize(
    "change",
    [
        lambda project: setattr(project, "sector", Sector.objects.create(name_fr="Eau")),
        lambda project: Region.objects.filter(pk=project.regions.get().pk).get().save(),
    ],
    ids=["new-sector", "region-saved"],
)
def test_a_sector_or_region_saved_draws_anew_what_shows_names_and_keeps_the_cards(projects, change):
    funded, other, *_ = projects
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    token, regions, counts = editorial(), regions_token(), fragments.counts_token()
    sql_title(other, BEHIND)
    region = Region.objects.get(projects=other)
    sql(
        f"UPDATE {Region._meta.db_table} SET name_fr = %s WHERE id = %s",  # noqa: S608
        ["Inde sans signal", region.pk],
    )

    project = fresh(funded)
    change(project)
    project.save()

    assert editorial() != token
    assert regions_token() != regions
    assert fragments.counts_token() == counts
    # The other project's page top shows the names of its region and sector: drawn anew,
    # from its own content as kept (which names none of them).
    page = get(visitor, urls["project"])
    assert ">Inde sans signal</a>" in page
    assert "<h1>L’école des filles</h1>" in page
    # Its card names them by slot: kept.
    for name in ("home", "list", "region", "partner"):
        html = get(visitor, urls[name])
        assert card_link(other, "L’école des filles") in html, name
        assert BEHIND not in html, name


def test_a_projects_regions_are_kept_as_keys_and_named_anew_after_a_region_renamed(projects):
    """Which regions a project is in is kept under its card version, across a region's
    save: its page names them, with their countries, from the regions read again."""
    funded, _other, region, _partner = projects
    bengal = make_region(name_fr="Bengale", name_en="Bengal", parent=region, country="IN")
    fresh(funded).regions.add(bengal)
    visitor = Client()
    for language in ("fr", "en"):
        get(visitor, page_url(funded, language), language)
    # Behind the site's back: the project leaves Bengal.
    sql(
        f"DELETE FROM {Project.regions.through._meta.db_table} "  # noqa: S608
        "WHERE project_id = %s AND region_id = %s",
        [funded.pk, bengal.pk],
    )

    rename_row(Region, region.pk, "Inde du Nord", "North India")

    french = get(visitor, page_url(funded, "fr"))
    english = get(visitor, page_url(funded, "en"), "en")
    assert ">Bengale</a> (Inde du Nord)" in french
    assert ">Bengal</a> (North India)" in english
    assert ">Inde du Nord</a>" in french and ">North India</a>" in english
    # Its regions changed through the site: read again.
    fresh(funded).regions.remove(region)
    assert ">Bengale</a>" not in get(visitor, page_url(funded, "fr"))


def test_a_partner_saved_reads_again_only_its_own_row_on_its_projects_pages(projects):
    """A project's page shows each partner from its row kept under that partner's
    version: a partner's save reads its row again, not the other partners'."""
    funded, _other, _region, partner = projects
    second = make_partner(name_fr="Partenaire du Népal", city="Katmandou")
    Partnership.objects.create(
        project=funded, partner=second, role=Partnership.Role.IMPLEMENTING, order=5
    )
    visitor = Client()
    for language in ("fr", "en"):
        assert "Katmandou" in get(visitor, page_url(funded, language), language)
    # Behind the site's back: the second partner moves.
    sql(
        f"UPDATE {Partner._meta.db_table} SET city = %s WHERE id = %s",  # noqa: S608
        ["Ville sans signal", second.pk],
    )

    rename_row(Partner, partner.pk, "Partenaire renommé", "Renamed partner")

    for language, name in (("fr", "Partenaire renommé"), ("en", "Renamed partner")):
        page = get(visitor, page_url(funded, language), language)
        assert name in page, language
        assert "Katmandou" in page and "Ville sans signal" not in page, language
    # Its own save reads its row again.
    second = Partner.objects.get(pk=second.pk)
    second.save()
    assert "Ville sans signal" in get(visitor, page_url(funded, "fr"))


def test_related_projects_are_kept_across_a_region_renamed_and_chosen_again_after_a_change(
    projects,
):
    """Which projects a page suggests is chosen from the catalogue by the project's
    regions and sector, and kept until the catalogue changes: a region renamed keeps it."""
    funded, other, region, _partner = projects
    visitor = Client()
    url = page_url(funded, "fr")
    school = card_link(other, "L’école des filles")
    assert school in get(visitor, url)
    # Behind the site's back: the school is no longer published.
    sql(
        f"UPDATE {Project._meta.db_table} SET is_published = %s WHERE id = %s",  # noqa: S608
        [False, other.pk],
    )

    rename_row(Region, region.pk, "Inde du Nord", "North India")

    page = get(visitor, url)
    assert ">Inde du Nord</a>" in page
    assert school in page
    # A project published: the catalogue changed, the suggestions are chosen again.
    garden = make_project(title_fr="Le jardin", title_en="The garden", regions=[region])
    page = get(visitor, url)
    assert school not in page
    assert card_link(garden, "Le jardin") in page
    english = get(visitor, page_url(funded, "en"), "en")
    assert f'<a href="{page_url(garden, "en")}">The garden</a>' in english


def test_related_projects_are_kept_across_a_place_saved_and_a_partner_hidden(projects):
    """The projects a page suggests are chosen by no partner and no place: a place saved,
    or a partner shown or hidden, changes the catalogue for its projects, and leaves the
    suggestions as they were; a change of which projects are published chooses again."""
    funded, other, region, partner = projects
    visitor = Client()
    urls = {language: page_url(funded, language) for language in ("fr", "en")}
    school_fr = card_link(other, "L’école des filles")
    school_en = f'<a href="{page_url(other, "en")}">The girls&#x27; school</a>'
    assert school_fr in get(visitor, urls["fr"])
    assert school_en in get(visitor, urls["en"], "en")
    # Behind the site's back: the school is no longer published.
    sql(
        f"UPDATE {Project._meta.db_table} SET is_published = %s WHERE id = %s",  # noqa: S608
        [False, other.pk],
    )
    make_place(funded, region, name_fr="Puits du village", name_en="Village well")
    page = get(visitor, urls["fr"])
    assert "Puits du village" in page and school_fr in page
    hide(partner)
    page, english = get(visitor, urls["fr"]), get(visitor, urls["en"], "en")
    assert "Partenaire du Bengale" not in page
    assert school_fr in page and school_en in english
    # A project published changes which projects are published: chosen again.
    garden = make_project(title_fr="Le jardin", title_en="The garden", regions=[region])
    page, english = get(visitor, urls["fr"]), get(visitor, urls["en"], "en")
    assert school_fr not in page and school_en not in english
    assert card_link(garden, "Le jardin") in page


def hide(partner):
    partner.is_public = False
    partner.save()


def regions_token():
    """Return the regions token as the next request reads it."""
    fragments._forget_token()
    return fragments.regions_token()


def test_a_partner_saved_draws_anew_what_shows_partners_and_keeps_the_cards(projects):
    funded, other, _region, partner = projects
    update = make_update(other, title_fr="La classe est ouverte")
    photo = make_photo(other, caption_fr="La classe au matin")
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    with translation.override("fr"):
        urls["partners"] = reverse("partners:partner_list")
        urls["by-partner"] = reverse("portfolio:project_list") + f"?partner={partner.slug}"
        urls["renamed-search"] = reverse("portfolio:project_list") + "?q=renomme"
        urls["old-search"] = reverse("portfolio:project_list") + "?q=bengale"
    with translation.override("en"):
        english = {
            "home": reverse("portfolio:home"),
            "partners": reverse("partners:partner_list"),
            "project": fresh(other).get_absolute_url(),
        }
    for name in ("partners", "by-partner", "renamed-search"):
        get(visitor, urls[name])
    assert card_link(funded, "L’eau au village") in get(visitor, urls["old-search"])
    for url in english.values():
        get(visitor, url, "en")
    token, regions = editorial(), regions_token()
    versions = {project.pk: every_version(project) for project in (funded, other)}
    sql_title(other, BEHIND)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {update._meta.db_table} SET title_fr = %s WHERE id = %s",  # noqa: S608
            ["Nouvelle sans signal", update.pk],
        )
        cursor.execute(
            f"UPDATE {ProjectImage._meta.db_table} SET caption_fr = %s WHERE id = %s",  # noqa: S608
            ["Photo sans signal", photo.pk],
        )

    saved = Partner.objects.get(pk=partner.pk)
    saved.name_fr = "Partenaire renommé"
    saved.name_en = "Renamed partner"
    saved.city = "Kolkata"
    saved.save()

    # Every page is drawn anew but what shows no partner: the cards, the top of the
    # project pages, the maps (the regions token is kept, and every project's versions).
    assert editorial() != token
    assert regions_token() == regions
    assert {project.pk: every_version(project) for project in (funded, other)} == versions
    for name in ("home", "list", "region", "partner", "by-partner"):
        assert card_link(other, "L’école des filles") in get(visitor, urls[name]), name
    page = get(visitor, urls["project"])
    assert "<h1>L’école des filles</h1>" in page
    # What its page shows of the project is kept (its title in the head too; its photos
    # and news, kept apart from its partners), but its partners (below).
    assert BEHIND not in page
    assert "La classe au matin" in page and "La classe est ouverte" in page
    assert "Photo sans signal" not in page and "Nouvelle sans signal" not in page
    # Wherever the partner shows, in both languages, it shows as saved.
    for name in ("home", "list", "partner", "partners", "project", "by-partner"):
        shown = get(visitor, urls[name])
        assert "Partenaire renommé" in shown, name
        assert "Partenaire du Bengale" not in shown, name
    assert "Kolkata" in page
    for name, url in english.items():
        shown = get(visitor, url, "en")
        assert "Renamed partner" in shown, name
        assert partner.name_en not in shown, name
    # The search reads the partner's new name.
    assert card_link(funded, "L’eau au village") in get(visitor, urls["renamed-search"])
    assert card_link(funded, "L’eau au village") not in get(visitor, urls["old-search"])

    # Hidden: it leaves every page; its projects' cards, which show no partner, are kept.
    hide(saved)
    for name in ("home", "list", "project", "partners"):
        shown = get(visitor, urls[name])
        assert "Partenaire renommé" not in shown, name
    assert card_link(other, "L’école des filles") in get(visitor, urls["list"])


def partners_shown(count: int) -> str:
    """Return how the French partner list says how many partners there are."""
    return f"{count} partenaire{'s' if count > 1 else ''}</p>"


def test_a_partner_hidden_then_shown_again_moves_its_projects_only_and_corrects_the_counts(
    projects,
):
    """A partner shown or hidden changes the catalogue for the projects it works on: it
    leaves (or comes back to) every page in both languages, the counts are corrected for
    its projects (not counted again: their token is kept), and what shows no partner stays
    kept (the regions token, the projects' versions: their cards, their pages but their
    partners)."""
    funded, other, region, partner = projects
    lone = make_project(title_fr="Le jardin", title_en="The garden", regions=[region])
    make_partner(name_fr="Partenaire du Népal", name_en="Nepal partner")
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    addresses = {}
    for language in ("fr", "en"):
        with translation.override(language):
            addresses[language] = {
                "home": reverse("portfolio:home"),
                "list": reverse("portfolio:project_list"),
                "partners": reverse("partners:partner_list"),
                "project": fresh(funded).get_absolute_url(),
            }
    names = {"fr": "Partenaire du Bengale", "en": partner.name_en}
    for language, pages_of in addresses.items():
        for name, url in pages_of.items():
            assert names[language] in get(visitor, url, language), (language, name)
    assert partners_shown(2) in get(visitor, addresses["fr"]["partners"])
    assert card_link(lone, "Le jardin") in get(visitor, urls["list"])
    kept_counts = catalogue.summary()
    assert kept_counts.partners[partner.pk] == 2
    fragments._end_request()
    regions, counts = regions_token(), fragments.counts_token()
    versions = {project.pk: every_version(project) for project in (funded, other, lone)}
    # Behind the site's back: drawn anew, the garden's card and the school's would say so.
    sql_title(lone, BEHIND)
    sql_title(other, BEHIND)

    saved = Partner.objects.get(pk=partner.pk)
    hide(saved)

    assert regions_token() == regions
    assert fragments.counts_token() == counts
    assert {project.pk: every_version(project) for project in (funded, other, lone)} == versions
    for language, pages_of in addresses.items():
        for name, url in pages_of.items():
            assert names[language] not in get(visitor, url, language), (language, name)
        with translation.override(language):
            assert visitor.get(saved.get_absolute_url()).status_code == 404
    assert partners_shown(1) in get(visitor, addresses["fr"]["partners"])
    listed = get(visitor, urls["list"])
    assert card_link(other, "L’école des filles") in listed
    assert card_link(lone, "Le jardin") in listed and BEHIND not in listed
    fragments._forget_token()
    corrected = catalogue.summary()
    assert partner.pk not in dict(corrected.partners.items())
    assert corrected.projects == kept_counts.projects
    fragments._end_request()

    saved = Partner.objects.get(pk=partner.pk)
    saved.is_public = True
    saved.save()

    assert regions_token() == regions
    assert fragments.counts_token() == counts
    for language, pages_of in addresses.items():
        for name, url in pages_of.items():
            assert names[language] in get(visitor, url, language), (language, name)
    assert partners_shown(2) in get(visitor, addresses["fr"]["partners"])
    listed = get(visitor, urls["list"])
    assert card_link(lone, "Le jardin") in listed and BEHIND not in listed
    fragments._forget_token()
    assert catalogue.summary().partners[partner.pk] == 2


def moved_to_kolkata(partner):
    partner.city = "Kolkata"
    partner.save()


@pytest.mark.parametrize(
    "change",
    [hide, lambda partner: rename_row(Partner, partner.pk, "Autre", "Other"), moved_to_kolkata],
    ids=["hidden", "renamed", "moved"],
)
def test_a_page_stored_before_the_last_step_of_a_partners_commit_is_not_served_after_it(
    projects, django_capture_on_commit_callbacks, change, settings
):
    """The steps a partner's save takes when it commits (tokens renewed, changes logged,
    versions moved) each end with the page cache's token: a page another request stored
    meanwhile, maybe drawn from what the versions moved last kept, is not served once
    the commit is done."""
    settings.PAGE_CACHE_ENABLED, settings.PAGE_CACHE_STATE = True, "cache"
    funded, _other, _region, partner = projects
    visitor = Client()
    url = french(fresh(funded).get_absolute_url)
    get(visitor, url)
    with django_capture_on_commit_callbacks() as callbacks:
        change(Partner.objects.get(pk=partner.pk))
    assert callbacks
    for callback in callbacks[:-1]:
        callback()
    get(visitor, url)  # Stored, before the last step.
    key = pagecache.PageRequest(RequestFactory().get(url)).key
    stored = cache.get(key)
    marked = stored.content.replace(b"</h1>", b"</h1>Page de trop")
    cache.set(key, dataclasses.replace(stored, content=marked))
    assert "Page de trop" in get(visitor, url)  # Served as stored.

    callbacks[-1]()

    assert "Page de trop" not in get(visitor, url)


def test_a_partner_hidden_keeps_what_chooses_projects_by_no_partner_and_rechecks_the_rest(
    projects,
):
    """Which projects a region's page, the lists with no partner chosen and no search, the
    sitemap and the first projects show depends on no partner: a partner hidden leaves
    them as kept (a project unpublished behind the site's back stays in them). A search
    finds projects by their partners' names and a list by partner chooses them by it:
    those are checked again, and leave the partner's projects."""
    funded, other, region, partner = projects
    garden = make_project(
        title_fr="Le jardin",
        title_en="The garden",
        summary_fr="Un jardin pour le village",
        regions=[region],
    )
    local = make_partner(name_fr="Partenaire local", name_en="Local partner")
    for project in (garden, funded):
        Partnership.objects.create(
            project=project, partner=local, role=Partnership.Role.IMPLEMENTING, order=1
        )
    place = make_place(funded, region, name_fr="Canning", name_en="Canning")
    visitor = Client()
    listed = french(reverse, "portfolio:project_list")
    kept = {
        "region": french(region.get_absolute_url),
        "list": listed,
        "by-region": f"{listed}?region={region.slug}",
        "home": french(reverse, "portfolio:home"),
    }
    # A search that finds the partner's project by other words (the village) is checked
    # for the searched text rewritten (its partners), and kept: it still finds them.
    kept["search"] = f"{listed}?q=village"
    rechecked = {"search": f"{listed}?q=bengale", "by-partner": f"{listed}?partner={local.slug}"}
    card = card_link(garden, "Le jardin")
    for name, url in kept.items():
        assert card in get(visitor, url), name
    assert "Canning" in get(visitor, kept["region"]) and "Canning" in get(visitor, kept["home"])
    assert card in get(visitor, rechecked["by-partner"])
    assert card_link(funded, "L’eau au village") in get(visitor, rechecked["search"])
    garden_address = page_url(garden, "fr")
    assert any(loc.endswith(garden_address) for loc in sitemap_lastmods(visitor))
    home = get(visitor, kept["home"])
    order = [home.index(card_link(each, each.title_fr)) for each in (garden, other, funded)]
    assert order == sorted(order)  # The latest first.
    # Behind the site's back: any of them chosen again would leave the garden out, put
    # the first project first among the latest, and name its place anew on the maps.
    sql(f"UPDATE {Project._meta.db_table} SET is_published = %s WHERE id = %s", [False, garden.pk])  # noqa: S608
    sql(
        f"UPDATE {Project._meta.db_table} SET published_at = %s WHERE id = %s",  # noqa: S608
        [timezone.now() - timedelta(minutes=5), funded.pk],
    )
    sql(
        f"UPDATE {Location._meta.db_table} SET name_fr = %s WHERE id = %s",  # noqa: S608
        ["Lieu sans signal", place.pk],
    )

    hide(Partner.objects.get(pk=partner.pk))

    for name, url in kept.items():
        assert card in get(visitor, url), name
        assert "Lieu sans signal" not in get(visitor, url), name
    home = get(visitor, kept["home"])
    assert home.index(card) < home.index(card_link(funded, "L’eau au village"))
    assert any(loc.endswith(garden_address) for loc in sitemap_lastmods(visitor))
    assert card_link(funded, "L’eau au village") not in get(visitor, rechecked["search"])
    # The garden changed nothing logged, but one of the partner's projects is also the
    # local partner's: the list by that partner is chosen again, without the garden.
    assert card not in get(visitor, rechecked["by-partner"])


def test_a_partner_saved_keeps_the_searches_and_lists_of_projects(projects):
    """A search, a list filtered by region and a partner's projects are kept across a
    partner's save (their keys show no partner's name): the searches check the projects
    whose searched text the new name changed, and the rest is kept."""
    funded, other, region, partner = projects
    garden = make_project(title_fr="Le jardin", title_en="The garden", regions=[region])
    visitor = Client()
    with translation.override("fr"):
        search = reverse("portfolio:project_list") + "?q=inde"  # every project's region
        filtered = reverse("portfolio:project_list") + f"?region={region.slug}"
        partner_page = partner.get_absolute_url()
    garden_card = card_link(garden, "Le jardin")
    for url in (search, filtered):
        assert garden_card in get(visitor, url)
    assert card_link(other, "L’école des filles") in get(visitor, partner_page)
    # Behind the site's back: the garden is no longer found nor in India, and the other
    # project no longer with the partner.
    sql_document(garden, "rien a voir")
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Project.regions.through._meta.db_table} WHERE project_id = %s",  # noqa: S608
            [garden.pk],
        )
        cursor.execute(
            f"DELETE FROM {Partnership._meta.db_table} WHERE project_id = %s",  # noqa: S608
            [other.pk],
        )
    logged = fragments.SEARCHED_EDITS.latest()

    saved = Partner.objects.get(pk=partner.pk)
    saved.name_fr = "Partenaire renommé"
    saved.save()

    # The partner's projects' searched text changed (their documents hold its name).
    assert fragments.SEARCHED_EDITS.latest() > logged
    for url in (search, filtered):
        assert garden_card in get(visitor, url)
    page = get(visitor, partner_page)
    assert "Partenaire renommé" in page
    assert card_link(other, "L’école des filles") in page
    assert card_link(funded, "L’eau au village") in get(visitor, list_search("renomme"))


def sql(statement, params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def rename_row(model, pk, fr, en):
    saved = model.objects.get(pk=pk)
    saved.name_fr, saved.name_en = fr, en
    saved.save()


def card_of(html, pk) -> str:
    """Return the card of project ``pk`` in a page (its ``<li>``)."""
    project = Project.objects.get(pk=pk)
    with translation.override(re.search(r'<html lang="(\w+)"', html).group(1)):
        address = project.get_absolute_url()
    [card] = [item for item in html.split("<li>") if f'<a href="{address}">' in item]
    return card.split("</li>")[0]


@pytest.mark.parametrize("saved", [Region, Sector])
def test_a_region_or_sector_renamed_keeps_what_shows_none_of_their_names(projects, saved):
    """A region's or a sector's save that leaves what the counts count keeps what shows no
    name of a region, sector or partner (the counts token): the lists' and searches'
    keys, a partner's projects, the latest projects, the project at an address, the funding figures,
    a project's results, field updates and giving panel, the partners' cards. What shows
    their names (cards, page tops, the filter) shows the new ones, in both languages."""
    funded, other, region, partner = projects
    sector = Sector.objects.create(name_fr="Eau", name_en="Water")
    for project in (funded, other):
        project = fresh(project)
        project.sector = sector
        project.save()
    garden = make_project(
        title_fr="Le jardin", title_en="The garden", regions=[region], sector=sector
    )
    indicator = make_indicator(make_result(funded), title_fr="Puits creusés")
    make_period(indicator)
    update = make_update(funded, title_fr="Le puits est creusé")
    photo = make_photo(funded, caption_fr="Le puits au matin")
    place = Location.objects.create(
        project=funded,
        region=region,
        name_fr="Canning",
        name_en="Canning",
        latitude=Decimal("22.315"),
        longitude=Decimal("88.666"),
    )
    test_fragments.gift(funded, "250")
    visitor = Client()
    with translation.override("fr"):
        listed = reverse("portfolio:project_list")
        lists = {
            "region": f"{listed}?region={region.slug}",
            "sector": f"{listed}?sector={sector.slug}",
            "search": f"{listed}?q=jardin",
        }
        partners = reverse("partners:partner_list")
        home = reverse("portfolio:home")
    old_address = page_url(funded, "fr")
    new_name = f"{listed}?q=nord"  # Found nowhere yet: kept empty.
    garden_card = card_link(garden, "Le jardin")
    school_card = card_link(other, "L’école des filles")
    for name, url in lists.items():
        assert garden_card in get(visitor, url), name
    assert school_card in get(visitor, home)
    assert school_card in get(visitor, partner.get_absolute_url())
    assert 'class="card-title"' not in get(visitor, new_name)
    region_page = french(region.get_absolute_url)
    for url in (home, region_page):
        shown = get(visitor, url)
        assert "Canning" in shown, url
        assert (url == home) == ("Le puits est creusé" in shown), url
    page = get(visitor, old_address)
    for shown in ("Puits creusés", "Le puits est creusé", 'data-figure="raised">250\xa0$<'):
        assert shown in page
    get(visitor, page_url(funded, "en"), "en")
    assert "Partenaire du Bengale" in get(visitor, partners)
    regions, counts = regions_token(), fragments.counts_token()
    # Behind the site's back: the garden leaves the region, the sector and the searched
    # text; the school is no longer published; the funded project has a new address, and
    # its results, news, gifts and partner new values.
    table = Project._meta.db_table
    sql(
        f"DELETE FROM {Project.regions.through._meta.db_table} WHERE project_id = %s",  # noqa: S608
        [garden.pk],
    )
    sql(f"UPDATE {table} SET sector_id = NULL WHERE id = %s", [garden.pk])  # noqa: S608
    sql_document(garden, "rien a voir")
    sql(f"UPDATE {table} SET is_published = %s WHERE id = %s", [False, other.pk])  # noqa: S608
    sql(
        f"DELETE FROM {Partnership._meta.db_table} WHERE project_id = %s",  # noqa: S608
        [other.pk],
    )
    sql(f"UPDATE {table} SET slug_fr = %s WHERE id = %s", ["ailleurs", funded.pk])  # noqa: S608
    sql(
        f"UPDATE {Indicator._meta.db_table} SET title_fr = %s WHERE id = %s",  # noqa: S608
        ["Indicateur sans signal", indicator.pk],
    )
    sql(
        f"UPDATE {update._meta.db_table} SET title_fr = %s, is_published = %s WHERE id = %s",  # noqa: S608
        ["Nouvelle sans signal", False, update.pk],
    )
    sql_title_of(funded, BEHIND)
    sql(
        f"UPDATE {ProjectImage._meta.db_table} SET caption_fr = %s WHERE id = %s",  # noqa: S608
        ["Photo sans signal", photo.pk],
    )
    sql("UPDATE donations_gift SET amount = %s", [Decimal("999")])
    sql(
        f"UPDATE {Partner._meta.db_table} SET city = %s WHERE id = %s",  # noqa: S608
        ["Ville sans signal", partner.pk],
    )
    sql(
        f"UPDATE {Location._meta.db_table} SET name_fr = %s WHERE id = %s",  # noqa: S608
        ["Lieu sans signal", place.pk],
    )

    if saved is Region:
        rename_row(Region, region.pk, "Inde du Nord", "North India")
        new = ("Inde du Nord", "North India")
    else:
        rename_row(Sector, sector.pk, "Eau potable", "Drinking water")
        new = ("Eau potable", "Drinking water")

    assert regions_token() != regions
    assert fragments.counts_token() == counts
    for name, url in lists.items():
        assert garden_card in get(visitor, url), name
    assert school_card in get(visitor, home)
    assert school_card in get(visitor, partner.get_absolute_url())
    # Its old address still leads to it, with its content, results, news, partners and
    # figures as kept.
    page = get(visitor, old_address)
    for shown in ("Puits creusés", "Le puits est creusé", 'data-figure="raised">250\xa0$<'):
        assert shown in page
    assert "<h1>L’eau au village</h1>" in page
    assert "Le puits au matin" in page
    assert "Ville sans signal" not in page
    assert "Photo sans signal" not in page
    assert "Ville sans signal" not in get(visitor, partners)
    # The places a map shows, and the maps kept whole (they name their points by their
    # projects' titles as they were), the region's with its title naming the region by
    # its name now; and the latest news.
    for url in (home, region_page):
        shown = get(visitor, url)
        assert "Canning" in shown, url
        assert "Lieu sans signal" not in shown, url
        assert BEHIND not in shown, url
    named = ("Inde du Nord", "North India") if saved is Region else ("Inde", "India")
    assert f"Carte des lieux de nos projets : {named[0]}</title>" in get(visitor, region_page)
    with translation.override("en"):
        english_region = Region.objects.get(pk=region.pk).get_absolute_url()
    english_map = get(visitor, english_region, "en")
    assert escape(f"Map of our projects' places in {named[1]}") + "</title>" in english_map
    shown = get(visitor, home)
    assert "Le puits est creusé" in shown
    assert "Nouvelle sans signal" not in shown
    assert BEHIND not in shown  # The map names its points by their projects' titles.
    sql_title_of(funded, "L’eau au village")
    # The new name, wherever it shows: the page tops, drawn anew, and the cards, kept (the
    # garden's still shows it in the region and the sector it left behind the site's back).
    assert new[0] in page
    assert new[1] in get(visitor, page_url(funded, "en"), "en")
    with translation.override("en"):
        english_home = reverse("portfolio:home")
    for url, language in ((lists["region"], "fr"), (home, "fr"), (english_home, "en")):
        card = card_of(get(visitor, url, language), garden.pk)
        assert new[0 if language == "fr" else 1] in card, (url, language)
        old_name = "</span>Inde</p>" if language == "fr" else "</span>India</p>"
        assert (old_name in card) == (saved is Sector), (url, language)
    # A card drawn anew (what it shows changed) shows the funding figures kept.
    drawn = fresh(funded)
    drawn.cover_alt_fr = "Le puits du village"
    drawn.save()
    assert "250\xa0$" in card_of(get(visitor, lists["region"]), funded.pk)

    # A search for the region's new name finds its projects (logged as searched edits).
    found = get(visitor, new_name)
    assert (card_link(funded, "L’eau au village") in found) == (saved is Region)

    if saved is Region:
        # Moved to another country: what the counts count moves, and the keys are read again.
        moved = Region.objects.get(pk=region.pk)
        moved.parent = make_region(name_fr="Asie du Sud", name_en="South Asia", country="IN")
        moved.save()
        assert fragments.counts_token() != counts
        assert garden_card not in get(visitor, lists["region"])


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_regions_kept_map_names_it_as_the_map_drawn_whole_does(projects, settings, language):
    """A region's map section is kept with a mark for the region's name, put in as the
    page is drawn: the page read back is the one drawn without fragments, byte for byte,
    for a name that must be escaped."""
    funded, _other, region, _partner = projects
    make_place(funded, region, name_fr="Canning", name_en="Canning")
    rename_row(Region, region.pk, "Inde & <Sud>", "India & <South>")
    with translation.override(language):
        address = Region.objects.get(pk=region.pk).get_absolute_url()
    visitor = Client()
    for names in (("Inde & <Sud>", "India & <South>"), ('Inde "Est"', "India's East")):
        # Renamed once its map is kept: the map kept, its new name put in.
        rename_row(Region, region.pk, *names)
        get(visitor, address, language)
        kept = get(visitor, address, language)
        settings.FRAGMENT_CACHE_ENABLED = False
        whole = get(visitor, address, language)
        settings.FRAGMENT_CACHE_ENABLED = True
        name = escape(names[0] if language == "fr" else names[1])
        assert f"{name}</title>" in whole
        assert sections.REGION_NAME_MARK not in kept
        assert kept == whole


def header_and_footer(html) -> str:
    """Return the site's header and footer of a page, what lies around its main part."""
    head, rest = html.split("<main", 1)
    return head.split("<body", 1)[1] + rest.rsplit("</main>", 1)[1]


@pytest.mark.parametrize("saved", [Region, Sector])
def test_a_region_or_sector_saved_keeps_what_shows_partners_under_their_versions(
    projects, saved, settings
):
    """What shows partners under their versions and no name of a region or sector is kept
    across a region's or a sector's save: the home page's partners, the partners the
    list's filter offers, a project's partners, the whole partner list, and the site's
    header and footer everywhere. A partner's save draws what shows it anew, and every
    page of the partner list (which partners there are, in what order)."""
    funded, _other, region, partner = projects
    sector = Sector.objects.create(name_fr="Eau", name_en="Water")
    for n in range(partners_views.PARTNERS_PER_PAGE):  # Two pages of partners.
        make_partner(name_fr=f"Zz partenaire {n:02}")
    visitor = Client()
    with translation.override("fr"):
        partner_list = reverse("partners:partner_list")
        urls = {
            "home": reverse("portfolio:home"),
            "list": reverse("portfolio:project_list"),
            "project": funded.get_absolute_url(),
            "partners": partner_list,
            "partners-2": f"{partner_list}?page=2",
        }
    with translation.override("en"):
        english_partners = reverse("partners:partner_list")
    shown = {
        "home": '<span class="partner-strip-name">{}</span>',
        "list": ">{}</option>",
        "project": '<a href="' + french(partner.get_absolute_url) + '">{}</a>',
        "partners": '">{}</a></h3>',
    }
    first = {name: get(visitor, url) for name, url in urls.items()}
    for name, pattern in shown.items():
        assert pattern.format("Partenaire du Bengale") in first[name], name
    assert "Zz partenaire 59" in first["partners-2"]
    english_first = get(visitor, english_partners, "en")
    organisation = settings.ORGANISATION_NAME
    # Behind the site's back: the partner is renamed and hidden, and the organisation is
    # renamed.
    sql(
        f"UPDATE {Partner._meta.db_table} SET name_fr = %s, is_public = %s WHERE id = %s",  # noqa: S608
        ["Partenaire sans signal", False, partner.pk],
    )
    settings.ORGANISATION_NAME = "Autre organisation"
    counts = fragments.counts_token()

    if saved is Region:
        rename_row(Region, region.pk, "Inde du Nord", "North India")
    else:
        rename_row(Sector, sector.pk, "Eau potable", "Drinking water")

    assert fragments.counts_token() == counts
    # The home page's partners and those the filter offers are kept with their rows.
    partner_table = Partner._meta.db_table
    for name in ("home", "list"):
        with CaptureQueriesContext(connection) as queries:
            get(visitor, urls[name])
        assert not [q["sql"] for q in queries if partner_table in q["sql"]], name
    for name, url in urls.items():
        page = get(visitor, url)
        around = header_and_footer(page)
        assert organisation in around, name
        assert "Autre organisation" not in around, name
        assert "sans signal" not in page, name
        if name in shown:
            assert shown[name].format("Partenaire du Bengale") in page, name
    # The partner list is kept whole, in both languages.
    for name, url in urls.items():
        if name.startswith("partners"):
            assert get(visitor, url) == first[name], name
    assert get(visitor, english_partners, "en") == english_first

    sql(f"UPDATE {Partner._meta.db_table} SET is_public = %s", [True])  # noqa: S608
    renamed = Partner.objects.get(pk=partner.pk)
    renamed.name_fr = "Zzz partenaire renommé"  # Last on the partner list.
    renamed.save()
    for name, pattern in shown.items():
        page = get(visitor, urls["partners-2" if name == "partners" else name])
        assert pattern.format("Zzz partenaire renommé") in page, name
        assert "Partenaire du Bengale" not in page, name
    # Every page of the partner list is drawn anew, its keys too: the partner moved from
    # the first page to the second (and the organisation's new name shows in the title;
    # the header and footer are kept).
    first_page = get(visitor, urls["partners"])
    assert "Zz partenaire 59" in first_page
    assert "Partenaire du Bengale" not in first_page
    assert "— Autre organisation</title>" in first_page
    # A partner added shows there too (first in name order).
    make_partner(name_fr="Aaa nouveau partenaire")
    assert '">Aaa nouveau partenaire</a></h3>' in get(visitor, urls["partners"])


def test_the_unfiltered_lists_later_pages_are_kept_until_a_published_project_changes(
    projects,
):
    """The unfiltered list's pages after the first are kept across a place saved, a
    partner saved and a draft's change, which leave every published project as it was;
    a change of the catalogue made by a published project draws them anew."""
    funded, _other, region, partner = projects
    extra = [make_project(title_fr=f"Projet ajouté {n}") for n in range(12)]
    oldest = make_project(
        title_fr="Le plus ancien", published_at=timezone.now() - timedelta(days=30)
    )
    draft = make_project(title_fr="Brouillon", is_published=False)
    visitor = Client()
    with translation.override("fr"):
        second = reverse("portfolio:project_list") + "?page=2"
    oldest_card = card_link(oldest, "Le plus ancien")
    assert oldest_card in get(visitor, second)
    with connection.cursor() as cursor:  # Behind the site's back: no longer published.
        cursor.execute(
            f"UPDATE {Project._meta.db_table} SET is_published = %s WHERE id = %s",  # noqa: S608
            [False, oldest.pk],
        )

    Location.objects.create(
        project=funded, region=region, name_fr="Gosaba", latitude=22.16, longitude=88.81
    )
    assert oldest_card in get(visitor, second)
    saved = Partner.objects.get(pk=partner.pk)
    saved.name_fr = "Partenaire renommé"
    saved.save()
    assert oldest_card in get(visitor, second)
    moved = fresh(draft)
    moved.status = Project.Status.COMPLETED
    moved.save()
    assert oldest_card in get(visitor, second)

    moved = fresh(extra[0])
    moved.status = Project.Status.COMPLETED
    moved.save()
    assert oldest_card not in get(visitor, second)


def test_the_list_filter_is_kept_across_the_saves_of_partners_it_does_not_offer(
    projects, monkeypatch
):
    """The list's filter panel offers the partners with the most projects, kept under
    their versions: another partner's save leaves it as it was; an offered partner's save
    reads the partners offered again."""
    _funded, _other, _region, partner = projects
    neighbour = make_partner(name_fr="Partenaire voisin", name_en="Neighbouring partner")
    make_project(title_fr="Chez le voisin", partners=[neighbour])
    lonely = make_partner(name_fr="Partenaire sans projet")  # Not offered: no project.
    visitor = Client()
    with translation.override("fr"):
        listed = reverse("portfolio:project_list")
        filtered = listed + "?status=ongoing"
    for url in (listed, filtered):
        html = get(visitor, url)
        assert "Partenaire voisin" in html and "Partenaire du Bengale" in html
        assert "Partenaire sans projet" not in html
    sql_partner_name(neighbour, "Voisin renommé sans signal")

    saved = Partner.objects.get(pk=lonely.pk)
    saved.name_fr = "Partenaire toujours sans projet"
    saved.save()
    written, write = [], fragments._set
    monkeypatch.setattr(
        fragments, "_set", lambda key, value: [written.append(key), write(key, value)]
    )
    for url in (listed, filtered):
        html = get(visitor, url)
        assert "Partenaire voisin" in html and "Voisin renommé" not in html, url
    # The partners offered, what the form makes of the address and the panel: kept.
    drawn = ("list-partner-options-ranked", "list-selection", "list-filters")
    assert not [key for key in written if key.split(":")[2] in drawn]
    monkeypatch.undo()

    saved = Partner.objects.get(pk=partner.pk)
    saved.name_fr = "Partenaire renommé"
    saved.save()
    for url in (listed, filtered):
        html = get(visitor, url)
        assert "Partenaire renommé" in html and "Partenaire du Bengale" not in html, url
        assert "Voisin renommé sans signal" in html, url


def test_a_partner_asked_for_by_its_address_is_read_again_after_any_partners_save(
    projects, monkeypatch
):
    """A list asking for a partner the filter does not rank among the first (its version
    known only after its row) draws its filter anew after any partner's save."""
    from portfolio import views

    monkeypatch.setattr(views, "FILTER_PARTNERS", 1)  # Only the partner with most projects.
    neighbour = make_partner(name_fr="Partenaire voisin", name_en="Neighbouring partner")
    make_project(title_fr="Chez le voisin", partners=[neighbour])
    lonely = make_partner(name_fr="Partenaire sans projet")
    visitor = Client()
    with translation.override("fr"):
        url = reverse("portfolio:project_list") + f"?partner={neighbour.slug}"

    def filters(html):
        return re.search(r'<form class="filters".*?</form>', html, re.S).group(0)

    assert "Partenaire voisin" in filters(get(visitor, url))
    sql_partner_name(neighbour, "Voisin renommé sans signal")

    saved = Partner.objects.get(pk=lonely.pk)
    saved.name_fr = "Partenaire toujours sans projet"
    saved.save()

    assert "Voisin renommé sans signal" in filters(get(visitor, url))


def test_the_home_page_reads_more_partners_while_the_first_have_no_project(projects):
    from portfolio.views import HOME_PARTNERS

    partner = projects[3]
    # Before it in the home page's order (kind, name), more partners than it reads at
    # first, none with a project.
    for number in range(4 * HOME_PARTNERS + 3):
        make_partner(name_fr=f"Aaa {number:03}", kind=partner.kind)
    home = get(Client(), french(reverse, "portfolio:home"))
    strip = home[home.index('class="partner-strip"') :]
    assert "Partenaire du Bengale" in strip
    assert "Aaa 000" not in strip


def test_search_documents_written_anew_are_searched_again_on_the_next_request(projects):
    from portfolio.search import refresh_search_documents

    funded, other, _region, partner = projects
    visitor = Client()
    with translation.override("fr"):
        search = reverse("portfolio:project_list") + "?q=bengale"
    assert card_link(funded, "L’eau au village") in get(visitor, search)
    token = editorial()
    with connection.cursor() as cursor:  # Renamed behind the site's back: no signal.
        cursor.execute(
            f"UPDATE {Partner._meta.db_table} SET name_fr = %s WHERE id = %s",  # noqa: S608
            ["Partenaire renommé", partner.pk],
        )

    refresh_search_documents([funded.pk, other.pk])

    # No fragment but the searches' is put out of date: they check both projects again.
    assert editorial() == token
    assert card_link(funded, "L’eau au village") not in get(visitor, search)


def every_token() -> tuple[str, ...]:
    """The editorial, names, counts and regions tokens, as the next request reads them."""
    fragments._forget_token()
    return tuple(
        read()
        for read in (
            fragments.editorial_token,
            fragments.names_token,
            fragments.counts_token,
            fragments.regions_token,
        )
    )


# Committed for real: the tokens are renewed again when each save commits.
@pytest.mark.django_db(transaction=True)
def test_a_partner_saved_keeps_the_counts_and_regions_tokens_when_it_commits(projects):
    _funded, _other, region, partner = projects
    before = every_token()
    with transaction.atomic():
        saved = Partner.objects.get(pk=partner.pk)
        saved.name_fr = "Partenaire renommé"
        saved.save()
        meanwhile = every_token()  # What a request before the commit reads.
    after = every_token()
    # The editorial and names tokens renewed at once and again at the commit (what was
    # drawn meanwhile goes with them), the counts and regions tokens kept.
    assert [a == b for a, b in zip(before, meanwhile, strict=True)] == [False, False, True, True]
    assert [a == b for a, b in zip(meanwhile, after, strict=True)] == [False, False, True, True]

    with transaction.atomic():
        Region.objects.get(pk=region.pk).save()
    # A region saved: every token but the counts renewed, at its commit too.
    assert [a == b for a, b in zip(after, every_token(), strict=True)] == [
        False,
        False,
        True,
        False,
    ]


def test_the_regions_token_is_good_no_longer_than_the_names_token(projects):
    """Whoever shortened the names token alone (a publication scheduled from a worker that
    did not tell the regions token), what the publication makes public is logged when it
    falls due, before the regions token is read, which is kept."""
    from core.pagecache import ContentState

    soon = timezone.now() + timedelta(seconds=1.5)
    scheduled = make_project(title_fr="Bientôt", published_at=soon)
    regions = regions_token()
    assert cache.get(fragments.NAMES_KEY).valid_until == soon
    cache.set(fragments.REGIONS_KEY, ContentState(token=regions), None)  # Not told.
    logged = fragments.CATALOGUE_CHANGES.latest()

    time.sleep(max(0, (soon - timezone.now()).total_seconds()) + 0.1)

    assert regions_token() == regions
    assert fragments.CATALOGUE_CHANGES.since(logged)[1] == [scheduled.pk]


# Each level a fragment is kept at, and the one below it: the arguments of each, what the
# inner one shows, what the outer one alone shows, and the save that renews the inner
# level's token but not the outer one's.
NAMES_LEVEL = {"across_catalogue": True}
REGIONS_LEVEL = {"across_catalogue": True, "no_partners": True}
COUNTS_LEVEL = {"across_catalogue": True, "no_partners": True, "no_names": True}


def save_a_partner(project):
    fresh(project).partners.get().save()  # The names token renewed.


def rename_a_region(project):
    region = fresh(project).regions.get()
    rename_row(Region, region.pk, "Inde du Nord", "North India")  # The regions token renewed.


@pytest.mark.parametrize(
    ("inner", "outer", "shown", "alone", "save"),
    [
        (NAMES_LEVEL, REGIONS_LEVEL, "a partner's name", "a region's name", save_a_partner),
        (REGIONS_LEVEL, COUNTS_LEVEL, "a region's name", "a number", rename_a_region),
    ],
    ids=["without-partners-with-names", "without-names-with-regions"],
)
def test_a_fragment_goes_with_the_token_of_a_fragment_kept_below_it_that_it_uses(
    projects, inner, outer, shown, alone, save
):
    drawn = []

    def inner_value():
        drawn.append("names")
        return shown

    def using_it():
        drawn.append("with")
        return fragments.memo("inner", (), inner_value, **inner) + "."

    def not_using_it():
        drawn.append("without")
        return alone

    def both():
        fragments._forget_token()  # As a request starts, and ends: what it drew is written.
        try:
            return (
                fragments.memo("outer", (), using_it, **outer),
                fragments.memo("alone", (), not_using_it, **outer),
            )
        finally:
            fragments._end_request()

    assert both() == both() == (f"{shown}.", alone)
    assert drawn == ["with", "names", "without"]
    save(projects[0])
    assert both() == (f"{shown}.", alone)
    # What uses a fragment kept at the level below goes with its token; the other is kept.
    assert drawn == ["with", "names", "without", "with", "names"]


def in_another_region(project, language, **region):
    """Put the project in one more region; return it, a visitor and the list's address
    in ``language``."""
    added = make_region(**region)
    fresh(project).regions.add(added)
    with translation.override(language):
        return added, Client(), reverse("portfolio:project_list")


def test_a_kept_card_names_its_regions_in_the_order_of_their_new_names(projects):
    funded, *_ = projects
    nepal, visitor, listed = in_another_region(
        funded, "fr", name_fr="Népal", name_en="Nepal", country="NP"
    )
    assert "</span>Inde, Népal</p>" in card_of(get(visitor, listed), funded.pk)
    sql_title(funded, BEHIND)

    rename_row(Region, nepal.pk, "Annapurna", "Annapurna")

    card = card_of(get(visitor, listed), funded.pk)
    assert "</span>Annapurna, Inde</p>" in card
    assert BEHIND not in card  # Kept.


def test_a_kept_card_shows_the_names_as_a_card_drawn_in_full_escaped(projects, settings):
    funded, *_ = projects
    # No English name: shown in French, marked so.
    _odd, visitor, listed = in_another_region(funded, "en", name_fr="R&D <Sud>", name_en="")
    kept = card_of(get(visitor, listed, "en"), funded.pk)
    assert card_of(get(visitor, listed, "en"), funded.pk) == kept  # From the fragments.
    assert '<span lang="fr">R&amp;D &lt;Sud&gt;</span>' in kept

    settings.FRAGMENT_CACHE_ENABLED = False
    assert card_of(get(visitor, listed, "en"), funded.pk) == kept


def test_no_names_goes_with_no_partners():
    with pytest.raises(ValueError, match="no_names"):
        fragments.fragment_key("alone", across_catalogue=True, no_names=True)
    with pytest.raises(TemplateSyntaxError, match="no_names"):
        Template(
            "{% load fragments %}{% fragment 'alone' across_catalogue no_names %}{% endfragment %}"
        )


def test_a_story_edit_keeps_the_cards_and_a_cover_renders_that_card_anew(projects):
    funded, other, *_ = projects
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    sql_title_of(funded, "L’eau changée sans signal")
    sql_title(other, BEHIND)

    save_story(funded, "Une histoire neuve", "A new story")
    for name in ("home", "list", "region", "partner"):
        html = get(visitor, urls[name])
        # The story is on no card: the funded project's card was kept too.
        assert "L’eau au village" in html, name
        assert "L’eau changée sans signal" not in html, name

    project = fresh(funded)
    project.cover_image.save("cover.jpg", uploaded_image(size=(1600, 900)), save=False)
    project.cover_alt_fr = "Le puits du village"
    project.save()
    for name in ("home", "list", "region", "partner"):
        html = get(visitor, urls[name])
        assert "L’eau changée sans signal" in html, name  # its card, rendered anew
        assert BEHIND not in html, name  # the other card, kept
        assert "Le puits du village" in html, name


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_lists_cards_are_read_back_together_and_drawn_again_from_the_cards_kept(
    projects, monkeypatch, language
):
    funded, other, *_ = projects
    visitor = Client()
    with translation.override(language):
        listed = reverse("portfolio:project_list")
    get(visitor, listed, language)
    asked = []
    real_fetch = fragments._fetch

    def fetching(keys, **kwargs):
        asked.extend(keys)
        return real_fetch(keys, **kwargs)

    monkeypatch.setattr(fragments, "_fetch", fetching)

    def read(name) -> list[str]:
        return [key for key in asked if key.startswith(f"{fragments.FRAGMENT_KEY_PREFIX}{name}:")]

    pagecache.invalidate(funding_of=[])  # The page cache emptied, as a pledge empties it.
    html = get(visitor, listed, language)
    assert len(read("card-grid")) == 1 and read("card") == []  # One fragment for the cards.
    assert escape(getattr(other, f"title_{language}")) in html

    sql_title(other, BEHIND)
    asked.clear()
    pagecache.invalidate(funding_of=[funded.pk])  # A gift to one of them.
    html = get(visitor, listed, language)
    assert len(read("card")) == 2  # Drawn again from the cards kept, one by one.
    assert BEHIND not in html  # The other card as it was kept.
    assert escape(getattr(other, f"title_{language}")) in html
    asked.clear()
    pagecache.invalidate(funding_of=[])
    html = get(visitor, listed, language)
    assert len(read("card-grid")) == 1 and read("card") == []  # Kept together again.
    assert BEHIND not in html


@pytest.mark.parametrize(
    "changes",
    [{"cover_alt_fr": "Une autre description"}, {"funding_goal": Decimal("1500")}],
    ids=["cover_alt", "funding_goal"],
)
def test_what_a_card_shows_renders_that_card_anew(projects, changes):
    funded, other, *_ = projects
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    token = editorial()
    sql_title_of(funded, "L’eau changée sans signal")
    sql_title(other, BEHIND)

    project = fresh(funded)
    for name, value in changes.items():
        setattr(project, name, value)
    project.save()

    assert editorial() == token
    for name in ("home", "list", "region", "partner"):
        html = get(visitor, urls[name])
        assert "L’eau changée sans signal" in html, name
        assert BEHIND not in html, name
        if "funding_goal" in changes:
            assert "1\u202f500\xa0$" in html or "1\xa0500\xa0$" in html, name


# -- A project's title and summary -------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"title_fr": "L’eau au village, revu", "title_en": "Water in the village, revised"},
        {"summary_fr": "Un résumé revu", "summary_en": "A revised summary"},
        # A card shows the subtitle where the summary is empty.
        {"summary_fr": "", "summary_en": "", "subtitle_fr": "Un sous-titre revu"},
    ],
    ids=["title", "summary", "subtitle"],
)
def test_a_title_or_summary_change_shows_wherever_that_project_shows(projects, changes):
    funded, other, _region, partner = projects
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    assert "Partenaire du Bengale" in get(visitor, page_url(funded, "fr"))
    token = editorial()
    sql_title(other, BEHIND)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Partner._meta.db_table} SET city = %s WHERE id = %s",  # noqa: S608
            ["Ville sans signal", partner.pk],
        )

    project = fresh(funded)
    for name, value in changes.items():
        setattr(project, name, value)
    project.save()

    # Renaming a project is not a change of the catalogue: the other fragments are kept.
    assert editorial() == token
    shown = changes.get("title_fr") or changes.get("summary_fr") or changes["subtitle_fr"]
    # The other project's page shows this one among its related projects.
    for name in ("home", "list", "search", "region", "partner", "project"):
        html = get(visitor, urls[name])
        assert shown in html, name
        assert BEHIND not in html, name  # The other project's card and page were kept.
    page = get(visitor, page_url(funded, "fr"))
    assert shown in page
    # Its partners are kept: a title, summary or subtitle shows nothing of them.
    assert "Partenaire du Bengale" in page and "Ville sans signal" not in page
    if "title_en" in changes:
        with translation.override("en"):
            english = reverse("portfolio:project_list")
        assert changes["title_en"] in get(visitor, english, "en")
        assert changes["title_en"] in get(visitor, page_url(funded, "en"), "en")


def test_a_renamed_projects_card_keeps_its_regions_and_shows_a_new_one(projects):
    funded, _other, _region, partner = projects
    visitor = Client()
    with translation.override("fr"):
        url = reverse("portfolio:project_list") + f"?partner={partner.slug}"
    get(visitor, url)
    rename(funded, "L’eau au village, revu")
    html = get(visitor, url)
    card = html[html.index("L’eau au village, revu") :]
    assert "Inde" in card[: card.index("</article>")]  # its regions, kept apart

    lonely = make_region(name_fr="Népal", name_en="Nepal", country="NP")
    fresh(funded).regions.add(lonely)  # a change of the catalogue
    html = get(visitor, url)
    card = html[html.index("L’eau au village, revu") :]
    assert "Népal" in card[: card.index("</article>")]


def test_a_renamed_project_shows_on_the_home_pages_latest_news(projects):
    funded, other, *_ = projects
    make_update(funded, title_fr="Le puits est creusé")
    make_update(other, title_fr="La classe est ouverte")
    visitor = Client()
    home = get(visitor, french(reverse, "portfolio:home"))
    assert "Le puits est creusé" in home
    sql_title(other, BEHIND)

    project = fresh(funded)
    project.title_fr = "L’eau au village, revu"
    project.save()

    home = get(visitor, french(reverse, "portfolio:home"))
    # The news names both projects: computed anew, it shows both titles as they are.
    assert "L’eau au village, revu" in home
    assert BEHIND in home


def test_a_renamed_project_shows_on_the_maps_that_name_it(projects):
    funded, other, region, _partner = projects
    Location.objects.create(
        project=funded, region=region, name_fr="Puits", latitude=22.5, longitude=88.3
    )
    visitor = Client()
    india = french(region.get_absolute_url)
    assert "L’eau au village" in get(visitor, india)
    lonely = make_region(name_fr="Népal", name_en="Nepal", country="NP")
    Location.objects.create(
        project=other, region=lonely, name_fr="École", latitude=27.7, longitude=85.3
    )
    fresh(other).regions.add(lonely)  # A change of the catalogue: every fragment renewed.
    nepal = french(lonely.get_absolute_url)
    for url in (india, nepal):
        get(visitor, url)
    sql_title(other, BEHIND)

    project = fresh(funded)
    project.title_fr = "L’eau au village, revu"
    project.save()

    assert "L’eau au village, revu" in get(visitor, india)
    # Nepal's map shows only the other project, whose title it kept.
    nepal = get(visitor, nepal)
    assert BEHIND not in nepal
    assert "L’école des filles" in nepal


def map_of(html: str) -> str:
    """Return a page's map sections (their drawings and lists of places)."""
    return "".join(
        re.findall(r'<section class="container section places-map".*?</section>', html, re.S)
    )


def test_a_place_saved_draws_the_maps_and_its_project_anew_not_the_other_projects(projects):
    funded, other, region, _partner = projects
    lonely = make_region(name_fr="Népal", name_en="Nepal", country="NP")
    Location.objects.create(
        project=funded, region=region, name_fr="Puits", latitude=22.5, longitude=88.3
    )
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    nepal = french(lonely.get_absolute_url)
    maps = {
        "home": urls["home"],
        "india": urls["region"],
        "nepal": nepal,
        "funded": page_url(funded, "fr"),
        "other": page_url(other, "fr"),
    }
    for url in maps.values():
        get(visitor, url)
    token, others = editorial(), every_version(other)
    funded_versions = every_version(funded)
    sql_title(other, BEHIND)
    sql_title(funded, BEHIND)

    place = Location.objects.create(
        project=funded,
        region=region,
        name_fr="Gosaba",
        name_en="Gosaba island",
        latitude=22.16,
        longitude=88.81,
    )

    # The catalogue changed for the place's project: the lists, maps and counts are drawn
    # anew, and its map; the rest of its page, its card, news and funding figures are
    # kept, and so is every version of the other project.
    assert editorial() != token
    assert every_version(other) == others
    moved = [a != b for a, b in zip(every_version(funded), funded_versions, strict=True)]
    assert moved == [False, False, *(part == fragments.PLACES for part in fragments.PARTS)]
    for name in ("home", "list", "search", "region", "partner"):
        assert card_link(other, "L’école des filles") in get(visitor, urls[name]), name
    assert "<h1>L’eau au village</h1>" in get(visitor, maps["funded"])
    for name in ("home", "india", "funded"):
        assert "Gosaba" in map_of(get(visitor, maps[name])), name
    assert "Gosaba island" in map_of(get(visitor, page_url(funded, "en"), "en"))
    assert "Gosaba" not in get(visitor, nepal)

    # Moved to Nepal and to the other project: it leaves India's map and the first
    # project's, and shows on Nepal's and the other project's.
    place.region = lonely
    place.project = fresh(other)
    place.save()
    assert "Gosaba" in map_of(get(visitor, nepal))
    assert "Gosaba" in map_of(get(visitor, page_url(other, "fr")))
    for name in ("india", "funded"):
        assert "Gosaba" not in get(visitor, maps[name]), name
    assert "Gosaba" in map_of(get(visitor, maps["home"]))

    place.delete()
    for name, url in maps.items():
        assert "Gosaba" not in get(visitor, url), name


def test_a_place_saved_keeps_what_shows_no_place_though_its_project_is_in_it(projects):
    """The searches, the lists filtered by region or partner, a region's or partner's
    projects and the latest projects show no place: a place saved leaves them kept, where
    a change of the catalogue made by its project draws them anew."""
    funded, other, region, _partner = projects
    visitor = Client()
    urls = pages(*projects)
    with translation.override("fr"):
        filtered = reverse("portfolio:project_list") + f"?region={region.slug}"
    shown = {
        "search": urls["search"],
        "filtered": filtered,
        "region": urls["region"],
        "partner": urls["partner"],
    }
    other_card, funded_card = (
        card_link(other, "L’école des filles"),
        card_link(funded, "L’eau au village"),
    )
    for name, url in shown.items():
        assert other_card in get(visitor, url), name
    home = get(visitor, urls["home"])
    assert home.index(other_card) < home.index(funded_card)  # The latest published first.
    # Behind the site's back: the other project is no longer found, in India nor with the
    # partner, and the place's project comes first among the latest (featured).
    sql_document(other, "rien a voir")
    with connection.cursor() as cursor:
        for model, column in ((Project.regions.through, "project_id"), (Partnership, "project_id")):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE {column} = %s",  # noqa: S608
                [other.pk],
            )
        cursor.execute(
            f"UPDATE {Project._meta.db_table} SET is_featured = %s WHERE id = %s",  # noqa: S608
            [True, funded.pk],
        )

    Location.objects.create(
        project=funded, region=region, name_fr="Gosaba", latitude=22.16, longitude=88.81
    )

    assert "Gosaba" in map_of(get(visitor, urls["region"]))
    for name, url in shown.items():
        assert other_card in get(visitor, url), name
    home = get(visitor, urls["home"])
    assert "Gosaba" in map_of(home)
    assert home.index(other_card) < home.index(funded_card)

    # A change of the catalogue made by the same project: they are drawn anew.
    moved = fresh(funded)
    moved.status = Project.Status.COMPLETED
    moved.save()
    for name, url in shown.items():
        assert other_card not in get(visitor, url), name
    home = get(visitor, urls["home"])
    assert home.index(funded_card) < home.index(other_card)


def test_a_place_added_on_a_project_form_left_as_it_was_moves_its_date_and_map_only(
    projects, editor_client
):
    """The project's admin form saved with its own fields as they were (an editor adding
    a place below them) moves the project's date of change, which the sitemap shows, and
    its map; the rest of its page (its content version) stays as it was."""
    funded, _other, region, _partner = projects
    # Its publication date as the admin's form gives it, to the second.
    Project.objects.filter(pk=funded.pk).update(
        published_at=fresh(funded).published_at.replace(microsecond=0)
    )
    url = reverse("admin:portfolio_project_change", args=[funded.pk])
    # Saved once from its form as it is, so that its story is stored as the form writes it.
    response = editor_client.post(url, admin_form_data(editor_client.get(url)))
    assert response.status_code == 302, response.context and response.context["errors"]
    Project.objects.filter(pk=funded.pk).update(updated_at=datetime(2026, 1, 15, 12, tzinfo=UTC))
    visitor = Client()
    sitemap = reverse("sitemap_section", kwargs={"section": "projects"})
    assert "2026-01-15" in get(visitor, sitemap)
    for language in ("fr", "en"):
        get(visitor, page_url(funded, language), language)
    versions, dates = every_version(funded), fragments.dated_versions([funded.pk])

    form = admin_form_data(editor_client.get(url))
    index = int(form["locations-TOTAL_FORMS"])
    form |= {
        "locations-TOTAL_FORMS": str(index + 1),
        f"locations-{index}-name_fr": "Gosaba",
        f"locations-{index}-name_en": "Gosaba island",
        f"locations-{index}-region": str(region.pk),
        f"locations-{index}-latitude": "22.16",
        f"locations-{index}-longitude": "88.81",
        f"locations-{index}-exactness": "2",
        f"locations-{index}-reach": "1",
        f"locations-{index}-order": str(index),
    }
    response = editor_client.post(url, form)
    assert response.status_code == 302, response.context and response.context["errors"]

    saved = fresh(funded)
    assert saved.updated_at.date() == timezone.now().date()
    moved = [a != b for a, b in zip(every_version(funded), versions, strict=True)]
    assert moved == [False, False, *(part == fragments.PLACES for part in fragments.PARTS)]
    assert fragments.dated_versions([funded.pk]) != dates
    assert "Gosaba" in map_of(get(visitor, page_url(funded, "fr")))
    assert "Gosaba island" in map_of(get(visitor, page_url(funded, "en"), "en"))
    listed = get(visitor, sitemap)
    assert "2026-01-15" not in listed
    assert timezone.localtime(saved.updated_at).date().isoformat() in listed

    # The same form with a field changed draws its page anew.
    form = admin_form_data(editor_client.get(url), subtitle_fr="Un sous-titre neuf")
    response = editor_client.post(url, form)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert "Un sous-titre neuf" in get(visitor, page_url(funded, "fr"))


# -- Field updates -----------------------------------------------------------------------


def feed_titles(visitor):
    with translation.override("fr"):
        url = reverse("portfolio:feed")
    root = ET.fromstring(get(visitor, url).encode())  # noqa: S314 - our own feed
    return [entry.find("atom:title", ATOM).text for entry in root.findall("atom:entry", ATOM)]


def test_a_field_update_shows_where_news_shows_and_keeps_the_other_fragments(projects):
    funded, other, *_ = projects
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    feed_titles(visitor)
    token = editorial()
    sql_title(other, BEHIND)

    make_update(funded, title_fr="Le puits est creusé", title_en="The well is dug")

    assert editorial() == token
    assert "Le puits est creusé" in get(visitor, urls["home"])
    assert "Le puits est creusé" in get(visitor, page_url(funded, "fr"))
    assert "The well is dug" in get(visitor, page_url(funded, "en"), "en")
    assert any("Le puits est creusé" in title for title in feed_titles(visitor))
    for name, url in urls.items():
        # The other project's card and page, the lists, the filters: kept.
        assert BEHIND not in get(visitor, url), name


def test_a_field_update_moved_or_deleted_leaves_the_page_it_was_on(projects):
    funded, other, *_ = projects
    update = make_update(funded, title_fr="Le puits est creusé")
    visitor = Client()
    assert "Le puits est creusé" in get(visitor, page_url(funded, "fr"))
    assert "Le puits est creusé" not in get(visitor, page_url(other, "fr"))

    update.project = fresh(other)
    update.save()

    assert "Le puits est creusé" not in get(visitor, page_url(funded, "fr"))
    assert "Le puits est creusé" in get(visitor, page_url(other, "fr"))
    home = get(visitor, french(reverse, "portfolio:home"))
    assert "Le puits est creusé" in home

    update.delete()

    assert "Le puits est creusé" not in get(visitor, page_url(other, "fr"))
    assert "Le puits est creusé" not in get(visitor, french(reverse, "portfolio:home"))
    assert not any("Le puits est creusé" in title for title in feed_titles(visitor))


# -- The search --------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["body", "subtitle"])
def test_a_word_added_to_a_story_is_found_on_the_next_request(projects, field):
    funded, _other, *_ = projects
    visitor = Client()
    searches = {}
    for language, word in (("fr", "pompeolienne"), ("en", "windpump")):
        with translation.override(language):
            searches[language] = reverse("portfolio:project_list") + f"?q={word}"
    for language, url in searches.items():
        assert "L’eau au village" not in get(visitor, url, language)
        assert "Water in the village" not in get(visitor, url, language)
    token, searched = editorial(), searched_edits()

    project = fresh(funded)
    if field == "body":
        project.body_fr = "<p>Une pompeolienne pour le puits</p>"
        project.body_en = "<p>A windpump for the well</p>"
    else:
        project.subtitle_fr = "Une pompeolienne"
        project.subtitle_en = "A windpump"
    project.save()

    assert editorial() == token
    assert searched_edits() > searched
    assert "L’eau au village" in get(visitor, searches["fr"])
    assert "Water in the village" in get(visitor, searches["en"], "en")


def test_a_change_nobody_searches_logs_no_searched_edit(projects):
    funded, *_ = projects
    searched = searched_edits()
    project = fresh(funded)
    project.start_date = date(2025, 1, 1)
    project.save()
    assert searched_edits() == searched


# -- Photos ------------------------------------------------------------------------------


def test_a_new_photo_shows_on_its_project_page_and_keeps_the_other_fragments(projects):
    funded, other, *_ = projects
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    token = editorial()
    before = fragments.content_versions([funded.pk])[funded.pk]
    sql_title(other, BEHIND)

    photo = make_photo(funded, caption_fr="Le puits neuf", caption_en="The new well")

    assert editorial() == token
    assert fragments.content_versions([funded.pk])[funded.pk] != before
    for name, url in urls.items():
        assert BEHIND not in get(visitor, url), name
    assert "Le puits neuf" in get(visitor, page_url(funded, "fr"))
    assert "The new well" in get(visitor, page_url(funded, "en"), "en")

    ProjectImage.objects.filter(pk=photo.pk).first().delete()

    assert editorial() == token
    assert "Le puits neuf" not in get(visitor, page_url(funded, "fr"))
    assert "The new well" not in get(visitor, page_url(funded, "en"), "en")
    for name, url in urls.items():
        assert BEHIND not in get(visitor, url), name


def test_a_photos_caption_edit_shows_on_its_project_page(projects):
    funded, *_ = projects
    photo = make_photo(funded, caption_fr="Le puits neuf")
    visitor = Client()
    assert "Le puits neuf" in get(visitor, page_url(funded, "fr"))
    photo = ProjectImage.objects.get(pk=photo.pk)
    photo.caption_fr = "Le puits, un an après"
    photo.save()
    assert "Le puits, un an après" in get(visitor, page_url(funded, "fr"))


# -- Results -----------------------------------------------------------------------------


@pytest.fixture
def results(projects):
    funded, *_ = projects
    result = make_result(funded, title_fr="Le village boit une eau saine")
    indicator = make_indicator(result, title_fr="Familles raccordées", title_en="Families linked")
    period = make_period(indicator, target=Decimal(400), actual=Decimal(321))
    part = make_part(period, "mères seules", "single mothers", "123")
    return result, indicator, period, part


def edit_result(rows):
    result, indicator, period, part = rows
    return {
        "result": (Result, result.pk, "title_fr", "Le village boit une eau plus saine"),
        "indicator": (Indicator, indicator.pk, "title_fr", "Foyers raccordés"),
        "period": (Period, period.pk, "actual", Decimal(357)),
        "part": (Disaggregation, part.pk, "category_fr", "grands-mères"),
    }


@pytest.mark.parametrize("row", ["result", "indicator", "period", "part"])
def test_a_results_change_shows_on_its_project_page_and_keeps_the_other_fragments(
    projects, results, row
):
    funded, other, *_ = projects
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    french = get(visitor, page_url(funded, "fr"))
    assert "Familles raccordées" in french and "mères seules" in french
    token = editorial()
    content = fragments.content_versions([funded.pk])[funded.pk]
    part = fragments.part_versions("results", [funded.pk])[funded.pk]
    sql_title(other, BEHIND)

    model, pk, field, value = edit_result(results)[row]
    instance = model.objects.get(pk=pk)
    setattr(instance, field, value)
    instance.save()

    assert editorial() == token
    assert fragments.content_versions([funded.pk])[funded.pk] != content
    assert fragments.part_versions("results", [funded.pk])[funded.pk] != part
    for name, url in urls.items():
        assert BEHIND not in get(visitor, url), name
    french = get(visitor, page_url(funded, "fr"))
    shown = {
        "result": "Le village boit une eau plus saine",
        "indicator": "Foyers raccordés",
        "period": "357",
        "part": "grands-mères",
    }[row]
    assert shown in french


@pytest.mark.parametrize("row", ["indicator", "period", "part"])
def test_a_deleted_result_row_leaves_its_project_page(projects, results, row):
    funded, *_ = projects
    visitor = Client()
    assert "mères seules" in get(visitor, page_url(funded, "fr"))
    token = editorial()
    model, pk, *_ = edit_result(results)[row]
    model.objects.get(pk=pk).delete()
    assert editorial() == token
    assert "mères seules" not in get(visitor, page_url(funded, "fr"))


def test_a_story_edit_keeps_the_results_section(projects, results):
    funded, *_ = projects
    result = results[0]
    visitor = Client()
    assert "Le village boit une eau saine" in get(visitor, page_url(funded, "fr"))
    part = fragments.part_versions("results", [funded.pk])[funded.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Result._meta.db_table} SET title_fr = %s WHERE id = %s",  # noqa: S608
            ["Résultat changé sans signal", result.pk],
        )

    save_story(funded, "Une histoire neuve", "A new story")

    assert fragments.part_versions("results", [funded.pk])[funded.pk] == part
    french = get(visitor, page_url(funded, "fr"))
    assert "Une histoire neuve" in french
    # The results were kept apart, and not drawn again.
    assert "Le village boit une eau saine" in french
    assert "Résultat changé sans signal" not in french


# -- The feed and the sitemap ------------------------------------------------------------


def feed_updated(visitor, project):
    """Return ``{entry link: updated}`` of the French feed, and the project's entry's date."""
    with translation.override("fr"):
        url = reverse("portfolio:feed")
    root = ET.fromstring(get(visitor, url).encode())  # noqa: S314 - our own feed
    entries = {}
    for entry in root.findall("atom:entry", ATOM):
        link = entry.find("atom:link", ATOM).get("href")
        entries[link] = (entry.find("atom:title", ATOM).text, entry.find("atom:updated", ATOM).text)
    (mine,) = [value for link, value in entries.items() if link.endswith(page_url(project, "fr"))]
    return entries, mine


def same_moment(text, moment):
    return parse_datetime(text) == moment


def test_a_story_edit_leaves_the_feed_kept_with_its_entries_dated_by_publication(projects):
    # An entry announces a project by its title and summary: a story edit does not change
    # it, so the kept feed serves on and the entry keeps its publication date.
    funded, other, *_ = projects
    visitor = Client()
    _entries, (title, updated) = feed_updated(visitor, funded)
    assert same_moment(updated, fresh(funded).published_at)
    sql_title(other, BEHIND)
    token = editorial()

    save_story(funded, "Une histoire neuve", "A new story")

    assert editorial() == token
    entries, (title, updated) = feed_updated(visitor, funded)
    assert BEHIND not in [title for title, _updated in entries.values()]  # kept
    assert title == "L’eau au village"
    assert same_moment(updated, fresh(funded).published_at)


def test_a_title_change_reads_again_only_the_feed_entries_that_show_it(projects):
    funded, other, *_ = projects
    make_update(funded, title_fr="Le puits est creusé")
    make_update(other, title_fr="La classe est ouverte")
    visitor = Client()
    feed_updated(visitor, funded)
    sql_title(other, BEHIND)
    funded = fresh(funded)
    funded.title_fr = "L’eau au village, revu"
    funded.save()
    entries, (title, _updated) = feed_updated(visitor, funded)
    titles = [title for title, _updated in entries.values()]
    assert title == "L’eau au village, revu"
    # The renamed project's update names it anew; the other project's entries are kept.
    assert "L’eau au village, revu — nouvelle : Le puits est creusé" in titles
    assert "L’école des filles" in titles
    assert "L’école des filles — nouvelle : La classe est ouverte" in titles
    assert not any(BEHIND in title for title in titles)

    region = fresh(other).regions.get()
    region.save()  # A region saved: the entries name none, and are kept.
    titles = [title for title, _updated in feed_updated(visitor, funded)[0].values()]
    assert not any(BEHIND in title for title in titles)
    pagecache.clear()  # The caches emptied: every entry is read again.
    titles = [title for title, _updated in feed_updated(visitor, funded)[0].values()]
    assert BEHIND in titles
    assert f"{BEHIND} — nouvelle : La classe est ouverte" in titles


def sitemap_lastmods(visitor):
    root = ET.fromstring(get(visitor, "/sitemap-projects.xml").encode())  # noqa: S314
    return {
        url.find("sm:loc", SITEMAP).text: url.find("sm:lastmod", SITEMAP).text
        for url in root.findall("sm:url", SITEMAP)
    }


def index_lastmod(visitor):
    root = ET.fromstring(get(visitor, "/sitemap.xml").encode())  # noqa: S314
    for sitemap in root.findall("sm:sitemap", SITEMAP):
        if "sitemap-projects.xml" in sitemap.find("sm:loc", SITEMAP).text:
            return sitemap.find("sm:lastmod", SITEMAP).text
    raise AssertionError("no projects section in the index")


def sql_updated_at(moment, *rows):
    with connection.cursor() as cursor:
        for project in rows:
            cursor.execute(
                f"UPDATE {Project._meta.db_table} SET updated_at = %s WHERE id = %s",  # noqa: S608
                [moment, project.pk],
            )


def test_the_sitemap_shows_when_a_project_last_changed_on_the_next_request(projects):
    funded, other, *_ = projects
    # The sitemap gives days: both projects last changed long ago.
    sql_updated_at(datetime(2020, 1, 1, 12, tzinfo=UTC), funded, other)
    visitor = Client()
    before = sitemap_lastmods(visitor)
    mine = [loc for loc in before if loc.endswith(page_url(funded, "fr"))]
    assert mine and {before[loc] for loc in mine} == {"2020-01-01"}
    assert index_lastmod(visitor).startswith("2020-01-01")
    # Kept while nothing changes: a date written behind the site's back is not seen.
    sql_updated_at(datetime(2021, 6, 1, 12, tzinfo=UTC), other)
    assert sitemap_lastmods(visitor) == before
    assert index_lastmod(visitor).startswith("2020-01-01")
    token = editorial()

    edited = save_story(funded, "Une histoire neuve", "A new story")

    assert editorial() == token
    today = timezone.localdate(fresh(edited).updated_at).isoformat()
    assert today > "2021-06-01"
    after = sitemap_lastmods(visitor)
    for loc in mine:
        assert after[loc] == today, loc
    assert same_moment(index_lastmod(visitor), fresh(edited).updated_at)


def test_a_story_edit_writes_again_only_that_projects_sitemap_entries(projects):
    funded, other, region, partner = projects
    sql_updated_at(datetime(2020, 1, 1, 12, tzinfo=UTC), funded, other)
    visitor = Client()
    before = sitemap_lastmods(visitor)
    addresses = (page_url(other, "fr"), page_url(other, "en"))
    theirs = [loc for loc in before if loc.endswith(addresses)]
    assert len(theirs) == 2 and {before[loc] for loc in theirs} == {"2020-01-01"}
    # Written behind the site's back: seen only where the other project's entries are
    # written anew.
    sql_updated_at(datetime(2021, 6, 1, 12, tzinfo=UTC), other)

    save_story(funded, "Une histoire neuve", "A new story")

    after = sitemap_lastmods(visitor)
    today = timezone.localdate(fresh(funded).updated_at).isoformat()
    assert {after[loc] for loc in after if loc not in theirs} == {today}
    assert {after[loc] for loc in theirs} == {"2020-01-01"}  # Kept as they were.

    # Entries name no region: a region renamed leaves them as they were.
    region.name_fr, region.name_en = "Inde du Nord", "North India"
    region.save()
    assert {sitemap_lastmods(visitor)[loc] for loc in theirs} == {"2020-01-01"}
    # A partner hidden changes which partners its projects count, nothing entries show.
    partner.is_public = False
    partner.save()
    assert {sitemap_lastmods(visitor)[loc] for loc in theirs} == {"2020-01-01"}
    # Shown again in bulk (which renews every token): every entry is written again.
    Partner.objects.filter(pk=partner.pk).update(is_public=True)
    assert {sitemap_lastmods(visitor)[loc] for loc in theirs} == {"2021-06-01"}


def sitemap_parts_written(monkeypatch) -> tuple[list, list]:
    """Record the projects whose sitemap entries are written anew, and the parts of pages
    kept again (each as its projects' keys)."""
    written, parts = [], []
    real_entries, real_set_many = TranslatedSitemap._entries_xml, fragments.set_many

    def entries_xml(self, pks, *args):
        written.append(sorted(pks))
        return real_entries(self, pks, *args)

    def set_many(values):
        parts.extend(sorted(value) for key, value in values.items() if "sitemap-entries" in key)
        return real_set_many(values)

    monkeypatch.setattr(TranslatedSitemap, "_entries_xml", entries_xml)
    monkeypatch.setattr(fragments, "set_many", set_many)
    return written, parts


@pytest.fixture
def five_projects(projects, monkeypatch):
    """The projects' sitemap of five projects on one page, kept in parts of two."""
    for title in ("Les semences", "Le puits", "La classe"):
        make_project(title_fr=title, title_en=title)
    monkeypatch.setattr(core_sitemaps, "ENTRIES_PER_PART", 2)
    return list(Project.objects.published().order_by("pk"))


def test_a_story_edit_writes_again_only_the_part_of_the_sitemap_page_it_is_in(
    five_projects, settings, monkeypatch
):
    """A page's entries are kept in parts: after a story edit, the edited project's entries
    are written anew, and its part kept again, not the page's; the page is the one
    written whole."""
    visitor = Client()
    assert visitor.get("/sitemap-projects.xml").status_code == 200
    written, parts = sitemap_parts_written(monkeypatch)
    edited = five_projects[2]

    save_story(edited, "Une histoire neuve", "A new story")
    kept = visitor.get("/sitemap-projects.xml")

    assert written == [[edited.pk]]
    assert parts == [[project.pk for project in five_projects[2:4]]]
    settings.FRAGMENT_CACHE_ENABLED = False
    whole = visitor.get("/sitemap-projects.xml")
    assert (kept.content, kept["Last-Modified"]) == (whole.content, whole["Last-Modified"])


def test_after_a_project_unpublished_the_sitemaps_parts_are_kept_again_at_once(
    five_projects, settings, monkeypatch
):
    """A project unpublished moves each later project into the part before: the page is
    put together from the entries kept, wherever they were (but the last project's, whose
    part is no more), and every part is kept again in one write, so the next request
    writes nothing."""
    visitor = Client()
    assert visitor.get("/sitemap-projects.xml").status_code == 200
    first = five_projects[0]
    first.is_published = False
    first.save()
    written, parts = sitemap_parts_written(monkeypatch)

    kept = visitor.get("/sitemap-projects.xml")
    assert written == [[five_projects[4].pk]]
    assert parts == [[p.pk for p in five_projects[1:3]], [p.pk for p in five_projects[3:5]]]
    again = visitor.get("/sitemap-projects.xml")
    assert (len(written), len(parts)) == (1, 2)  # Nothing more written.
    # Published again: each later project moves into the part after.
    first.is_published = True
    first.save()
    written.clear(), parts.clear()
    back = visitor.get("/sitemap-projects.xml")
    assert written == [[first.pk]]
    # The last part, kept from the first request, holds its project still.
    assert parts == [[p.pk for p in five_projects[0:2]], [p.pk for p in five_projects[2:4]]]
    assert visitor.get("/sitemap-projects.xml").content == back.content
    assert (written, len(parts)) == ([[first.pk]], 2)  # Nothing more written.
    settings.FRAGMENT_CACHE_ENABLED = False
    assert visitor.get("/sitemap-projects.xml").content == back.content
    first.is_published = False
    first.save()
    whole = visitor.get("/sitemap-projects.xml")
    assert kept.content == again.content == whole.content
    assert kept["Last-Modified"] == whole["Last-Modified"]


@pytest.mark.parametrize("limit", [3, 4, 200])
def test_sitemap_pages_put_together_from_kept_entries_are_those_written_whole(
    projects, settings, monkeypatch, limit
):
    """Each page of the projects' section, kept with its entries, is the page written whole
    without fragments, its Last-Modified included, whether a project's two languages fall
    on one page or on two."""
    make_project(title_fr="Les semences", title_en="Seeds")
    monkeypatch.setattr(TranslatedSitemap, "limit", limit)
    pages_count = -(-3 * 2 // limit)

    def served(on):
        settings.FRAGMENT_CACHE_ENABLED = on
        cache.clear()
        visitor = Client()
        answers = []
        for number in range(1, pages_count + 1):
            for again in (False, True):  # Written, then put together from what was kept.
                if again and on:
                    # As after a story edit: the kept pages go, their entries stay.
                    fragments.invalidate_content([ANOTHER_PROJECT])
                with CaptureQueriesContext(connection) as queries:
                    response = visitor.get(f"/sitemap-projects.xml?p={number}")
                assert response.status_code == 200
                if again and on:
                    assert not [q for q in queries if Project._meta.db_table in q["sql"]]
                answers.append((response.content, response["Last-Modified"]))
        assert visitor.get(f"/sitemap-projects.xml?p={pages_count + 1}").status_code == 404
        return answers

    kept = served(True)
    assert kept == served(False)
    assert len({content for content, _date in kept}) == pages_count


def test_sitemap_pages_after_a_project_unpublished_before_them_are_those_written_whole(
    projects, settings, monkeypatch
):
    """A project unpublished moves each later project up: a page is put together from
    what it kept and the entries of the project that came onto it, and is the page
    written whole without fragments."""
    make_project(title_fr="Les semences", title_en="Seeds")
    monkeypatch.setattr(TranslatedSitemap, "limit", 4)  # Two projects a page.
    visitor = Client()

    def pages_served():
        answers, number = [], 1
        while (response := visitor.get(f"/sitemap-projects.xml?p={number}")).status_code == 200:
            answers.append((response.content, response["Last-Modified"]))
            number += 1
        return answers

    assert len(pages_served()) == 2
    first, _second, third = Project.objects.published().order_by("pk")
    first.is_published = False
    first.save()
    written = []
    real_entries = TranslatedSitemap._entries_xml

    def entries_xml(self, pks, *args):
        written.append(list(pks))
        return real_entries(self, pks, *args)

    monkeypatch.setattr(TranslatedSitemap, "_entries_xml", entries_xml)

    kept = pages_served()

    assert len(kept) == 1
    assert written == [[third.pk]]  # The second's entries were kept on the first page.
    settings.FRAGMENT_CACHE_ENABLED = False
    assert kept == pages_served()


# -- What a save changes -----------------------------------------------------------------


def test_an_unsaved_row_has_no_known_changes():
    assert changed_columns(Project(title_fr="Neuf")) is None


def test_a_row_as_loaded_has_no_changes_in_either_language(projects):
    funded, *_ = projects
    for language in ("fr", "en"):
        with translation.override(language):
            assert changed_columns(fresh(funded)) == set()


def test_the_story_changed_is_seen_in_whatever_language_is_active(projects):
    funded, *_ = projects
    for active in ("fr", "en"):
        with translation.override(active):
            for column in ("body_fr", "body_en"):
                project = fresh(funded)
                setattr(project, column, "<p>Autre</p>")
                changed = changed_columns(project)
                assert changed == {column}, (active, column)
                assert changed <= OWN_CONTENT_COLUMNS


def test_a_story_edit_in_another_language_than_the_active_one_keeps_the_other_pages(projects):
    funded, other, *_ = projects
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    token = editorial()
    sql_title(other, BEHIND)
    with translation.override("en"):
        project = fresh(funded)
        project.body_fr = "<p>Écrit depuis l’anglais</p>"
        project.save()
    assert editorial() == token
    for name, url in urls.items():
        assert BEHIND not in get(visitor, url), name
    assert "Écrit depuis l’anglais" in get(visitor, page_url(funded, "fr"))


def test_update_fields_restrict_what_is_compared_and_read(projects):
    funded, *_ = projects
    project = fresh(funded)
    project.title_fr = "Un autre titre"
    project.body_fr = "<p>Autre</p>"
    with CaptureQueriesContext(connection) as queries:
        changed = changed_columns(project, update_fields=["body_fr"])
    assert changed == {"body_fr"}
    (query,) = queries.captured_queries
    assert "body_fr" in query["sql"]
    assert "title_fr" not in query["sql"]
    assert "summary_fr" not in query["sql"]
    assert changed_columns(project, update_fields=["summary_fr"]) == set()
    assert changed_columns(project) == {"title_fr", "body_fr"}


def test_update_fields_that_miss_the_title_keep_the_other_pages(projects):
    funded, other, *_ = projects
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    token = editorial()
    sql_title(other, BEHIND)
    project = fresh(funded)
    project.body_fr = "<p>Écrit par une tâche</p>"
    project.save(update_fields=["body_fr"])
    assert editorial() == token
    for name, url in urls.items():
        assert BEHIND not in get(visitor, url), name
    assert "Écrit par une tâche" in get(visitor, page_url(funded, "fr"))


def test_a_file_is_compared_by_its_name(projects):
    funded, *_ = projects
    project = fresh(funded)
    project.cover_image.save("cover.jpg", uploaded_image(size=(1600, 900)), save=False)
    project.cover_alt_fr = "Le puits"
    project.save()
    stored = fresh(funded)
    assert changed_columns(stored) == set()
    stored.cover_image = stored.cover_image.name  # the same file, given by its name
    assert changed_columns(stored) == set()
    stored.cover_image = "projects/covers/another.jpg"
    changed = changed_columns(stored)
    # Another file (its size read anew with it): what a card shows.
    assert "cover_image" in changed
    assert changed <= {"cover_image", "cover_width", "cover_height"}


# -- The benchmark's edited mode ---------------------------------------------------------


def test_the_edited_mode_moves_the_projects_content_before_each_request(projects, settings):
    funded, other, *_ = projects
    settings.BENCH_EDIT_PROJECT = funded.pk
    answered = []
    middleware = EditBeforeEachRequest(lambda request: answered.append(request.path) or "ok")
    factory = RequestFactory()
    token = editorial()

    # The floor view alone is served without the edit; after it under /bench/edit/.
    for path in ("/fr/projets/", "/fr/", "/bench/floor/", "/bench/edit/"):
        mine = fragments.content_versions([funded.pk])[funded.pk]
        theirs = fragments.content_versions([other.pk])[other.pk]
        searched = searched_edits()
        assert middleware(factory.get(path)) == "ok"
        moved = path != "/bench/floor/"
        assert (fragments.content_versions([funded.pk])[funded.pk] != mine) is moved, path
        assert (searched_edits() > searched) is moved, path
        assert fragments.content_versions([other.pk])[other.pk] == theirs
    assert answered == ["/fr/projets/", "/fr/", "/bench/floor/", "/bench/edit/"]
    assert editorial() == token


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("edit", ["story", "catalogue", "shown"])
def test_an_edit_mode_commits_its_edit_as_an_editors_save_does(projects, settings, edit):
    """The edit runs in a transaction, as a save in the admin: its commit renews the
    editorial token, which the page's request then finds current (not out of date, to be
    renewed by the page's request)."""
    funded, *_ = projects
    local = make_partner(name_fr="Partenaire local", name_en="Local partner")
    Partnership.objects.create(
        project=funded, partner=local, role=Partnership.Role.IMPLEMENTING, order=2
    )
    settings.BENCH_EDIT_PROJECT = funded.pk
    settings.BENCH_EDIT = edit
    token = editorial()
    middleware = EditBeforeEachRequest(lambda request: cache.get(fragments.EDITORIAL_KEY))
    found = middleware(RequestFactory().get("/fr/"))
    if edit != "story":  # A story rewritten leaves the editorial token as it was.
        assert found.token != token
    assert found.is_current(timezone.now())


def test_the_edited_mode_renders_the_projects_page_anew_each_time(projects, settings):
    funded, other, *_ = projects
    settings.BENCH_EDIT_PROJECT = funded.pk
    visitor = Client()
    url = page_url(funded, "fr")
    other_url = page_url(other, "fr")
    get(visitor, url)
    get(visitor, other_url)
    sql_title_of(funded, "L’eau changée sans signal")
    sql_title(other, BEHIND)
    middleware = EditBeforeEachRequest(lambda request: None)
    middleware(RequestFactory().get(url))
    assert "L’eau changée sans signal" in get(visitor, url)
    assert BEHIND not in get(visitor, other_url)


@pytest.mark.parametrize("edit", ["story", "title"])
def test_the_renamed_mode_also_moves_the_projects_card(projects, settings, edit):
    funded, other, *_ = projects
    settings.BENCH_EDIT_PROJECT = funded.pk
    settings.BENCH_EDIT = edit
    middleware = EditBeforeEachRequest(lambda request: "ok")
    cards = fragments.card_versions([funded.pk, other.pk])
    token = editorial()

    middleware(RequestFactory().get("/fr/projets/"))

    after = fragments.card_versions([funded.pk, other.pk])
    assert (after[funded.pk][0] != cards[funded.pk][0]) is (edit == "title")
    assert after[other.pk] == cards[other.pk]
    assert editorial() == token


def last_published_and_edit(projects, settings, edit):
    """A project published last (the one the catalogue and scheduled modes change), and
    the benchmark's middleware making ``edit`` for the first of ``projects``."""
    funded, _other, region, partner = projects
    latest = make_project(title_fr="Le dernier publié", regions=[region], partners=[partner])
    settings.BENCH_EDIT_PROJECT = funded.pk
    settings.BENCH_EDIT = edit
    return latest, EditBeforeEachRequest(lambda request: "ok")


def test_the_catalogue_mode_renews_the_lists_and_keeps_the_other_projects_parts(projects, settings):
    funded, other, _region, _partner = projects
    latest, middleware = last_published_and_edit(projects, settings, "catalogue")
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    kept = (funded, other)
    versions = {project.pk: every_version(project) for project in kept}
    latest_versions = every_version(latest)
    token = editorial()
    sql_title(other, BEHIND)

    middleware(RequestFactory().get("/fr/projets/"))

    # The last project published changed the catalogue, not the edited one.
    assert middleware.other_project() == latest.pk
    assert editorial() != token
    assert {project.pk: every_version(project) for project in kept} == versions
    # As publishing it: every version of it moves, but its funding figures', its card's
    # and its news's.
    moved = [a != b for a, b in zip(every_version(latest), latest_versions, strict=True)]
    assert moved == [
        True,
        False,
        *(part not in fragments.KEPT_WITH_CARDS for part in fragments.PARTS),
    ]
    assert card_link(other, "L’école des filles") in get(visitor, urls["list"])
    assert "<h1>L’école des filles</h1>" in get(visitor, urls["project"])


def test_the_scheduled_mode_makes_a_publication_fall_due_before_every_request(projects, settings):
    _funded, other, _region, _partner = projects
    latest, middleware = last_published_and_edit(projects, settings, "scheduled")
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    tokens = {key: cache.get(key).token for key in fragments.SCHEDULED_KEYS}
    logged = fragments.CATALOGUE_CHANGES.latest()
    sql_title(other, BEHIND)

    middleware(RequestFactory().get("/fr/projets/"))

    # The last project published goes public now, and every token falls due with it.
    assert fresh(latest).published_at <= timezone.now()
    for key in (pagecache.STATE_KEY, fragments.EDITORIAL_KEY, *fragments.SCHEDULED_KEYS):
        assert not cache.get(key).is_current(timezone.now()), key
    html = get(visitor, urls["list"])
    assert "Le dernier publié" in html
    assert card_link(other, "L’école des filles") in html  # Its card kept.
    assert fragments.CATALOGUE_CHANGES.since(logged)[1] == [latest.pk]
    assert {key: cache.get(key).token for key in fragments.SCHEDULED_KEYS} == tokens


def kept_in(store, settings):
    """Keep fragments in local memory (the tests' default) or on the Redis server."""
    if store == "redis":
        if not test_fragment_writes.reachable(6379):
            pytest.skip("no Redis server on 127.0.0.1:6379")
        test_fragment_writes.use_redis(settings, "redis://127.0.0.1:6379/13")
        cache.clear()


@pytest.mark.parametrize("store", ["local-memory", "redis"])
def test_a_request_that_logs_a_publication_fallen_due_reads_the_tokens_it_kept_no_more(
    projects, settings, store
):
    """The first request after a scheduled publication falls due logs it and keeps the
    names, counts and regions tokens (``past_publication``): what it wrote (the tokens,
    the log's number and entry, the versions moved) is what it uses from then on, not
    read again from the cache, one round trip each."""
    kept_in(store, settings)
    _latest, middleware = last_published_and_edit(projects, settings, "scheduled")
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    visit_everything(visitor, *projects)  # Each address learnt what it reads.
    middleware(RequestFactory().get("/fr/"))
    real = fragments._replaced_many
    # Undone before the cache's settings are (the counting wraps the cache's methods).
    with pytest.MonkeyPatch.context() as patch:
        reads = count_cache_reads(patch)

        def marked(old, new):
            written = real(old, new)
            reads.append(("kept", tuple(written)))
            return written

        patch.setattr(fragments, "_replaced_many", marked)
        html = get(visitor, urls["home"])

    assert "Le dernier publié" in html
    assert "L’école des filles" in html
    marks = [index for index, (method, _args) in enumerate(reads) if method == "kept"]
    assert len(marks) == 1
    assert set(reads[marks[0]][1]) >= set(fragments.SCHEDULED_KEYS)
    after = [args for _method, args in reads[marks[0] + 1 :]]
    asked = [key for args in after for key in (args if isinstance(args[0], str) else args[0])]
    # Only fragments are read after: no token, no log of changes (its number, the entry
    # written) and no version (those it moved) is read again.
    assert asked
    assert all(key.startswith(fragments.FRAGMENT_KEY_PREFIX) for key in asked), after
    for key in fragments.SCHEDULED_KEYS:
        assert cache.get(key).is_current(timezone.now()), key


@pytest.mark.parametrize("store", ["local-memory", "redis"])
def test_a_change_logged_while_a_request_logs_a_publication_fallen_due_shows_at_once(
    projects, settings, monkeypatch, store
):
    """An editor's change of the catalogue logged after a request read the log and the
    versions, and before that request logs a publication fallen due itself: the request
    reads them again, and shows the change (not a card kept under the version it read)."""
    kept_in(store, settings)
    _funded, other, _region, _partner = projects
    _latest, middleware = last_published_and_edit(projects, settings, "scheduled")
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    visit_everything(visitor, *projects)
    middleware(RequestFactory().get("/fr/"))
    real = pagecache.fell_due

    def edited_meanwhile(since):
        sql_title(other, "Titre changé entre-temps")
        # As its save does, in another worker (not this request's thread).
        editor = threading.Thread(target=pagecache.invalidate, kwargs={"catalogue_of": [other.pk]})
        editor.start()
        editor.join()
        return real(since)

    monkeypatch.setattr(pagecache, "fell_due", edited_meanwhile)

    html = get(visitor, urls["list"])

    assert "Le dernier publié" in html
    assert "Titre changé entre-temps" in html
    assert "L’école des filles" not in html


def test_the_place_mode_changes_the_catalogue_for_the_measured_project(projects, settings):
    funded, other, region, _partner = projects
    Location.objects.create(
        project=funded, region=region, name_fr="Puits", latitude=22.5, longitude=88.3
    )
    settings.BENCH_EDIT_PROJECT = funded.pk
    settings.BENCH_EDIT = "place"
    middleware = EditBeforeEachRequest(lambda request: "ok")
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    get(visitor, page_url(funded, "fr"))
    others, versions, token = every_version(other), every_version(funded), editorial()
    sql_title(other, BEHIND)
    with connection.cursor() as cursor:  # Behind the site's back: no signal.
        cursor.execute(
            f"UPDATE {Location._meta.db_table} SET name_fr = %s",  # noqa: S608
            ["Puits déplacé"],
        )

    middleware(RequestFactory().get("/fr/projets/"))

    # As adding a place in its admin form, its fields left as they were: the catalogue
    # changes for it, which moves its map only; the other project's parts kept.
    assert editorial() != token
    moved = [a != b for a, b in zip(every_version(funded), versions, strict=True)]
    assert moved == [False, False, *(part == fragments.PLACES for part in fragments.PARTS)]
    assert every_version(other) == others
    assert "Puits déplacé" in map_of(get(visitor, page_url(funded, "fr")))
    assert card_link(other, "L’école des filles") in get(visitor, urls["list"])


def bench_mode(settings, projects, edit):
    """Start the bench's middleware editing the first project as ``edit`` says, after
    every page was visited; return it, the visitor, the pages, and every project's
    versions, the editorial, regions and counts tokens and the searched edits logged."""
    funded, other, *_ = projects
    settings.BENCH_EDIT_PROJECT = funded.pk
    settings.BENCH_EDIT = edit
    middleware = EditBeforeEachRequest(lambda request: "ok")
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    versions = {project.pk: every_version(project) for project in (funded, other)}
    before = (versions, editorial(), regions_token(), fragments.counts_token())
    return middleware, visitor, urls, (*before, fragments.SEARCHED_EDITS.latest())


def test_the_partner_mode_renews_what_shows_partners_and_logs_their_projects(projects, settings):
    funded, other, _region, partner = projects
    middleware, visitor, urls, before = bench_mode(settings, projects, "partner")
    versions, token, regions, counts, logged = before
    card = fragments.partner_versions([partner.pk])
    sql_title(other, BEHIND)
    with connection.cursor() as cursor:  # Renamed behind the site's back: no signal.
        cursor.execute(
            f"UPDATE {Partner._meta.db_table} SET name_fr = %s WHERE id = %s",  # noqa: S608
            ["Renommé sans signal", partner.pk],
        )

    middleware(RequestFactory().get("/fr/projets/"))

    # As renaming the partner of both projects: every token but the counts and regions
    # tokens renewed, both projects' searched text changed (their search documents), the
    # partner's version moved (its card), no project's version.
    assert middleware.partnered() == sorted([funded.pk, other.pk])
    assert fragments.partner_versions([partner.pk]) != card
    assert editorial() != token
    assert regions_token() == regions
    assert fragments.counts_token() == counts
    assert set(fragments.SEARCHED_EDITS.since(logged)[1]) == {funded.pk, other.pk}
    assert {project.pk: every_version(project) for project in (funded, other)} == versions
    page = get(visitor, urls["project"])
    assert "Renommé sans signal" in page
    assert "<h1>L’école des filles</h1>" in page


def test_the_shown_mode_hides_then_shows_a_partner_and_changes_the_catalogue_for_its_projects(
    projects, settings
):
    funded, other, *_ = projects
    local = make_partner(name_fr="Partenaire local", name_en="Local partner")
    Partnership.objects.create(
        project=funded, partner=local, role=Partnership.Role.IMPLEMENTING, order=2
    )
    middleware, visitor, _urls, before = bench_mode(settings, projects, "shown")
    versions, token, regions, counts, logged = before
    changes = fragments.CATALOGUE_CHANGES.latest()
    page = french(fresh(funded).get_absolute_url)
    assert "Partenaire local" in get(visitor, page)

    with translation.override("en"):  # Whatever language a worker served last.
        middleware(RequestFactory().get("/en/projects/"))

    # The measured partner's page (the partner with the most projects) stays shown: the
    # other one is hidden, as an editor's save would, and its project changes the catalogue.
    assert middleware.shown() == (local.pk, [funded.pk])
    assert list(Partner.objects.filter(is_public=False)) == [local]
    assert editorial() != token
    assert regions_token() == regions
    assert fragments.counts_token() == counts
    assert fragments.CATALOGUE_CHANGES.since(changes)[1] == [funded.pk]
    assert fragments.SEARCHED_EDITS.since(logged)[1] == [funded.pk]
    assert {project.pk: every_version(project) for project in (funded, other)} == versions
    assert "Partenaire local" not in get(visitor, page)
    fragments._forget_token()
    assert local.pk not in dict(catalogue.summary().partners.items())
    fragments._end_request()

    middleware(RequestFactory().get("/fr/projets/"))  # Shown again.

    assert not Partner.objects.filter(is_public=False).exists()
    assert "Partenaire local" in get(visitor, page)
    fragments._forget_token()
    assert catalogue.summary().partners[local.pk] == 1
    fragments._end_request()
    # Left hidden, the benchmark shows it again as it starts or ends the mode.
    middleware(RequestFactory().get("/fr/projets/"))
    assert show_partners_of(funded.pk) == 1
    assert "Partenaire local" in get(visitor, page)


def test_the_region_mode_renews_what_shows_names_and_logs_its_smallest_regions_projects(
    projects, settings
):
    funded, other, india, _partner = projects
    nepal = make_region(name_fr="Népal", name_en="Nepal", country="NP")
    Project.regions.through.objects.create(project=funded, region=nepal)
    middleware, visitor, urls, before = bench_mode(settings, projects, "region")
    versions, token, regions, counts, logged = before
    sql_title(other, BEHIND)
    sql(
        f"UPDATE {Region._meta.db_table} SET name_fr = %s WHERE id = %s",  # noqa: S608
        ["Inde sans signal", india.pk],
    )

    middleware(RequestFactory().get("/fr/projets/"))

    # As renaming Nepal, where only the measured project is (India has both): every token
    # but the counts token renewed, that project's searched text changed, no version moved.
    assert middleware.located() == [funded.pk]
    assert editorial() != token
    assert regions_token() != regions
    assert fragments.counts_token() == counts
    assert fragments.SEARCHED_EDITS.since(logged)[1] == [funded.pk]
    assert {project.pk: every_version(project) for project in (funded, other)} == versions
    # The other project's page top names its region anew, from its content as kept.
    page = get(visitor, urls["project"])
    assert ">Inde sans signal</a>" in page
    assert "<h1>L’école des filles</h1>" in page
    assert card_link(other, "L’école des filles") in get(visitor, urls["list"])


def test_the_edited_mode_refuses_an_unknown_kind_of_edit(projects, settings):
    settings.BENCH_EDIT_PROJECT = projects[0].pk
    settings.BENCH_EDIT = "cover"
    with pytest.raises(ImproperlyConfigured):
        EditBeforeEachRequest(lambda request: "ok")


def test_the_edited_mode_is_on_only_with_its_setting():
    assert "devtools.middleware.EditBeforeEachRequest" not in django_settings.MIDDLEWARE
    script = (
        "from django.conf import settings; "
        "print(settings.MIDDLEWARE[0], settings.BENCH_EDIT_PROJECT)"
    )
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings", "BENCH_EDIT_PROJECT": "7"}
    shown = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=django_settings.BASE_DIR,
    ).stdout.split()
    assert shown == ["devtools.middleware.EditBeforeEachRequest", "7"]


# -- Through the admin -------------------------------------------------------------------


@pytest.mark.parametrize("admin_language", ["fr", "en"])
def test_saving_only_the_story_in_the_admin_keeps_the_editorial_token(
    projects, editor_client, admin_language
):
    funded, other, *_ = projects
    # Its publication date as the admin's form gives it, to the second (the form would
    # otherwise change it, and with it what every list shows).
    Project.objects.filter(pk=funded.pk).update(
        published_at=fresh(funded).published_at.replace(microsecond=0)
    )
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = admin_language
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    sql_title(other, BEHIND)
    token = editorial()

    url = reverse("admin:portfolio_project_change", args=[funded.pk])
    form = admin_form_data(
        editor_client.get(url),
        body_fr="<p>Le puits est creusé</p>",
        body_en="<p>The well is dug</p>",
    )
    response = editor_client.post(url, form)
    assert response.status_code == 302, response.context and response.context["errors"]

    assert editorial() == token
    for name, link in urls.items():
        html = get(visitor, link)
        assert "L’école des filles" in html, name
        assert BEHIND not in html, name
    assert "Le puits est creusé" in get(visitor, page_url(funded, "fr"))
    assert "The well is dug" in get(visitor, page_url(funded, "en"), "en")


# -- Kept search results, checked against rewritten stories -------------------------------


def list_search(word):
    with translation.override("fr"):
        return reverse("portfolio:project_list") + f"?q={word}"


def sql_document(project, text):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Project._meta.db_table} SET search_document_fr = %s WHERE id = %s",  # noqa: S608
            [text, project.pk],
        )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_search_stays_as_it_was_while_the_catalogue_changes_with_projects_it_does_not_find(
    projects, language
):
    funded, other, *_ = projects
    visitor = Client()
    with translation.override(language):
        url = reverse("portfolio:project_list") + "?q=village"
    funded_title, other_title = (escape(getattr(p, f"title_{language}")) for p in (funded, other))
    html = get(visitor, url, language)
    assert funded_title in html and other_title not in html
    # Behind the site's back, the other project would be found.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Project._meta.db_table} SET search_document_{language} = %s "  # noqa: S608
            "WHERE id = %s",
            ["village", other.pk],
        )

    # Projects the search does not find, published or moved: it is kept.
    garden = make_project(title_fr="Le jardin", title_en="The garden")
    moved = fresh(garden)
    moved.status = Project.Status.COMPLETED
    moved.save()
    assert other_title not in get(visitor, url, language)

    # One it finds, published: it is searched again.
    make_project(title_fr="Le village d’en haut", title_en="The upper village")
    html = get(visitor, url, language)
    upper = "Le village d’en haut" if language == "fr" else "The upper village"
    assert upper in html and funded_title in html and other_title in html
    assert "jardin" not in html.lower() and "garden" not in html.lower()
    # One it finds, unpublished: it leaves.
    gone = fresh(funded)
    gone.is_published = False
    gone.save()
    html = get(visitor, url, language)
    assert funded_title not in html and upper in html


def test_a_story_edit_that_changes_no_finding_keeps_the_search_results(projects):
    funded, other, *_ = projects
    visitor = Client()
    url = list_search("inde")  # the region, in both projects' documents
    html = get(visitor, url)
    assert "L’eau au village" in html and "L’école des filles" in html
    # Behind the site's back, the other project would no longer be found.
    sql_document(other, "rien a voir")

    save_story(funded, "Une histoire neuve", "A new story")
    with CaptureQueriesContext(connection) as queries:
        html = get(visitor, url)

    # Only the edited project was checked again, and it is still found: the kept results
    # served on, with the other project in them.
    assert "L’eau au village" in html and "L’école des filles" in html
    checks = [q["sql"] for q in queries.captured_queries if "search_document_fr" in q["sql"]]
    assert len(checks) == 1, checks
    assert str(funded.pk) in checks[0]


def rename(project, fr):
    project = fresh(project)
    project.title_fr = fr
    project.save()


def test_a_rename_that_keeps_its_rank_keeps_the_search_results(projects):
    funded, other, *_ = projects
    save_story(other, "L’école du village", "The village school")
    visitor = Client()
    url = list_search("village")  # in the title of one, in the story of the other
    html = get(visitor, url)
    assert html.index("L’eau au village") < html.index("L’école des filles")
    sql_document(other, "rien a voir")  # behind the site's back: no longer found

    rename(funded, "L’eau au village, revu")  # still the word in its title

    html = get(visitor, url)
    # Still found at the same rank: the kept results served on, the other project in them.
    assert html.index("L’eau au village, revu") < html.index("L’école des filles")


def test_a_rename_that_changes_its_rank_orders_the_search_anew(projects):
    funded, other, *_ = projects
    save_story(funded, "Un puits pour le village", "A well for the village")
    save_story(other, "L’école du village", "The village school")
    visitor = Client()
    url = list_search("village")
    html = get(visitor, url)
    assert html.index("L’eau au village") < html.index("L’école des filles")

    rename(funded, "L’eau potable")  # the word is now only in its story: ranked lower
    rename(other, "L’école des filles du village")  # and now in this one's title

    html = get(visitor, url)
    assert html.index("L’école des filles du village") < html.index("L’eau potable")
    sql_document(other, "rien a voir")
    rename(funded, "L’eau potable au village")  # back in its title: computed anew
    html = get(visitor, url)
    assert "L’eau potable au village" in html
    assert "L’école des filles du village" not in html


def test_a_story_edit_that_drops_a_word_drops_the_project_from_its_search(projects):
    funded, other, *_ = projects
    visitor = Client()
    save_story(funded, "Une pompeolienne pour le puits", "A windpump for the well")
    url = list_search("pompeolienne")
    assert "L’eau au village" in get(visitor, url)

    save_story(funded, "Un puits creusé à la main", "A well dug by hand")

    assert "L’eau au village" not in get(visitor, url)
    save_story(other, "Une pompeolienne à l’école", "A windpump at school")
    html = get(visitor, url)
    assert "L’école des filles" in html and "L’eau au village" not in html


def test_forgotten_search_edits_compute_the_results_again(projects):
    funded, other, *_ = projects
    visitor = Client()
    url = list_search("inde")
    get(visitor, url)
    sql_document(other, "rien a voir")
    save_story(funded, "Une histoire neuve", "A new story")
    # The cache dropped the log of what changed (memory pressure): the results cannot be
    # checked, so they are computed again, and the other project is gone.
    number = cache.get(fragments.SEARCH_EDITS_KEY)
    cache.delete(f"{fragments.SEARCH_EDIT_PREFIX}{number}")
    html = get(visitor, url)
    assert "L’eau au village" in html and "L’école des filles" not in html


# -- The home page's parts, and cards' figures ---------------------------------------------


def computed_fragments(monkeypatch) -> list[str]:
    """Return the list that the names of the fragments computed from now on go to (each
    is still kept as usual)."""
    computed = []
    keep = fragments.keep

    def recording(key, compute):
        def computing():
            computed.append(key.split(":")[2])
            return compute()

        return keep(key, computing)

    monkeypatch.setattr(fragments, "keep", recording)
    return computed


def test_a_field_update_draws_only_the_home_pages_latest_news_anew(projects, monkeypatch):
    funded, *_ = projects
    visitor = Client()
    home_url = french(reverse, "portfolio:home")
    get(visitor, home_url)
    computed = computed_fragments(monkeypatch)

    make_update(funded, title_fr="Le puits est creusé")

    assert "Le puits est creusé" in get(visitor, home_url)
    # Where we work, the map and the partners are kept apart from the news.
    assert sorted(computed) == ["home-latest-news", "home-news"]


def test_the_home_pages_latest_news_stay_drawn_while_the_catalogue_leaves_them_the_latest(
    projects, monkeypatch
):
    funded, other, *_ = projects
    make_update(funded, title_fr="Le puits est creusé")
    make_update(other, title_fr="La classe est ouverte")
    visitor = Client()
    home_url = french(reverse, "portfolio:home")
    get(visitor, home_url)
    computed = computed_fragments(monkeypatch)

    # A project published without news: which updates are the latest is corrected for
    # it (its own are read, not every project's), and they are not drawn again.
    garden = make_project(title_fr="Le jardin partagé")
    with CaptureQueriesContext(connection) as queries:
        home = get(visitor, home_url)
    assert "Le jardin partagé" in home and "La classe est ouverte" in home
    updates = '"portfolio_projectupdate"."id"'
    read = [query["sql"] for query in queries if updates in query["sql"]]
    assert len(read) == 1 and f'"project_id" IN ({garden.pk})' in read[0]
    assert "home-news" not in computed and "home-latest-news" not in computed

    # A project unpublished takes its news off the home page; published again, back on.
    for published in (False, True):
        project = fresh(other)
        project.is_published = published
        project.save()
        home = get(visitor, home_url)
        assert ("La classe est ouverte" in home) is published and "Le puits est creusé" in home


def test_a_renamed_card_keeps_its_funding_figures(projects):
    funded, *_ = projects
    visitor = Client()
    url = french(reverse, "portfolio:project_list")
    get(visitor, url)

    rename(funded, "L’eau au village, revu")

    with CaptureQueriesContext(connection) as queries:
        html = get(visitor, url)
    assert "L’eau au village, revu" in html
    assert not [q["sql"] for q in queries if "donations_sponsorship" in q["sql"]]

    test_fragments.gift(funded, "250")  # A gift moves the figures, and the card shows them.
    html = get(visitor, url)
    card = html[html.index("L’eau au village, revu") :]
    assert "250" in card[: card.index("</article>")]


def test_a_project_moved_in_the_catalogue_keeps_its_funding_figures_but_a_new_goal(projects):
    funded, *_ = projects
    test_fragments.gift(funded, "250")
    visitor = Client()
    urls = [french(reverse, "portfolio:project_list"), page_url(funded, "fr")]
    for url in urls:
        get(visitor, url)

    project = fresh(funded)
    project.status = Project.Status.COMPLETED
    project.save()
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            html = get(visitor, url)
        # Its card and page are drawn anew with the figures as they were kept.
        assert "status-completed" in html and "250" in html, url
        assert not [q["sql"] for q in queries if "donations_sponsorship" in q["sql"]], url

    # Its status and its goal together: the figures follow the goal.
    project = fresh(funded)
    project.status = Project.Status.ACTIVE
    project.funding_goal = Decimal("5000")
    project.save()
    for url in urls:
        html = get(visitor, url)
        # 250 $ of 5 000 $ now, not of 1 000 $.
        assert 'value="5"' in html and 'value="25"' not in html, url


@pytest.mark.parametrize(
    ("link", "unlink"),
    [
        (
            lambda project, partner, region: Partnership.objects.create(
                project=project, partner=partner, role=Partnership.Role.FUNDING, order=5
            ),
            # As the admin deletes an inline row: the row itself.
            lambda project, partner, region: Partnership.objects.get(
                project=project, partner=partner
            ).delete(),
        ),
        (
            lambda project, partner, region: region.projects.add(project),
            lambda project, partner, region: project.regions.remove(region),
        ),
    ],
    ids=["partnership", "region"],
)
def test_a_projects_new_partner_or_region_shows_at_once_and_keeps_the_other_projects(
    projects, link, unlink, request
):
    # The new partner's name, or the new region's link, on the project's page.
    shown = "Partenaire du Népal" if "partnership" in request.node.name else ">Népal</a>"
    funded, other, *_ = projects
    partner = make_partner(name_fr="Partenaire du Népal")
    region = make_region(name_fr="Népal", name_en="Nepal", country="NP")
    visitor = Client()
    urls = visit_everything(visitor, *projects)
    others = every_version(other)
    sql_title(other, BEHIND)

    link(funded, partner, region)
    assert every_version(other) == others
    assert shown in get(visitor, page_url(funded, "fr"))
    assert card_link(other, "L’école des filles") in get(visitor, urls["list"])

    unlink(funded, partner, region)
    assert every_version(other) == others
    assert shown not in get(visitor, page_url(funded, "fr"))
    assert card_link(other, "L’école des filles") in get(visitor, urls["list"])


def sql_partner_name(partner, name):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Partner._meta.db_table} SET name = %s, name_fr = %s WHERE id = %s",  # noqa: S608
            [name, name, partner.pk],
        )


def test_the_partner_list_and_page_keep_the_partners_rows_and_count_the_projects_anew(projects):
    funded, _other, _region, partner = projects
    visitor = Client()
    with translation.override("fr"):
        listed, page = reverse("partners:partner_list"), partner.get_absolute_url()
    assert "2 projets" in get(visitor, listed)
    get(visitor, page)
    sql_partner_name(partner, "Nom changé sans signal")

    project = fresh(funded)
    project.is_published = False
    project.save()

    # Counted anew; the partner's row is kept (nothing told the site of its new name).
    html = get(visitor, listed)
    assert "1 projet" in html and "2 projets" not in html
    assert "Partenaire du Bengale" in html and "Nom changé sans signal" not in html
    assert "Partenaire du Bengale" in get(visitor, page)

    Partner.objects.get(pk=partner.pk).save()  # A partner saved: every fragment anew.
    assert "Nom changé sans signal" in get(visitor, listed)
    assert "Nom changé sans signal" in get(visitor, page)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_partner_saved_draws_its_card_on_the_partner_list_anew_not_the_others(projects, language):
    _funded, _other, _region, partner = projects
    neighbour = make_partner(name_fr="Partenaire voisin", name_en="Neighbouring partner")
    visitor = Client()
    with translation.override(language):
        listed = reverse("partners:partner_list")
    neighbour_name = escape(getattr(neighbour, f"name_{language}"))
    assert neighbour_name in get(visitor, listed, language)
    sql_partner_name(neighbour, "Voisin renommé sans signal")
    if language == "en":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Partner._meta.db_table} SET name_en = %s WHERE id = %s",  # noqa: S608
                ["Neighbour renamed unseen", neighbour.pk],
            )

    saved = Partner.objects.get(pk=partner.pk)
    saved.name_fr = "Partenaire renommé"
    saved.name_en = "Renamed partner"
    saved.save()

    html = get(visitor, listed, language)
    assert escape("Partenaire renommé" if language == "fr" else "Renamed partner") in html
    assert escape(getattr(partner, f"name_{language}")) not in html
    # The neighbour's card is kept (nothing told the site of its new name).
    assert neighbour_name in html
    assert "renommé sans signal" not in html and "renamed unseen" not in html

    neighbour = Partner.objects.get(pk=neighbour.pk)
    neighbour.save()  # Its own save draws its card anew.
    html = get(visitor, listed, language)
    renamed = "Voisin renommé sans signal" if language == "fr" else "Neighbour renamed unseen"
    assert escape(renamed) in html and neighbour_name not in html

    neighbour.delete()
    assert escape(renamed) not in get(visitor, listed, language)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_number_of_partners_is_kept_across_renames_and_counted_again_as_they_come_and_go(
    projects, language
):
    _funded, _other, _region, partner = projects
    first, second, third = (make_partner() for _ in range(3))
    visitor = Client()
    with translation.override(language):
        listed = reverse("partners:partner_list")
        sitemap = reverse("sitemap_section", kwargs={"section": "partners"})

    def counted() -> int:
        html = get(visitor, listed, language)
        return int(re.search(r'class="results-count">(\d+) ', html).group(1))

    def in_sitemap() -> int:
        # Two languages, so two entries per partner on the sitemap's one page.
        with translation.override(language):
            response = visitor.get(sitemap)
        return response.content.decode().count("<url>") // 2

    assert counted() == in_sitemap() == 4
    # Two partners hidden behind the site's back: not counted again while partners are
    # only renamed (how many there are is kept across their saves).
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Partner._meta.db_table} SET is_public = false WHERE id IN (%s, %s)",  # noqa: S608
            [first.pk, second.pk],
        )
    renamed = Partner.objects.get(pk=partner.pk)
    renamed.name_fr = renamed.name_en = "Partenaire renommé"
    renamed.save()
    with CaptureQueriesContext(connection) as queries:
        html = get(visitor, listed, language)
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert "Partenaire renommé" in html
    assert counted() == 4

    make_partner()  # Added: counted again (the two hidden ones are gone from the count).
    assert counted() == in_sitemap() == 3
    Partner.objects.get(pk=third.pk).delete()
    assert counted() == in_sitemap() == 2
    hidden = Partner.objects.get(pk=partner.pk)
    hidden.is_public = False
    hidden.save()
    assert counted() == in_sitemap() == 1


def test_the_partner_list_is_kept_while_a_change_of_the_catalogue_leaves_its_counts(projects):
    funded, _other, _region, partner = projects
    elsewhere = make_project(title_fr="Ailleurs", title_en="Elsewhere")
    visitor = Client()
    listed = french(reverse, "partners:partner_list")
    assert "2 projets" in get(visitor, listed)
    sql_partner_name(partner, "Nom changé sans signal")

    for published in (False, True):  # A project without this partner, unpublished then back.
        project = fresh(elsewhere)
        project.is_published = published
        project.save()
        with translation.override("fr"):
            response = visitor.get(listed)
        assert response.status_code == 200
        assert not response.templates  # The page as it was kept: nothing rendered.
        assert "2 projets" in response.content.decode()

    project = fresh(funded)  # One of the partner's projects: its count moves.
    project.is_published = False
    project.save()
    with translation.override("fr"):
        response = visitor.get(listed)
    assert [t.name for t in response.templates][:1] == ["partners/partner_list.html"]
    html = response.content.decode()
    assert "1 projet" in html and "2 projets" not in html
    # The partners' rows are kept across the catalogue still.
    assert "Partenaire du Bengale" in html and "Nom changé sans signal" not in html


def test_the_kept_partner_list_is_served_without_reading_a_partners_row(projects, monkeypatch):
    funded, *_ = projects
    visitor = Client()
    listed = french(reverse, "partners:partner_list")
    assert "2 projets" in get(visitor, listed)
    # As pledges do: the page cache emptied, twice (a request reads at once what the one
    # before it for the same address read: the second, what the one that drew it read).
    for _pledge in range(2):
        pagecache.invalidate(funding_of=[funded.pk])
        assert "2 projets" in get(visitor, listed)
    pagecache.invalidate(funding_of=[funded.pk])

    with partner_rows_built(monkeypatch) as rows, translation.override("fr"):
        response = visitor.get(listed)
    assert response.status_code == 200
    assert not response.templates  # The page as it was kept.
    assert "2 projets" in response.content.decode()
    assert rows == []  # What it lists, read as keys and counts: no partner's row.


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_regions_count_is_kept_with_its_page_and_counted_again_when_its_projects_change(
    projects, monkeypatch, language
):
    funded, _other, region, _partner = projects
    elsewhere = make_region(name_fr="Népal", name_en="Nepal", country="NP")
    visitor = Client()
    with translation.override(language):
        url = region.get_absolute_url()
    counted = "2 projets dans cette région" if language == "fr" else "2 projects in this region"
    assert counted in get(visitor, url, language)
    summaries = []
    real_summary = catalogue.kept_summary

    def summary():
        summaries.append(1)
        return real_summary()

    monkeypatch.setattr(catalogue, "kept_summary", summary)
    pagecache.invalidate(funding_of=[])  # As a pledge does: the page cache emptied.
    assert counted in get(visitor, url, language)
    assert summaries == []  # Read back with the page: not from the counts of the catalogue.

    make_project(regions=[elsewhere])  # Published elsewhere: the count is kept.
    assert counted in get(visitor, url, language)
    make_project(regions=[region])  # Published in the region: counted again.
    three = "3 projets dans cette région" if language == "fr" else "3 projects in this region"
    assert three in get(visitor, url, language)
    project = fresh(funded)
    project.is_published = False
    project.save()
    assert counted in get(visitor, url, language)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_kept_project_list_offers_its_partners_without_reading_a_partners_row(
    projects, monkeypatch, language
):
    _funded, _other, _region, partner = projects
    visitor = Client()
    with translation.override(language):
        listed = reverse("portfolio:project_list")
        slug = getattr(partner, f"slug_{language}")
    filtered = f"{listed}?partner={slug}"
    for url in (listed, filtered):
        get(visitor, url, language)
    with partner_rows_built(monkeypatch) as rows:
        for url in (listed, filtered):
            pagecache.invalidate(funding_of=[])  # As a pledge does: the page cache emptied.
            html = get(visitor, url, language)
            assert f'value="{slug}"' in html, url  # Offered by the filter.
    assert rows == []
    # The chosen partner: its filter to remove, and the list in the other language.
    other = "en" if language == "fr" else "fr"
    assert escape(getattr(partner, f"name_{language}")) in html
    assert f"?partner={getattr(partner, f'slug_{other}')}" in html


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_kept_partner_list_checks_one_version_and_its_partners_counts(
    projects, monkeypatch, language
):
    _funded, _other, _region, partner = projects
    others = [make_partner() for _ in range(3)]
    visitor = Client()
    with translation.override(language):
        listed = reverse("partners:partner_list")
    get(visitor, listed, language)
    read = []

    def reading(keys):
        keys = list(keys)
        read.extend(keys)
        return real_read(keys)

    real_read = fragments._read
    monkeypatch.setattr(fragments, "_read", reading)
    summaries = []
    real_summary = catalogue.kept_summary
    monkeypatch.setattr(catalogue, "kept_summary", lambda: [summaries.append(1), real_summary()][1])
    pagecache.invalidate(funding_of=[])  # As a pledge does: the page cache emptied.
    with translation.override(language):
        response = visitor.get(listed)
    assert response.status_code == 200
    assert not response.templates  # The page as it was kept.
    own = {f"{fragments.PARTNER_KEY_PREFIX}{each.pk}" for each in [partner, *others]}
    assert read and not own & set(read)  # Kept under every partner's version only.
    # Its partners' numbers of projects kept with it, not read from the whole catalogue's.
    assert summaries == []

    renamed = Partner.objects.get(pk=others[0].pk)  # Which any partner's save moves.
    renamed.name_fr, renamed.name_en = "Partenaire rebaptisé", "Partner renamed"
    renamed.save()
    html = get(visitor, listed, language)
    assert escape("Partenaire rebaptisé" if language == "fr" else "Partner renamed") in html


@pytest.mark.parametrize("then", ["nothing", "another-projects-status"])
def test_a_scheduled_field_update_shows_everywhere_when_its_time_comes(projects, then):
    funded, other, *_ = projects
    visitor = Client()
    with translation.override("fr"):
        urls = {
            "project": funded.get_absolute_url(),
            "home": reverse("portfolio:home"),
            "feed": reverse("portfolio:feed"),
        }
    for url in urls.values():
        get(visitor, url)
    make_update(
        funded,
        title_fr="Nouvelle programmée",
        published_at=timezone.now() + timezone.timedelta(seconds=1.5),
    )
    if then == "another-projects-status":
        changed = fresh(other)
        changed.status = Project.Status.COMPLETED
        changed.save()  # A change of the catalogue: the names token is kept.
    for name, url in urls.items():
        assert "Nouvelle programmée" not in get(visitor, url), name
    time.sleep(1.6)
    for name, url in urls.items():
        assert "Nouvelle programmée" in get(visitor, url), name


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_project_going_public_by_its_date_keeps_what_shows_the_other_projects(projects, language):
    """A scheduled publication falling due changes the catalogue for the projects it
    publishes, as their save would: the lists show them at once, and what shows the other
    projects alone (their cards) is kept, not drawn anew."""
    funded, _other, region, _partner = projects
    visitor = Client()
    with translation.override(language):
        urls = [reverse("portfolio:project_list"), region.get_absolute_url()]
    school = "The girls&#x27; school" if language == "en" else escape("L’école des filles")
    for url in urls:
        assert school in get(visitor, url, language), url
    soon = timezone.now() + timedelta(seconds=1.5)
    make_project(
        title_fr="Le dispensaire", title_en="The clinic", regions=[region], published_at=soon
    )
    clinic = "The clinic" if language == "en" else "Le dispensaire"
    for url in urls:
        assert clinic not in get(visitor, url, language)
    # Behind the site's back: only a card drawn anew shows it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Project._meta.db_table} SET title_fr = %s, title_en = %s WHERE id = %s",  # noqa: S608
            [BEHIND, BEHIND, funded.pk],
        )

    time.sleep(max(0, (soon - timezone.now()).total_seconds()) + 0.1)

    kept_title = "Water in the village" if language == "en" else escape("L’eau au village")
    for url in urls:
        html = get(visitor, url, language)
        assert clinic in html, url
        assert kept_title in html and BEHIND not in html, url


def test_a_page_drawn_while_another_request_logs_a_publication_shows_it(projects, monkeypatch):
    """A request that read the tokens out of date, and the log, at its start, while
    another request logs the publication fallen due and keeps the tokens before this one
    renews them, reads the log again: the list shows the project published."""
    from core.pagecache import ContentState

    _funded, _other, region, _partner = projects
    visitor = Client()
    url = french(reverse, "portfolio:project_list")
    soon = timezone.now() + timedelta(seconds=1.5)
    clinic = make_project(title_fr="Le dispensaire", regions=[region], published_at=soon)
    for _ in range(2):  # The second learns what the first read: the next reads it at once.
        assert "Le dispensaire" not in get(visitor, url)
    time.sleep(max(0, (soon - timezone.now()).total_seconds()) + 0.1)
    real = fragments._renew_tokens_out_of_date

    def another_request_first(found, kinds):
        # Another worker, between this request's first read and its renewal (its writes
        # are not this request's own).
        number = cache.incr(fragments.CATALOGUE_CHANGES_KEY)
        cache.set(f"{fragments.CATALOGUE_CHANGE_PREFIX}{number}", clinic.pk, None)
        for key in fragments.SCHEDULED_KEYS:
            cache.set(key, ContentState(cache.get(key).token), None)
        return real(found, kinds)

    monkeypatch.setattr(fragments, "_renew_tokens_out_of_date", another_request_first)

    assert "Le dispensaire" in get(visitor, url)


def test_a_token_made_after_a_publication_fell_due_comes_after_its_log(projects):
    """An editor's save committed after the moment, before any request: the tokens it
    makes anew come after what the publication published is logged, as after a save."""
    soon = timezone.now() + timedelta(seconds=1.5)
    clinic = make_project(title_fr="Le dispensaire", published_at=soon)
    every_token()  # A request learns when it falls due: the tokens are good until then.
    logged = fragments.CATALOGUE_CHANGES.latest()
    time.sleep(max(0, (soon - timezone.now()).total_seconds()) + 0.1)

    tokens = {key: cache.get(key).token for key in fragments.SCHEDULED_KEYS}

    fragments.renew_catalogue()  # As a change of the catalogue does at its commit.

    assert clinic.pk in fragments.CATALOGUE_CHANGES.since(logged)[1]
    # Kept, good until the next publication (none).
    assert {key: cache.get(key) for key in fragments.SCHEDULED_KEYS} == {
        key: pagecache.ContentState(token) for key, token in tokens.items()
    }


def test_a_renewal_made_before_a_publication_was_scheduled_keeps_its_moment(projects):
    """Two editors' commits crossing: a renewal made with the moment it learnt before the
    other scheduled a sooner publication leaves the tokens good until the sooner one, and
    that publication is logged when it falls due."""
    from core.pagecache import ContentState

    soon = make_project(title_fr="Bientôt", published_at=timezone.now() + timedelta(seconds=1))
    every_token()  # Good until then.
    later = soon.published_at + timedelta(days=1)
    fragments._store_editorial(ContentState("learnt-before", valid_until=later))
    assert all(cache.get(key).valid_until == soon.published_at for key in fragments.SCHEDULED_KEYS)
    logged = fragments.CATALOGUE_CHANGES.latest()
    time.sleep(max(0, (soon.published_at - timezone.now()).total_seconds()) + 0.1)

    every_token()

    assert fragments.CATALOGUE_CHANGES.since(logged)[1] == [soon.pk]


def test_a_request_during_which_a_publication_falls_due_reads_the_log_again(projects):
    """A request that read the log while the tokens were good, then renews one fallen due
    meanwhile, which another request logged and kept, reads the log again."""
    from core.pagecache import ContentState

    soon = timezone.now() + timedelta(seconds=1)
    clinic = make_project(title_fr="Le dispensaire", published_at=soon)
    every_token()
    fragments._forget_token()
    fragments.serve_request(RequestFactory().get("/fr/"), public=True)
    before = fragments.CATALOGUE_CHANGES.latest()  # Read: the request keeps it.
    time.sleep(max(0, (soon - timezone.now()).total_seconds()) + 0.1)
    # Another worker logs it and keeps the tokens (its writes are not this request's).
    number = cache.incr(fragments.CATALOGUE_CHANGES_KEY)
    cache.set(f"{fragments.CATALOGUE_CHANGE_PREFIX}{number}", clinic.pk, None)
    for key in fragments.SCHEDULED_KEYS:
        cache.set(key, ContentState(cache.get(key).token), None)

    fragments.editorial_token()  # Out of date since the request started: renewed.

    assert fragments.CATALOGUE_CHANGES.latest() == number != before
    fragments._end_request()


def test_a_token_renewed_while_a_publication_is_logged_stays_renewed(projects, monkeypatch):
    """Another worker renews the names token while this one logs a publication fallen due:
    the renewal stands (the token is kept only if it is still the one found out of date),
    and the counts and regions tokens, which nobody changed, are kept."""
    from core.pagecache import ContentState

    every_token()
    fallen = timezone.now() - timedelta(seconds=1)
    before = {key: cache.get(key).token for key in fragments.SCHEDULED_KEYS}
    for key, token in before.items():
        cache.set(key, ContentState(token, valid_until=fallen), None)

    def renewed_meanwhile(since):
        cache.set(fragments.NAMES_KEY, ContentState("renewed-meanwhile"), None)
        return 1

    monkeypatch.setattr(pagecache, "_fallen_due", [renewed_meanwhile])

    fragments.past_publication(None)

    assert cache.get(fragments.NAMES_KEY).token == "renewed-meanwhile"
    for key in (fragments.COUNTS_KEY, fragments.REGIONS_KEY):
        assert cache.get(key) == ContentState(before[key]), key


@pytest.mark.parametrize("moved", ["result", "indicator"])
def test_a_result_or_indicator_moved_to_another_project_leaves_the_first_page(projects, moved):
    funded, other, *_ = projects
    result = make_result(other, title_fr="Résultat déplaçable")
    indicator = make_indicator(result, title_fr="Indicateur déplaçable")
    shown = "Résultat déplaçable" if moved == "result" else "Indicateur déplaçable"
    visitor = Client()
    assert shown in get(visitor, page_url(other, "fr"))
    assert shown not in get(visitor, page_url(funded, "fr"))

    if moved == "result":
        result = Result.objects.get(pk=result.pk)
        result.project = funded
        result.save()
    else:
        indicator = Indicator.objects.get(pk=indicator.pk)
        indicator.result = make_result(funded, title_fr="Un autre résultat")
        indicator.save()

    assert shown in get(visitor, page_url(funded, "fr"))
    assert shown not in get(visitor, page_url(other, "fr"))


@pytest.mark.parametrize("saved", [Region, Sector, Partner])
def test_the_feed_is_kept_across_a_region_sector_or_partner_saved(projects, saved, settings):
    """The feed names no region, sector or partner: their saves keep it whole in both
    languages, as long as the entries it shows are the same (read again each time)."""
    funded, other, region, partner = projects
    organisation = settings.ORGANISATION_NAME
    update = make_update(funded, title_fr="Le puits est creusé", title_en="The well is dug")
    sector = Sector.objects.create(name_fr="Eau", name_en="Water")
    visitor = Client()
    feeds = {}
    for language in ("fr", "en"):
        with translation.override(language):
            feeds[language] = reverse("portfolio:feed")
        get(visitor, feeds[language], language)
    # Behind the site's back: new titles for a project and its update, in both languages.
    sql(
        f"UPDATE {Project._meta.db_table} SET title_fr = %s, title_en = %s WHERE id = %s",  # noqa: S608
        [BEHIND, BEHIND, funded.pk],
    )
    sql(
        f"UPDATE {ProjectUpdate._meta.db_table} SET title_fr = %s, title_en = %s WHERE id = %s",  # noqa: S608
        ["Nouvelle sans signal", "News without a signal", update.pk],
    )
    # What the feed's page shows around its entries: drawn anew, it would show this.
    settings.ORGANISATION_NAME = "Une organisation renommée"
    row = {Region: region, Sector: sector, Partner: partner}[saved]
    rename_row(saved, row.pk, "Nom nouveau", "New name")

    for language, news in (("fr", "Le puits est creusé"), ("en", "The well is dug")):
        shown = get(visitor, feeds[language], language)
        assert news in shown, language
        assert BEHIND not in shown, language
        assert organisation in shown and "renommée" not in shown, language
    # Which entries it shows is read again: a project gone behind the site's back leaves it.
    sql(
        f"UPDATE {Project._meta.db_table} SET is_published = %s WHERE id = %s",  # noqa: S608
        [False, other.pk],
    )
    rename_row(saved, row.pk, "Nom plus neuf", "Newer name")
    assert "L’école des filles" not in get(visitor, feeds["fr"])


def test_a_project_published_again_keeps_its_card_and_is_dated_anew_in_the_feed(projects):
    funded, other, *_ = projects
    visitor = Client()
    listing = french(reverse, "portfolio:project_list")
    assert card_link(funded, "L’eau au village") in get(visitor, listing)
    before, _mine = feed_updated(visitor, funded)
    # Renamed behind the site's back: a card drawn anew would show it.
    sql_title_of(funded, BEHIND)
    token = editorial()

    project = fresh(funded)
    project.published_at = timezone.now() - timedelta(minutes=5)
    project.save()

    assert editorial() != token  # A change of the catalogue: the lists are drawn anew.
    html = get(visitor, listing)
    assert card_link(funded, "L’eau au village") in html and BEHIND not in html
    # Its entry in the feed is dated anew (and read again: the title as it is now); the
    # other project's is kept.
    after, (_title, updated) = feed_updated(visitor, funded)
    assert same_moment(updated, fresh(funded).published_at)
    theirs = [link for link in after if link.endswith(page_url(other, "fr"))]
    assert theirs and all(after[link] == before[link] for link in theirs)

    # Its status is on its card: a new status draws it anew (with the title as it is now).
    project = fresh(funded)
    project.status = Project.Status.COMPLETED
    project.save()
    assert BEHIND in get(visitor, listing)


def finds_a_slug(queries) -> bool:
    """Tell whether these queries looked a project up by its address."""
    return any('"slug_fr" =' in query["sql"] or '"slug_en" =' in query["sql"] for query in queries)


def test_a_projects_address_is_kept_while_other_projects_change_the_catalogue(projects):
    funded, other, *_ = projects
    visitor = Client()
    url = page_url(funded, "fr")
    get(visitor, url)

    changed = fresh(other)
    changed.status = Project.Status.COMPLETED
    changed.save()
    with CaptureQueriesContext(connection) as queries:
        get(visitor, url)
    assert not finds_a_slug(queries), [query["sql"] for query in queries]

    # Its own changes of the catalogue are seen on the next request.
    project = fresh(funded)
    project.is_published = False
    project.save()
    assert visitor.get(url).status_code == 404
    project.is_published = True
    project.save()
    assert "L’eau au village" in get(visitor, url)
    project.slug_fr = "l-eau-ailleurs"
    project.save()
    moved = visitor.get(url)
    assert moved.status_code == 301 and moved["Location"] == page_url(funded, "fr")
    assert "L’eau au village" in get(visitor, page_url(funded, "fr"))
    # Another project given the address it left is found there.
    changed.slug_fr = url.rstrip("/").rsplit("/", 1)[-1]
    changed.save()
    assert "L’école des filles" in get(visitor, url)


def test_an_address_that_finds_no_project_is_looked_up_again_after_a_publication(projects):
    funded, *_ = projects
    url = page_url(funded, "fr")
    project = fresh(funded)
    project.is_published = False
    project.save()
    visitor = Client()
    assert visitor.get(url).status_code == 404
    project.is_published = True
    project.save()
    assert "L’eau au village" in get(visitor, url)
    # Found, then kept: the next request does not look the address up again.
    with CaptureQueriesContext(connection) as queries:
        assert "L’eau au village" in get(visitor, url)
    assert not finds_a_slug(queries), [query["sql"] for query in queries]


def test_a_project_published_again_keeps_its_field_updates_drawn(projects, monkeypatch):
    from portfolio import views
    from portfolio.feeds import LatestNewsFeed

    funded, *_ = projects
    make_update(funded, title_fr="Le puits est creusé")
    visitor = Client()
    with translation.override("fr"):
        feed = reverse("portfolio:feed")
    page = page_url(funded, "fr")
    assert "Le puits est creusé" in get(visitor, feed) and "Le puits est creusé" in get(
        visitor, page
    )
    drawn, read = [], []
    entries = LatestNewsFeed._entries
    monkeypatch.setattr(
        LatestNewsFeed,
        "_entries",
        lambda self, wanted, kept: (
            drawn.extend(each for each in wanted if each not in kept) or entries(self, wanted, kept)
        ),
    )
    updates = views.page_updates
    monkeypatch.setattr(views, "page_updates", lambda pk: read.append(pk) or updates(pk))

    project = fresh(funded)
    project.is_published = False
    project.save()
    assert "Le puits est creusé" not in get(visitor, feed)
    assert visitor.get(page).status_code == 404
    project.is_published = True
    project.save()
    # Its update's entry and the news on its page are those kept before.
    assert "Le puits est creusé" in get(visitor, feed) and "Le puits est creusé" in get(
        visitor, page
    )
    assert drawn == [] and read == []

    # An update published while it was not shows when it is published again.
    project.is_published = False
    project.save()
    make_update(funded, title_fr="La classe est ouverte")
    project.is_published = True
    project.save()
    assert "La classe est ouverte" in get(visitor, feed) and "La classe est ouverte" in get(
        visitor, page
    )


def test_a_projects_page_lists_its_updates_whether_or_not_it_is_published_now(projects):
    # Its page shows only while it is published: read while it is not (a request racing
    # the save that unpublishes it), its news must not be kept empty for its return.
    funded, *_ = projects
    make_update(funded, title_fr="Le puits est creusé")
    project = fresh(funded)
    project.is_published = False
    project.save()
    from portfolio.views import page_updates

    assert [update.title_fr for update in page_updates(funded.pk)] == ["Le puits est creusé"]


def test_an_address_found_then_gone_while_it_is_looked_up_is_looked_up_again(projects, monkeypatch):
    # The two lookups disagree (a save racing the request): what the second finds is kept
    # under the editorial token, which such a save renews.
    from portfolio import views

    funded, other, *_ = projects
    url = page_url(funded, "fr")
    lookup = views.published_pk
    answers = [funded.pk, None]
    monkeypatch.setattr(
        views, "published_pk", lambda slug: answers.pop(0) if answers else lookup(slug)
    )
    visitor = Client()
    assert "L’eau au village" in get(visitor, url)  # Not found kept: found the long way.
    assert answers == []
    with CaptureQueriesContext(connection) as queries:
        assert "L’eau au village" in get(visitor, url)
    assert finds_a_slug(queries)
    # Another project's change of the catalogue renews the editorial token: looked up
    # again, it is found and kept.
    changed = fresh(other)
    changed.status = Project.Status.COMPLETED
    changed.save()
    assert "L’eau au village" in get(visitor, url)
    with CaptureQueriesContext(connection) as queries:
        assert "L’eau au village" in get(visitor, url)
    assert not finds_a_slug(queries), [query["sql"] for query in queries]


def crossed_renewal_pages(projects):
    """The pages that show a project published in the projects' region, in both
    languages: the home page, the list, a search, the region's page, the feed."""
    _funded, _other, region, _partner = projects
    urls = {}
    for language, word in (("fr", "dispensaire"), ("en", "clinic")):
        with translation.override(language):
            urls |= {
                f"home {language}": reverse("portfolio:home"),
                f"list {language}": reverse("portfolio:project_list"),
                f"search {language}": reverse("portfolio:project_list") + f"?q={word}",
                f"region {language}": region.get_absolute_url(),
                f"feed {language}": reverse("portfolio:feed"),
            }
    return urls


def its_time_comes(project, moment):
    """Bring the site to the moment a project scheduled for ``moment`` goes public,
    without waiting for it: the project public from a second ago, and every token good
    until ``moment`` good until then (written behind the site's back, as time passes)."""
    from core.pagecache import ContentState

    now = timezone.now() - timedelta(seconds=1)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Project._meta.db_table} SET published_at = %s WHERE id = %s",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(now), project.pk],
        )
    for key in (pagecache.STATE_KEY, fragments.EDITORIAL_KEY, *fragments.SCHEDULED_KEYS):
        state = cache.get(key)
        if state is not None and state.valid_until == moment:
            cache.set(key, ContentState(state.token, valid_until=now), None)
    PageCacheState.objects.filter(valid_until=moment).update(valid_until=now)


@pytest.mark.parametrize("page_cache", [True, False], ids=["page-cache", "fragments"])
def test_a_publication_scheduled_while_a_renewal_learnt_of_none_shows_at_its_time(
    projects, settings, page_cache
):
    """Two renewals crossing (a visitor's, or another editor's commit, that learnt the next
    publication before this editor's commit scheduled one, and wrote the page state and
    the editorial token after it) leave them good for longer than the publication: the
    names token, which knows of it, puts them out of date when it falls due, and the
    project shows on every page at its time, in French and English."""
    from core.pagecache import ContentState

    settings.PAGE_CACHE_ENABLED = page_cache
    _funded, _other, region, _partner = projects
    later = timezone.now() + timedelta(hours=1)
    clinic = make_project(
        title_fr="Le dispensaire", title_en="The clinic", regions=[region], published_at=later
    )
    visitor = Client()
    urls = crossed_renewal_pages(projects)
    for url in urls.values():
        get(visitor, url)
    assert cache.get(fragments.NAMES_KEY).valid_until == later
    # Learnt before that commit (no publication to come), written after it.
    for key in (pagecache.STATE_KEY, fragments.EDITORIAL_KEY):
        cache.set(key, ContentState(cache.get(key).token), None)
    for name, url in urls.items():
        page = get(visitor, url, name[-2:])
        assert "Le dispensaire" not in page and "The clinic" not in page, name
    its_time_comes(clinic, later)

    for name, url in urls.items():
        shown = "Le dispensaire" if name.endswith("fr") else "The clinic"
        assert shown in get(visitor, url, name[-2:]), name


def test_a_publication_moved_later_keeps_the_tokens_that_learnt_it(projects):
    """The names token still knows of a publication moved later or cancelled (a token is
    only ever made good for less): when its old moment comes, nothing goes public, and
    the editorial token and the page state, which learnt of the move, are kept."""
    from core.pagecache import ContentState

    every_token()
    moved = timezone.now() + timedelta(hours=1)
    renewed = {
        key: ContentState(cache.get(key).token, valid_until=moved)
        for key in (fragments.EDITORIAL_KEY, pagecache.STATE_KEY)
    }
    cache.set_many(renewed, None)
    old_moment = timezone.now() - timedelta(seconds=1)
    for key in fragments.SCHEDULED_KEYS:
        cache.set(key, ContentState(cache.get(key).token, valid_until=old_moment), None)
    logged = fragments.CATALOGUE_CHANGES.latest()

    every_token()

    assert fragments.CATALOGUE_CHANGES.since(logged)[1] == []
    assert all(cache.get(key).is_current(timezone.now()) for key in fragments.SCHEDULED_KEYS)
    assert {key: cache.get(key) for key in renewed} == renewed


def test_a_moment_learnt_before_it_came_is_learnt_again(projects):
    """A request that learnt the next publication before it came, and logs it once it
    has, keeps the names token good until the one after, not until a moment past (the
    next request would log it again), and so do the tokens it renews next."""
    from core.pagecache import ContentState

    _funded, _other, region, _partner = projects
    soon = timezone.now() - timedelta(seconds=1)
    after = timezone.now() + timedelta(hours=1)
    make_project(title_fr="Le dispensaire", regions=[region], published_at=after)
    every_token()
    with connection.cursor() as cursor:  # Public since a second ago.
        cursor.execute(
            f"UPDATE {Project._meta.db_table} SET published_at = %s WHERE title_fr = %s",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(soon), "Le dispensaire"],
        )
    make_project(title_fr="La maternité", regions=[region], published_at=after)
    for key in fragments.SCHEDULED_KEYS:
        cache.set(key, ContentState(cache.get(key).token, valid_until=soon), None)
    fragments._forget_token()
    fragments.serve_request(RequestFactory().get("/fr/"), public=True)
    # As a request that learnt it before it came.
    assert fragments.once_per_request("next-change", lambda: soon) == soon

    kept = fragments.past_publication(soon)

    assert {state.valid_until for state in kept.values()} == {after}
    assert pagecache.next_scheduled_change() == after  # For the tokens it renews next.
    fragments._end_request()


def test_what_fell_due_is_counted_over_every_schedule(monkeypatch):
    """How many publications the schedules told of, added up; None as soon as one could
    not tell them (None, or False from a schedule that answers whether it could)."""
    monkeypatch.setattr(pagecache, "_fallen_due", [lambda since: 2, lambda since: True])
    assert pagecache.fell_due(timezone.now()) == 3
    monkeypatch.setattr(pagecache, "_fallen_due", [lambda since: 2, lambda since: 0])
    assert pagecache.fell_due(timezone.now()) == 2
    for cannot in (None, False):
        monkeypatch.setattr(pagecache, "_fallen_due", [lambda since: 2, lambda since, c=cannot: c])
        assert pagecache.fell_due(timezone.now()) is None
    monkeypatch.setattr(pagecache, "_fallen_due", [None])
    assert pagecache.fell_due(timezone.now()) is None


def test_a_names_token_left_from_when_fragments_were_on_costs_no_stored_page_anything(
    settings, monkeypatch
):
    """With the fragments off (and the page cache on), a names token fallen due that they
    left behind, which nothing logs or renews any more, is not looked at: a stored page
    is served as it was, without its state read again."""
    from core.pagecache import ContentState

    settings.PAGE_CACHE_ENABLED, settings.FRAGMENT_CACHE_ENABLED = True, False
    visitor = Client()
    url = french(reverse, "portfolio:project_list")
    get(visitor, url)
    past = timezone.now() - timedelta(seconds=1)
    cache.set(fragments.NAMES_KEY, ContentState("left-behind", valid_until=past), None)
    read_again = []
    current_state = pagecache.current_state
    monkeypatch.setattr(pagecache, "current_state", lambda: read_again.append(1) or current_state())

    get(visitor, url)

    assert read_again == []


@pytest.mark.parametrize("store", ["local-memory", "redis"])
def test_a_commit_that_schedules_a_publication_while_an_editor_renews_the_tokens_keeps_its_time(
    projects, settings, monkeypatch, store
):
    """An editor's save renews the names, counts and regions tokens, good until the next
    publication their old values knew. Another editor's commit that schedules a sooner
    one, and lowers them, between that save's read of them and its write, is not undone:
    the tokens written are good until the sooner moment."""
    if store == "redis":
        if not test_fragment_writes.reachable(6379):
            pytest.skip("no Redis server on 127.0.0.1:6379")
        test_fragment_writes.use_redis(settings, "redis://127.0.0.1:6379/13")
        cache.clear()
    every_token()
    sooner = timezone.now() + timedelta(hours=1)
    learn = fragments.known_publication
    lowered = []

    def learnt_then_lowered(states=None):
        moment = learn(states)
        if not lowered:
            lowered.append(True)
            fragments.names_good_until(sooner)  # The other commit's, meanwhile.
        return moment

    monkeypatch.setattr(fragments, "known_publication", learnt_then_lowered)
    try:
        before = every_token()
        fragments.renew_editorial()
        after = every_token()
        assert lowered, "the save read nothing"
        assert all(old != new for old, new in zip(before, after, strict=True))
        assert {
            key: cache.get(key).valid_until for key in fragments.SCHEDULED_KEYS
        } == dict.fromkeys(fragments.SCHEDULED_KEYS, sooner)
    finally:
        if store == "redis":
            cache.clear()


def test_an_editors_renewal_of_the_tokens_that_keeps_crossing_others_learns_the_next_publication(
    projects, monkeypatch
):
    """When other workers write the names, counts and regions tokens between each read and
    write of an editor's renewal (three times), it writes them as it read them last, then
    learns the next publication from the database: they are good until it at most."""
    from core.pagecache import ContentState

    every_token()
    later = timezone.now() + timedelta(hours=1)
    # Scheduled by a commit this renewal's state was made before.
    make_project(title_fr="Le dispensaire", title_en="The clinic", published_at=later)
    write_as_read, tries = fragments._written_as_read, []

    def crossed_three_times(keys, make):  # Another worker's write in between, three times.
        tries.append(keys)
        return None if len(tries) <= 3 else write_as_read(keys, make)

    monkeypatch.setattr(fragments, "_written_as_read", crossed_three_times)

    fragments._store_editorial(ContentState(uuid.uuid4().hex))

    assert {key: cache.get(key).valid_until for key in fragments.SCHEDULED_KEYS} == dict.fromkeys(
        fragments.SCHEDULED_KEYS, later
    )
