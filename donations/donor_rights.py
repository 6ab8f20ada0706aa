"""A donor's right to see and to erase what we hold about them.

Both operations are keyed on the email address the donor gave, and both are logged as a
``DataRequest`` (kind, references, who, when: never the address itself).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from .models import DataRequest, Sponsorship

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


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def given_under(email: str) -> list[str]:
    """Return the references of the sponsorships that carry, or once carried, this address.

    The history counts too: finance may have corrected the address, or deleted the
    pledge, and the old rows still hold who the donor was. References, not ids: an id may
    be given again to someone else (see ``Sponsorship.history_of``).
    """
    email = (email or "").strip()
    if not email:
        return []
    current = Sponsorship.objects.for_email(email).values_list("reference", flat=True)
    former = Sponsorship.history.model.objects.filter(donor_email__iexact=email).values_list(
        "reference", flat=True
    )
    return sorted(set(current) | set(former))


def export_donor_data(email: str, *, performed_by=None, via: str = "admin") -> dict:
    """Return everything held about this email address, as JSON-ready data, and log it."""
    references = given_under(email)
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


@transaction.atomic
def erase_donor_data(email: str, *, performed_by=None, via: str = "admin") -> DataRequest:
    """Remove this donor's identity from every pledge, its gifts and their history.

    Amounts, dates and references stay: the books must still add up. The request logs
    exactly the references ``given_under`` returned.
    """
    references = given_under(email)
    sponsorships = list(
        Sponsorship.objects.filter(reference__in=references).order_by("pk").select_for_update()
    )
    for sponsorship in sponsorships:
        sponsorship.erase_identity()
    Sponsorship.erase_history(set(references) - {s.reference for s in sponsorships})
    donor_erased.send(sender=None, email=email)
    return _log(DataRequest.Kind.ERASURE, references, performed_by, via)


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
