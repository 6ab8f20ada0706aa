"""Synthetic sponsorships and gifts at scale, for benchmarks (``generate_portfolio``)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Donor, Gift, ReferenceCounter, Sponsorship, format_reference

AMOUNTS = [Decimal(a) for a in ("10", "20", "25", "50", "75", "100", "250", "500", "1000")]
FIRST_NAMES = ["Alice", "Bashir", "Chloé", "Diego", "Élise", "Farah", "Gabriel", "Hina", "Ibrahim"]
LAST_NAMES = ["Tremblay", "Gagnon", "Roy", "Côté", "Singh", "Nguyen", "Diallo", "Martin"]
# Rows built, inserted and forgotten at a time: a million never sit in memory together,
# and each INSERT carries thousands of rows.
CHUNK_SIZE = 10_000


@transaction.atomic
def create_sponsorships(projects: Sequence, count: int, seed: int = 4) -> int:
    """Create ``count`` sponsorships spread over ``projects``, with gifts on some of them.

    About 60 % are confirmed, 30 % pending, 10 % cancelled; half of the confirmed ones
    have received their money. Uses bulk inserts (no history rows). Returns the number
    of sponsorships created.
    """
    project_ids = [project.pk for project in projects]
    if not project_ids or count <= 0:
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    now = timezone.now()
    year = timezone.localdate(now).year
    numbers = ReferenceCounter.take(year, count)
    for start in range(0, count, CHUNK_SIZE):
        batch = [
            _sponsorship(rng, number, year, now, project_ids)
            for number in numbers[start : start + CHUNK_SIZE]
        ]
        _link_donors(batch)
        Sponsorship.objects.bulk_create(batch, batch_size=CHUNK_SIZE)
        _fill_keys(batch)
        gifts = [
            Gift(
                sponsorship_id=s.pk,
                donor_id=s.donor_id,
                amount=s.amount,
                received_on=timezone.localdate(s.created_at) + timedelta(days=rng.randint(1, 20)),
                method=rng.choice(Gift.Method.values),
            )
            for s in batch
            if s.status == Sponsorship.Status.CONFIRMED and rng.random() < 0.5
        ]
        Gift.objects.bulk_create(gifts, batch_size=CHUNK_SIZE)
    return count


def _sponsorship(rng, number, year, now, project_ids) -> Sponsorship:
    roll = rng.random()
    status = (
        Sponsorship.Status.CONFIRMED
        if roll < 0.6
        else Sponsorship.Status.PENDING
        if roll < 0.9
        else Sponsorship.Status.CANCELLED
    )
    created = now - timedelta(minutes=rng.randint(0, 60 * 24 * 180))
    return Sponsorship(
        reference=format_reference(year, number),
        # From the seeded generator, so a seed gives the same rows (and no system entropy).
        idempotency_key=uuid.UUID(int=rng.getrandbits(128), version=4),
        project_id=rng.choice(project_ids),
        donor_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        donor_email=f"donor{number}@example.org",
        language=rng.choice(settings.LANGUAGES)[0],
        amount=rng.choice(AMOUNTS),
        frequency=Sponsorship.Frequency.MONTHLY
        if rng.random() < 0.25
        else Sponsorship.Frequency.ONCE,
        show_name_publicly=rng.random() < 0.4,
        privacy_consent_at=created,
        status=status,
        created_at=created,
        confirmed_at=created + timedelta(hours=1) if status != Sponsorship.Status.PENDING else None,
        cancelled_at=now if status == Sponsorship.Status.CANCELLED else None,
    )


def _link_donors(sponsorships: list[Sponsorship]) -> None:
    """Give each sponsorship its donor, one per address (an address met before keeps its
    donor)."""
    emails = {s.donor_email.lower(): s for s in sponsorships}
    Donor.objects.bulk_create(
        [
            Donor(email=s.donor_email, name=s.donor_name, language=s.language)
            for s in emails.values()
        ],
        batch_size=CHUNK_SIZE,
        ignore_conflicts=True,
    )
    by_email = {
        email.lower(): pk
        for email, pk in Donor.objects.filter(
            email__in=[s.donor_email for s in emails.values()]
        ).values_list("email", "pk")
    }
    for sponsorship in sponsorships:
        sponsorship.donor_id = by_email[sponsorship.donor_email.lower()]


def _fill_keys(sponsorships: list[Sponsorship]) -> None:
    """Give the rows their primary keys on backends that do not return them from inserts."""
    if not sponsorships or sponsorships[0].pk is not None:
        return
    by_reference = dict(
        Sponsorship.objects.filter(reference__in=[s.reference for s in sponsorships]).values_list(
            "reference", "pk"
        )
    )
    for sponsorship in sponsorships:
        sponsorship.pk = by_reference[sponsorship.reference]
