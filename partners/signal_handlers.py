"""Partner pages and project pages show partners: a change puts stored pages out of date."""

from django.db.models.signals import post_delete, post_save

from core import pagecache

from .models import Partner


def connect():
    post_save.connect(pagecache.content_changed, sender=Partner, dispatch_uid="pagecache-partner")
    post_delete.connect(
        pagecache.content_changed, sender=Partner, dispatch_uid="pagecache-del-partner"
    )
