"""The donor's own page: a link by email, their pledges, receipts, details and data."""

import json
import re
import time
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from donations.donor_page import SESSION_KEY, link_token
from donations.models import ConsentChange, DataRequest, Donor, Sponsorship
from donations.receipts import issue_for_gift
from tests.factories import make_project, make_sponsorship

pytestmark = pytest.mark.django_db

SIGNATURE = django_settings.BASE_DIR / "donations" / "receipt_assets" / "demo-signature.png"
NEUTRAL_FR = "Si nous connaissons cette adresse"
NEUTRAL_EN = "If we know this address"


@pytest.fixture(autouse=True)
def charity(settings):
    settings.CHARITY_NAME = "Monde par la Main"
    settings.CHARITY_ADDRESS = "1234, rue Sainte-Catherine Ouest, Montréal (Québec) H3G 1P1"
    settings.CHARITY_REGISTRATION_NUMBER = "123456789RR0001"
    settings.RECEIPT_PLACE_OF_ISSUE = "Montréal (Québec)"
    settings.RECEIPT_SIGNATURE_IMAGE = str(SIGNATURE)
    settings.RECEIPT_SIGNATORY = "Camille Tremblay, trésorière"


def url(name, language="fr", **kwargs):
    with translation.override(language):
        return reverse(f"donations:{name}", kwargs=kwargs or None)


def addressed(donor, **fields):
    values = {
        "name": "Jeanne Mance",
        "street": "55, avenue des Pins",
        "city": "Montréal",
        "province": "QC",
        "postal_code": "H2W 1R7",
        "country": "Canada",
    } | fields
    for name, value in values.items():
        setattr(donor, name, value)
    donor.save()
    return donor


@pytest.fixture
def project(db):
    return make_project(funding_goal=Decimal("1000"))


@pytest.fixture
def monthly(project):
    pledge = make_sponsorship(
        project,
        confirmed=True,
        donor_email="jeanne@example.org",
        frequency=Sponsorship.Frequency.MONTHLY,
        amount=Decimal("100"),
        language="en",
    )
    addressed(pledge.donor, language="en")
    return pledge


@pytest.fixture
def donor(monthly):
    return Donor.objects.get(pk=monthly.donor_id)


@pytest.fixture
def other(project):
    pledge = make_sponsorship(
        project,
        confirmed=True,
        donor_email="autre@example.org",
        frequency=Sponsorship.Frequency.MONTHLY,
        amount=Decimal("40"),
    )
    addressed(pledge.donor, name="Paul Chomedey")
    return pledge


def signed_in(client, donor):
    response = client.post(url("donor_sign_in", token=link_token(donor)))
    assert response.status_code == 302
    return client


def link_path(message) -> str:
    found = re.search(r"https?://[^/\s]+(/(?:fr|en)/\S+/)", message.body)
    return found.group(1)


def test_link_request_answers_the_same_and_mails_only_known_donors(
    client, donor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(url("donor_request"), {"email": "nobody@example.org"})
    assert unknown.status_code == 200 and NEUTRAL_FR in unknown.content.decode()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url("donor_request"), {"email": "JEANNE@example.org"})
    assert known.status_code == 200 and NEUTRAL_FR in known.content.decode()
    (message,) = mail.outbox
    assert message.to == ["jeanne@example.org"]
    # The donor's language, not the page's.
    assert "Here is your link" in message.body and "/en/" in link_path(message)
    assert message.extra_headers["Content-Language"] == "en"


def test_link_request_page_is_private_and_linked_from_the_footer(client, project):
    page = client.get(url("donor_request", "en"))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in page.content.decode()
    with translation.override("fr"):
        project_page = project.get_absolute_url()
    home = client.get(project_page).content.decode()
    assert f'href="{url("donor_request")}"' in home


def test_link_request_is_rate_limited(client, donor, settings):
    settings.DONOR_LINK_RATE_PER_EMAIL = "2/h"
    for _ in range(2):
        assert client.post(url("donor_request"), {"email": donor.email}).status_code == 200
    assert client.post(url("donor_request"), {"email": donor.email}).status_code == 429


