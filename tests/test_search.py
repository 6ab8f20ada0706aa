"""The search on stored documents: what it finds, how it stays current, how it ranks.

Runs on SQLite and on PostgreSQL (where a trigram index answers the matching).
"""

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from core.i18n import fallback_order
from core.text_search import fold, search_words
from partners.models import Partner
from portfolio.generate import generate_projects
from portfolio.models import Partnership, Project, Region
from portfolio.search import refresh_search_documents
from tests.factories import make_partner, make_project, make_region

from .admin_forms import admin_form_data

pytestmark = pytest.mark.django_db


def found(query, language="fr"):
    """Return the pks of the published projects a visitor finds, in the order shown."""
    with translation.override(language):
        return list(Project.objects.published().search(query).values_list("pk", flat=True))


class TestFolding:
    def test_folds_case_accents_and_ligatures(self):
        assert fold("Œuvre à NÉPAL, êtres") == "oeuvre a nepal, etres"
        assert fold("Straße  Cæsar\n") == "strasse caesar"

    def test_query_words_are_folded_the_same_way(self):
        assert search_words("ÉTRES «Népal» œuvre") == ["etres", "nepal", "oeuvre"]


class TestDemoProject:
    @pytest.mark.parametrize(
        ("query", "language"),
        [
            ("traite", "fr"),
            ("etres", "fr"),
            ("ÊTRES humains", "fr"),
            ("trafficking", "en"),
            ("Mumbai", "fr"),
            ("Mumbai", "en"),
            ("Népal", "fr"),
            ("NEPAL", "en"),
            ("nepal", "fr"),
            ("Inde", "fr"),  # The country of West Bengal.
            ("West Bengal", "en"),
            ("agrogothi", "en"),  # A partner.
            ("fléau", "fr"),  # The story, its HTML stripped.
        ],
    )
    def test_is_found(self, demo, query, language):
        assert found(query, language) == [demo.pk]

    def test_words_of_other_texts_or_tags_do_not_match(self, demo):
        assert found("trafficking", "fr") == []
        assert found("strong", "fr") == []  # A tag of the story, not a word of it.
        assert found("traite zanzibar", "fr") == []

    def test_a_ligature_is_found_with_or_without_it(self, db):
        project = make_project(title_fr="Mise en œuvre des écoles", title_en="")
        for query in ("oeuvre", "œuvre", "ŒUVRE", "OEUVRE ecoles"):
            assert found(query) == [project.pk], query
            assert found(query, "en") == [project.pk], query


