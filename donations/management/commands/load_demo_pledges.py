"""Give the demo project the suggested amounts of its pledge form (idempotent)."""

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from donations.models import SuggestedAmount
from portfolio.models import Project

DEMO_PROJECT = "prevenir-la-traite-des-etres-humains-dans-les-regions-rurales"
SUGGESTIONS = [
    (
        Decimal("25"),
        "les fournitures scolaires d’une fille pendant un an",
        "school supplies for a girl for a year",
    ),
    (
        Decimal("50"),
        "une séance de sensibilisation à la traite dans un village",
        "an awareness session on trafficking in a village",
    ),
    (
        Decimal("100"),
        "un mois de suivi psychosocial pour une jeune à risque",
        "a month of counselling for a young person at risk",
    ),
    (
        Decimal("250"),
        "la formation d’un comité de vigilance communautaire",
        "training for a community watch committee",
    ),
]


class Command(BaseCommand):
    help = "Add the suggested amounts of the demo project's pledge form (run after load_demo)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Restore the suggested amounts even where editors changed them.",
        )

    @transaction.atomic
    def handle(self, *args, reset=False, **options):
        project = Project.objects.filter(slug_fr=DEMO_PROJECT).first()
        if project is None and not Project.objects.exists():
            raise CommandError("Run load_demo first: the demo project does not exist.")
        if project is None:
            self.stdout.write("The demo project is not here (renamed or deleted); nothing added.")
            return
        if not reset and project.suggested_amounts.exists():
            # `make run` runs this at every start: editors' amounts must survive it.
            self.stdout.write("The demo amounts are there; left alone (--reset restores them).")
            return
        for order, (amount, impact_fr, impact_en) in enumerate(SUGGESTIONS):
            SuggestedAmount.objects.update_or_create(
                project=project,
                amount=amount,
                defaults={"impact_fr": impact_fr, "impact_en": impact_en, "order": order},
            )
        self.stdout.write(
            self.style.SUCCESS(f"{len(SUGGESTIONS)} suggested amounts on the demo project.")
        )
