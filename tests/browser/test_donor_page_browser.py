"""A donor asks for their link, signs in from the email, downloads a receipt, stops a pledge."""

import re
from datetime import date
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from donations.donor_page import link_token
from donations.models import Sponsorship
from donations.receipts import issue_for_gift
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_accessibility import audit
from tests.factories import make_sponsorship

SIGNATURE = django_settings.BASE_DIR / "donations" / "receipt_assets" / "demo-signature.png"

TEXTS = {
    "fr": {
        "email": "Votre adresse courriel",
        "ask": "M’envoyer un lien",
        "sent": "Si nous connaissons cette adresse",
        "sign_in": "Me connecter",
        "home": "Votre page de donateur",
        "stop": "Arrêter l’engagement",
        "stopped": "est arrêté",
        "before": "100\xa0$",
        "after": "0\xa0$",
    },
    "en": {
        "email": "Your email address",
        "ask": "Email me a link",
        "sent": "If we know this address",
        "sign_in": "Sign in",
        "home": "Your donor page",
        "stop": "Stop pledge",
        "stopped": "is stopped",
        "before": "$100",
        "after": "$0",
    },
}


@pytest.fixture(autouse=True)
def charity(settings):
    settings.CHARITY_NAME = "Monde par la Main"
    settings.CHARITY_ADDRESS = "1234, rue Sainte-Catherine Ouest, Montréal (Québec) H3G 1P1"
    settings.CHARITY_REGISTRATION_NUMBER = "123456789RR0001"
    settings.RECEIPT_PLACE_OF_ISSUE = "Montréal (Québec)"
    settings.RECEIPT_SIGNATURE_IMAGE = str(SIGNATURE)
    settings.RECEIPT_SIGNATORY = "Camille Tremblay, trésorière"


def donor_with_pledges(project, language):
    once = make_sponsorship(
        project, confirmed=True, donor_email="jeanne@example.org", language=language
    )
    donor = once.donor
    for name, value in {
        "name": "Jeanne Mance",
        "street": "55, avenue des Pins",
        "city": "Montréal",
        "province": "QC",
        "postal_code": "H2W 1R7",
        "country": "Canada",
        "language": language,
    }.items():
        setattr(donor, name, value)
    donor.save()
    gift = once.record_gift(amount=Decimal("50"), method="cheque", received_on=date(2026, 3, 2))
    receipt = issue_for_gift(gift)
    monthly = make_sponsorship(
        project,
        confirmed=True,
        donor_email="jeanne@example.org",
        frequency=Sponsorship.Frequency.MONTHLY,
        amount=Decimal("100"),
        language=language,
    )
    return donor, receipt, monthly


@pytest.mark.parametrize("language", ["fr", "en"])
def test_sign_in_download_a_receipt_and_stop_a_pledge(site, page, demo, settings, language):
    settings.SITE_URL = site.url
    demo.funding_goal = Decimal("1000")
    demo.save()
    _donor, receipt, monthly = donor_with_pledges(demo, language)
    mail.outbox.clear()  # the receipt's own email
    text = TEXTS[language]
    with translation.override(language):
        project_url = site.url + demo.get_absolute_url()
        request_url = site.url + reverse("donations:donor_request")

    page.goto(project_url)
    expect(page.locator("[data-figure=pledged]")).to_have_text(text["before"])

    page.goto(request_url)
    page.get_by_label(text["email"]).fill("jeanne@example.org")
    page.get_by_role("button", name=text["ask"]).click()
    expect(page.locator("main")).to_contain_text(text["sent"])
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/(?:sign-in|connexion)/\S+/", mail.outbox[0].body).group(0)

    page.goto(link)  # opening the link asks, and signs nobody in
    expect(page.get_by_role("heading", level=1)).not_to_have_text(text["home"])
    page.get_by_role("button", name=text["sign_in"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["home"])
    expect(page.locator("main")).to_contain_text(monthly.reference)

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(receipt.serial)).click()
    assert download.value.suggested_filename == receipt.filename()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    page.get_by_role("button", name=f"{text['stop']} {monthly.reference}").click()
    expect(page.locator(".donor-messages")).to_contain_text(text["stopped"])
    monthly.refresh_from_db()
    assert monthly.status == Sponsorship.Status.CANCELLED

    page.goto(project_url)
    expect(page.locator("[data-figure=pledged]")).to_have_text(text["after"])


@pytest.fixture(scope="module")
def axe():
    return Axe()


def sign_in_browser(page, site, donor, language):
    with translation.override(language):
        page.goto(
            site.url + reverse("donations:donor_sign_in", kwargs={"token": link_token(donor)})
        )
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".donor-pledges")).to_be_visible()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_donor_pages_have_no_accessibility_violation(
    axe, page, site, demo, settings, language, viewport
):
    page.set_viewport_size(DESKTOP if viewport == "desktop" else PHONE)
    donor, _receipt, monthly = donor_with_pledges(demo, language)
    with translation.override(language):
        request_url = site.url + reverse("donations:donor_request")
        sign_in_url = site.url + reverse(
            "donations:donor_sign_in", kwargs={"token": link_token(donor)}
        )
    assert audit(axe, page, request_url) == []
    assert audit(axe, page, sign_in_url) == []
    sign_in_browser(page, site, donor, language)
    with translation.override(language):
        urls = [
            site.url + reverse(name)
            for name in ("donations:donor_home", "donations:donor_data", "donations:donor_erase")
        ]
    for url in urls:
        assert audit(axe, page, url) == [], url
    # A page with messages and a paused pledge.
    page.goto(urls[0])
    page.locator(f"form[action$='/{monthly.pk}/pause/'] button").click()
    results = axe.run(page)
    assert results.response["violations"] == []