def test_opening_the_link_signs_nothing_in_only_its_post_does(client, donor):
    link = url("donor_sign_in", token=link_token(donor))
    page = client.get(link)
    assert page.status_code == 200
    assert SESSION_KEY not in client.session
    assert "sessionid" not in page.cookies
    assert client.get(url("donor_home")).status_code == 302

    response = client.post(link)
    assert response.status_code == 302
    # In the donor's own language.
    assert response["Location"].startswith(url("donor_home", "en"))
    assert client.session[SESSION_KEY] == donor.pk
    home = client.get(url("donor_home", "en"))
    assert home.status_code == 200
    assert monthly_reference(donor) in home.content.decode()


def monthly_reference(donor):
    return donor.sponsorships.get().reference


def test_expired_and_tampered_links_sign_nobody_in(client, donor, settings):
    token = link_token(donor)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert client.post(url("donor_sign_in", token=tampered)).status_code == 404
    other_id = token.replace(f"{donor.pk}.", f"{donor.pk + 1}.", 1)
    assert client.post(url("donor_sign_in", token=other_id)).status_code == 404
    settings.DONOR_LINK_MAX_AGE = 1
    time.sleep(2.1)
    assert client.post(url("donor_sign_in", token=token)).status_code == 404
    assert SESSION_KEY not in client.session


def test_a_link_stops_working_once_the_address_changed(client, donor):
    token = link_token(donor)
    donor.email = "new@example.org"
    donor.save()
    assert client.post(url("donor_sign_in", token=token)).status_code == 404


def test_donor_pages_are_private_and_not_indexed(client, donor):
    signed_in(client, donor)
    for name in ("donor_home", "donor_data", "donor_erase"):
        page = client.get(url(name))
        assert page.status_code == 200, name
        assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"], name
        assert "noindex" in page["X-Robots-Tag"], name
        assert '<meta name="robots" content="noindex">' in page.content.decode(), name


def test_sign_out_clears_the_session(client, donor):
    signed_in(client, donor)
    assert client.post(url("donor_sign_out")).status_code == 302
    assert SESSION_KEY not in client.session
    assert client.get(url("donor_home")).status_code == 302


