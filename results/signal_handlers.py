"""Results show on project pages: saving or deleting one puts stored pages out of date.

They are editorial content (not funding), so the page cache and every fragment are renewed.
"""

from django.db.models.signals import post_delete, post_save

from core import pagecache

from .models import Disaggregation, Indicator, Period, Result

PUBLIC_MODELS = (Result, Indicator, Period, Disaggregation)


def connect():
    for model in PUBLIC_MODELS:
        post_save.connect(
            pagecache.content_changed, sender=model, dispatch_uid=f"pagecache-{model.__name__}"
        )
        post_delete.connect(
            pagecache.content_changed, sender=model, dispatch_uid=f"pagecache-del-{model.__name__}"
        )
