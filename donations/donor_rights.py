"""A donor's right to see and to erase what we hold about them.

Both operations are keyed on the email address the donor gave (or on a donor, which
stands for its address and every pledge linked to it), and both are logged as a
``DataRequest`` (kind, references, who, when: never the address itself).

Official donation receipts are the one exception to an erasure: the law requires the
charity to keep a copy of each receipt for two years after the end of the calendar year
of the gifts (Income Tax Regulations, s. 5800). An erasure keeps the name and address a
receipt still in that period carries, and clears those of older receipts; the request's
log lists the receipts kept.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from .models import DataRequest, Donor, Receipt, Sponsorship

# Years after the receipt's year during which its copy must be kept.
RECEIPT_RETENTION_YEARS = 2

logger = logging.getLogger(__name__)

# Other apps that keep something about an address answer these: the export asks each
# receiver for ``(section name, data)``; the erasure tells each to forget the address.
donor_data_requested = Signal()
donor_erased = Signal()

SPONSORSHIP_FIELDS = (
    "reference",
    "donor_name",
    "donor_email",
    "language",
    "amount",
    "currency",
    "frequency",
    "dedication_kind",
    "dedication_name",
    "show_name_publicly",
    "public_message",
    "privacy_consent_at",
    "news_opt_in",
    "status",
    "created_at",
    "confirmed_at",
    "cancelled_at",
    "paused_at",
)
GIFT_FIELDS = (
    "amount",
    "received_on",
    "method",
    "reference",
    "provider",
    "transaction_id",
    "note",  # finance's note may well speak of the donor: it is theirs to see
)
DONOR_FIELDS = (
    *Donor.IDENTITY_FIELDS,
    "language",
    "receipt_preference",
    "news_opt_in",
    "created_at",
)
RECEIPT_FIELDS = (
    "serial",
    "kind",
    "status",
    "issued_on",
    "received_on",
    "donor_name",
    "donor_address",
    "amount",
    "advantage",
    "eligible_amount",
    "cancelled_on",
    "spoiled_on",
)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def donors_under(email: str, donor: Donor | None = None) -> list[Donor]:
    """Return the donors this request is about: the one named, and the one known under
    the address."""
    found = {} if donor is None else {donor.pk: donor}
    for known in Donor.objects.for_email(email):
        found.setdefault(known.pk, known)
    return sorted(found.values(), key=lambda d: d.pk)


def given_under(email: str, donors=()) -> list[str]:
    """Return the references of the sponsorships that carry, or once carried, this address,
    and those of these donors.

    The history counts too: finance may have corrected the address, or deleted the
    pledge, and the old rows still hold who the donor was. References, not ids: an id may
    be given again to someone else (see ``Sponsorship.history_of``).
    """
    email = (email or "").strip()
    linked = set(
        Sponsorship.objects.filter(donor__in=[d.pk for d in donors]).values_list(
            "reference", flat=True
        )
    )
    if not email:
        return sorted(linked)
    current = Sponsorship.objects.filter(
        Q(donor_email__iexact=email) | Q(donor__email__iexact=email)
    ).values_list("reference", flat=True)
    former = Sponsorship.history.model.objects.filter(donor_email__iexact=email).values_list(
        "reference", flat=True
    )
    return sorted(set(current) | set(former) | linked)


def _donor_data(donor: Donor) -> dict:
    return {
        **{name: _plain(getattr(donor, name)) for name in DONOR_FIELDS},
        "consent_changes": [
            {
                "consent": change.consent,
                "given": change.given,
                "source": change.source,
                "changed_at": _plain(change.changed_at),
            }
            for change in donor.consent_changes.all()
        ],
        "receipts": [
            {
                **{name: _plain(getattr(receipt, name)) for name in RECEIPT_FIELDS},
                "gifts": [
                    {
                        "sponsorship": line.gift.sponsorship.reference,
                        "received_on": _plain(line.received_on),
                        "amount": _plain(line.amount),
                        "advantage": _plain(line.advantage),
                    }
                    for line in receipt.lines.all()
                ],
            }
            for receipt in donor.receipts.order_by("year", "serial").prefetch_related(
                "lines__gift__sponsorship"
            )
        ],
    }


def export_donor_data(
    email: str = "", *, donor: Donor | None = None, performed_by=None, via: str = "admin"
) -> dict:
    """Return everything held about this email address (or this donor), as JSON-ready
    data, and log it."""
    if donor is not None and not email:
        email = donor.email
    donors = donors_under(email, donor)
    references = given_under(email, donors)
    sponsorships = list(
        Sponsorship.objects.filter(reference__in=references)
        .select_related("project")
        .prefetch_related("gifts")
        .order_by("created_at", "pk")
    )
    history = Sponsorship.history_of(references).order_by("history_date", "history_id")
    changes: dict[str, list] = {}
    last_known = {}
    for record in history:
        last_known[record.reference] = record
        changes.setdefault(record.reference, []).append(
            {
                "date": _plain(record.history_date),
                "change": record.get_history_type_display(),
                "status": record.status,
                "amount": _plain(record.amount),
                **{name: getattr(record, name) for name in Sponsorship.IDENTITY_FIELDS},
            }
        )
    live = {s.reference for s in sponsorships}
    deleted = [last_known[ref] for ref in references if ref not in live and ref in last_known]
    data = {
        "email": email.strip(),
        "exported_at": timezone.now().isoformat(),
        "donor_records": [_donor_data(d) for d in donors],
        "sponsorships": [
            {
                **{name: _plain(getattr(s, name)) for name in SPONSORSHIP_FIELDS},
                "project": s.project.title_fr,
                "gifts": [
                    {name: _plain(getattr(g, name)) for name in GIFT_FIELDS} for g in s.gifts.all()
                ],
                "history": changes.get(s.reference, []),
            }
            for s in sponsorships
        ],
        # Deleted pledges whose history is still kept.
        "deleted_sponsorships": [
            {
                **{name: _plain(getattr(record, name)) for name in SPONSORSHIP_FIELDS},
                "history": changes[record.reference],
            }
            for record in deleted
        ],
    }
    for _receiver, (name, section) in donor_data_requested.send(sender=None, email=email):
        data[name] = section
    _log(
        DataRequest.Kind.EXPORT,
        [s.reference for s in sponsorships] + [r.reference for r in deleted],
        performed_by,
        via,
    )
    return data


def receipt_kept_until(receipt: Receipt):
    """Return the last day the copy of this receipt must be kept."""
    return receipt.issued_on.replace(year=receipt.year + RECEIPT_RETENTION_YEARS, month=12, day=31)


@transaction.atomic
def erase_donor_data(
    email: str = "", *, donor: Donor | None = None, performed_by=None, via: str = "admin"
) -> DataRequest:
    """Remove this donor's identity from the donor record, every pledge, its gifts and
    their history.

    Amounts, dates and references stay: the books must still add up. Receipts the law
    still requires us to keep keep their name and address (see the module's docstring).
    The request logs exactly the references ``given_under`` returned, and the receipts kept.
    """
    if donor is not None and not email:
        email = donor.email
    donors = donors_under(email, donor)
    references = given_under(email, donors)
    sponsorships = list(
        Sponsorship.objects.filter(reference__in=references).order_by("pk").select_for_update()
    )
    for sponsorship in sponsorships:
        sponsorship.erase_identity()
    Sponsorship.erase_history(set(references) - {s.reference for s in sponsorships})
    today = timezone.localdate()
    kept = []
    for person in Donor.objects.filter(pk__in=[d.pk for d in donors]).select_for_update():
        for receipt in person.receipts.all():
            if receipt_kept_until(receipt) >= today:
                kept.append(receipt.serial)
            else:
                Receipt.objects.filter(pk=receipt.pk).update(
                    **dict.fromkeys(Receipt.IDENTITY_FIELDS, "")
                )
        person.erase_identity()
    donor_erased.send(sender=None, email=email)
    logged = references + [f"receipt:{serial}" for serial in sorted(kept)]
    return _log(DataRequest.Kind.ERASURE, logged, performed_by, via)


def _log(kind, references: list[str], performed_by, via) -> DataRequest:
    joined = " ".join(references)
    request = DataRequest.objects.create(
        kind=kind,
        references=joined,
        performed_by=performed_by if getattr(performed_by, "pk", None) else None,
        via=via,
    )
    logger.info(
        "Donor data %s (%s) for %d sponsorships: %s",
        kind,
        via,
        len(references),
        joined or "none",
    )
    return request
