"""Official donation receipts: what they say, their serials, corrections and who sees them."""

import io
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from donations.models import Donor, Gift, Receipt, ReceiptCounter
from donations.receipt_pdf import WORDING, render_receipt
from donations.receipts import (
    ReceiptError,
    cancel_and_replace,
    issue_annual,
    issue_for_gift,
    mark_spoiled,
)
from tests.factories import make_project, make_sponsorship

pytestmark = pytest.mark.django_db

SIGNATURE = django_settings.BASE_DIR / "donations" / "receipt_assets" / "demo-signature.png"


@pytest.fixture(autouse=True)
def charity(settings):
    settings.CHARITY_NAME = "Monde par la Main"
    settings.CHARITY_ADDRESS = "1234, rue Sainte-Catherine Ouest, Montréal (Québec) H3G 1P1"
    settings.CHARITY_REGISTRATION_NUMBER = "123456789RR0001"
    settings.RECEIPT_PLACE_OF_ISSUE = "Montréal (Québec)"
    settings.RECEIPT_SIGNATURE_IMAGE = str(SIGNATURE)
    settings.RECEIPT_SIGNATORY = "Camille Tremblay, trésorière"


def addressed(donor: Donor, **fields) -> Donor:
    values = {
        "name": "Jeanne Mance",
        "street": "55, avenue des Pins",
        "city": "Montréal",
        "province": "QC",
        "postal_code": "h2w 1r7",
        "country": "Canada",
    } | fields
    for name, value in values.items():
        setattr(donor, name, value)
    donor.save()
    return donor


@pytest.fixture
def gift(db):
    sponsorship = make_sponsorship(make_project(), confirmed=True, donor_email="jeanne@example.org")
    addressed(sponsorship.donor)
    return sponsorship.record_gift(
        amount=Decimal("150.00"),
        advantage=Decimal("25.00"),
        method="cheque",
        received_on=date(2026, 3, 14),
    )


def pdf_text(receipt: Receipt) -> str:
    reader = PdfReader(io.BytesIO(render_receipt(receipt)))
    return " ".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_cra_element_is_on_the_receipt_in_both_languages(gift, language):
    Donor.objects.filter(pk=gift.donor_id).update(language=language)
    receipt = issue_for_gift(gift)
    text = flat(pdf_text(receipt))
    for key in (
        "title",
        "serial",
        "registration",
        "place",
        "issued_on",
        "received_on",
        "donor",
        "amount",
        "advantage",
        "eligible",
        "signature",
        "cra",
    ):
        french, english = WORDING[key]
        assert flat(french) in text, french
        assert flat(english) in text, english
    assert "Official receipt for income tax purposes" in text
    assert "Reçu officiel aux fins de l'impôt sur le revenu" in text
    assert "Canada Revenue Agency: canada.ca/charities-giving" in text
    assert "Agence du revenu du Canada : canada.ca/organismes-bienfaisance" in text
    for value in (
        "Monde par la Main",
        "1234, rue Sainte-Catherine Ouest, Montréal (Québec) H3G 1P1",
        "123456789RR0001",
        "Montréal (Québec)",
        receipt.serial,
        "2026-03-14",
        receipt.issued_on.isoformat(),
        "Jeanne Mance",
        "55, avenue des Pins",
        "Montréal QC H2W 1R7",
        "Camille Tremblay, trésorière",
    ):
        assert value in text, value
    amounts = (
        ("150,00 $", "25,00 $", "125,00 $")
        if language == "fr"
        else ("$150.00", "$25.00", "$125.00")
    )
    for amount in amounts:
        assert amount in text
    # The donor's language comes first.
    first = WORDING["title"][0 if language == "fr" else 1]
    second = WORDING["title"][1 if language == "fr" else 0]
    assert text.index(first) < text.index(second)
    # The authorised signature is drawn as an image.
    page = PdfReader(io.BytesIO(render_receipt(receipt))).pages[0]
    assert len(page.images) == 1


