"""The public API: published content only, never a donor's data, in either language,
filtered like the project list, read-only, cached like the pages."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from donations.models import Gift
from partners.models import Partner
from portfolio.generate import generate_projects
from portfolio.models import Project
from tests.admin_forms import admin_form_data
from tests.factories import (
    make_partner,
    make_project,
    make_region,
    make_sector,
    make_sponsorship,
    make_update,
)

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/projects/",
    "/api/v1/partners/",
    "/api/v1/regions/",
    "/api/v1/sectors/",
    "/api/v1/updates/",
]


@pytest.fixture
def visitor():
    return Client()


@pytest.fixture
def portfolio():
    india = make_region(name_fr="Inde", name_en="India", slug_fr="inde", slug_en="india")
    bengal = make_region(parent=india, name_fr="Bengale occidental", name_en="West Bengal")
    nepal = make_region(name_fr="Népal", name_en="Nepal", country="NP")
    water = make_sector(name_fr="Eau", name_en="Water")
    lead = make_partner(name_fr="Sourires", name_en="Smiles")
    hidden = make_partner(name_fr="Partenaire caché", name_en="Hidden partner", is_public=False)
    well = make_project(
        title_fr="Un puits au village",
        title_en="A well in the village",
        regions=[bengal],
        partners=[lead, hidden],
        sector=water,
        status=Project.Status.ACTIVE,
        funding_goal=Decimal("1000.00"),
    )
    school = make_project(
        title_fr="Une école",
        title_en="A school",
        regions=[nepal],
        status=Project.Status.COMPLETED,
    )
    draft = make_project(title_fr="Brouillon secret", title_en="Secret draft", is_published=False)
    scheduled = make_project(
        title_fr="Projet à venir",
        title_en="Upcoming project",
        published_at=timezone.now() + timezone.timedelta(days=2),
    )
    make_update(well, title_fr="Le puits est creusé", title_en="The well is dug")
    make_update(draft, title_fr="Nouvelle du brouillon", title_en="Draft news")
    make_update(well, title_fr="Nouvelle cachée", title_en="Hidden news", is_published=False)
    confirmed = make_sponsorship(
        well,
        confirmed=True,
        donor_name="Zéphyrine Donatrice",
        donor_email="zephyrine@example.org",
        amount=Decimal("300"),
        show_name_publicly=True,
        public_message="Message de Zéphyrine",
    )
    Gift.objects.create(sponsorship=confirmed, amount=Decimal("100"), received_on=timezone.now())
    make_sponsorship(well, donor_name="Barnabé Pending", donor_email="barnabe@example.org")
    return {
        "india": india,
        "bengal": bengal,
        "water": water,
        "lead": lead,
        "hidden": hidden,
        "well": well,
        "school": school,
        "draft": draft,
        "scheduled": scheduled,
    }


def every_answer(client, portfolio):
    """Return the text of every API answer about the portfolio, in both languages."""
    well = portfolio["well"]
    urls = [
        *LISTS,
        f"/api/v1/projects/{well.pk}/",
        f"/api/v1/projects/{well.slug_en}/",
        f"/api/v1/partners/{portfolio['lead'].pk}/",
        f"/api/v1/updates/?project={well.pk}",
    ]
    texts = []
    for url in urls:
        for language in ("fr", "en"):
            sep = "&" if "?" in url else "?"
            response = client.get(f"{url}{sep}lang={language}")
            assert response.status_code == 200, url
            texts.append(response.content.decode())
    return "\n".join(texts)


def test_no_donor_data_in_any_answer(visitor, portfolio):
    text = every_answer(visitor, portfolio)
    for secret in (
        "Zéphyrine",
        "Zéphyrine".encode("unicode_escape").decode(),
        "zephyrine@example.org",
        "Barnabé",
        "barnabe@example.org",
        "Message de Zéphyrine",
        "SP-",
    ):
        assert secret not in text


def test_funding_comes_as_totals(visitor, portfolio):
    well = portfolio["well"]
    data = visitor.get(f"/api/v1/projects/{well.pk}/").json()
    assert data["funding"] == {
        "goal": "1000.00",
        "raised": "100.00",
        "pledged": "200.00",
        "percent_committed": 30,
    }


def test_drafts_scheduled_and_hidden_things_are_absent(visitor, portfolio):
    text = every_answer(visitor, portfolio)
    for hidden in (
        "Brouillon secret",
        "Secret draft",
        "Projet à venir",
        "Upcoming project",
        "Draft news",
        "Hidden news",
        "Hidden partner",
    ):
        assert hidden not in text
    for project in (portfolio["draft"], portfolio["scheduled"]):
        assert visitor.get(f"/api/v1/projects/{project.pk}/").status_code == 404
        assert visitor.get(f"/api/v1/projects/{project.slug_fr}/").status_code == 404
    assert visitor.get(f"/api/v1/partners/{portfolio['hidden'].pk}/").status_code == 404
    titles = [p["title"] for p in visitor.get("/api/v1/projects/").json()["results"]]
    assert sorted(titles) == ["Un puits au village", "Une école"]


def test_either_language(visitor, portfolio):
    well = portfolio["well"]
    french = visitor.get(f"/api/v1/projects/{well.pk}/?lang=fr")
    english = visitor.get(f"/api/v1/projects/{well.pk}/?lang=en")
    assert french["Content-Language"] == "fr"
    assert english["Content-Language"] == "en"
    fr, en = french.json(), english.json()
    assert (fr["title"], en["title"]) == ("Un puits au village", "A well in the village")
    assert (fr["status_label"], en["status_label"]) == ("En cours", "Active")
    assert en["url"].endswith(f"/en/projects/{well.slug_en}/")
    assert en["regions"][0]["name"] == "West Bengal"
    assert en["translations"]["fr"]["title"] == "Un puits au village"
    assert fr["translations"]["en"]["url"] == en["url"]
    # Found by its slug in either language.
    assert visitor.get(f"/api/v1/projects/{well.slug_fr}/?lang=en").json()["id"] == well.pk


def test_the_default_language_follows_accept_language(visitor, portfolio, settings):
    settings.PAGE_CACHE_ENABLED = True
    url = "/api/v1/sectors/"
    english = visitor.get(url, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    french = visitor.get(url, HTTP_ACCEPT_LANGUAGE="fr-CA")
    default = visitor.get(url, HTTP_ACCEPT_LANGUAGE="de")
    assert english.json()["results"][0]["name"] == "Water"
    assert french.json()["results"][0]["name"] == "Eau"
    assert default.json()["results"][0]["name"] == "Eau"
    assert "Accept-Language" in english["Vary"]
    # The language of the query wins over the header.
    assert visitor.get(f"{url}?lang=en", HTTP_ACCEPT_LANGUAGE="fr").json()["results"][0][
        "name"
    ] == ("Water")


def test_the_schema_is_cached_per_language(visitor, db, settings):
    settings.PAGE_CACHE_ENABLED = True
    english = visitor.get("/api/v1/schema/", HTTP_ACCEPT_LANGUAGE="en")
    french = visitor.get("/api/v1/schema/", HTTP_ACCEPT_LANGUAGE="fr")
    assert english["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert english["Content-Language"] == "en"
    assert french["Content-Language"] == "fr"
    assert english.content != french.content  # the pagination's descriptions
    assert visitor.get("/api/v1/schema/?lang=en").content == english.content


def test_an_unknown_language_is_refused(visitor, portfolio):
    response = visitor.get("/api/v1/projects/?lang=de")
    assert response.status_code == 400
    assert "lang" in response.json()


def ids(client, query):
    response = client.get(f"/api/v1/projects/{query}")
    assert response.status_code == 200, response.content
    return {p["id"] for p in response.json()["results"]}


def test_filters_like_the_list_page(visitor, portfolio):
    well, school = portfolio["well"].pk, portfolio["school"].pk
    # A country includes its regions.
    assert ids(visitor, "?region=inde") == {well}
    assert ids(visitor, "?region=india&lang=en") == {well}
    assert ids(visitor, f"?sector={portfolio['water'].slug_fr}") == {well}
    assert ids(visitor, f"?partner={portfolio['lead'].slug_fr}") == {well}
    assert ids(visitor, "?status=completed") == {school}
    assert ids(visitor, "?q=puits") == {well}
    assert ids(visitor, "?q=school&lang=en") == {school}
    assert ids(visitor, "?q=ecole") == {school}
    assert ids(visitor, "?status=completed&region=inde") == set()


def test_ids_beyond_the_database_are_not_found(visitor, portfolio):
    huge = "9" * 30
    for key in (huge, "²", "0"):
        assert visitor.get(f"/api/v1/projects/{key}/").status_code == 404
        assert visitor.get(f"/api/v1/partners/{key}/").status_code == 404
    assert visitor.get(f"/api/v1/updates/?project={huge}").status_code == 400
    assert visitor.get("/api/v1/updates/?project=²").status_code == 400


def test_an_unknown_filter_value_is_refused(visitor, portfolio):
    response = visitor.get("/api/v1/projects/?region=atlantis")
    assert response.status_code == 400
    assert "region" in response.json()
    assert visitor.get("/api/v1/projects/?status=lost").status_code == 400


def test_pages_keep_a_stable_order(visitor, db):
    generate_projects(7, seed=7)
    first = visitor.get("/api/v1/projects/?page_size=5").json()
    second = visitor.get("/api/v1/projects/?page_size=5&page=2").json()
    seen = [p["id"] for p in first["results"] + second["results"]]
    assert first["count"] == 7
    assert len(seen) == len(set(seen)) == 7
    assert "page=2" in first["next"]
    assert visitor.get("/api/v1/projects/?page=99").status_code == 404


def test_only_reads(visitor, portfolio):
    for url in LISTS:
        assert visitor.post(url, {}).status_code == 405
        assert visitor.put(url, {}).status_code == 405
        assert visitor.delete(url).status_code == 405
        assert visitor.options(url).status_code == 200
        assert visitor.head(url).status_code == 200


def test_no_cookie_and_no_vary_on_cookie(visitor, portfolio, settings):
    settings.PAGE_CACHE_ENABLED = True
    for url in LISTS:
        response = visitor.get(url)
        assert not response.cookies
        assert "cookie" not in response.get("Vary", "").lower()
        assert response["Cache-Control"] == "public, no-cache"


def test_answers_are_cached_and_a_change_shows_on_the_next_request(visitor, portfolio, settings):
    settings.PAGE_CACHE_ENABLED = True
    well = portfolio["well"]
    url = "/api/v1/projects/?lang=en&region=india&q=well&page=1&page_size=5"
    first = visitor.get(url)
    with CaptureQueriesContext(connection) as queries:
        again = visitor.get(url)
    assert again.content == first.content
    assert len(queries) <= 1  # the content token, where it lives in the database
    well.title_en = "A deep well in the village"
    well.save()
    assert visitor.get(url).json()["results"][0]["title"] == "A deep well in the village"
    Partner.objects.filter(pk=portfolio["lead"].pk).update(name_en="Big smiles")
    partners = visitor.get(url).json()["results"][0]["partners"]
    assert partners[0]["partner"]["name"] == "Big smiles"
    # A change in one language shows in the other's answer too.
    well.title_fr = "Un puits profond"
    well.save()
    assert visitor.get("/api/v1/projects/?lang=fr").json()["results"][0]["title"] in (
        "Un puits profond",
        "Une école",
    )
    assert "Un puits profond" in visitor.get("/api/v1/projects/?lang=fr").content.decode()


@pytest.mark.parametrize("token_kept_in", ["cache", "database"])
def test_an_admin_edit_shows_in_the_next_answer(
    demo, editor_client, visitor, settings, token_kept_in
):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_STATE = token_kept_in
    urls = {language: f"/api/v1/projects/{demo.pk}/?lang={language}" for language in ("fr", "en")}
    lists = {language: f"/api/v1/projects/?lang={language}" for language in ("fr", "en")}
    for url in [*urls.values(), *lists.values()]:
        assert visitor.get(url).status_code == 200

    change = reverse("admin:portfolio_project_change", args=[demo.pk])
    form = admin_form_data(
        editor_client.get(change),
        title_fr="Prévenir la traite, édition revue",
        title_en="Preventing trafficking, revised edition",
    )
    assert editor_client.post(change, form).status_code == 302

    for answers in (urls, lists):
        assert "Prévenir la traite, édition revue" in visitor.get(answers["fr"]).content.decode()
        english = visitor.get(answers["en"]).content.decode()
        assert "Preventing trafficking, revised edition" in english


def test_a_gift_moves_the_cached_funding(visitor, portfolio, settings):
    settings.PAGE_CACHE_ENABLED = True
    well = portfolio["well"]
    url = f"/api/v1/projects/{well.pk}/"
    assert visitor.get(url).json()["funding"]["raised"] == "100.00"
    sponsorship = well.sponsorships.get(status="confirmed")
    Gift.objects.create(sponsorship=sponsorship, amount=Decimal("50"), received_on=timezone.now())
    assert visitor.get(url).json()["funding"]["raised"] == "150.00"


def test_staff_get_a_private_answer(portfolio, editor_client, settings):
    settings.PAGE_CACHE_ENABLED = True
    response = editor_client.get("/api/v1/projects/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"


def test_requests_are_rate_limited(visitor, portfolio, settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.API_RATE_LIMIT = "3/min"
    statuses = [visitor.get("/api/v1/sectors/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Another address has its own count; a forged X-Forwarded-For is not believed.
    assert visitor.get("/api/v1/sectors/", REMOTE_ADDR="203.0.113.9").status_code == 200
    forged = visitor.get("/api/v1/sectors/", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert forged.status_code == 429


@pytest.fixture
def rendered_every_time(settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False


@pytest.mark.parametrize("url", [*LISTS, "/api/v1/projects/?region={region}&status={status}"])
def test_query_counts_stay_flat(visitor, db, rendered_every_time, url):
    counts = []
    for size in (2, 58):
        generate_projects(size, seed=size)
        project = Project.objects.published().order_by("pk").first()
        region = project.regions.first()
        country = region.parent or region
        with CaptureQueriesContext(connection) as queries:
            for language in ("fr", "en"):
                slug = getattr(country, f"slug_{language}")
                target = url.format(region=slug, status=project.status)
                response = visitor.get(f"{target}{'&' if '?' in target else '?'}lang={language}")
                assert response.status_code == 200, response.content
        counts.append(len(queries))
    assert Project.objects.published().count() == 60
    assert counts[0] == counts[1]
    assert counts[1] <= 2 * 10


def test_a_project_detail_runs_a_fixed_number_of_queries(
    visitor, db, rendered_every_time, django_assert_max_num_queries
):
    generate_projects(3, seed=3)
    project = Project.objects.published().first()
    with django_assert_max_num_queries(8):
        assert visitor.get(f"/api/v1/projects/{project.pk}/").status_code == 200
