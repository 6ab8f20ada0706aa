"""Places of the demo project, added when ``load_demo`` runs (see ``PlacesConfig.ready``).

The villages and towns are plausible examples chosen in the districts where the partners
work, with approximate coordinates; the NGO corrects them in the project's form.
"""

from decimal import Decimal

from .models import Location

# (region key in portfolio.demo_content.REGIONS, French name, English name, latitude, longitude)
PLACES = [
    (
        "bengale-occidental",
        "Canning, 24 Parganas Sud",
        "Canning, South 24 Parganas",
        "22.315",
        "88.666",
    ),
    (
        "bengale-occidental",
        "Jaynagar, 24 Parganas Sud",
        "Jaynagar, South 24 Parganas",
        "22.176",
        "88.419",
    ),
    ("nepal", "Itahari, district de Sunsari", "Itahari, Sunsari district", "26.663", "87.274"),
    ("nepal", "Biratnagar, district de Morang", "Biratnagar, Morang district", "26.452", "87.272"),
    ("bangladesh", "Jessore (Jashore)", "Jessore (Jashore)", "23.166", "89.208"),
    ("bangladesh", "Satkhira", "Satkhira", "22.718", "89.071"),
]


def add_demo_places(project, *, regions, reset: bool = False, **kwargs):
    """Give the demo project its places, the same rows however often the demo loads."""
    for order, (region, name_fr, name_en, latitude, longitude) in enumerate(PLACES):
        Location.objects.update_or_create(
            project=project,
            order=order,
            defaults={
                "name_fr": name_fr,
                "name_en": name_en,
                "region": regions[region],
                "latitude": Decimal(latitude),
                "longitude": Decimal(longitude),
                "exactness": Location.Exactness.APPROXIMATE,
                "reach": Location.Reach.ACTIVITY,
            },
        )
