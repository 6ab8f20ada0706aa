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
GIFT_FIELDS = ("amount", "received_on", "method", "reference", "provider", "transaction_id")


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def export_donor_data(email: str, *, performed_by=None, via: str = "admin") -> dict:
    """Return everything held about this email address, as JSON-ready data, and log it."""
    sponsorships = list(
        Sponsorship.objects.for_email(email)
        .select_related("project")
        .prefetch_related("gifts")
        .order_by("created_at", "pk")
    )
    history = Sponsorship.history.model.objects.filter(
        id__in=[s.pk for s in sponsorships]
    ).order_by("history_date")
    changes: dict[int, list] = {}
    for record in history:
        changes.setdefault(record.id, []).append(
            {
                "date": _plain(record.history_date),
                "change": record.get_history_type_display(),
                "status": record.status,
                "amount": _plain(record.amount),
            }
        )
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
    }
    _log(DataRequest.Kind.EXPORT, sponsorships, performed_by, via)
    return data


@transaction.atomic
def erase_donor_data(email: str, *, performed_by=None, via: str = "admin") -> DataRequest:
    """Remove this donor's identity from every pledge, its gifts and their history.

    Amounts, dates and references stay: the books must still add up.
    """
    sponsorships = list(Sponsorship.objects.for_email(email).select_for_update())
    for sponsorship in sponsorships:
        sponsorship.erase_identity()
    return _log(DataRequest.Kind.ERASURE, sponsorships, performed_by, via)


def _log(kind, sponsorships, performed_by, via) -> DataRequest:
    references = " ".join(s.reference for s in sponsorships)
    request = DataRequest.objects.create(
        kind=kind,
        references=references,
        performed_by=performed_by if getattr(performed_by, "pk", None) else None,
        via=via,
    )
    logger.info(
        "Donor data %s (%s) for %d sponsorships: %s",
        kind,
        via,
        len(sponsorships),
        references or "none",
    )
    return request
