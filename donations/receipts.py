"""Official donation receipts: issuing them, correcting them, sending them.

A receipt is issued only for money received (a recorded gift whose date has come) and
for a donor whose name and full postal address are known; it takes the next serial number
of its year under a lock, in the transaction that stores it, so serials have no gaps.
What it says is copied into it at that moment (see ``Receipt``).
"""

from __future__ import annotations

import logging
import os
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .models import Donor, Gift, Receipt, ReceiptCounter, ReceiptLine, format_serial

logger = logging.getLogger(__name__)

CHARITY_SETTINGS = (
    "CHARITY_NAME",
    "CHARITY_ADDRESS",
    "CHARITY_REGISTRATION_NUMBER",
    "RECEIPT_PLACE_OF_ISSUE",
    "RECEIPT_SIGNATURE_IMAGE",
    "RECEIPT_SIGNATORY",
)


class ReceiptError(ValidationError):
    """Why a receipt cannot be issued, in words for the finance team."""


def missing_settings() -> list[str]:
    return [name for name in CHARITY_SETTINGS if not str(getattr(settings, name, "") or "")]


def format_address(donor: Donor) -> str:
    """Return the donor's postal address as lines, the way Canada Post writes it."""
    town = " ".join(part for part in (donor.city.strip(), donor.province.strip()) if part)
    town = "  ".join(part for part in (town, donor.postal_code.strip().upper()) if part)
    lines = [donor.street.strip(), town, donor.country.strip()]
    return "\n".join(line for line in lines if line)


def _check_issuable(donor: Donor, gifts: list[Gift]) -> None:
    if missing_settings():
        raise ReceiptError(
            _("Receipts cannot be issued until these settings are filled in: %(names)s.")
            % {"names": ", ".join(missing_settings())}
        )
    if not os.path.isfile(str(settings.RECEIPT_SIGNATURE_IMAGE)):
        raise ReceiptError(
            _("The signature image (RECEIPT_SIGNATURE_IMAGE) cannot be found on the server.")
        )
    if not gifts:
        raise ReceiptError(_("There is no gift received to issue a receipt for."))
    today = timezone.localdate()
    if any(gift.pk is None or gift.received_on > today for gift in gifts):
        raise ReceiptError(_("A receipt is issued only for a gift already received."))
    if donor.is_erased:
        raise ReceiptError(_("This donor's identity was erased: no receipt can name them."))
    missing = donor.missing_address_fields()
    if missing:
        raise ReceiptError(
            _(
                "The donor's name and full postal address are needed on a receipt. "
                "Missing: %(fields)s."
            )
            % {"fields": ", ".join(missing)}
        )
    if any(gift.donor_id != donor.pk for gift in gifts):
        raise ReceiptError(_("A receipt covers the gifts of one donor only."))


def _issue(
    donor: Donor,
    gifts: list[Gift],
    *,
    kind: str,
    year: int,
    issued_by=None,
    replaces: Receipt | None = None,
) -> Receipt:
    """Store a receipt for these gifts; call inside a transaction holding the donor's lock."""
    _check_issuable(donor, gifts)
    taken = ReceiptLine.objects.filter(gift__in=gifts, in_force=True)
    if replaces is not None:
        taken = taken.exclude(receipt=replaces)
    if taken.exists():
        raise ReceiptError(_("This gift already has a receipt: cancel and replace it instead."))
    amount = sum((g.amount for g in gifts), Decimal("0"))
    advantage = sum((g.advantage for g in gifts), Decimal("0"))
    (number,) = ReceiptCounter.take(year)
    receipt = Receipt.objects.create(
        serial=format_serial(year, number),
        year=year,
        kind=kind,
        donor=donor,
        replaces=replaces,
        issued_by=issued_by if getattr(issued_by, "pk", None) else None,
        language=donor.language,
        donor_name=donor.name.strip(),
        donor_address=format_address(donor),
        received_on=gifts[0].received_on if kind == Receipt.Kind.GIFT else None,
        amount=amount,
        advantage=advantage,
        eligible_amount=amount - advantage,
        charity_name=settings.CHARITY_NAME,
        charity_address=settings.CHARITY_ADDRESS,
        registration_number=settings.CHARITY_REGISTRATION_NUMBER,
        place_of_issue=settings.RECEIPT_PLACE_OF_ISSUE,
        signatory=settings.RECEIPT_SIGNATORY,
    )
    ReceiptLine.objects.bulk_create(
        ReceiptLine(
            receipt=receipt,
            gift=gift,
            received_on=gift.received_on,
            amount=gift.amount,
            advantage=gift.advantage,
        )
        for gift in sorted(gifts, key=lambda g: (g.received_on, g.pk))
    )
    transaction.on_commit(lambda: send_receipt_quietly(receipt.pk), robust=True)
    logger.info("Receipt %s issued (%s)", receipt.serial, kind)
    return receipt


