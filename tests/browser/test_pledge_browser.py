"""A donor pledges from the project page, confirms by email; finance records the gift."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from donations.models import Gift, Sponsorship
from tests.browser.conftest import log_in_to_admin, make_finance_user

PASSWORD = "correct-horse-battery"

TEXTS = {
    "fr": {
        "impact": "les fournitures scolaires d’une fille",
        "name": "Votre nom",
        "email": "Votre adresse courriel",
        "consent": "J’ai lu l’avis de confidentialité",
        "send": "Envoyer ma promesse de don",
        "thanks": "Merci pour votre promesse de don",
        "confirm": "Confirmer ma promesse de don",
        "confirmed": "Promesse de don confirmée",
        "raised": "25 $",
    },
    "en": {
        "impact": "school supplies for a girl",
        "name": "Your name",
        "email": "Your email address",
        "consent": "I have read the privacy notice",
        "send": "Send my pledge",
        "thanks": "Thank you for your pledge",
        "confirm": "Confirm my pledge",
        "confirmed": "Pledge confirmed",
        "raised": "$25",
    },
}


@pytest.fixture
def finance(db, django_user_model):
    """A Finance account with the permissions its data migration grants (rebuilt here:
    live-server tests start from an emptied database)."""
    user = make_finance_user(django_user_model, "finance", "finance@example.org", PASSWORD)
    # Finance logs in with an authenticator app (its code is computed in the test).
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


@pytest.mark.parametrize("language", ["fr", "en"])
def test_pledge_confirm_and_record_a_gift(site, page, demo, finance, settings, language):
    settings.SITE_URL = site.url
    settings.PLEDGE_MIN_FILL_SECONDS = 1
    call_command("load_demo_pledges", verbosity=0)
    demo.funding_goal = Decimal("1000")
    demo.save()
    text = TEXTS[language]
    with translation.override(language):
        project_url = site.url + demo.get_absolute_url()

    page.goto(project_url)
    progress = page.locator("#funding-progress")
    expect(progress).to_have_attribute("value", "0")

    page.get_by_text(text["impact"]).click()
    page.get_by_label(text["name"]).fill("Ada Lovelace")
    page.get_by_label(text["email"]).fill("ada@example.org")
    page.get_by_label(text["consent"]).check()
    page.wait_for_timeout(1100)  # a person takes longer than the minimum fill time
    page.get_by_role("button", name=text["send"]).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(text["thanks"])
    sponsorship = Sponsorship.objects.get()
    expect(page.locator(".pledge-reference")).to_contain_text(sponsorship.reference)
    assert sponsorship.language == language and sponsorship.amount == Decimal("25")

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/confirm(?:er)?/\S+/", mail.outbox[0].body)
    page.goto(link.group(0))  # opening the link asks, and changes nothing
    expect(page.locator("main")).to_contain_text(sponsorship.reference)
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.PENDING
    page.get_by_role("button", name=text["confirm"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["confirmed"])
    expect(page.locator("main")).to_contain_text(sponsorship.reference)

    # Finance records the cheque in the admin.
    log_in_to_admin(page, site, "finance", PASSWORD, finance.totpdevice_set.get())
    page.goto(site.url + reverse("admin:donations_sponsorship_changelist"))
    page.locator(f"tr:has-text('{sponsorship.reference}') input.action-select").check()
    page.select_option("select[name=action]", "record_gift")
    page.click("button[name=index]")
    # The date input starts with today's date, whatever the admin's language.
    expect(page.locator("input[name=received_on]")).not_to_have_value("")
    page.fill("input[name=received_on]", "2026-03-02")
    page.select_option("select[name=method]", "cheque")
    page.click("input[type=submit].default")
    expect(page.locator(".messagelist")).to_be_visible()
    assert Gift.objects.get().amount == Decimal("25")

    page.goto(project_url)
    expect(progress).to_have_attribute("value", "2")  # 25 of 1000
    expect(page.locator("[data-figure=raised]")).to_have_text(
        re.compile(text["raised"].replace("$", r"\$").replace(" ", r"\s"))
    )
    expect(page.locator("[data-figure=supporters]")).to_have_text("1")
