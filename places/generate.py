"""Places for synthetic projects (``generate_portfolio``): one near the middle of a region."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction

from portfolio.models import Project

from .models import Location

# Rough middles of the regions that ``portfolio.generate`` makes (English name: lat, lon).
MIDDLES = {
    "India": (22.0, 79.0),
    "West Bengal": (22.9, 87.9),
    "Odisha": (20.5, 84.4),
    "Nepal": (28.2, 84.1),
    "Koshi Province": (26.9, 87.3),
    "Senegal": (14.5, -14.5),
    "Casamance": (12.8, -15.5),
    "Thiès Region": (14.8, -16.9),
    "Peru": (-9.2, -75.0),
    "Cusco Region": (-13.5, -72.0),
    "Haiti": (19.0, -72.4),
    "Bolivia": (-16.3, -63.6),
    "La Paz Department": (-16.5, -68.1),
}
# How far from a region's middle a place may fall (degrees).
SPREAD = 0.4


@transaction.atomic
def create_locations(projects: Sequence[Project], seed: int = 7) -> int:
    """Give each project one place in one of its regions whose middle is known."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    through = Project.regions.through.objects.filter(project__in=[p.pk for p in projects])
    first_region = {}
    for link in through.select_related("region").order_by("project_id", "region_id"):
        region = link.region
        chosen = first_region.get(link.project_id)
        # A part of a country (a state, a province) is nearer than the country's middle.
        if region.name_en in MIDDLES and (chosen is None or chosen.parent_id is None):
            first_region[link.project_id] = region
    locations = []
    for project_id, region in first_region.items():
        latitude, longitude = MIDDLES[region.name_en]
        locations.append(
            Location(
                project_id=project_id,
                region=region,
                name_fr=f"Village près de {region.name_fr}",
                name_en=f"Village near {region.name_en}",
                latitude=Decimal(f"{latitude + rng.uniform(-SPREAD, SPREAD):.4f}"),
                longitude=Decimal(f"{longitude + rng.uniform(-SPREAD, SPREAD):.4f}"),
            )
        )
    return len(Location.objects.bulk_create(locations, batch_size=2000))
