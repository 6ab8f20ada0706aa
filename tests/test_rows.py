"""Rows read by key with a query compiled once (core.rows, portfolio.rows): the same
instances as the ORM's, on SQLite and PostgreSQL alike."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Q, QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone, translation

from core.rows import EveryRow, PreparedQuery, RowsByKey
from portfolio import rows
from portfolio.models import Project, PublicationQuerySet, Region, Sector, long_columns
from portfolio.rows import card_rows, kept_regions, kept_sectors, published_page_row
from tests.factories import make_partner, make_project, make_region, make_sector

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return make_project(
        title_fr="L’eau au village",
        title_en="Water in the village",
        body_fr="<p>Des puits pour trois villages.</p>",
        sector=make_sector(name_fr="Eau", name_en="Water"),
        funding_goal=Decimal("12500.50"),
        start_date=datetime.date(2025, 3, 1),
        beneficiaries=1200,
    )


def test_rows_are_the_orms_rows(project):
    other = make_project(title_fr="L’école", title_en="The school")
    read = RowsByKey(Project, long_columns)
    rows = read([project.pk, other.pk, 999_999])
    assert set(rows) == {project.pk, other.pk}  # A key without a row is left out.
    expected = Project.objects.defer(*long_columns()).get(pk=project.pk)
    row = rows[project.pk]
    for field in Project._meta.concrete_fields:
        if field.attname not in long_columns():
            assert getattr(row, field.attname) == getattr(expected, field.attname), field.attname
    # Converted as the ORM converts them, whatever the database returns.
    assert isinstance(row.published_at, datetime.datetime) and row.published_at.tzinfo
    assert row.funding_goal == Decimal("12500.50") and row.start_date == datetime.date(2025, 3, 1)
    assert row.get_deferred_fields() == expected.get_deferred_fields()
    assert row.body_fr == "<p>Des puits pour trois villages.</p>"  # Read when asked.
    with translation.override("en"):
        assert row.title == "Water in the village"
    assert row._state.adding is False


def test_only_some_columns_in_any_order_give_each_its_own_value(project):
    # Named out of the model's order: the story's columns come after the dates'.
    read = RowsByKey(Project, only=lambda: ("slug_en", "title_fr", "updated_at", "slug_fr"))
    row = read([project.pk])[project.pk]
    expected = Project.objects.get(pk=project.pk)
    for column in ("slug_en", "title_fr", "updated_at", "slug_fr"):
        assert getattr(row, column) == getattr(expected, column), column
    assert row.get_deferred_fields() == {
        field.attname for field in Project._meta.concrete_fields
    } - {"id", "slug_en", "title_fr", "updated_at", "slug_fr"}
    values = read.values([project.pk])[project.pk]
    assert values["updated_at"] == expected.updated_at
    assert values["slug_en"] == expected.slug_en and values["title_fr"] == expected.title_fr


@pytest.fixture
def count_compiled(monkeypatch):
    """Return a function that starts listing the models of the queries compiled from then
    on, one entry per compilation, and returns that list."""

    def start() -> list:
        models = []
        as_sql = SQLCompiler.as_sql

        def counting(self, *args, **kwargs):
            models.append(self.query.model)
            return as_sql(self, *args, **kwargs)

        monkeypatch.setattr(SQLCompiler, "as_sql", counting)
        return models

    return start


def test_the_query_is_compiled_once_per_number_of_keys(project, count_compiled):
    other = make_project()
    compiled = count_compiled()
    read = RowsByKey(Project)
    assert set(read([project.pk])) == {project.pk}
    assert set(read([other.pk])) == {other.pk}
    assert len(compiled) == 1
    assert set(read([project.pk, other.pk])) == {project.pk, other.pk}
    assert set(read([other.pk, project.pk])) == {project.pk, other.pk}
    assert len(compiled) == 2


def test_three_keys_and_four_share_one_statement_and_the_padding_finds_no_row(
    project, count_compiled
):
    others = [make_project() for _ in range(3)]
    compiled = count_compiled()
    read = RowsByKey(Project)
    three = [project.pk, *[other.pk for other in others[:2]]]
    four = [*three, others[2].pk]
    assert set(read(three)) == set(three)  # The key padding the series has no row.
    assert set(read(four)) == set(four)
    assert len(compiled) == 1
    assert sorted(count for _alias, count in read._compiled) == [4]


def test_every_region_and_sector_in_each_languages_name_order_as_the_orm_reads_them(
    monkeypatch, count_compiled
):
    # Their names sort apart in the two languages (and the Indian one is a part).
    india = make_region(name_fr="Inde", name_en="India", country="IN")
    make_region(name_fr="Bengale-Occidental", name_en="West Bengal", parent=india, country="IN")
    make_region(name_fr="Zambie", name_en="Zambia", country="ZM")
    make_region(name_fr="Allemagne", name_en="Germany", country="DE")
    make_sector(name_fr="Eau", name_en="Water")
    make_sector(name_fr="Santé", name_en="Health")
    make_sector(name_fr="Agriculture", name_en="Farming")
    compiled = count_compiled()
    for every in (rows._EVERY_REGION, rows._EVERY_SECTOR):  # Compiled anew in this test.
        monkeypatch.setattr(every, "_compiled", {})
    orders = {}
    for language in ("fr", "en", "fr"):
        with translation.override(language):
            regions, sectors = kept_regions(), list(kept_sectors().values())
            expected = (list(Region.objects.order_by("name")), list(Sector.objects.all()))
        for read, orm in zip((regions, sectors), expected, strict=True):
            assert [row.pk for row in read] == [row.pk for row in orm], language
            for row, orm_row in zip(read, orm, strict=True):
                for field in type(row)._meta.concrete_fields:
                    name = field.attname
                    assert getattr(row, name) == getattr(orm_row, name), (language, name)
                assert row._state.adding is False and row._state.db == "default"
        with translation.override(language):
            orders[language] = [str(region) for region in regions]
    assert orders["fr"] == ["Allemagne", "Bengale-Occidental", "Inde", "Zambie"]
    assert orders["en"] == ["Germany", "India", "West Bengal", "Zambia"]
    # Compiled once per language and table: the ORM's own queries compiled each time.
    ours = [model for model in compiled if model in (Region, Sector)]
    assert len(ours) == 4 + 3 * 2


def test_every_row_is_compiled_once_per_order(count_compiled):
    make_sector(name_fr="Eau", name_en="Water")
    make_sector(name_fr="Santé", name_en="Health")
    compiled = count_compiled()
    order = ["name_fr"]
    read = EveryRow(Sector, lambda: order)
    assert [sector.name_fr for sector in read()] == ["Eau", "Santé"]
    assert [sector.name_fr for sector in read()] == ["Eau", "Santé"]
    assert len(compiled) == 1
    order[:] = ["-name_en"]
    assert [sector.name_en for sector in read()] == ["Water", "Health"]
    assert len(compiled) == 2


def test_card_rows_come_with_their_sector(project, django_assert_num_queries, settings):
    settings.PAGE_CACHE_STATE = "cache"  # Fragments in use, as with Redis.
    settings.FRAGMENT_CACHE_ENABLED = True
    card_rows([project.pk])  # The sectors are read once (kept with fragments in use).
    with django_assert_num_queries(1):
        row = card_rows([project.pk])[project.pk]
        assert row.sector.name_fr == "Eau"
    assert "body_fr" in row.get_deferred_fields()


def test_a_page_row_is_read_only_while_published(project):
    assert published_page_row(project.pk).body_fr == "<p>Des puits pour trois villages.</p>"
    Project.objects.filter(pk=project.pk).update(
        published_at=timezone.now() + datetime.timedelta(days=1)
    )
    assert published_page_row(project.pk) is None  # Scheduled.
    Project.objects.filter(pk=project.pk).update(
        is_published=False, published_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert published_page_row(project.pk) is None  # A draft.
    assert published_page_row(999_999) is None


def test_a_prepared_query_gives_the_querysets_rows_and_takes_the_moment_when_run(monkeypatch):
    now = timezone.now()
    first = make_project(title_fr="Premier", published_at=now - datetime.timedelta(days=2))
    second = make_project(title_fr="Second", published_at=now - datetime.timedelta(days=1))
    later = make_project(title_fr="Plus tard", published_at=now + datetime.timedelta(hours=1))
    make_project(title_fr="Brouillon", is_published=False)
    built = []

    def build(now, keys):
        built.append(keys)
        rows = PublicationQuerySet(Project).published(now=now).order_by("-published_at")
        return rows.filter(pk__in=keys).values_list("pk", "published_at", "funding_goal")

    def expected(keys):
        rows = Project.objects.published().order_by("-published_at").filter(pk__in=keys)
        return [
            (row["pk"], row["published_at"], row["funding_goal"])
            for row in rows.values("pk", "published_at", "funding_goal")
        ]

    query = PreparedQuery(Project, build)
    every = [first.pk, second.pk, later.pk]
    assert (
        query(every)
        == expected(every)
        == [
            (second.pk, second.published_at, second.funding_goal),
            (first.pk, first.published_at, first.funding_goal),
        ]
    )
    assert query([first.pk]) == expected([first.pk])
    assert query([]) == [] and query([999_999]) == []
    # Compiled once for each number of keys (built twice to find its values), then only run.
    compiled = len(built)
    assert {len(keys) for keys in built} == {3, 1, 0}
    query([second.pk, first.pk, later.pk])
    query([later.pk])
    assert len(built) == compiled
    # The moment is the one when the query runs: two hours on, the later one is published.
    moment = now + datetime.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    assert [pk for pk, *_ in query(every)] == [later.pk, second.pk, first.pk]


def test_a_prepared_query_must_take_every_key_and_give_its_values_in_order():
    query = PreparedQuery(Project, lambda now, keys: QuerySet(Project).values_list("pk"))
    with pytest.raises(ValueError, match="each key"):
        query([1, 2])
    # A translated model's manager selects the values in an order of its own.
    translated = PreparedQuery(
        Project, lambda now, keys: Project.objects.values_list("pk", "published_at", "title")
    )
    with pytest.raises(ValueError, match="order asked"):
        translated()


def test_a_prepared_query_keeps_its_own_values_and_refuses_values_made_from_the_moment():
    counted = make_project(title_fr="Comptés", beneficiaries=0)
    make_project(title_fr="Sans nombre", beneficiaries=None)
    # A constant that looks like a key stand-in stays a constant.
    query = PreparedQuery(
        Project,
        lambda now, keys: (
            PublicationQuerySet(Project)
            .published(now=now)
            .filter(pk__in=keys, beneficiaries__gt=-1)
            .values_list("pk")
        ),
    )
    assert query([counted.pk]) == [(counted.pk,)]
    assert query([counted.pk, 999_999]) == [(counted.pk,)]
    # A day made from the moment would be compiled in as it was: refused.
    by_day = PreparedQuery(
        Project,
        lambda now, keys: (
            QuerySet(Project).filter(published_at__date__lte=now.date()).values_list("pk")
        ),
    )
    with pytest.raises(ValueError, match="as they are"):
        by_day()


def test_a_prepared_query_takes_keys_of_text_as_they_are():
    """A slug is a key of text: the query is compiled once, run with each slug asked, and
    finds what the queryset finds; keys of text are never padded."""
    now = timezone.now()
    shown = make_project(title_fr="L’eau au village", slug_fr="l-eau", slug_en="water")
    later = make_project(title_fr="Bientôt", published_at=now + datetime.timedelta(hours=1))
    built = []

    def build(now, keys):
        built.append(keys)
        published = PublicationQuerySet(Project).published(now=now)
        return published.filter(slug_fr=keys[0]).values_list("pk")

    query = PreparedQuery(Project, build, text_keys=True)
    assert query(["l-eau"]) == [(shown.pk,)]
    assert query(["water"]) == query([later.slug_fr]) == query(["l-eau'; --"]) == []
    assert len(built) == 2  # Compiled once (built twice to find where the key goes).
    with pytest.raises(ValueError, match="keys_in"):
        PreparedQuery(Project, build, keys_in=True, text_keys=True)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_project_at_a_slug_is_the_one_the_translated_manager_finds(language):
    """A project's address is looked up with a query compiled per language: the project
    the translated manager finds, in the language of the address, published only."""
    from portfolio.views import published_pk

    now = timezone.now()
    shown = make_project(slug_fr="l-eau-au-village", slug_en="water-in-the-village")
    make_project(slug_fr="brouillon", slug_en="draft", is_published=False)
    make_project(slug_fr="bientot", slug_en="soon", published_at=now + datetime.timedelta(hours=1))
    slugs = ["l-eau-au-village", "water-in-the-village", "brouillon", "draft", "bientot", "soon"]
    with translation.override(language):
        found = {slug: published_pk(slug) for slug in slugs}
        expected = {
            slug: Project.objects.published().filter(slug=slug).values_list("pk", flat=True).first()
            for slug in slugs
        }
    assert found == expected
    own = "l-eau-au-village" if language == "fr" else "water-in-the-village"
    assert {slug for slug, pk in found.items() if pk is not None} == {own}
    assert found[own] == shown.pk


@pytest.mark.parametrize("fields", ["card", "whole"])
def test_partners_rows_are_those_the_translated_manager_reads(fields):
    """A partner's card, or a project's page after a partner saved, reads its row with a
    query compiled once: the same instances as ``Partner.objects.only(…)``, each translated
    field with its column in each language, the rest deferred."""
    from partners.models import Partner
    from partners.views import CARD_FIELDS, _rows_by_key

    wanted = tuple(CARD_FIELDS) if fields == "card" else None
    partners = [
        make_partner(name_fr="Mumbai Smiles", summary_fr="Résumé", summary_en="Summary"),
        make_partner(name_fr="CHHORI", city="Katmandou", country="NP"),
    ]
    pks = [partner.pk for partner in partners] + [999_999]
    read = _rows_by_key(wanted)(pks)
    rows = Partner.objects.filter(pk__in=pks).order_by()
    expected = (rows if wanted is None else rows.only(*wanted)).in_bulk()
    assert read.keys() == expected.keys() == {partner.pk for partner in partners}
    for pk, partner in read.items():
        assert partner.get_deferred_fields() == expected[pk].get_deferred_fields()
        state = {name: value for name, value in vars(partner).items() if name != "_state"}
        assert state == {k: v for k, v in vars(expected[pk]).items() if k != "_state"}
        with translation.override("en"):
            assert partner.summary == expected[pk].summary


@pytest.mark.parametrize("has_sector", [True, False])
@pytest.mark.parametrize("has_regions", [True, False])
def test_related_projects_are_those_the_orm_chooses(has_sector, has_regions):
    from portfolio.models import Region
    from portfolio.views import related_projects
    from tests.factories import make_region

    india = make_region(name_fr="Inde", name_en="India", country="IN")
    bengal = make_region(name_fr="Bengale", name_en="Bengal", parent=india)
    nepal = make_region(name_fr="Népal", name_en="Nepal", country="NP")
    water, school = make_sector(name_fr="Eau"), make_sector(name_fr="École")
    project = make_project(
        regions=[bengal] if has_regions else [], sector=water if has_sector else None
    )
    then = timezone.now() - datetime.timedelta(days=3)
    made = [
        make_project(regions=[india], published_at=then),  # its region's country
        make_project(regions=[bengal], published_at=then - datetime.timedelta(hours=1)),
        make_project(regions=[nepal], sector=water),  # its sector elsewhere
        make_project(regions=[nepal], sector=school),  # unrelated
        make_project(regions=[bengal], is_featured=True, published_at=then),  # first
        make_project(regions=[bengal], is_published=False),
        make_project(regions=[bengal], published_at=timezone.now() + datetime.timedelta(days=1)),
    ]
    regions = list(Region.objects.filter(projects=project))
    nearby = {r.pk for r in regions} | {r.parent_id for r in regions if r.parent_id}
    expected = list(
        Project.objects.published()
        .exclude(pk=project.pk)
        .filter(Q(regions__in=nearby) | Q(sector_id=project.sector_id, sector__isnull=False))
        .distinct()
        .values_list("pk", flat=True)[:3]
    )
    assert related_projects(project, regions) == expected
    assert (
        expected
        == {
            (True, True): [made[4].pk, made[2].pk, made[0].pk],
            (True, False): [made[2].pk],
            (False, True): [made[4].pk, made[0].pk, made[1].pk],
            (False, False): [],
        }[has_sector, has_regions]
    )


@pytest.mark.parametrize(
    "params",
    [
        "q=eau+village",
        "q=eau&region=inde",
        "region=inde&status=active",
        "partner=bengale",
        "q=introuvable",
        "",
    ],
)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_selections_compiled_queries_choose_as_its_queryset(params, language):
    from django.http import QueryDict

    from core.pagination import ranked_keys
    from portfolio.search import SEARCH_RANK
    from portfolio.views import select_projects
    from tests.factories import make_partner, make_region

    india = make_region(name_fr="Inde", name_en="India", country="IN", slug_en="inde")
    bengal = make_region(name_fr="Bengale", name_en="Bengal", parent=india)
    partner = make_partner(name_fr="Bengale", name_en="Bengal", slug_en="bengale")
    made = [
        make_project(title_fr="L’eau au village", regions=[bengal], partners=[partner]),
        make_project(title_fr="Un village", summary_fr="De l’eau", regions=[india]),
        make_project(title_fr="L’eau ailleurs", status=Project.Status.ACTIVE, regions=[bengal]),
        make_project(title_fr="Sans eau", status=Project.Status.ACTIVE),
        make_project(title_fr="Eau cachée", is_published=False, regions=[india]),
    ]
    with translation.override(language):
        selection = select_projects(QueryDict(params))
        assert selection.is_filtered == bool(params)
        everything = [project.pk for project in made]
        expected = dict(ranked_keys(selection.projects.filter(pk__in=everything), SEARCH_RANK))
        assert selection.still_found(everything) == expected
        assert selection.still_found(everything[:1]) == {
            pk: rank for pk, rank in expected.items() if pk == made[0].pk
        }
        ordered = list(selection.projects.values_list("pk", flat=True))
        assert selection.page_keys(0, 2) == ordered[:2]
        assert selection.page_keys(1, 3) == ordered[1:3]
        assert selection.count() == len(ordered) == selection.projects.count()
    if "q=eau+village" in params and language == "fr":
        assert expected == {made[0].pk: 2, made[1].pk: 1}  # Both words in its title: first.
        assert ordered == [made[0].pk, made[1].pk]


def test_a_selection_compiled_before_a_region_moved_in_reads_that_region_too():
    from django.http import QueryDict

    from portfolio.views import select_projects
    from tests.factories import make_region

    india = make_region(name_fr="Inde", name_en="India", country="IN")
    bengal = make_region(name_fr="Bengale", name_en="Bengal")
    first = make_project(title_fr="En Inde", regions=[india], status=Project.Status.ACTIVE)
    second = make_project(title_fr="Au Bengale", regions=[bengal], status=Project.Status.ACTIVE)
    params = QueryDict("region=inde&status=active")
    with translation.override("fr"):
        selection = select_projects(params)
        assert selection.page_keys(0, 12) == [first.pk] and selection.count() == 1
        bengal.parent = india
        bengal.save()
        selection = select_projects(params)
        assert selection.page_keys(0, 12) == [second.pk, first.pk]
        assert selection.count() == 2


def test_a_search_recheck_pads_its_keys_and_finds_the_same(monkeypatch):
    from collections import OrderedDict

    from django.http import QueryDict

    from core.rows import NO_KEY, padded
    from portfolio import views
    from portfolio.views import select_projects

    monkeypatch.setattr(views, "_PREPARED_SELECTIONS", OrderedDict())

    assert padded([5, 3, 5]) == [3, 5]
    assert padded([1, 2, 3]) == [1, 2, 3, NO_KEY]
    assert padded([]) == []
    made = [make_project(title_fr=f"L’eau numéro {n}") for n in range(5)]
    with translation.override("fr"):
        selection = select_projects(QueryDict("q=eau"))
        pks = [project.pk for project in made]
        assert selection.still_found(pks) == dict.fromkeys(pks, 1)
        assert selection.still_found(pks[:3]) == dict.fromkeys(pks[:3], 1)
        query = selection.prepared("found", None)
    # Three numbers of keys asked, two statements compiled (4 and 8 keys).
    assert sorted(count for _alias, count in query._compiled) == [4, 8]
