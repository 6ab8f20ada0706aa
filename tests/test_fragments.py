"""Fragments of public pages: kept across funding changes, never across editors' changes.

Each test changes a title behind the site's back (SQL, no signal) to see which fragments
were kept: a kept fragment still shows the old title.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from core import fragments
from donations.models import Gift, Sponsorship
from portfolio.models import Project
from tests.factories import make_partner, make_project, make_region, make_sponsorship

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fragments_on(settings):
    # As with Redis: the tokens live in the shared cache. The page cache is off, so every
    # request renders its page, from fragments where they are good.
    settings.PAGE_CACHE_ENABLED = False
    settings.PAGE_CACHE_STATE = "cache"
    settings.FRAGMENT_CACHE_ENABLED = True


@pytest.fixture
def projects():
    region = make_region(name_fr="Inde", name_en="India", country="IN")
    partner = make_partner(name_fr="Partenaire du Bengale")
    funded = make_project(
        title_fr="L’eau au village",
        title_en="Water in the village",
        regions=[region],
        partners=[partner],
        funding_goal=Decimal("1000"),
    )
    other = make_project(
        title_fr="L’école des filles",
        title_en="The girls' school",
        regions=[region],
        partners=[partner],
        funding_goal=Decimal("2000"),
    )
    return funded, other, region, partner


def sql_title(project, title):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Project._meta.db_table} SET title_fr = %s WHERE id = %s",  # noqa: S608
            [title, project.pk],
        )


def pages(funded, other, region, partner):
    with translation.override("fr"):
        return {
            "home": reverse("portfolio:home"),
            "list": reverse("portfolio:project_list"),
            "search": reverse("portfolio:project_list") + "?q=inde",
            "region": region.get_absolute_url(),
            "partner": partner.get_absolute_url(),
            "project": other.get_absolute_url(),
        }


def gift(project, amount):
    pledge = make_sponsorship(project, confirmed=True, amount=Decimal(amount))
    return Gift.objects.create(
        sponsorship=pledge, amount=Decimal(amount), received_on="2026-11-02", method="cheque"
    )


def test_a_gift_renders_its_project_anew_and_keeps_the_other_fragments(projects):
    funded, other, *_ = projects
    visitor = Client()
    urls = pages(*projects)
    for url in urls.values():
        assert "L’école des filles" in visitor.get(url).content.decode()
    sql_title(other, "Titre changé sans signal")

    gift(funded, "250")

    for name, url in urls.items():
        html = visitor.get(url).content.decode()
        # The other project's card and page were kept: nothing told the site of the title.
        assert "L’école des filles" in html, name
        assert "Titre changé sans signal" not in html, name
        if name != "project":
            assert "250\xa0$" in html, name  # the funded project's card, rendered anew
    funded_page = visitor.get(funded.get_absolute_url()).content.decode()
    assert 'data-figure="raised">250\xa0$<' in funded_page
    with translation.override("en"):
        english = visitor.get(funded.get_absolute_url()).content.decode()
    assert 'data-figure="raised">$250<' in english


def test_a_regions_change_renders_what_shows_its_name_anew(projects):
    _funded, other, region, _partner = projects
    visitor = Client()
    urls = pages(*projects)
    for url in urls.values():
        visitor.get(url)
    sql_title(other, "Titre changé sans signal")
    region.name_fr = "Inde du Nord"
    region.save()
    for name, url in urls.items():
        html = visitor.get(url).content.decode()
        assert "Inde du Nord" in html, name
        # The cards are kept: they name their regions by slot, filled in as shown; so is
        # a project's own content, which names none (its page top is drawn anew from it).
        assert "Titre changé sans signal" not in html, name


def test_a_fragment_kept_across_the_catalogue_goes_with_the_editorial_ones_it_uses():
    def next_request():
        # As a request ends (what it kept is written) and the next starts (the tokens are
        # read from the cache again).
        fragments._end_request()
        fragments._forget_token()

    fragments._forget_token()
    computed = []

    def inner():
        computed.append("inner")
        return len(computed)

    def across(name, compute):
        return fragments.memo(name, (), compute, across_catalogue=True)

    def outer():
        return ("outer", fragments.memo("inner", (), inner))

    def alone():
        computed.append("alone")
        return "alone"

    for _ in range(2):
        assert across("outer", outer) == ("outer", 1)
        assert across("alone", alone) == "alone"
    assert computed == ["inner", "alone"]

    fragments.invalidate_catalogue([999_999])
    next_request()
    assert across("outer", outer) == ("outer", 3)
    assert across("alone", alone) == "alone"
    assert computed == ["inner", "alone", "inner"]

    fragments.invalidate_editorial()
    next_request()
    assert across("alone", alone) == "alone"
    assert computed == ["inner", "alone", "inner", "alone"]


def test_bulk_writes_of_gifts_and_pledges_move_their_projects_figures(projects):
    funded, _other, *_ = projects
    visitor = Client()
    url = pages(*projects)["list"]
    first = gift(funded, "100")
    assert "100\xa0$" in visitor.get(url).content.decode()
    Gift.objects.filter(pk=first.pk).update(amount=Decimal("300"))
    assert "300\xa0$" in visitor.get(url).content.decode()
    Gift.objects.filter(sponsorship__project=funded).delete()
    assert "300\xa0$" not in visitor.get(url).content.decode()
    Sponsorship.objects.filter(project=funded).update(amount=Decimal("40"))
    assert "40\xa0$" in visitor.get(url).content.decode()  # pledged, not yet received


def test_a_page_rendered_after_a_gift_reads_only_that_projects_figures(projects):
    funded, _other, *_ = projects
    visitor = Client()
    url = pages(*projects)["list"]
    visitor.get(url)
    gift(funded, "50")
    with CaptureQueriesContext(connection) as queries:
        assert visitor.get(url).status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    # The funding of the one project given to, nothing else.
    assert len(sql) == 1, sql
    assert "donations_sponsorship" in sql[0]


def test_staff_never_get_fragments(projects, editor_client):
    _funded, other, *_ = projects
    visitor = Client()
    url = pages(*projects)["list"]
    visitor.get(url)
    sql_title(other, "Titre changé sans signal")
    assert "Titre changé sans signal" not in visitor.get(url).content.decode()
    assert "Titre changé sans signal" in editor_client.get(url).content.decode()


def test_an_evicted_funding_version_never_brings_an_old_fragment_back(projects):
    funded, _other, *_ = projects
    visitor = Client()
    url = pages(*projects)["list"]
    visitor.get(url)
    gift(funded, "75")
    assert "75\xa0$" in visitor.get(url).content.decode()
    # The cache drops the funding version (memory pressure): a new one is made, so the
    # card kept under the old version is not found again, and the figures stay right.
    from django.core.cache import cache

    cache.delete(f"{fragments.FUNDING_KEY_PREFIX}{funded.pk}")
    assert "75\xa0$" in visitor.get(url).content.decode()


def test_without_a_shared_cache_fragments_are_off(projects, settings):
    settings.PAGE_CACHE_STATE = "database"
    _funded, other, *_ = projects
    visitor = Client()
    url = pages(*projects)["list"]
    visitor.get(url)
    sql_title(other, "Titre changé sans signal")
    assert "Titre changé sans signal" in visitor.get(url).content.decode()


def test_a_region_page_rendered_after_a_gift_reads_only_that_projects_figures(projects):
    funded, _other, region, _partner = projects
    subregion = make_region(name_fr="Bengale occidental", name_en="West Bengal", parent=region)
    visitor = Client()
    urls = {}
    for language in ("fr", "en"):
        with translation.override(language):
            urls[language] = (region.get_absolute_url(), subregion.get_absolute_url())
    for language, addresses in urls.items():
        for url in addresses:
            with translation.override(language):
                assert visitor.get(url).status_code == 200
    gift(funded, "50")
    for language, (url, sub_url) in urls.items():
        with translation.override(language), CaptureQueriesContext(connection) as queries:
            page = visitor.get(url).content.decode()
            sub_page = visitor.get(sub_url).content.decode()
        # The region and its place among the regions are kept: only the figures are read.
        assert len(queries) == 1, [query["sql"] for query in queries]
        assert "donations_sponsorship" in queries[0]["sql"]
        assert ("Inde" if language == "fr" else "India") in page
        assert ("Inde" if language == "fr" else "India") in sub_page  # its parent
    # Another language's slug still leads to the region's own address.
    with translation.override("en"):
        response = visitor.get(urls["fr"][0].replace("/fr/", "/en/", 1))
    assert response.status_code == 301
    assert response["Location"] == urls["en"][0]


def test_the_kept_header_marks_the_current_page_and_leads_to_its_other_language(projects):
    funded, other, region, _partner = projects
    visitor = Client()
    with translation.override("fr"):
        lists = [reverse("portfolio:project_list"), reverse("partners:partner_list")]
        pages_fr = [funded.get_absolute_url(), other.get_absolute_url(), region.get_absolute_url()]
    with translation.override("en"):
        pages_en = [funded.get_absolute_url(), other.get_absolute_url(), region.get_absolute_url()]
    for _visit in range(2):  # Then from the kept header.
        for fr, en in zip(pages_fr, pages_en, strict=True):
            html = visitor.get(fr).content.decode()
            switcher = html[html.index('class="language-switcher"') :]
            assert f'href="{en}"' in switcher[: switcher.index("</nav>")], fr
            assert 'aria-current="page"' not in html[: html.index("</header>")]
        for url in lists:
            html = visitor.get(url).content.decode()
            header = html[: html.index("</header>")]
            assert f'<a href="{url}" aria-current="page">' in header
        searched = visitor.get(lists[0] + "?q=eau").content.decode()
        switcher = searched[searched.index('class="language-switcher"') :]
        assert "?q=eau" in switcher[: switcher.index("</nav>")]


def count_cache_reads(monkeypatch) -> list[tuple[str, tuple]]:
    """Return a list that each round trip to the cache from now on adds to, as
    ``(method, arguments)``: a cache may read many keys one by one, which counts once;
    with Redis, fragments read as stored (``get_many_raw``) count too."""
    from django.core.cache import cache

    reads, inside = [], []
    client = getattr(cache, "client", None)
    readers = [(cache, "get"), (cache, "get_many")]
    if hasattr(client, "get_many_raw"):
        readers.append((client, "get_many_raw"))
    for owner, method in readers:
        real = getattr(owner, method)

        def counted(*args, real=real, method=method, **kwargs):
            if not inside:
                reads.append((method, args))
            inside.append(method)
            try:
                return real(*args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(owner, method, counted)
    return reads


def test_a_page_asked_again_reads_what_it_shows_in_one_round_trip(projects, monkeypatch):
    """What the latest request for an address read is read at once by the next one."""
    visitor = Client()
    urls = pages(*projects)
    for url in urls.values():
        visitor.get(url)
        visitor.get(url)
    reads = count_cache_reads(monkeypatch)
    sql_title(projects[1], "Titre changé sans signal")
    for name, url in urls.items():
        reads.clear()
        assert "L’école des filles" in visitor.get(url).content.decode(), name  # kept
        methods = [method for method, _args in reads]
        assert methods in (["get_many"], ["get_many_raw"]), (name, methods)
    # A page that shows no fragment reads nothing.
    for _visit in range(2):
        reads.clear()
        assert visitor.get("/robots.txt").status_code == 200
    assert reads == []


def test_a_page_served_as_stored_reads_no_fragment(projects, settings, monkeypatch):
    """A page the page cache serves reads what it stored, in one round trip, and none of
    the fragments the last request that drew it read (they are read only to draw it)."""
    settings.PAGE_CACHE_ENABLED = True
    visitor = Client()
    url = pages(*projects)["list"]
    drawn = visitor.get(url)
    reads = count_cache_reads(monkeypatch)
    served = visitor.get(url)
    assert served.content == drawn.content
    # The stored page and the content's state, together.
    assert [method for method, _args in reads] == ["get_many"], reads
    # Drawn again after a change: what it read last time is read at once.
    gift(projects[0], "10")
    reads.clear()
    assert visitor.get(url).status_code == 200
    assert any(
        method != "get" and len(args[0]) > 2 and fragments.EDITORIAL_KEY in args[0]
        for method, args in reads
    ), reads


def test_a_kept_list_validates_its_filters_once_and_shows_their_changes(projects, monkeypatch):
    from portfolio import forms

    funded, _other, region, _partner = projects
    built = []
    real_init = forms.ProjectFilterForm.__init__

    def counting(self, *args, **kwargs):
        built.append(args)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(forms.ProjectFilterForm, "__init__", counting)
    visitor = Client()
    with translation.override("fr"):
        url = reverse("portfolio:project_list") + f"?region={region.slug}&status=active"
    first = visitor.get(url).content.decode()
    assert "L’école des filles" in first and len(built) == 1
    gift(funded, "250")
    again = visitor.get(url).content.decode()
    assert "250\xa0$" in again and "L’école des filles" in again
    assert len(built) == 1  # Drawn again from what was kept: no form built.
    # A region renamed changes the slugs the list reads: the filters are read anew.
    region.name_fr = "Inde du Nord"
    region.slug_fr = "inde-du-nord"
    region.save()
    assert visitor.get(url).status_code == 200
    assert len(built) == 2
    with translation.override("fr"):
        moved = reverse("portfolio:project_list") + "?region=inde-du-nord&status=active"
    assert "L’école des filles" in visitor.get(moved).content.decode()


def test_a_request_reads_back_what_it_wrote_over_what_it_read():
    from django.core.cache import cache
    from django.core.signals import request_finished, request_started

    cache.set("kept", "avant")
    request_started.send(sender=None)
    assert fragments.get_many(["kept"]) == {"kept": "avant"}
    fragments.set_many({"kept": "après"})
    assert fragments.get_many(["kept"]) == {"kept": "après"}
    request_finished.send(sender=None)
    assert cache.get("kept") == "après"


def test_a_request_renewing_every_token_asks_once_when_the_next_publication_falls(projects):
    from django.core.cache import cache
    from django.utils import timezone

    from core import pagecache
    from portfolio.signal_handlers import _next_publication_sql

    funded, *_ = projects
    soon = make_project(title_fr="Bientôt", published_at=timezone.now() + timedelta(days=3))
    client = Client()
    with translation.override("fr"):
        url = funded.get_absolute_url()
    assert client.get(url).status_code == 200
    pagecache.invalidate()  # Every token renewed: the next request learns when each falls.

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200

    asked = [q for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    sql = _next_publication_sql().split(" WHERE ")[0]
    assert len([q for q in asked if q["sql"].startswith(sql)]) == 1
    # Each token it renewed (the page reads these) is good until that publication.
    for key in (fragments.EDITORIAL_KEY, fragments.NAMES_KEY, fragments.REGIONS_KEY):
        assert cache.get(key).valid_until == soon.published_at, key


def test_a_token_renewed_after_an_editor_schedules_a_publication_is_good_until_it(
    projects, django_capture_on_commit_callbacks
):
    """A request that learnt when the next publication falls (none), then renews a token
    after an editor scheduled one, gives it no longer than until that publication."""
    from django.core.cache import cache
    from django.test import RequestFactory
    from django.utils import timezone

    from core import pagecache

    fragments._forget_token()
    fragments.serve_request(RequestFactory().get("/fr/"), public=True)
    pagecache.invalidate()  # Every token renewed: the next request renews the editorial one.
    pagecache.state_in_cache(pagecache.STATE_KEY)  # The request learns: none is scheduled.
    with django_capture_on_commit_callbacks(execute=True):
        soon = make_project(title_fr="Bientôt", published_at=timezone.now() + timedelta(days=3))

    fragments.names_token()
    fragments.regions_token()
    fragments._end_request()

    for key in (fragments.EDITORIAL_KEY, fragments.NAMES_KEY, fragments.REGIONS_KEY):
        assert cache.get(key).valid_until == soon.published_at, key


def next_publication_asked(queries) -> int:
    from portfolio.signal_handlers import _next_publication_sql

    sql = _next_publication_sql().split(" WHERE ")[0]
    return len([q for q in queries.captured_queries if q["sql"].startswith(sql)])


def test_the_tokens_an_editors_commit_renews_learn_once_when_the_next_publication_falls(
    projects, django_capture_on_commit_callbacks
):
    """Hiding a partner renews the page's, the editorial and the names tokens at the
    commit, one after the other: one query tells them all when the next publication
    falls, and each is good until it."""
    from django.core.cache import cache
    from django.db import transaction
    from django.utils import timezone

    from core import pagecache

    *_, partner = projects
    soon = make_project(title_fr="Bientôt", published_at=timezone.now() + timedelta(days=3))
    with CaptureQueriesContext(connection) as queries:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with transaction.atomic():
                partner.is_public = False
                partner.save()

    assert len(callbacks) >= 3  # Several renewals at the commit…
    assert next_publication_asked(queries) == 1  # … and one question.
    for key in (pagecache.STATE_KEY, fragments.EDITORIAL_KEY, fragments.NAMES_KEY):
        assert cache.get(key).valid_until == soon.published_at, key


def test_a_publication_scheduled_while_a_commit_renews_the_tokens_is_learnt_again(
    projects, django_capture_on_commit_callbacks
):
    """A callback at the same commit schedules a publication after the renewals learnt
    there was none: the renewals its save asks for learn it."""
    from django.core.cache import cache
    from django.db import transaction
    from django.utils import timezone

    from core import pagecache

    *_, partner = projects
    scheduled = []
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            partner.is_public = False
            partner.save()
            moment = timezone.now() + timedelta(days=3)
            transaction.on_commit(
                lambda: scheduled.append(make_project(title_fr="Bientôt", published_at=moment))
            )

    assert scheduled
    assert cache.get(pagecache.STATE_KEY).valid_until == moment


def test_without_fragments_a_renewal_crossed_by_another_commit_learns_its_publication(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    """Pages kept in the cache without fragments: the commit's renewal of the page token
    finds it renewed meanwhile by another commit, which scheduled a publication; its next
    attempt learns that publication."""
    from django.core.cache import cache
    from django.db import transaction
    from django.utils import timezone

    from core import commits, pagecache

    settings.FRAGMENT_CACHE_ENABLED = False
    draft = make_project(title_fr="Bientôt", is_published=False)
    moment = timezone.now() + timedelta(days=3)
    replaced = fragments.replaced
    crossed = []

    def crossed_once(key, found, state):
        if not crossed:  # Another commit schedules a publication and renews the token.
            with connection.cursor() as cursor:  # Written out, as by another connection.
                cursor.execute(
                    f"UPDATE {Project._meta.db_table} SET is_published = %s, "  # noqa: S608
                    "published_at = %s WHERE id = %s",
                    [True, moment, draft.pk],
                )
            crossed.append(draft)
            cache.set(key, pagecache.ContentState("theirs", valid_until=moment), None)
        return replaced(key, found, state)

    monkeypatch.setattr(fragments, "replaced", crossed_once)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            commits.on_commit(pagecache.new_state)  # A renewal before: none is scheduled.
            commits.on_commit(pagecache.renew)

    assert crossed
    state = cache.get(pagecache.STATE_KEY)
    assert state.token != "theirs"
    assert state.valid_until == moment


def test_what_a_commits_callbacks_learnt_is_learnt_again_once_public_content_changes(
    django_capture_on_commit_callbacks,
):
    from django.db import transaction
    from django.utils import timezone

    from core import commits

    learnt, seen = [], []

    def learn():
        learnt.append(timezone.now())
        return len(learnt)

    def ask():
        seen.append(commits.learnt_once("question", learn))

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            commits.on_commit(ask)
            commits.on_commit(ask)
            # Another app's callback, between two of these, saves a project.
            transaction.on_commit(lambda: make_project(title_fr="Au passage"))
            commits.on_commit(ask)
            commits.on_commit(ask)
    ask()  # Outside the callbacks: learnt anew.
    ask()

    assert seen == [1, 1, 2, 2, 3, 4]


def test_outside_a_commit_every_token_made_learns_when_the_next_publication_falls(projects):
    from django.utils import timezone

    from core import pagecache

    assert pagecache.new_state().valid_until is None
    moment = timezone.now() + timedelta(days=3)
    make_project(title_fr="Bientôt", published_at=moment)
    with CaptureQueriesContext(connection) as queries:
        assert pagecache.new_state().valid_until == moment
        assert pagecache.new_state().valid_until == moment
    assert next_publication_asked(queries) == 2


def test_a_change_of_some_parts_must_name_them():
    # Logged with no part, a change would be left out by every reader.
    with pytest.raises(ValueError, match="names them"):
        fragments.CATALOGUE_CHANGES.note([1], parts=())


@pytest.mark.parametrize(
    "kept_under",
    [
        {},
        {"across_catalogue": True},
        {"across_catalogue": True, "no_partners": True},
        {"across_catalogue": True, "no_partners": True, "no_names": True},
    ],
)
def test_a_fragments_key_is_the_digest_of_its_token_language_site_and_values(kept_under):
    """Keys stay as a release before made them (it serves during a deploy): the digest of
    the token it is kept under, the language, the site and the values it varies on."""
    import hashlib

    vary = (7, "l’été", None, ("card", "abc"), 2.5)
    with translation.override("en"):
        key = fragments.fragment_key("part", *vary, **kept_under)
        if kept_under.get("no_names"):
            token = ("counts", fragments.counts_token())
        elif kept_under.get("no_partners"):
            token = ("regions", fragments.regions_token())
        elif kept_under:
            token = ("names", fragments.names_token())
        else:
            token = fragments.editorial_token()
        written = repr((token, "en", None, *vary)).encode()
    digest = hashlib.blake2b(written, digest_size=20).hexdigest()
    assert key == f"{fragments.FRAGMENT_KEY_PREFIX}part:{digest}"
