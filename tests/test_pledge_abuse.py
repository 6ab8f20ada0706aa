"""Bots, double clicks and floods: nothing stored that should not be, nothing lost that should."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from donations.models import Sponsorship
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
    assert "SP-" in html  # looks like a real reference
    assert not Sponsorship.objects.exists()
    assert mail.outbox == []


def test_too_fast_submission_gets_the_thank_you_page_and_nothing_is_stored(
    client, project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(pledge_url(project), pledge_form_data(seconds_ago=0.5))
    assert "Merci pour votre promesse de don" in thanks_page(client, response)
    assert not Sponsorship.objects.exists()
    assert mail.outbox == []


def test_bot_and_person_thank_you_pages_look_alike(client, project):
    bot = thanks_page(client, client.post(pledge_url(project), pledge_form_data(website="x")))
    person = thanks_page(client, client.post(pledge_url(project), pledge_form_data()))
    assert Sponsorship.objects.count() == 1
    strip = Sponsorship.objects.get().reference
    assert bot.replace("SP-", "").count("<p") == person.replace(strip, "").count("<p")


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
    assert first["Location"] == second["Location"]
    assert len(mail.outbox) == 1


def test_double_submit_never_changes_the_stored_pledge(client, project):
    data = pledge_form_data()
    client.post(pledge_url(project), data)
    client.post(pledge_url(project), data | {"other_amount": "999", "donor_name": "Someone"})
    sponsorship = Sponsorship.objects.get()
    assert sponsorship.donor_name == "Marie Curie"
    assert str(sponsorship.amount) == "40.00"


def test_one_form_served_to_two_people_makes_two_pledges(client, project):
    """A page kept by a cache hands the same form to several visitors."""
    data = pledge_form_data()
    client.post(pledge_url(project), data)
    client.post(pledge_url(project), data | {"email": "other@example.org"})
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
        response = client.post(pledge_url(project), pledge_form_data(other_amount="abc"))
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