def test_serial_is_per_year_and_without_gaps(gift):
    first = issue_for_gift(gift)
    second_gift = gift.sponsorship.record_gift(
        amount=Decimal("10"), method="cash", received_on=date(2026, 4, 1)
    )
    next_year_gift = gift.sponsorship.record_gift(
        amount=Decimal("10"), method="cash", received_on=date(2025, 12, 31)
    )
    second = issue_for_gift(second_gift)
    other_year = issue_for_gift(next_year_gift)
    assert (first.serial, second.serial) == ("2026-000001", "2026-000002")
    assert other_year.serial == "2025-000001"


def test_receipt_is_emailed_with_its_pdf_in_the_donors_language(
    gift, django_capture_on_commit_callbacks
):
    Donor.objects.filter(pk=gift.donor_id).update(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        receipt = issue_for_gift(gift)
    (message,) = mail.outbox
    assert message.to == ["jeanne@example.org"]
    assert receipt.serial in message.subject and "receipt" in message.subject
    name, content, mimetype = message.attachments[0]
    assert name == f"receipt-{receipt.serial}.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    receipt.refresh_from_db()
    assert receipt.emailed_at is not None


def test_french_donor_gets_a_french_email(gift, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        issue_for_gift(gift)
    assert "reçu" in mail.outbox[0].subject


def test_one_receipt_per_gift(gift):
    issue_for_gift(gift)
    with pytest.raises(ReceiptError):
        issue_for_gift(gift)
    assert Receipt.objects.count() == 1


def test_no_receipt_without_a_complete_address(gift):
    from django.utils import translation

    Donor.objects.filter(pk=gift.donor_id).update(street="", postal_code="")
    with translation.override("en"), pytest.raises(ReceiptError) as error:
        issue_for_gift(gift)
    assert "street address" in str(error.value) and "postal code" in str(error.value)
    assert not Receipt.objects.exists()
    assert not ReceiptCounter.objects.filter(last_number__gt=0).exists()


def test_the_address_error_is_translated(gift):
    from django.utils import translation

    Donor.objects.filter(pk=gift.donor_id).update(city="")
    with translation.override("fr"), pytest.raises(ReceiptError) as error:
        issue_for_gift(gift)
    assert "adresse postale" in " ".join(error.value.messages)


def test_no_receipt_for_money_not_yet_received(gift):
    later = gift.sponsorship.record_gift(
        amount=Decimal("10"), method="cash", received_on=timezone.localdate() + timedelta(days=3)
    )
    with pytest.raises(ReceiptError):
        issue_for_gift(later)
    donor = gift.donor
    with pytest.raises(ReceiptError):
        issue_annual(donor, 2020)  # no gift that year
    assert not Receipt.objects.exists()


def test_snapshot_keeps_what_was_issued(gift):
    receipt = issue_for_gift(gift)
    before = pdf_text(receipt)
    addressed(gift.donor, name="Someone Else", street="1, rue Ailleurs")
    Gift.objects.filter(pk=gift.pk).update(amount=Decimal("999"))
    receipt.refresh_from_db()
    assert receipt.donor_name == "Jeanne Mance" and receipt.amount == Decimal("150.00")
    assert pdf_text(receipt) == before


def test_cancel_and_replace_keeps_the_original_and_its_serial(gift):
    original = issue_for_gift(gift)
    addressed(gift.donor, street="77, rue Corrigée")
    replacement = cancel_and_replace(original)
    original.refresh_from_db()
    assert original.status == Receipt.Status.CANCELLED and original.serial == "2026-000001"
    assert original.donor_address.startswith("55, avenue des Pins")
    assert replacement.serial == "2026-000002" and replacement.replaces == original
    assert replacement.donor_address.startswith("77, rue Corrigée")
    text = flat(pdf_text(replacement))
    assert "Cancels and replaces receipt No 2026-000001" in text
    assert "Annule et remplace le reçu no 2026-000001" in text
    assert "ANNULÉ" in flat(pdf_text(original))
    with pytest.raises(ReceiptError):
        cancel_and_replace(original)  # already replaced
    assert Receipt.objects.count() == 2


def test_receipts_are_never_deleted(gift):
    receipt = issue_for_gift(gift)
    with pytest.raises(ProtectedError):
        receipt.delete()
    with pytest.raises(ProtectedError):
        Receipt.objects.all().delete()
    with pytest.raises(ProtectedError):
        gift.delete()  # its receipt holds it
    assert Receipt.objects.filter(pk=receipt.pk).exists()


def test_spoiled_receipt_is_kept_and_frees_the_gift(gift):
    receipt = issue_for_gift(gift)
    assert mark_spoiled(receipt)
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.SPOILED and receipt.spoiled_on
    again = issue_for_gift(gift)
    assert again.serial == "2026-000002"
    assert Receipt.objects.count() == 2


def test_annual_receipt_totals_the_years_gifts(gift):
    donor = gift.donor
    donor.receipt_preference = Donor.ReceiptPreference.ANNUAL
    donor.save()
    other_pledge = make_sponsorship(gift.sponsorship.project, donor_email="JEANNE@example.org")
    assert other_pledge.donor == donor
    gift.sponsorship.record_gift(
        amount=Decimal("20.50"), method="card", received_on=date(2026, 6, 1)
    )
    other_pledge.record_gift(amount=Decimal("30"), method="card", received_on=date(2026, 11, 30))
    gift.sponsorship.record_gift(
        amount=Decimal("99"), method="card", received_on=date(2025, 12, 31)
    )
    stranger = make_sponsorship(gift.sponsorship.project)
    addressed(stranger.donor, name="Other")
    stranger.record_gift(amount=Decimal("500"), method="card", received_on=date(2026, 5, 5))

    call_command("issue_annual_receipts", "--year", "2026", verbosity=0)
    (receipt,) = Receipt.objects.all()
    assert receipt.kind == Receipt.Kind.ANNUAL and receipt.donor == donor
    assert receipt.amount == Decimal("200.50")
    assert receipt.advantage == Decimal("25.00")
    assert receipt.eligible_amount == Decimal("175.50")
    assert receipt.lines.count() == 3
    text = flat(pdf_text(receipt))
    assert "200,50 $" in text and "2026-11-30" in text and "2025-12-31" not in text
    # Run again: nothing left to receipt.
    call_command("issue_annual_receipts", "--year", "2026", verbosity=0)
    assert Receipt.objects.count() == 1


def test_missing_settings_refuse_to_issue(gift, settings):
    settings.CHARITY_REGISTRATION_NUMBER = ""
    with pytest.raises(ReceiptError) as error:
        issue_for_gift(gift)
    assert "CHARITY_REGISTRATION_NUMBER" in str(error.value)


# Concurrency ---------------------------------------------------------------------------

RECEIPTS = 50


@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="SQLite serialises every write; run on PostgreSQL to race for serial numbers",
)
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_receipts_get_gapless_serials():
    project = make_project()
    gifts = []
    for n in range(RECEIPTS):
        sponsorship = make_sponsorship(project, confirmed=True)
        addressed(sponsorship.donor, name=f"Donor {n}")
        gifts.append(
            sponsorship.record_gift(
                amount=Decimal("10"), method="cash", received_on=date(2026, 2, 2)
            )
        )
    start = threading.Barrier(RECEIPTS)
    errors = []

    def issue(gift):
        try:
            start.wait(timeout=60)
            issue_for_gift(gift)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(g,)) for g in gifts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    serials = sorted(Receipt.objects.values_list("serial", flat=True))
    assert serials == [f"2026-{n:06d}" for n in range(1, RECEIPTS + 1)]
    assert ReceiptCounter.objects.get(year=2026).last_number == RECEIPTS
    assert connection.vendor == "postgresql"


def test_a_copy_drawn_after_the_signature_went_missing_still_downloads(
    gift, settings, client, finance_user
):
    receipt = issue_for_gift(gift)
    settings.RECEIPT_SIGNATURE_IMAGE = "/nowhere/signature.png"
    client.force_login(finance_user)
    response = client.get(reverse("admin:donations_receipt_pdf", args=[receipt.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    with pytest.raises(ReceiptError):
        issue_for_gift(gift.sponsorship.record_gift(amount=Decimal("5"), method="cash"))
