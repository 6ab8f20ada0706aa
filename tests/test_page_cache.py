"""Anonymous visitors get public pages from the cache; any change shows on the next request.

Every test runs twice: with the content token kept in the cache (as with Redis, shared by
every worker) and kept in the database (as with the local-memory cache).
"""

import re
import time
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from donations.models import Gift, Sponsorship
from partners.models import Partner
from portfolio.models import Project, ProjectImage, Region
from tests.admin_forms import admin_form_data
from tests.factories import (
    make_partner,
    make_project,
    make_region,
    make_sponsorship,
    make_suggested_amount,
    uploaded_image,
)
from tests.test_content_versions import its_time_comes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["cache", "database"])
def token_kept_in(request, settings):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_STATE = request.param
    return request.param


def sql_update(project, title):
    """Change a title behind the site's back, as a hand-written SQL fix would."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Project._meta.db_table} SET title_fr = %s WHERE id = %s",  # noqa: S608
            [title, project.pk],
        )


@pytest.fixture
def visitor():
    """An anonymous visitor: no session cookie."""
    return Client()


def url_in(language, obj=None, name=None, **kwargs):
    with translation.override(language):
        return obj.get_absolute_url() if obj is not None else reverse(name, kwargs=kwargs)


def public_pages(project, partner, region):
    pages = {}
    for language in ("fr", "en"):
        pages |= {
            f"home {language}": url_in(language, name="portfolio:home"),
            f"list {language}": url_in(language, name="portfolio:project_list"),
            f"search {language}": url_in(language, name="portfolio:project_list") + "?q=eau",
            f"filtered {language}": url_in(language, name="portfolio:project_list")
            + f"?region={region.slug}&status=active",
            f"project {language}": url_in(language, project),
            f"partners {language}": url_in(language, name="partners:partner_list"),
            f"partner {language}": url_in(language, partner),
            f"region {language}": url_in(language, region),
            f"feed {language}": url_in(language, name="portfolio:feed"),
        }
    pages["sitemap"] = "/sitemap.xml"
    return pages


@pytest.fixture
def content():
    region = make_region(name_fr="Inde", name_en="India", country="IN")
    partner = make_partner()
    project = make_project(
        title_fr="L’eau au village",
        title_en="Water in the village",
        regions=[region],
        partners=[partner],
        funding_goal=Decimal("1000"),
    )
    make_suggested_amount(project, "25")
    return project, partner, region


def test_a_repeated_request_is_served_from_the_cache(
    visitor, content, django_assert_max_num_queries
):
    for name, url in public_pages(*content).items():
        first = visitor.get(url)
        assert first.status_code == 200, name
        with django_assert_max_num_queries(2):  # the page ran about ten when rendered
            again = visitor.get(url)
        assert again.status_code == 200, name
        assert again.content == first.content, name
        assert again["ETag"] == first["ETag"], name


def test_public_pages_set_no_cookie_and_do_not_vary_on_it(visitor, content):
    for name, url in public_pages(*content).items():
        for attempt in ("rendered", "from the cache"):
            response = visitor.get(url)
            assert response.status_code == 200, (name, attempt)
            assert not response.cookies, (name, attempt)
            assert "cookie" not in response.get("Vary", "").lower(), (name, attempt)
            assert "public" in response["Cache-Control"], (name, attempt)
            assert response["ETag"], (name, attempt)
            # The security headers of the outer middleware come with cached pages too.
            assert "Content-Security-Policy" in response, (name, attempt)


def test_a_repeated_conditional_request_gets_304(visitor, content):
    project, _partner, _region = content
    url = url_in("fr", project)
    etag = visitor.get(url)["ETag"]
    for attempt in ("from the cache", "again"):
        response = visitor.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304, attempt
        assert response.content == b""
        assert response["ETag"] == etag
    project.title_fr = "L’eau au village, suite"
    project.save()  # a change: a new page, a new validator
    response = visitor.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_the_project_page_holds_no_per_visitor_form(visitor, content):
    project, _partner, _region = content
    html = visitor.get(url_in("fr", project)).content.decode()
    assert "csrfmiddlewaretoken" not in html and "form_token" not in html
    pledge = url_in("fr", name="donations:pledge", slug=project.slug)
    assert f'href="{pledge}?amount=25.00"' in html
    # The pledge page, with its form, is never cached.
    first = visitor.get(f"{pledge}?amount=25.00")
    second = visitor.get(f"{pledge}?amount=25.00")
    assert "csrfmiddlewaretoken" in second.content.decode()
    assert "no-cache" in second["Cache-Control"] and "public" not in second["Cache-Control"]
    token = re.compile(r'name="form_token" value="([^"]+)"')
    assert token.search(first.content.decode()).group(1) != token.search(
        second.content.decode()
    ).group(1)


def test_an_admin_edit_shows_on_the_next_request_in_both_languages(demo, editor_client, visitor):
    urls = {language: url_in(language, demo) for language in ("fr", "en")}
    lists = {language: url_in(language, name="portfolio:project_list") for language in urls}
    for language in urls:
        assert visitor.get(urls[language]).status_code == 200
        assert visitor.get(lists[language]).status_code == 200

    change = reverse("admin:portfolio_project_change", args=[demo.pk])
    form = admin_form_data(
        editor_client.get(change),
        title_fr="Prévenir la traite, édition revue",
        title_en="Preventing trafficking, revised edition",
    )
    assert editor_client.post(change, form).status_code == 302

    assert "Prévenir la traite, édition revue" in visitor.get(urls["fr"]).content.decode()
    assert "Preventing trafficking, revised edition" in visitor.get(urls["en"]).content.decode()
    assert "Prévenir la traite, édition revue" in visitor.get(lists["fr"]).content.decode()
    assert "Preventing trafficking, revised edition" in visitor.get(lists["en"]).content.decode()


def test_a_photo_added_in_the_admin_shows_on_the_next_request(demo, editor_client, visitor):
    urls = {language: url_in(language, demo) for language in ("fr", "en")}
    for url in urls.values():
        assert "Une nouvelle photo du terrain" not in visitor.get(url).content.decode()

    change = reverse("admin:portfolio_project_change", args=[demo.pk])
    form = admin_form_data(editor_client.get(change))
    index = int(form["images-TOTAL_FORMS"])
    form |= {
        "images-TOTAL_FORMS": str(index + 1),
        f"images-{index}-image": uploaded_image("terrain.jpg"),
        f"images-{index}-alt_text_fr": "Une nouvelle photo du terrain",
        f"images-{index}-alt_text_en": "A new photo from the field",
        f"images-{index}-order": "9",
    }
    assert editor_client.post(change, form).status_code == 302
    assert ProjectImage.objects.filter(
        project=demo, alt_text_fr__startswith="Une nouvelle"
    ).exists()

    assert "Une nouvelle photo du terrain" in visitor.get(urls["fr"]).content.decode()
    assert "A new photo from the field" in visitor.get(urls["en"]).content.decode()


def test_a_confirmed_pledge_and_a_gift_move_the_figures_on_the_next_request(
    content, visitor, client, finance_user
):
    project, _partner, _region = content
    urls = {language: url_in(language, project) for language in ("fr", "en")}
    sponsorship = make_sponsorship(project, amount=Decimal("100"))
    for url in urls.values():
        assert 'data-figure="supporters">0<' in visitor.get(url).content.decode()

    token = sponsorship.confirmation_token()
    assert client.post(reverse("donations:confirm", kwargs={"token": token})).status_code == 200
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.CONFIRMED
    assert 'data-figure="supporters">1<' in visitor.get(urls["fr"]).content.decode()
    html = visitor.get(urls["en"]).content.decode()
    assert 'data-figure="supporters">1<' in html and 'data-figure="raised">$0<' in html

    client.force_login(finance_user)
    response = client.post(
        reverse("admin:donations_sponsorship_changelist"),
        {
            "action": "record_gift",
            "_selected_action": [sponsorship.pk],
            "apply": "1",
            "received_on": "2026-03-02",
            "method": "cheque",
            "reference": "CHQ 7",
        },
    )
    assert response.status_code == 302 and Gift.objects.count() == 1
    assert 'data-figure="raised">100\xa0$<' in visitor.get(urls["fr"]).content.decode()
    assert 'data-figure="raised">$100<' in visitor.get(urls["en"]).content.decode()


def test_a_new_pending_pledge_leaves_the_cache_alone(
    content, visitor, django_assert_max_num_queries
):
    project, _partner, _region = content
    url = url_in("fr", project)
    visitor.get(url)
    make_sponsorship(project)  # waits for its donor's confirmation: nothing public changed
    with django_assert_max_num_queries(2):
        assert visitor.get(url).status_code == 200


def test_a_publish_action_shows_on_the_next_request(content, editor_client, visitor):
    hidden = make_project(title_fr="Projet encore caché", is_published=False)
    url = url_in("fr", name="portfolio:project_list")
    assert "Projet encore caché" not in visitor.get(url).content.decode()
    response = editor_client.post(
        reverse("admin:portfolio_project_changelist"),
        {"action": "publish", "_selected_action": [hidden.pk]},
    )
    assert response.status_code == 302
    assert "Projet encore caché" in visitor.get(url).content.decode()


def test_a_scheduled_project_appears_when_its_time_comes(content, visitor):
    make_project(
        title_fr="Projet programmé",
        published_at=timezone.now() + timedelta(seconds=1.5),
    )
    url = url_in("fr", name="portfolio:project_list")
    assert "Projet programmé" not in visitor.get(url).content.decode()
    assert "Projet programmé" not in visitor.get(url).content.decode()  # from the cache
    time.sleep(1.6)
    assert "Projet programmé" in visitor.get(url).content.decode()


def test_a_renewal_that_learnt_of_no_publication_does_not_hold_back_one_scheduled(
    content, visitor, settings
):
    """A renewal of the content token (a visitor's, or another editor's commit) that
    learnt the next publication before an editor's commit scheduled one, and wrote its
    token after that commit, does not hold the publication back: the project shows at
    its time, in French and English."""
    from core import pagecache

    settings.FRAGMENT_CACHE_ENABLED = True  # Their names token knows of the publication.
    later = timezone.now() + timedelta(hours=1)
    project = make_project(
        title_fr="Projet programmé", title_en="Scheduled project", published_at=later
    )
    titles = {"fr": "Projet programmé", "en": "Scheduled project"}
    urls = {language: url_in(language, name="portfolio:project_list") for language in titles}
    visitor.get(urls["fr"])  # The token renewed learns when the project goes public...
    assert pagecache.current_state().valid_until == later
    pagecache._store_state(pagecache.ContentState(uuid.uuid4().hex))  # ...this one did not.
    for language, url in urls.items():
        assert titles[language] not in visitor.get(url).content.decode()
        assert titles[language] not in visitor.get(url).content.decode()  # from the cache
    its_time_comes(project, later)

    for language, url in urls.items():
        assert titles[language] in visitor.get(url).content.decode(), language


def scheduled_meanwhile(monkeypatch, later):
    """Have an editor's commit schedule a project for ``later`` just after the next renewal
    of the content token learns when the next publication falls (from the database, which
    does not know of it yet), and before that renewal writes its token; return the list
    that then holds the project."""
    from core import pagecache

    learn = pagecache._next_change
    scheduled = []

    def learnt_then_scheduled():
        moment = learn()
        if not scheduled:
            scheduled.append(
                make_project(
                    title_fr="Projet programmé", title_en="Scheduled project", published_at=later
                )
            )
            pagecache.renew()  # As its commit does (which the test's transaction never runs).
        return moment

    monkeypatch.setattr(pagecache, "_next_change", learnt_then_scheduled)
    return scheduled


def test_a_visitors_renewal_crossing_the_commit_that_schedules_a_project_holds_nothing_back(
    content, visitor, settings, monkeypatch
):
    """Without the fragments too: a visitor's renewal of the content token that learnt when
    the next publication falls just before an editor's commit scheduled one, and would
    write its token after that commit's, does not hold the publication back: the project
    shows at its time, in French and English."""
    from core import pagecache

    settings.FRAGMENT_CACHE_ENABLED = False
    titles = {"fr": "Projet programmé", "en": "Scheduled project"}
    urls = {language: url_in(language, name="portfolio:project_list") for language in titles}
    for url in urls.values():
        visitor.get(url)
    pagecache._store_state(pagecache.ContentState(uuid.uuid4().hex, valid_until=timezone.now()))
    later = timezone.now() + timedelta(hours=1)
    scheduled = scheduled_meanwhile(monkeypatch, later)
    for language, url in urls.items():
        assert titles[language] not in visitor.get(url).content.decode()
        assert titles[language] not in visitor.get(url).content.decode()  # from the cache
    assert scheduled, "the renewal learnt nothing"
    assert pagecache.current_state().valid_until == later
    its_time_comes(scheduled[0], later)

    for language, url in urls.items():
        assert titles[language] in visitor.get(url).content.decode(), language


def test_an_editors_renewal_crossing_another_commit_that_schedules_a_project_keeps_its_time(
    content, settings, monkeypatch
):
    """Without the fragments too: the renewal that follows an editor's commit, which learnt
    when the next publication falls just before another editor's commit scheduled one,
    and would write its token after that commit's renewal, keeps the publication's time."""
    from core import pagecache

    settings.FRAGMENT_CACHE_ENABLED = False
    later = timezone.now() + timedelta(hours=1)
    scheduled = scheduled_meanwhile(monkeypatch, later)

    renewed = pagecache.renew()

    assert scheduled, "the renewal learnt nothing"
    assert pagecache.current_state().valid_until == later
    assert renewed.token == pagecache.current_state().token


def test_staff_never_get_a_cached_page(content, visitor, editor_client):
    project, _partner, _region = content
    url = url_in("fr", project)
    assert "L’eau au village" in visitor.get(url).content.decode()
    # A change the site is not told of: the anonymous visitors' copy stays as it was...
    sql_update(project, "Titre changé sans signal")
    assert "L’eau au village" in visitor.get(url).content.decode()
    # ...but staff always see the page as it is now, and nobody keeps their copy.
    response = editor_client.get(url)
    assert "Titre changé sans signal" in response.content.decode()
    assert response["Cache-Control"] == "private, no-cache"
    # What staff saw was not stored for the public either.
    assert "L’eau au village" in visitor.get(url).content.decode()


def test_posts_are_never_served_from_the_cache(content, visitor):
    project, _partner, _region = content
    url = url_in("fr", project)
    visitor.get(url)
    assert visitor.post(url).status_code == 405


def test_the_cache_can_be_turned_off(content, visitor, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False
    project, _partner, _region = content
    url = url_in("fr", project)
    visitor.get(url)
    with pytest.raises(pytest.fail.Exception):
        with django_assert_max_num_queries(2):
            visitor.get(url)
    # Still a validator, so a conditional request costs no transfer.
    etag = visitor.get(url)["ETag"]
    assert visitor.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_clear_page_cache_command_renders_every_page_anew(content, visitor):
    from django.core.management import call_command

    project, _partner, _region = content
    url = url_in("fr", project)
    visitor.get(url)
    sql_update(project, "Titre corrigé à la main")
    assert "Titre corrigé à la main" not in visitor.get(url).content.decode()
    call_command("clear_page_cache", verbosity=0)
    assert "Titre corrigé à la main" in visitor.get(url).content.decode()


def test_bulk_writes_outside_the_admin_show_on_the_next_request(content, visitor):
    project, partner, region = content
    pages = [url_in("fr", project), url_in("fr", partner), url_in("fr", region)]
    for url in pages:
        visitor.get(url)
    Partner.objects.filter(pk=partner.pk).update(name_fr="Partenaire renommé")
    assert "Partenaire renommé" in visitor.get(url_in("fr", partner)).content.decode()
    Region.objects.filter(pk=region.pk).update(name_fr="Inde renommée")
    assert "Inde renommée" in visitor.get(url_in("fr", region)).content.decode()
    other = make_partner(name_fr="Bailleur ajouté")
    project.partners.add(other, through_defaults={"role": "funding"})
    assert "Bailleur ajouté" in visitor.get(url_in("fr", project)).content.decode()


def test_unknown_query_parameters_are_rendered_but_never_kept(content, visitor, settings):
    settings.FRAGMENT_CACHE_ENABLED = False  # A rendering then costs queries; a hit does not.
    url = url_in("fr", name="portfolio:project_list")
    for address in (f"{url}?utm_source=newsletter", f"{url}?status=active"):
        visitor.get(address)
        with CaptureQueriesContext(connection) as queries:
            response = visitor.get(address)
        assert response.status_code == 200 and "public" in response["Cache-Control"]
        kept = len(queries) <= 2
        assert kept == ("utm_source" not in address), (address, len(queries))


def test_a_page_keeps_its_own_headers_when_served_from_the_cache(content, visitor):
    first = visitor.get("/sitemap.xml")
    again = visitor.get("/sitemap.xml")
    assert first["X-Robots-Tag"] and again["X-Robots-Tag"] == first["X-Robots-Tag"]
    assert again["Content-Type"] == first["Content-Type"]


def test_clearing_renews_the_fragments_tokens_before_the_page_token(monkeypatch):
    """A page drawn between the two renewals, from fragments kept before, is then kept
    under a page token that the second renewal puts out of date."""
    from core import fragments, pagecache

    done = []
    renew_editorial, renew = fragments.renew_editorial, pagecache.renew
    monkeypatch.setattr(
        fragments, "renew_editorial", lambda: (done.append("fragments"), renew_editorial())
    )
    monkeypatch.setattr(pagecache, "renew", lambda: (done.append("page"), renew())[1])

    pagecache.clear()

    assert done == ["fragments", "page"]
