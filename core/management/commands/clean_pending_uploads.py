"""Forget the files kept from forms sent back with errors that nobody came back for."""

import os
import time

from django.core.management.base import BaseCommand

from core.models import PENDING_UPLOAD_MAX_AGE, PENDING_UPLOAD_STORAGE, PendingUpload


class Command(BaseCommand):
    help = "Delete pending uploads older than a day, and their files (run it daily)."

    def handle(self, *args, **options):
        count = PendingUpload.objects.expired().discard()
        # Files whose row is gone (its request failed, its owner was deleted).
        known = set(PendingUpload.objects.values_list("file", flat=True))
        oldest = time.time() - PENDING_UPLOAD_MAX_AGE.total_seconds()
        storage = PENDING_UPLOAD_STORAGE
        if os.path.isdir(storage.location):
            for name in storage.listdir("")[1]:
                if name not in known and os.path.getmtime(storage.path(name)) < oldest:
                    storage.delete(name)
                    count += 1
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"{count} pending uploads deleted."))