class TestDocumentsFollowChanges:
    def test_a_renamed_partner_is_found_on_the_next_query(self, demo):
        chhori = Partner.objects.get(slug_fr="chhori")
        chhori.name_fr = "Soeurs de Katmandou"
        chhori.save()
        assert found("katmandou") == [demo.pk]
        partner = make_partner(name_fr="Amis du Gange", name_en="Friends of the Ganges")
        project = make_project(partners=[partner])
        partner.name_fr = "Amis du Mékong"
        partner.save()
        assert found("mekong") == [project.pk]
        assert found("gange") == []
        assert found("ganges", "en") == [project.pk]  # The English name did not change.

    def test_a_hidden_partner_is_not_searched(self, db):
        partner = make_partner(name_fr="Fondation du Gange")
        project = make_project(partners=[partner])
        assert found("gange") == [project.pk]
        partner.is_public = False
        partner.save()
        assert found("gange") == []
        hidden = make_partner(name_fr="Fondation discrète", is_public=False)
        make_project(partners=[hidden])
        assert found("discrete") == []

    def test_a_renamed_region_or_country_is_found_on_the_next_query(self, demo):
        nepal = Region.objects.get(slug_fr="nepal")
        nepal.name_fr = "Népal oriental"
        nepal.save()
        assert found("oriental") == [demo.pk]
        india = Region.objects.get(slug_fr="inde")
        india.name_en = "Bharat"
        india.save()
        # The demo project is in West Bengal, a part of India.
        assert found("bharat", "en") == [demo.pk]
        region = make_region(name_fr="Casamance")
        project = make_project(regions=[region])
        region.name_fr = "Ziguinchor"
        region.save()
        assert found("ziguinchor") == [project.pk]
        assert found("casamance") == []

    def test_a_region_moved_to_another_country(self, demo):
        peru = make_region(name_fr="Pérou", name_en="Peru", country="PE")
        west_bengal = Region.objects.get(slug_fr="bengale-occidental")
        west_bengal.parent = peru
        west_bengal.save()
        assert found("perou") == [demo.pk]

    def test_regions_added_removed_or_deleted(self, demo):
        senegal = make_region(name_fr="Sénégal", name_en="Senegal", country="SN")
        demo.regions.add(senegal)
        assert found("senegal") == [demo.pk]
        demo.regions.remove(senegal)
        assert found("senegal") == []
        senegal.projects.add(demo)
        assert found("senegal", "en") == [demo.pk]
        senegal.projects.clear()
        assert found("senegal") == []
        demo.regions.add(senegal)
        Region.objects.filter(pk=senegal.pk).delete()  # As the admin deletes, in bulk.
        assert found("senegal") == []

    def test_partnerships_added_and_deleted(self, demo):
        partner = make_partner(name_fr="Amis du Gange")
        partnership = Partnership.objects.create(
            project=demo, partner=partner, role=Partnership.Role.FUNDING
        )
        assert found("gange") == [demo.pk]
        partnership.delete()
        assert found("gange") == []
        Partnership.objects.create(project=demo, partner=partner, role=Partnership.Role.FUNDING)
        Partnership.objects.filter(partner=partner).delete()
        assert found("gange") == []

    def test_bulk_updates_of_a_project_text(self, demo):
        Project.objects.filter(pk=demo.pk).update(subtitle_fr="Villages du delta")
        assert found("delta") == [demo.pk]
        demo.refresh_from_db()
        demo.subtitle_fr = "Villages des collines"
        Project.objects.bulk_update([demo], ["subtitle_fr"])
        assert found("collines") == [demo.pk]
        assert found("traite") == [demo.pk]  # Partners and regions stay in the document.

    def test_saving_only_some_fields_keeps_the_document(self, demo):
        demo.title_fr = "Prévenir l’exploitation"
        demo.save(update_fields=["title_fr"])
        assert found("exploitation") == [demo.pk]
        assert found("mumbai") == [demo.pk]
        demo.is_featured = True
        with CaptureQueriesContext(connection) as queries:
            demo.save(update_fields=["is_featured"])
        # No document rebuilt for a field it does not hold (the page cache's token changes;
        # the new version, whose texts may say "partner", is kept).
        rebuilt = [
            q
            for q in queries
            if ("search_" in q["sql"] or "partner" in q["sql"])
            and "historicalproject" not in q["sql"]
        ]
        assert not rebuilt
        assert any("is_featured" in q["sql"] for q in queries)

    def test_an_editor_changing_regions_and_partners_in_the_admin(self, demo, editor_client):
        senegal = make_region(name_fr="Sénégal", name_en="Senegal", country="SN")
        url = reverse("admin:portfolio_project_change", args=[demo.pk])
        form = admin_form_data(editor_client.get(url))
        form["regions"] = [*form["regions"], str(senegal.pk)]
        lead = Partnership.objects.get(project=demo, role=Partnership.Role.LEAD)
        row = next(
            name.removesuffix("-partner")
            for name, value in form.items()
            if name.endswith("-partner") and value == str(lead.partner_id)
        )
        form[f"{row}-DELETE"] = "on"
        assert editor_client.post(url, form).status_code == 302
        assert found("senegal") == [demo.pk]
        demo.refresh_from_db()
        names = demo.search_document_fr.splitlines()
        assert "mumbai smiles" not in names  # The story still tells of them.
        assert "chhori" in names

    def test_generated_projects_are_found_by_partner_and_region(self, db):
        projects = generate_projects(3, seed=3)
        partner = projects[0].partners.order_by("pk").first()
        assert projects[0].pk in found(partner.name_fr)
        region = projects[0].regions.order_by("pk").first()
        assert projects[0].pk in found(region.name_en, "en")

    def test_the_data_migration_fills_existing_rows(self, demo):
        Project.objects.filter(pk=demo.pk).update(search_document_fr="", search_title_fr="")
        assert found("traite") == []
        migration = importlib.import_module("portfolio.migrations.0004_fill_search_documents")
        migration.fill(apps, None)
        assert found("traite") == [demo.pk]

    def test_a_partner_renamed_behind_the_models_back_is_found_after_refresh_search(self, demo):
        Partner.objects.filter(slug_fr="chhori").update(name_fr="Soeurs de Katmandou")
        assert found("katmandou") == []
        call_command("refresh_search", stdout=io.StringIO())
        assert found("katmandou") == [demo.pk]

    def test_refreshing_many_projects_takes_a_fixed_number_of_queries(self, db):
        projects = generate_projects(12, seed=12)
        Project.objects.filter(pk__in=[p.pk for p in projects]).update(search_document_en="")
        with CaptureQueriesContext(connection) as queries:
            refresh_search_documents(p.pk for p in projects)
        # Partners, regions, texts, one UPDATE; then the page cache's new token (its row
        # and the next scheduled publication), since search results changed.
        assert len(queries) <= 6


