"""Funding figures and suggested amounts are public: their changes put stored pages out of date.

A new pledge waiting for its donor's confirmation counts nowhere public, so it leaves the
cache alone; confirming, cancelling or erasing a pledge, and any gift, move the figures or
the supporters shown.
"""

from django.db.models.signals import post_delete, post_save

from core import pagecache

from .models import Gift, Sponsorship, SuggestedAmount


def sponsorship_changed(sender, instance, **kwargs):
    if instance.status != Sponsorship.Status.PENDING:
        pagecache.invalidate()


def connect():
    for model in (Gift, SuggestedAmount):
        post_save.connect(
            pagecache.content_changed, sender=model, dispatch_uid=f"pagecache-{model.__name__}"
        )
        post_delete.connect(
            pagecache.content_changed, sender=model, dispatch_uid=f"pagecache-del-{model.__name__}"
        )
    post_save.connect(sponsorship_changed, sender=Sponsorship, dispatch_uid="pagecache-pledge")
    post_delete.connect(
        sponsorship_changed, sender=Sponsorship, dispatch_uid="pagecache-del-pledge"
    )
