"""Field updates emailed to supporters who asked for news: once each, in their language."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from donations.donor_rights import erase_donor_data, export_donor_data
from donations.models import ConsentChange, Donor, Sponsorship
from news.models import Delivery, OptOut
from news.sending import send_news, unsubscribe_token

from .factories import make_project, make_sponsorship, make_update, uploaded_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return make_project(title_fr="Écoles du delta", title_en="Delta schools")


def supporter(project, email, language="fr", **fields):
    """A pledge that asked for news, confirmed by the donor (their consent counts then)."""
    pledge = make_sponsorship(
        project, donor_email=email, language=language, news_opt_in=True, **fields
    )
    assert pledge.confirm()
    return pledge


def unsubscribe_url(message) -> str:
    return re.search(r"<([^>]+)>", message.extra_headers["List-Unsubscribe"]).group(1)


def test_publishing_an_update_emails_each_supporter_once_in_their_language(project):
    supporter(project, "camille@example.org", "fr")
    supporter(project, "sam@example.org", "en")
    make_update(project, title_fr="Puits terminé", title_en="Well finished")

    assert send_news()["sent"] == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"camille@example.org", "sam@example.org"}
    french, english = by_address["camille@example.org"], by_address["sam@example.org"]
    assert "Puits terminé" in french.subject and "Écoles du delta" in french.subject
    assert "Well finished" in english.subject and "Delta schools" in english.subject
    assert "Texte de la nouvelle." in french.body
    assert "Text of the update." in english.body
    assert french.extra_headers["Content-Language"] == "fr"
    html, mimetype = english.alternatives[0]
    assert mimetype == "text/html" and "Well finished" in html and 'lang="en"' in html
    # Each carries its one-click unsubscribe (RFC 8058).
    assert english.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url(english) in english.body

    # Sending again sends nothing new.
    mail.outbox.clear()
    assert send_news()["sent"] == 0
    call_command("send_news")
    assert mail.outbox == []
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 2


def test_nobody_else_is_emailed(project):
    other_project = make_project()
    supporter(other_project, "elsewhere@example.org")
    make_sponsorship(project, confirmed=True, donor_email="quiet@example.org", news_opt_in=False)
    make_sponsorship(project, confirmed=False, donor_email="pending@example.org", news_opt_in=True)
    supporter(project, "erased@example.org")
    erase_donor_data("erased@example.org")
    supporter(
        project,
        "donor@example.org",
        dedication_kind=Sponsorship.Dedication.HONOUR,
        dedication_name="Grand-maman Louise",
    )
    make_update(project)

    send_news()
    assert [message.to for message in mail.outbox] == [["donor@example.org"]]
    assert "Louise" not in mail.outbox[0].body


def test_one_person_with_several_spellings_and_pledges_gets_one_email(project):
    supporter(project, "Ana.Silva@gmail.com", "fr")
    supporter(project, "anasilva+ong@gmail.com", "en")
    make_update(project)
    send_news()
    assert len(mail.outbox) == 1


def test_drafts_scheduled_and_old_updates_are_not_sent(project, settings):
    supporter(project, "camille@example.org")
    make_update(project, is_published=False)
    make_update(project, published_at=timezone.now() + timedelta(days=2))
    make_update(
        project, published_at=timezone.now() - timedelta(days=settings.NEWS_MAX_AGE_DAYS + 1)
    )
    assert send_news()["sent"] == 0
    assert mail.outbox == []


def test_the_photo_travels_inline(project, media_root):
    supporter(project, "camille@example.org")
    update = make_update(project, image_alt_fr="Le puits", image_alt_en="The well")
    update.image.save("well.jpg", uploaded_image(size=(600, 400)))
    send_news()
    [message] = mail.outbox
    html, _mimetype = message.alternatives[0]
    assert 'src="cid:photo"' in html and 'alt="Le puits"' in html
    raw = message.message().as_string()
    assert "Content-ID: <photo>" in raw and "image/jpeg" in raw


def test_a_failed_send_is_tried_again_and_then_sent_once(project, settings):
    supporter(project, "camille@example.org")
    make_update(project)
    settings.EMAIL_BACKEND = "tests.test_news.BrokenBackend"
    assert send_news() == {"failed": 1}
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and "refused" in delivery.error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_news() == {"sent": 1}
    assert send_news() == {}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)


def test_an_email_whose_outcome_is_unknown_is_not_sent_again(project):
    supporter(project, "camille@example.org")
    update = make_update(project)
    # A run that stopped while sending: the email may have left.
    Delivery.objects.create(
        update=update, mailbox="camille@example.org", email="camille@example.org", language="fr"
    )
    assert send_news() == {}
    assert mail.outbox == []


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("Connection refused by the mail server")


class TestUnsubscribe:
    def test_one_click_post_unsubscribes_at_once(self, project, client):
        supporter(project, "camille@example.org")
        other = supporter(make_project(), "Camille@Example.org")
        make_update(project)
        send_news()
        url = unsubscribe_url(mail.outbox[0])

        response = client.post(url, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 204
        assert not Sponsorship.objects.filter(news_opt_in=True).exists()
        other.refresh_from_db()
        assert other.news_opt_in is False
        assert OptOut.objects.get().source == OptOut.Source.ONE_CLICK
        # The donor's consent is withdrawn, and the history says how.
        assert not Donor.objects.filter(news_opt_in=True).exists()
        withdrawn = ConsentChange.objects.get(given=False)
        assert withdrawn.source == ConsentChange.Source.EMAIL_LINK

        mail.outbox.clear()
        make_update(project)
        send_news()
        assert mail.outbox == []

    def test_opening_the_link_asks_and_the_button_unsubscribes(self, project, client):
        supporter(project, "camille@example.org")
        with translation.override("fr"):
            url = reverse("news:unsubscribe", args=[unsubscribe_token("camille@example.org")])
        response = client.get(url)
        assert response.status_code == 200
        assert "Se désabonner" in response.content.decode()
        assert Sponsorship.objects.filter(news_opt_in=True).exists()
        assert not response.cookies

        response = client.post(url)
        assert response.status_code == 200
        assert "Vous êtes désabonné" in response.content.decode()
        assert not Sponsorship.objects.filter(news_opt_in=True).exists()
        assert OptOut.objects.get().source == OptOut.Source.PAGE

    def test_a_changed_link_says_so_in_the_visitors_language(self, client):
        with translation.override("en"):
            url = reverse("news:unsubscribe", args=["not-a-token"])
        response = client.get(url)
        assert response.status_code == 404
        assert "This link cannot unsubscribe" in response.content.decode()
        assert client.post(url).status_code == 404


def test_the_donors_export_and_erasure_cover_the_news(project):
    supporter(project, "camille@example.org")
    make_update(project, title_fr="Puits terminé")
    send_news()
    exported = export_donor_data("camille@example.org")
    assert [row["update"] for row in exported["news_emails"]] == ["Puits terminé"]

    OptOut.objects.create(mailbox="camille@example.org", source=OptOut.Source.PAGE)
    erase_donor_data("camille@example.org")
    assert not Delivery.objects.exists()
    assert not OptOut.objects.exists()


def test_only_finance_reads_the_log(project, client, editor, finance_user):
    url = reverse("admin:news_delivery_changelist")
    client.force_login(editor)
    assert client.get(url).status_code == 403
    client.force_login(finance_user)
    response = client.get(url)
    assert response.status_code == 200
    assert "camille@example.org" not in response.content.decode()  # Nothing sent yet.
    supporter(project, "camille@example.org")
    make_update(project)
    send_news()
    assert "camille@example.org" in client.get(url).content.decode()


def test_the_updates_rich_text_is_sanitised_in_html_and_plain_in_text(project):
    supporter(project, "camille@example.org")
    update = make_update(project)
    update.text_fr = "<p>Le puits &amp; la <strong>pompe</strong></p><script>alert(1)</script>"
    update.save()
    send_news()
    [message] = mail.outbox
    html, _mimetype = message.alternatives[0]
    assert "<strong>pompe</strong>" in html and "<script" not in html
    assert "Le puits & la pompe" in message.body and "<" not in message.body.split("\n")[3]