class TestRanking:
    def test_a_title_match_comes_before_a_story_match(self, db):
        now = timezone.now()
        in_story = make_project(
            title_fr="Jardins partagés",
            body_fr="<p>Des puits pour l’eau potable.</p>",
            is_featured=True,  # Featured and newer: first in the usual order.
            published_at=now - timezone.timedelta(hours=1),
        )
        in_title = make_project(
            title_fr="Des puits au village", published_at=now - timezone.timedelta(days=3)
        )
        assert found("puits") == [in_title.pk, in_story.pk]
        assert found("jardins") == [in_story.pk]

    def test_more_words_in_the_title_rank_higher_then_the_usual_order(self, db):
        now = timezone.now()
        older_both = make_project(
            title_fr="Eau et école", published_at=now - timezone.timedelta(days=5)
        )
        newer_one = make_project(
            title_fr="Une école",
            summary_fr="Avec de l’eau",
            published_at=now - timezone.timedelta(days=1),
        )
        oldest_one = make_project(
            title_fr="Une école aussi",
            summary_fr="Avec de l’eau",
            published_at=now - timezone.timedelta(days=9),
        )
        assert found("eau ecole") == [older_both.pk, newer_one.pk, oldest_one.pk]


class TestFallback:
    def test_a_project_without_english_is_found_in_english_by_its_french_words(self, db):
        project = make_project(
            title_fr="Coopératives de pêcheurs",
            title_en="",
            summary_fr="",
            summary_en="",
            body_fr="<p>Des filets et des <em>pirogues</em>.</p>",
            body_en="",
        )
        assert found("pirogues", "en") == [project.pk]
        assert found("pecheurs", "en") == [project.pk]

    def test_a_translated_text_hides_the_other_languages(self, db):
        project = make_project(title_fr="Puits", title_en="Wells")
        assert found("wells", "en") == [project.pk]
        assert found("puits", "en") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
def test_postgresql_answers_from_trigram_indexes(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'portfolio_project' "
            "AND indexdef LIKE '%%gin_trgm_ops%%'"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert names == {"project_search_fr_trgm", "project_search_en_trgm"}


# The search as it was before documents were stored: regular expressions over every
# column, as the visitor reads it. Kept here to check the documents find the same projects.

ACCENT_FOLDS = {
    "a": "aàâäáãåAÀÂÄÁÃÅ",
    "c": "cçCÇ",
    "e": "eéèêëEÉÈÊË",
    "i": "iîïíìIÎÏÍÌ",
    "n": "nñNÑ",
    "o": "oôöóòõOÔÖÓÒÕ",
    "u": "uùûüúUÙÛÜÚ",
    "y": "yÿýYŸÝ",
}


def _letter(char):
    if char in ACCENT_FOLDS:
        return f"[{ACCENT_FOLDS[char]}]"
    if char.isalpha() and char.upper() != char:
        return f"[{char}{char.upper()}]"
    return char


def word_pattern(word):
    parts, index = [], 0
    while index < len(word):
        pair = word[index : index + 2]
        if pair in ("oe", "ae"):
            ligature = "œŒ" if pair == "oe" else "æÆ"
            parts.append(f"({_letter(pair[0])}{_letter(pair[1])}|[{ligature}])")
            index += 2
            continue
        parts.append(_letter(word[index]))
        index += 1
    return "".join(parts)


def translated_text(field, language):
    columns = [NullIf(F(f"{field}_{code}"), Value("")) for code in fallback_order(language)]
    return Coalesce(*columns, output_field=TextField())


def old_search(queryset, text, language):
    fields = ("title", "subtitle", "summary", "body")
    queryset = queryset.alias(
        **{f"search_{name}": translated_text(name, language) for name in fields}
    )
    for word in search_words(text):
        pattern = word_pattern(word)
        partners = (
            Partnership.objects.filter(project=OuterRef("pk"), partner__is_public=True)
            .alias(search_name=translated_text("partner__name", language))
            .filter(search_name__iregex=pattern)
        )
        regions = (
            Region.objects.filter(projects=OuterRef("pk"))
            .alias(
                search_name=translated_text("name", language),
                search_parent=translated_text("parent__name", language),
            )
            .filter(Q(search_name__iregex=pattern) | Q(search_parent__iregex=pattern))
        )
        matches = Q(Exists(partners)) | Q(Exists(regions))
        for name in fields:
            matches |= Q(**{f"search_{name}__iregex": pattern})
        queryset = queryset.filter(matches)
    return queryset


QUERIES = [
    "traite",
    "etres",
    "trafficking",
    "Mumbai",
    "Népal",
    "NEPAL",
    "eau ecole",
    "eau village",
    "projet",
    "project",
    "Inde",
    "India",
    "écoles filles",
    "kitchen gardens",
    "partner association",
    "casamance",
]


def test_documents_find_what_the_former_search_found(demo):
    """Same projects as the former search on a generated portfolio, some untranslated."""
    projects = generate_projects(300, seed=300)
    untranslated = [p.pk for p in projects[::7]]
    Project.objects.filter(pk__in=untranslated).update(title_en="", summary_en="", body_en="")
    hidden = Partner.objects.filter(partnerships__project__in=untranslated[:5]).first()
    hidden.is_public = False
    hidden.save()
    published = Project.objects.published()
    for language in ("fr", "en"):
        for query in [*QUERIES, hidden.name_fr]:
            with translation.override(language):
                new = set(published.search(query).values_list("pk", flat=True))
            old = set(old_search(published, query, language).values_list("pk", flat=True))
            assert new == old, (language, query)
