"""Generate synthetic projects, partners and sponsorships, for benchmarks and trials at scale.

The rows are made by ``portfolio.generate``, ``places.generate`` and ``donations.generate``.
"""

import time

from django.core.management.base import CommandError
from django.db import transaction

from devtools.commands import DeveloperCommand
from donations.generate import create_sponsorships
from places.generate import create_locations
from portfolio.generate import generate_projects
from results.generate import create_results


class Command(DeveloperCommand):
    help = "Create synthetic published projects, with partners, regions, photos and news."

    def add_arguments(self, parser):
        parser.add_argument(
            "--projects", type=int, default=100, help="How many projects to create."
        )
        parser.add_argument(
            "--partners",
            type=int,
            default=None,
            help="How many partners the new projects share (default: a third of --projects).",
        )
        parser.add_argument(
            "--sponsorships",
            type=int,
            default=0,
            help="How many sponsorships to spread over the new projects.",
        )
        parser.add_argument("--seed", type=int, default=None, help="Seed for repeatable data.")

    @transaction.atomic
    def handle(self, *args, projects, partners, sponsorships, seed, **options):
        if projects < 0 or sponsorships < 0 or (partners is not None and partners < 1):
            raise CommandError("Counts cannot be negative, and --partners must be at least 1.")
        if sponsorships and not projects:
            raise CommandError("Sponsorships need projects: pass --projects too.")
        started = time.perf_counter()
        created = generate_projects(projects, seed=seed, partners=partners)
        create_results(created, seed=seed)
        create_locations(created, seed=7 if seed is None else seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {len(created)} projects in {time.perf_counter() - started:.1f} s."
            )
        )
        if sponsorships:
            started = time.perf_counter()
            made = create_sponsorships(created, sponsorships, seed=4 if seed is None else seed)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created {made} sponsorships in {time.perf_counter() - started:.1f} s."
                )
            )
