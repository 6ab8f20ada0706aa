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

from .models import Gift, ReferenceCounter, Sponsorship, format_reference

AMOUNTS = [Decimal(a) for a in ("10", "20", "25", "50", "75", "100", "250", "500", "1000")]
FIRST_NAMES = ["Alice", "Bashir", "Chloé", "Diego", "Élise", "Farah", "Gabriel", "Hina", "Ibrahim"]
LAST_NAMES = ["Tremblay", "Gagnon", "Roy", "Côté", "Singh", "Nguyen", "Diallo", "Martin"]


@transaction.atomic
def create_sponsorships(projects: Sequence, count: int, seed: int = 4) -> list[Sponsorship]:
    """Create ``count`` sponsorships spread over ``projects``, with gifts on some of them.

    About 60 % are confirmed, 30 % pending, 10 % cancelled; half of the confirmed ones
    have received their money. Uses bulk inserts (no history rows).
    """
    projects = list(projects)
    if not projects or count <= 0:
        return []
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    now = timezone.now()
    year = timezone.localdate(now).year
    numbers = ReferenceCounter.take(year, count)
    sponsorships = []
    for number in numbers:
        roll = rng.random()
        status = (
            Sponsorship.Status.CONFIRMED
            if roll < 0.6
            else Sponsorship.Status.PENDING
            if roll < 0.9
            else Sponsorship.Status.CANCELLED
        )
        created = now - timedelta(minutes=rng.randint(0, 60 * 24 * 180))
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        sponsorships.append(
            Sponsorship(
                reference=format_reference(year, number),
                idempotency_key=uuid.uuid4(),
                project=rng.choice(projects),
                donor_name=f"{first} {last}",
                donor_email=f"donor{number}@example.org",
                language=rng.choice([code for code, _name in settings.LANGUAGES]),
                amount=rng.choice(AMOUNTS),
                frequency=Sponsorship.Frequency.MONTHLY
                if rng.random() < 0.25
                else Sponsorship.Frequency.ONCE,
                show_name_publicly=rng.random() < 0.4,
                privacy_consent_at=created,
                status=status,
                created_at=created,
                confirmed_at=created + timedelta(hours=1)
                if status != Sponsorship.Status.PENDING
                else None,
                cancelled_at=now if status == Sponsorship.Status.CANCELLED else None,
            )
        )
    sponsorships = Sponsorship.objects.bulk_create(sponsorships, batch_size=1000)
    if sponsorships and sponsorships[0].pk is None:
        # Backends that do not return keys from bulk inserts.
        by_reference = dict(
            Sponsorship.objects.filter(
                reference__in=[s.reference for s in sponsorships]
            ).values_list("reference", "pk")
        )
        for sponsorship in sponsorships:
            sponsorship.pk = by_reference[sponsorship.reference]
    gifts = [
        Gift(
            sponsorship=s,
            amount=s.amount,
            received_on=timezone.localdate(s.created_at) + timedelta(days=rng.randint(1, 20)),
            method=rng.choice(Gift.Method.values),
        )
        for s in sponsorships
        if s.status == Sponsorship.Status.CONFIRMED and rng.random() < 0.5
    ]
    Gift.objects.bulk_create(gifts, batch_size=1000)
    return sponsorships
