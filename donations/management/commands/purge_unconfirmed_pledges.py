"""Delete pledges never confirmed, as the privacy notice promises (after 30 days)."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from donations.models import Donor, Sponsorship


class Command(BaseCommand):
    help = "Delete pledges left unconfirmed (and without gifts) for more than --days days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    @transaction.atomic
    def handle(self, *args, days, **options):
        stale = Sponsorship.objects.filter(
            status=Sponsorship.Status.PENDING,
            created_at__lt=timezone.now() - timedelta(days=days),
            gifts__isnull=True,
        )
        references = list(stale.values_list("reference", flat=True))
        donors = set(stale.values_list("donor_id", flat=True))
        Sponsorship.objects.filter(reference__in=references).delete()
        # A donor known only through these pledges is known no more.
        Donor.objects.filter(
            pk__in=donors, sponsorships__isnull=True, gifts__isnull=True, receipts__isnull=True
        ).delete()
        # Deleting leaves a history row holding the identity: remove those too (by
        # reference: an id may once have been another pledge's).
        Sponsorship.history_of(references).delete()
        self.stdout.write(f"Deleted {len(references)} unconfirmed pledge(s).")
