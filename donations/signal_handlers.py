"""Funding figures and suggested amounts are public: their changes put stored pages out of date.

A new pledge waiting for its donor's confirmation counts nowhere public, so it leaves the
cache alone; confirming, cancelling or erasing a pledge, and any gift, move the figures or
the supporters shown. They move one project's funding only: the page fragments of the
others are kept (``core.fragments``).
"""

from django.db.models.signals import post_delete, post_save

from core import pagecache

from .models import Gift, Sponsorship, SuggestedAmount


def sponsorship_changed(sender, instance, **kwargs):
    if instance.status != Sponsorship.Status.PENDING:
        pagecache.invalidate(funding_of=[instance.project_id])


def gift_changed(sender, instance, **kwargs):
    project = (
        Sponsorship.objects.filter(pk=instance.sponsorship_id)
        .values_list("project_id", flat=True)
        # The pledge is gone too when a gift goes with it: any project may have moved.
        .first()
    )
    pagecache.invalidate(funding_of=None if project is None else [project])


def amount_changed(sender, instance, **kwargs):
    pagecache.invalidate(funding_of=[instance.project_id])


def connect():
    for model, receiver in ((Gift, gift_changed), (SuggestedAmount, amount_changed)):
        post_save.connect(receiver, sender=model, dispatch_uid=f"pagecache-{model.__name__}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"pagecache-del-{model.__name__}")
    post_save.connect(sponsorship_changed, sender=Sponsorship, dispatch_uid="pagecache-pledge")
    post_delete.connect(
        sponsorship_changed, sender=Sponsorship, dispatch_uid="pagecache-del-pledge"
    )
