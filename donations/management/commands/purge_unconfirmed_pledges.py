"""Delete pledges never confirmed, as the privacy notice promises (after 30 days)."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from donations.models import Sponsorship


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
        ids = list(stale.values_list("pk", flat=True))
        Sponsorship.objects.filter(pk__in=ids).delete()
        # Deleting leaves a history row holding the identity: remove those too.
        Sponsorship.history.model.objects.filter(id__in=ids).delete()
        self.stdout.write(f"Deleted {len(ids)} unconfirmed pledge(s).")
