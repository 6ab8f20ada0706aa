"""A donor's right to see and to erase what we hold about them.

Both operations are keyed on the email address the donor gave, and both are logged as a
``DataRequest`` (kind, references, who, when: never the address itself).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import DataRequest, Sponsorship

logger = logging.getLogger(__name__)

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


def given_under(email: str) -> set[int]:
    """Return the ids of the sponsorships that carry, or once carried, this address.

    The history counts too: finance may have corrected the address, or deleted the
    pledge, and the old rows still hold who the donor was.
    """
    email = (email or "").strip()
    if not email:
        return set()
    current = Sponsorship.objects.for_email(email).values_list("pk", flat=True)
    former = Sponsorship.history.model.objects.filter(donor_email__iexact=email).values_list(
        "id", flat=True
    )
    return set(current) | set(former)


def export_donor_data(email: str, *, performed_by=None, via: str = "admin") -> dict:
    """Return everything held about this email address, as JSON-ready data, and log it."""
    ids = given_under(email)
    sponsorships = list(
        Sponsorship.objects.filter(pk__in=ids)
        .select_related("project")
        .prefetch_related("gifts")
        .order_by("created_at", "pk")
    )
    history = Sponsorship.history.model.objects.filter(id__in=ids).order_by("history_date")
    changes: dict[int, list] = {}
    last_known = {}
    for record in history:
        last_known[record.id] = record
        changes.setdefault(record.id, []).append(
            {
                "date": _plain(record.history_date),
                "change": record.get_history_type_display(),
                "status": record.status,
                "amount": _plain(record.amount),
                **{name: getattr(record, name) for name in Sponsorship.IDENTITY_FIELDS},
            }
        )
    deleted = [last_known[pk] for pk in sorted(ids - {s.pk for s in sponsorships})]
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
                "history": changes.get(s.pk, []),
            }
            for s in sponsorships
        ],
        # Deleted pledges whose history is still kept.
        "deleted_sponsorships": [
            {
                **{name: _plain(getattr(record, name)) for name in SPONSORSHIP_FIELDS},
                "history": changes[record.id],
            }
            for record in deleted
        ],
    }
    references = [s.reference for s in sponsorships] + [r.reference for r in deleted]
    _log(DataRequest.Kind.EXPORT, references, performed_by, via)
    return data


@transaction.atomic
def erase_donor_data(email: str, *, performed_by=None, via: str = "admin") -> DataRequest:
    """Remove this donor's identity from every pledge, its gifts and their history.

    Amounts, dates and references stay: the books must still add up.
    """
    ids = given_under(email)
    sponsorships = list(Sponsorship.objects.filter(pk__in=ids).select_for_update())
    for sponsorship in sponsorships:
        sponsorship.erase_identity()
    deleted = ids - {s.pk for s in sponsorships}
    Sponsorship.erase_history(deleted)
    references = [s.reference for s in sponsorships] + sorted(
        set(
            Sponsorship.history.model.objects.filter(id__in=deleted).values_list(
                "reference", flat=True
            )
        )
    )
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