def test_receipt_download_serves_only_the_donors_own(client, donor, monthly, other):
    mine = issue_for_gift(
        monthly.record_gift(amount=Decimal("100"), method="cheque", received_on=date(2026, 3, 1))
    )
    theirs = issue_for_gift(
        other.record_gift(amount=Decimal("40"), method="cheque", received_on=date(2026, 3, 1))
    )
    assert client.get(url("donor_receipt", pk=mine.pk)).status_code == 302  # not signed in
    signed_in(client, donor)
    assert (
        f'href="{url("donor_receipt", pk=mine.pk)}"'
        in client.get(url("donor_home")).content.decode()
    )
    pdf = client.get(url("donor_receipt", pk=mine.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "no-store" in pdf["Cache-Control"]
    assert client.get(url("donor_receipt", pk=theirs.pk)).status_code == 404


def figures(html):
    return re.search(r'data-figure="pledged">([^<]*)<', html).group(1)


def test_pause_resume_and_stop_move_the_public_figures(client, donor, monthly, project):
    visitor = Client()
    with translation.override("fr"):
        page = project.get_absolute_url()
    assert figures(visitor.get(page).content.decode()) == "100\xa0$"
    signed_in(client, donor)

    response = client.post(url("donor_pledge", pk=monthly.pk, action="pause"))
    assert response.status_code == 302
    monthly.refresh_from_db()
    assert monthly.paused_at is not None and monthly.status == "confirmed"
    assert figures(visitor.get(page).content.decode()) == "0\xa0$"
    assert "Pause pledge" not in client.get(url("donor_home", "en")).content.decode()

    client.post(url("donor_pledge", pk=monthly.pk, action="resume"))
    monthly.refresh_from_db()
    assert monthly.paused_at is None
    assert figures(visitor.get(page).content.decode()) == "100\xa0$"

    client.post(url("donor_pledge", pk=monthly.pk, action="stop"))
    monthly.refresh_from_db()
    assert monthly.status == Sponsorship.Status.CANCELLED
    assert figures(visitor.get(page).content.decode()) == "0\xa0$"


def test_actions_need_a_post(client, donor, monthly):
    signed_in(client, donor)
    assert client.get(url("donor_pledge", pk=monthly.pk, action="stop")).status_code == 405
    assert client.get(url("donor_consent")).status_code == 405
    monthly.refresh_from_db()
    assert monthly.status == Sponsorship.Status.CONFIRMED


def test_another_donors_objects_are_refused(client, donor, other):
    signed_in(client, donor)
    for action in ("pause", "stop"):
        assert client.post(url("donor_pledge", pk=other.pk, action=action)).status_code == 404
    other.refresh_from_db()
    assert other.status == Sponsorship.Status.CONFIRMED and other.paused_at is None
    assert "Paul Chomedey" not in client.get(url("donor_home")).content.decode()


def test_details_and_language_update(client, donor):
    signed_in(client, donor)
    response = client.post(
        url("donor_details", "en"),
        {
            "name": "Jeanne Mance",
            "street": "1, rue Saint-Paul",
            "city": "Québec",
            "province": "QC",
            "postal_code": "G1K 3V8",
            "country": "Canada",
            "language": "fr",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(url("donor_home", "fr"))
    donor.refresh_from_db()
    assert (donor.street, donor.city, donor.language) == ("1, rue Saint-Paul", "Québec", "fr")
    follow = client.get(response["Location"]).content.decode()
    assert "Vos coordonnées sont enregistrées." in follow


def test_details_errors_show_in_the_page_language_and_save_nothing(client, donor):
    signed_in(client, donor)
    response = client.post(url("donor_details", "fr"), {"name": "X", "language": "xx"})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    donor.refresh_from_db()
    assert donor.name == "Jeanne Mance" and donor.street == "55, avenue des Pins"


def test_news_consent_is_recorded(client, donor):
    signed_in(client, donor)
    client.post(url("donor_consent"), {"news_opt_in": "yes"})
    donor.refresh_from_db()
    assert donor.news_opt_in
    change = ConsentChange.objects.get(donor=donor)
    assert change.given and change.source == ConsentChange.Source.DONOR_PAGE
    # A value other than the box's own is no consent.
    client.post(url("donor_consent"), {"news_opt_in": "0"})
    donor.refresh_from_db()
    assert not donor.news_opt_in
    assert donor.consent_changes.count() == 2


def test_data_download_as_a_page_and_as_json(client, donor, monthly):
    signed_in(client, donor)
    page = client.get(url("donor_data", "fr"))
    html = page.content.decode()
    assert page.status_code == 200
    assert monthly.reference in html and "55, avenue des Pins" in html
    data = client.get(url("donor_data_json"))
    assert data["Content-Type"] == "application/json"
    assert "attachment" in data["Content-Disposition"]
    exported = json.loads(data.content)
    assert exported["sponsorships"][0]["reference"] == monthly.reference
    assert exported["donor_records"][0]["name"] == "Jeanne Mance"
    assert DataRequest.objects.filter(kind="export", via="donor page").count() == 2


def test_erasure_asks_first_then_erases_and_signs_out(client, donor, monthly):
    signed_in(client, donor)
    assert client.post(url("donor_erase"), {}).status_code == 400
    donor.refresh_from_db()
    assert not donor.is_erased
    response = client.post(url("donor_erase"), {"confirm": "yes"})
    assert response.status_code == 302
    donor.refresh_from_db()
    monthly.refresh_from_db()
    assert donor.is_erased and donor.email == "" and monthly.donor_email == ""
    assert DataRequest.objects.get(kind="erasure").via == "donor page"
    assert SESSION_KEY not in client.session
    assert client.get(url("donor_home")).status_code == 302
