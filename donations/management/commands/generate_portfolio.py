"""Generate synthetic projects (and, with the donations app, sponsorships) for benchmarks.

It lives in donations because sponsorships need donations' models; the project side
is ``portfolio.generate``.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from donations.generate import create_sponsorships
from portfolio.generate import generate_projects


class Command(BaseCommand):
    help = "Create synthetic published projects, with partners, regions, photos and news."

    def add_arguments(self, parser):
        parser.add_argument(
            "--projects", type=int, default=100, help="How many projects to create."
        )
        parser.add_argument(
            "--sponsorships",
            type=int,
            default=0,
            help="How many sponsorships to spread over the new projects.",
        )
        parser.add_argument("--seed", type=int, default=None, help="Seed for repeatable data.")

    @transaction.atomic
    def handle(self, *args, projects, sponsorships, seed, **options):
        if projects < 0 or sponsorships < 0:
            raise CommandError("Counts cannot be negative.")
        if sponsorships and not projects:
            raise CommandError("Sponsorships need projects: pass --projects too.")
        created = generate_projects(projects, seed=seed)
        self.stdout.write(self.style.SUCCESS(f"Created {len(created)} projects."))
        if sponsorships:
            made = create_sponsorships(created, sponsorships, seed=4 if seed is None else seed)
            self.stdout.write(self.style.SUCCESS(f"Created {len(made)} sponsorships."))
