"""Bots, double clicks and floods: nothing stored that should not be, nothing lost that should."""

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core import mail, signing
from django.urls import reverse
from django.utils import translation

from donations.models import Sponsorship
from donations.views import THANKS_SALT
from tests.factories import make_project, pledge_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(db):
    return make_project()


def pledge_url(project, language="fr"):
    with translation.override(language):
        return reverse("donations:pledge", kwargs={"slug": project.slug})


def thanks_page(client, response):
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def test_honeypot_gets_the_thank_you_page_and_nothing_is_stored(
    client, project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(pledge_url(project), pledge_form_data(website="http://spam"))
    html = thanks_page(client, response)
    assert "Merci pour votre promesse de don" in html
    assert not Sponsorship.objects.exists()
    assert mail.outbox == []


def test_bot_answer_reveals_no_reference(client, project):
    """A reference on the bot's page would be the next real donor's, and tell the count."""
    client.post(pledge_url(project), pledge_form_data())
    real = Sponsorship.objects.get().reference
    bot = thanks_page(client, client.post(pledge_url(project), pledge_form_data(website="x")))
    assert "SP-" not in bot and real.rsplit("-", 1)[1] not in bot
    assert "pledge-reference" not in bot
    client.post(pledge_url(project), pledge_form_data(email="next@example.org"))
    assert Sponsorship.objects.count() == 2


def test_too_fast_submission_gets_the_form_back_to_send_again(
    client, project, settings, django_capture_on_commit_callbacks
):
    """Autofill can beat the fill-time check: a person is asked to check and send again."""
    settings.PLEDGE_MIN_FILL_SECONDS = 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(pledge_url(project), pledge_form_data(seconds_ago=0.2), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vérifiez ce que vous avez saisi, puis envoyez de nouveau le formulaire" in html
    assert 'value="Marie Curie"' in html and 'value="marie@example.org"' in html
    assert "SP-" not in html
    assert not Sponsorship.objects.exists()
    assert mail.outbox == []

    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    time.sleep(1.1)  # the person reads it over
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(pledge_url(project), pledge_form_data(form_token=token))
    assert again.status_code == 302
    assert Sponsorship.objects.count() == 1 and len(mail.outbox) == 1


def test_too_fast_again_is_asked_again(client, project, settings):
    settings.PLEDGE_MIN_FILL_SECONDS = 30
    html = client.post(
        pledge_url(project), pledge_form_data(seconds_ago=1), follow=True
    ).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    response = client.post(pledge_url(project), pledge_form_data(form_token=token), follow=True)
    assert response.status_code == 200 and 'name="form_token"' in response.content.decode()
    assert not Sponsorship.objects.exists()


@pytest.mark.parametrize("token", ["", "forged", "a:b:c"])
def test_missing_or_forged_form_token_asks_again_and_stores_nothing(client, project, token):
    response = client.post(pledge_url(project), pledge_form_data(form_token=token))
    assert response.status_code == 400
    html = response.content.decode()
    assert "resté ouvert trop longtemps" in html
    assert 'value="Marie Curie"' in html  # what was typed is kept
    assert not Sponsorship.objects.exists()


def test_double_submit_makes_one_sponsorship_and_one_email(
    client, project, django_capture_on_commit_callbacks
):
    data = pledge_form_data()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(pledge_url(project), data)
        second = client.post(pledge_url(project), data)
    assert Sponsorship.objects.count() == 1
    # Both lead to the same pledge's thank-you page (the signature is dated to the
    # second, so the addresses themselves may differ).
    assert thanked_reference(first) == thanked_reference(second)
    assert thanked_reference(first) == Sponsorship.objects.get().reference
    assert len(mail.outbox) == 1


def thanked_reference(response) -> str:
    """Return the pledge reference that a redirect to the thank-you page carries."""
    address = urlsplit(response["Location"])
    with translation.override("fr"):
        assert address.path == reverse("donations:thanks")
    (token,) = parse_qs(address.query)["ref"]
    return signing.loads(token, salt=THANKS_SALT)


def test_double_submit_never_changes_the_stored_pledge(client, project):
    data = pledge_form_data()
    client.post(pledge_url(project), data)
    client.post(pledge_url(project), data | {"other_amount": "999", "donor_name": "Someone"})
    sponsorship = Sponsorship.objects.get()
    assert sponsorship.donor_name == "Marie Curie"
    assert str(sponsorship.amount) == "40.00"


def test_one_form_sent_with_another_address_is_timed_again(client, project, settings):
    """One form token, many addresses: without this, one wait of 3 s covers a day of pledges."""
    settings.PLEDGE_MIN_FILL_SECONDS = 1
    data = pledge_form_data()
    assert client.post(pledge_url(project), data).status_code == 302
    response = client.post(pledge_url(project), data | {"email": "other@example.org"}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ce formulaire a déjà été envoyé" in html
    assert 'value="other@example.org"' in html
    assert Sponsorship.objects.count() == 1
    # Sent at once with the fresh token, it is too fast; after a while, it is a pledge.
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    other = data | {"email": "other@example.org", "form_token": token}
    assert client.post(pledge_url(project), other, follow=True).status_code == 200
    time.sleep(1.1)
    assert client.post(pledge_url(project), other).status_code == 302
    assert Sponsorship.objects.count() == 2
    third = other | {"email": "third@example.org"}
    assert client.post(pledge_url(project), third, follow=True).status_code == 200
    assert Sponsorship.objects.count() == 2


def test_rate_limit_per_ip_answers_429(client, project, settings):
    settings.PLEDGE_RATE_PER_IP = "3/h"
    for n in range(3):
        response = client.post(pledge_url(project), pledge_form_data(email=f"p{n}@example.org"))
        assert response.status_code == 302
    response = client.post(pledge_url(project), pledge_form_data(email="p9@example.org"))
    assert response.status_code == 429
    assert "Trop de promesses de don" in response.content.decode()
    assert response["Retry-After"] == "3600"
    assert Sponsorship.objects.count() == 3


def test_rate_limit_per_email_answers_429_in_the_visitors_language(client, project, settings):
    settings.PLEDGE_RATE_PER_EMAIL = "2/h"
    for _n in range(2):
        client.post(pledge_url(project, "en"), pledge_form_data(email="Same@Example.org"))
    response = client.post(
        pledge_url(project, "en"),
        pledge_form_data(email="same@example.org"),
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 429
    assert "Too many pledges" in response.content.decode()
    assert Sponsorship.objects.count() == 2


def test_mistakes_do_not_use_up_the_email_limit(client, project, settings):
    """The email limit guards an inbox; a form sent back with errors sends no email."""
    settings.PLEDGE_RATE_PER_EMAIL = "2/h"
    for _n in range(3):
        response = client.post(
            pledge_url(project), pledge_form_data(other_amount="abc"), follow=True
        )
        assert response.status_code == 200
    response = client.post(pledge_url(project), pledge_form_data())
    assert response.status_code == 302
    assert Sponsorship.objects.count() == 1


def test_resending_the_same_form_does_not_use_up_the_email_limit(client, project, settings):
    settings.PLEDGE_RATE_PER_EMAIL = "1/h"
    data = pledge_form_data()
    first, second = client.post(pledge_url(project), data), client.post(pledge_url(project), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]


@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the in-memory SQLite test database fails concurrent writers at once "
    "('table is locked') instead of making them wait; PostgreSQL shows the real race",
)
def test_concurrent_double_submit_is_one_sponsorship(transactional_db, client):
    """Two requests with the same form at the same moment (threads, own connections)."""
    project = make_project()
    data = pledge_form_data()
    url = pledge_url(project)

    def send(_):
        from django.db import connection
        from django.test import Client

        try:
            return Client().post(url, data).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = list(pool.map(send, range(2)))
    assert codes == [302, 302]
    assert Sponsorship.objects.count() == 1


@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="how the embedded SQLite default copes with two requests writing at once",
)
def test_two_requests_writing_at_once_on_sqlite_wait_their_turn(tmp_path, django_db_blocker):
    """Each request is a transaction (ATOMIC_REQUESTS) that reads, then writes.

    With SQLite's default deferred transactions the second writer cannot wait for the
    first (it already holds a read lock) and fails at once with "database is locked": a
    500 for one of two donors pledging at the same moment.
    """
    from django.db import connection, connections, transaction

    alias = "sqlite_file"
    connections.settings[alias] = {**connection.settings_dict, "NAME": str(tmp_path / "db")}
    both_read = threading.Barrier(2)
    errors = []

    def request(n):
        try:
            with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pledge")
                try:
                    both_read.wait(timeout=1)
                except threading.BrokenBarrierError:
                    pass  # the other one waits for its turn to begin: what we want
                cursor.execute("INSERT INTO pledge VALUES (%s)", [n])
                time.sleep(0.2)
        except Exception as error:  # the failure is what is measured
            errors.append(error)
        finally:
            connections[alias].close()

    try:
        with django_db_blocker.unblock():
            with connections[alias].cursor() as cursor:
                cursor.execute("CREATE TABLE pledge (n integer)")
            connections[alias].close()
            threads = [threading.Thread(target=request, args=(n,)) for n in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pledge")
                stored = cursor.fetchone()[0]
            connections[alias].close()
    finally:
        del connections.settings[alias]
    assert errors == []
    assert stored == 2


@pytest.mark.parametrize("value", ["0", "off", "no", "non", "false", "False", "", " ", "yes!"])
def test_only_a_ticked_box_gives_consent(client, project, value):
    response = client.post(
        pledge_url(project), pledge_form_data(privacy_consent=value), follow=True
    )
    assert response.status_code == 200
    assert "Nous ne pouvons enregistrer votre promesse de don qu’avec votre consentement" in (
        response.content.decode()
    )
    assert not Sponsorship.objects.exists()


@pytest.mark.parametrize("value", ["on", "true", "1", "ON"])
def test_a_ticked_box_gives_consent(client, project, value):
    response = client.post(pledge_url(project), pledge_form_data(privacy_consent=value))
    assert response.status_code == 302
    assert Sponsorship.objects.get().privacy_consent_at is not None


def test_news_and_public_name_need_a_ticked_box_too(client, project):
    client.post(pledge_url(project), pledge_form_data(news_opt_in="0", show_name_publicly="off"))
    sponsorship = Sponsorship.objects.get()
    assert sponsorship.news_opt_in is False and sponsorship.show_name_publicly is False


@pytest.mark.parametrize(
    "variants",
    [
        ["marie.curie@gmail.com", "Marie.Curie+dons@gmail.com", "mariecurie@googlemail.com"],
        ["m.a.r.i.e+1@GMAIL.com", "marie+2@gmail.com", "MARIE@GoogleMail.Com"],
        ["marie+a@example.org", "Marie+b@Example.ORG", "marie@example.org"],
        ["marie@exämple.org", "marie+x@xn--exmple-cua.org", "MARIE@EXÄMPLE.ORG"],
        # The same domain, its "ä" composed and decomposed (NFC and NFD).
        ["marie@ex\u00e4mple.org", "marie@exa\u0308mple.org", "marie+z@ex\u00e4mple.org"],
    ],
)
def test_per_email_limit_counts_spellings_of_one_mailbox_as_one(
    client, project, settings, variants
):
    settings.PLEDGE_RATE_PER_EMAIL = "2/h"
    first, second, third = variants
    for address in (first, second):
        assert client.post(pledge_url(project), pledge_form_data(email=address)).status_code == 302
    response = client.post(pledge_url(project), pledge_form_data(email=third))
    assert response.status_code == 429
    assert Sponsorship.objects.count() == 2
    # Emails go to the address as typed.
    assert {s.donor_email for s in Sponsorship.objects.all()} == {first, second}


def test_dots_count_only_where_the_domain_ignores_them(client, project, settings):
    settings.PLEDGE_RATE_PER_EMAIL = "1/h"
    for address in ("marie.curie@example.org", "mariecurie@example.org"):
        assert client.post(pledge_url(project), pledge_form_data(email=address)).status_code == 302


@pytest.mark.parametrize(
    "address",
    ["marie@localhost", "marie@[127.0.0.1]", "marie@intranet", "marie@127.0.0.1", "a@[IPv6:::1]"],
)
def test_addresses_off_the_internet_are_refused_clearly(client, project, address):
    response = client.post(pledge_url(project), pledge_form_data(email=address), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Donnez une adresse sur un domaine public" in html
    assert not Sponsorship.objects.exists()
    english = client.post(pledge_url(project, "en"), pledge_form_data(email=address), follow=True)
    assert "Give an address on a public domain" in english.content.decode()
