"""A donor pledges, confirms by email, finance records the money, the project page moves."""

import re
from decimal import Decimal

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import translation

from donations.models import Gift, Sponsorship
from tests.factories import make_project, make_suggested_amount, pledge_form_data

pytestmark = pytest.mark.django_db


def pledge_url(project, language="fr"):
    with translation.override(language):
        return reverse("donations:pledge", kwargs={"slug": project.slug})


def project_url(project, language="fr"):
    with translation.override(language):
        return project.get_absolute_url()


def confirmation_path(message) -> str:
    url = re.search(r"https?://\S+/(?:fr|en)/\S+/", message.body).group(0)
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture
def project(db):
    project = make_project(funding_goal=Decimal("1000"))
    make_suggested_amount(project, "25", impact_fr="les fournitures d’une fille")
    make_suggested_amount(project, "100", impact_fr="un mois de suivi")
    return project


def submit(client, project, language="fr", **fields):
    return client.post(pledge_url(project, language), pledge_form_data(**fields))


def test_whole_flow_from_pledge_to_progress_on_the_project_page(
    client, project, django_capture_on_commit_callbacks, finance_user
):
    page = client.get(project_url(project))
    assert page.status_code == 200
    html = page.content.decode()
    # The project page offers the amounts as links; the form lives on the pledge page.
    assert f'{pledge_url(project)}?amount=25.00"' in html and "les fournitures d’une fille" in html
    assert "csrfmiddlewaretoken" not in html
    assert 'value="0"' in html  # the progress bar starts empty
    form_page = client.get(f"{pledge_url(project)}?amount=100.00").content.decode()
    assert re.search(r'<input[^>]*value="100.00"[^>]*checked', form_page)

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            client, project, amount_choice="100.00", other_amount="", show_name_publicly="on"
        )
    assert response.status_code == 302
    sponsorship = Sponsorship.objects.get()
    assert sponsorship.amount == Decimal("100.00")
    assert sponsorship.status == Sponsorship.Status.PENDING
    assert sponsorship.language == "fr"

    thanks = client.get(response["Location"])
    assert sponsorship.reference in thanks.content.decode()
    assert re.fullmatch(r"SP-\d{4}-\d{6}", sponsorship.reference)

    # Unconfirmed: it counts nowhere public.
    html = client.get(project_url(project)).content.decode()
    assert "Marie Curie" not in html
    assert 'data-figure="supporters">0<' in html

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["marie@example.org"]
    assert sponsorship.reference in message.subject
    assert "Confirmez" in message.subject
    html_body = message.alternatives[0][0]
    path = confirmation_path(message)
    assert path in html_body

    # Opening the link only asks; the button confirms.
    asked = client.get(path)
    assert asked.status_code == 200
    assert "Confirmer ma promesse de don" in asked.content.decode()
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.PENDING

    confirmed = client.post(path)
    assert confirmed.status_code == 200
    assert "est confirmé" in confirmed.content.decode()
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.CONFIRMED

    again = client.get(path)
    assert again.status_code == 200
    assert "déjà confirmé" in again.content.decode()

    html = client.get(project_url(project)).content.decode()
    assert 'data-figure="pledged">100\xa0$<' in html
    assert 'data-figure="supporters">1<' in html
    assert "Marie Curie" in html
    assert "marie@example.org" not in html
    assert 'value="0"' in html  # pledged, but nothing raised yet

    client.force_login(finance_user)
    admin_response = client.post(
        reverse("admin:donations_sponsorship_changelist"),
        {
            "action": "record_gift",
            "_selected_action": [sponsorship.pk],
            "apply": "1",
            "received_on": "2026-03-02",
            "method": "cheque",
            "reference": "CHQ 1042",
        },
    )
    assert admin_response.status_code == 302
    gift = Gift.objects.get()
    assert gift.amount == Decimal("100.00") and gift.recorded_by == finance_user
    client.logout()

    html = client.get(project_url(project)).content.decode()
    assert 'data-figure="raised">100\xa0$<' in html
    assert 'data-figure="pledged">0\xa0$<' in html
    assert 'value="10"' in html  # 100 of 1000


def test_english_donor_gets_english_pages_and_email(
    client, project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, project, language="en", other_amount="12.50")
    assert response["Location"].startswith("/en/")
    sponsorship = Sponsorship.objects.get()
    assert sponsorship.language == "en"
    assert sponsorship.amount == Decimal("12.50")
    message = mail.outbox[0]
    assert message.subject.startswith("Confirm your pledge")
    assert "$12.50" in message.body
    assert message.extra_headers["Content-Language"] == "en"
    path = confirmation_path(message)
    assert path.startswith("/en/")
    assert "Confirm my pledge" in client.get(path).content.decode()
    assert "is confirmed" in client.post(path).content.decode()


def test_french_decimal_comma_is_understood(client, project):
    submit(client, project, other_amount="12,50")
    assert Sponsorship.objects.get().amount == Decimal("12.50")