def _locked_donor(donor_id: int) -> Donor:
    # One receipt at a time per donor: two clicks on "Issue receipt" make one.
    return Donor.objects.select_for_update().get(pk=donor_id)


def issue_for_gift(gift: Gift, *, issued_by=None) -> Receipt:
    """Issue the receipt of one gift."""
    with transaction.atomic():
        donor = _locked_donor(gift.donor_id)
        gift = Gift.objects.get(pk=gift.pk)
        return _issue(
            donor,
            [gift],
            kind=Receipt.Kind.GIFT,
            year=gift.received_on.year,
            issued_by=issued_by,
        )


def gifts_of_year(donor: Donor, year: int):
    """Return the donor's gifts received in ``year`` that no receipt in force covers."""
    return (
        Gift.objects.filter(donor=donor, received_on__year=year)
        .exclude(receipt_lines__in_force=True)
        .order_by("received_on", "pk")
    )


def issue_annual(donor: Donor, year: int, *, issued_by=None) -> Receipt:
    """Issue one receipt for every gift of ``year`` not yet covered by a receipt."""
    if year >= timezone.localdate().year + 1:
        raise ReceiptError(_("A year's receipt is issued once the year has begun."))
    with transaction.atomic():
        donor = _locked_donor(donor.pk)
        return _issue(
            donor,
            list(gifts_of_year(donor, year)),
            kind=Receipt.Kind.ANNUAL,
            year=year,
            issued_by=issued_by,
        )


def cancel_and_replace(receipt: Receipt, *, issued_by=None) -> Receipt:
    """Cancel a receipt in force and issue its replacement, with the donor's data as it is
    now; the cancelled one is kept with its serial."""
    with transaction.atomic():
        donor = _locked_donor(receipt.donor_id)
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.status != Receipt.Status.ISSUED:
            raise ReceiptError(_("Only a receipt in force can be cancelled and replaced."))
        gifts = [line.gift for line in receipt.lines.select_related("gift")]
        receipt.lines.update(in_force=False)
        receipt.status = Receipt.Status.CANCELLED
        receipt.cancelled_on = timezone.now()
        receipt.save(update_fields=["status", "cancelled_on"])
        return _issue(
            donor,
            gifts,
            kind=receipt.kind,
            year=receipt.year,
            issued_by=issued_by,
            replaces=receipt,
        )


def mark_spoiled(receipt: Receipt) -> bool:
    """Mark a receipt spoiled (misprinted, never given): kept, and its gifts are free for
    a new receipt. Return False if it was not in force."""
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.status != Receipt.Status.ISSUED:
            return False
        receipt.lines.update(in_force=False)
        receipt.status = Receipt.Status.SPOILED
        receipt.spoiled_on = timezone.now()
        receipt.save(update_fields=["status", "spoiled_on"])
    return True


def issue_annual_receipts(year: int, *, issued_by=None) -> tuple[list[Receipt], list[str]]:
    """Issue the receipts of ``year`` for every donor who asked for one a year.

    Return the receipts issued and, for the donors skipped, why (without their identity).
    """
    issued, skipped = [], []
    donors = Donor.objects.filter(
        receipt_preference=Donor.ReceiptPreference.ANNUAL,
        gifts__received_on__year=year,
    ).distinct()
    for donor in donors.order_by("pk"):
        if not gifts_of_year(donor, year).exists():
            continue
        try:
            issued.append(issue_annual(donor, year, issued_by=issued_by))
        except ReceiptError as error:
            skipped.append(f"#{donor.pk}: {' '.join(error.messages)}")
    return issued, skipped


# Sending -------------------------------------------------------------------------------


def send_receipt(receipt: Receipt) -> bool:
    """Email the receipt (PDF attached) to its donor, in the receipt's language."""
    from .receipt_pdf import render_receipt

    email = receipt.donor.email
    if not email or receipt.donor.is_erased:
        return False
    with translation.override(receipt.language):
        context = {
            "receipt": receipt,
            "ORGANISATION_NAME": settings.ORGANISATION_NAME,
            "PRIVACY_CONTACT_EMAIL": settings.PRIVACY_CONTACT_EMAIL,
        }
        subject = render_to_string("emails/receipt_subject.txt", context)
        message = EmailMessage(
            subject=" ".join(subject.split()),
            body=render_to_string("emails/receipt.txt", context),
            to=[email],
            headers={"Content-Language": receipt.language},
        )
    message.attach(receipt.filename(), render_receipt(receipt), "application/pdf")
    message.send()
    Receipt.objects.filter(pk=receipt.pk).update(emailed_at=timezone.now())
    return True


def send_receipt_quietly(receipt_id: int) -> None:
    """Send after the commit; a mail server down leaves the receipt issued, unsent."""
    try:
        send_receipt(Receipt.objects.select_related("donor").get(pk=receipt_id))
    except Exception:
        logger.exception("Receipt %s not emailed", receipt_id)