def test_expired_link_gets_a_clear_page_and_confirms_nothing(client, project, settings):
    submit(client, project)
    sponsorship = Sponsorship.objects.get()
    token = sponsorship.confirmation_token()
    settings.PLEDGE_CONFIRMATION_MAX_AGE = -1
    response = client.get(reverse("donations:confirm", kwargs={"token": token}))
    assert response.status_code == 410
    assert "expiré" in response.content.decode()
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.PENDING


def test_expired_link_of_a_confirmed_pledge_says_it_is_confirmed(client, project, settings):
    """Told "not confirmed, pledge again", a donor who did confirm would pledge twice."""
    submit(client, project)
    sponsorship = Sponsorship.objects.get()
    token = sponsorship.confirmation_token()
    client.post(reverse("donations:confirm", kwargs={"token": token}))
    settings.PLEDGE_CONFIRMATION_MAX_AGE = -1
    response = client.get(reverse("donations:confirm", kwargs={"token": token}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "déjà confirmé" in html and "expiré" not in html


def test_expired_link_of_a_deleted_pledge_says_it_expired(client, project, settings):
    submit(client, project)
    sponsorship = Sponsorship.objects.get()
    token = sponsorship.confirmation_token()
    sponsorship.delete()
    settings.PLEDGE_CONFIRMATION_MAX_AGE = -1
    response = client.get(reverse("donations:confirm", kwargs={"token": token}))
    assert response.status_code == 410


@pytest.mark.parametrize(
    "token",
    [
        "SP-2026-000001:1u5x3e:forged-signature",
        "nonsense",
        "a" * 500,
        "SP-2026-000001",
        "::::",
    ],
)
def test_forged_links_get_a_clear_page(client, project, token):
    submit(client, project)
    response = client.get(reverse("donations:confirm", kwargs={"token": token}))
    assert response.status_code == 404
    assert "ne peut pas confirmer" in response.content.decode()
    assert Sponsorship.objects.get().status == Sponsorship.Status.PENDING


def test_link_signed_for_another_purpose_is_refused(client, project):
    submit(client, project)
    reference = Sponsorship.objects.get().reference
    other = signing.TimestampSigner(salt="something.else").sign(reference)
    response = client.get(reverse("donations:confirm", kwargs={"token": other}))
    assert response.status_code == 404
    assert Sponsorship.objects.get().status == Sponsorship.Status.PENDING


def test_cancelled_pledge_cannot_be_confirmed(client, project):
    submit(client, project)
    sponsorship = Sponsorship.objects.get()
    sponsorship.cancel()
    response = client.get(
        reverse("donations:confirm", kwargs={"token": sponsorship.confirmation_token()})
    )
    assert response.status_code == 200
    assert "annulé" in response.content.decode()
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.CANCELLED


def test_pledge_page_stands_on_its_own_in_both_languages(client, project):
    for language, heading in (("fr", "Soutenir"), ("en", "Support")):
        response = client.get(pledge_url(project, language))
        assert response.status_code == 200
        html = response.content.decode()
        assert heading in html
        assert 'name="form_token"' in html and 'name="csrfmiddlewaretoken"' in html
        assert 'name="robots" content="noindex"' in html
    assert client.get(pledge_url(project)).headers["Cache-Control"].startswith("max-age=0")


def test_unpublished_project_takes_no_pledge(client):
    hidden = make_project(is_published=False)
    assert client.get(pledge_url(hidden)).status_code == 404
    assert client.post(pledge_url(hidden), pledge_form_data()).status_code == 404
    assert not Sponsorship.objects.exists()


def test_thanks_page_without_a_valid_reference_still_thanks(client):
    response = client.get(reverse("donations:thanks") + "?ref=forged")
    assert response.status_code == 200
    assert "SP-" not in response.content.decode()


def test_dedication_and_choices_are_recorded(client, project):
    submit(
        client,
        project,
        dedication_kind="memory",
        dedication_name="Grand-mère Rose",
        news_opt_in="on",
        public_message="Pour elles",
        frequency="monthly",
    )
    sponsorship = Sponsorship.objects.get()
    assert sponsorship.dedication_kind == "memory"
    assert sponsorship.dedication_name == "Grand-mère Rose"
    assert sponsorship.news_opt_in is True
    assert sponsorship.show_name_publicly is False
    assert sponsorship.frequency == "monthly"
    assert sponsorship.privacy_consent_at is not None


def test_anonymous_supporter_counts_but_is_never_named(client, project):
    submit(client, project, donor_name="Anonyme Discret", public_message="secret")
    sponsorship = Sponsorship.objects.get()
    sponsorship.confirm()
    html = client.get(project_url(project)).content.decode()
    assert 'data-figure="supporters">1<' in html
    assert "Anonyme Discret" not in html and "secret" not in html
    assert sponsorship.donor_email not in html


def test_pledge_pages_run_a_fixed_number_of_queries(client, project, django_assert_max_num_queries):
    from tests.factories import make_sponsorship

    for n in range(15):
        make_sponsorship(project, confirmed=True, show_name_publicly=n % 2 == 0)
    with django_assert_max_num_queries(8):
        assert client.get(pledge_url(project)).status_code == 200
    response = submit(client, project)
    with django_assert_max_num_queries(3):
        assert client.get(response["Location"]).status_code == 200
    token = Sponsorship.objects.get(donor_email="marie@example.org").confirmation_token()
    url = reverse("donations:confirm", kwargs={"token": token})
    with django_assert_max_num_queries(4):
        assert client.get(url).status_code == 200
    # The pledge, its lock, the confirmation and its history, the page cache's token.
    with django_assert_max_num_queries(10):
        assert client.post(url).status_code == 200


def test_error_summary_lists_each_error_with_a_link_to_its_field(client, project):
    response = submit(
        client, project, language="en", other_amount="abc", privacy_consent="", frequency="x"
    )
    response = client.get(response["Location"])
    html = response.content.decode()
    summary = html[
        html.index('class="error-summary"') : html.index(
            "</div>", html.index('class="error-summary"')
        )
    ]
    assert 'href="#id_other_amount"' in summary and "Enter a number." in summary
    assert 'href="#id_privacy_consent"' in summary
    assert 'href="#id_frequency_0"' in summary and 'id="id_frequency_0"' in html
    assert 'id="id_other_amount"' in html and 'id="id_privacy_consent"' in html


def test_error_summary_speaks_french_to_a_french_visitor(client, project):
    response = submit(client, project, other_amount="abc")
    html = client.get(response["Location"]).content.decode()
    assert "Autre montant (CAD) : Saisissez un nombre." in html


def test_pledge_page_with_the_other_languages_slug_redirects_to_the_right_one(client, demo):
    with translation.override("en"):
        english = reverse("donations:pledge", kwargs={"slug": demo.slug_en})
        wrong = reverse("donations:pledge", kwargs={"slug": demo.slug_fr})
    assert english != wrong
    response = client.get(wrong)
    assert response.status_code == 301
    assert response["Location"] == english
    assert client.get(english).status_code == 200


def confirm_url(sponsorship, language="fr"):
    with translation.override(language):
        return reverse("donations:confirm", kwargs={"token": sponsorship.confirmation_token()})


@pytest.mark.parametrize(
    ("language", "button"), [("fr", "Confirmer ma promesse de don"), ("en", "Confirm my pledge")]
)
def test_opening_the_link_asks_and_changes_nothing(client, project, language, button):
    """Mail scanners open links: only the page's button, a POST, may confirm."""
    submit(client, project, language=language)
    sponsorship = Sponsorship.objects.get()
    for _attempt in range(2):
        response = client.get(confirm_url(sponsorship, language))
        assert response.status_code == 200
        html = response.content.decode()
        assert f'<html lang="{language}"' in html
        assert re.search(r'<form method="post"[^>]*>\s*<input type="hidden" name="csrf', html)
        assert button in html and sponsorship.reference in html
        assert response.headers["Cache-Control"].startswith("max-age=0")
        client.head(confirm_url(sponsorship, language))
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.PENDING
    assert sponsorship.confirmed_at is None
    assert sponsorship.history.count() == 1  # created, never changed


def test_confirming_needs_the_pages_csrf_token(client, project):
    from django.test import Client

    submit(client, project)
    browser = Client(enforce_csrf_checks=True)
    sponsorship = Sponsorship.objects.get()
    url = confirm_url(sponsorship)
    assert browser.post(url).status_code == 403
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.PENDING
    page = browser.get(url).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert "est confirmé" in browser.post(url, {"csrfmiddlewaretoken": csrf}).content.decode()
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.CONFIRMED


def test_confirming_twice_is_harmless(client, project):
    submit(client, project)
    sponsorship = Sponsorship.objects.get()
    url = confirm_url(sponsorship)
    assert "est confirmé" in client.post(url).content.decode()
    sponsorship.refresh_from_db()
    confirmed_at, changes = sponsorship.confirmed_at, sponsorship.history.count()
    second = client.post(url)
    assert second.status_code == 200 and "déjà confirmé" in second.content.decode()
    sponsorship.refresh_from_db()
    assert sponsorship.confirmed_at == confirmed_at
    assert sponsorship.history.count() == changes


def test_posting_an_expired_or_forged_link_confirms_nothing(client, project, settings):
    submit(client, project)
    sponsorship = Sponsorship.objects.get()
    forged = reverse("donations:confirm", kwargs={"token": sponsorship.reference + ":x:y"})
    assert client.post(forged).status_code == 404
    settings.PLEDGE_CONFIRMATION_MAX_AGE = -1
    assert client.post(confirm_url(sponsorship)).status_code == 410
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.PENDING


def test_cancelled_pledge_is_not_confirmed_by_a_post(client, project):
    submit(client, project)
    sponsorship = Sponsorship.objects.get()
    sponsorship.cancel()
    assert "annulé" in client.post(confirm_url(sponsorship)).content.decode()
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.CANCELLED
