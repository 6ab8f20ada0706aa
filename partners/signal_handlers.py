"""Partner pages and project pages show partners: a change puts stored pages out of date."""

from django.db.models.signals import post_delete, post_save, pre_save

from core import fragments, pagecache

from .models import Partner

# Saving a partner keeps the counts of the catalogue unless it is shown or hidden: they
# count the public partners' projects. What is kept under the regions token (cards, the
# top of project pages, maps) shows nothing of partners: kept too.
counted_before, counted_after = pagecache.counted_columns_saved("is_public", regions_kept=True)


def partner_changed(sender, instance, created=False, **kwargs):
    """Its card on the partner list is kept under its own version (which this moves), with
    the regions token: the other partners' cards stay kept. A partner added moves how
    many there are (``fragments.PARTNERS_ADDED``); one renamed keeps it."""
    fragments.invalidate_partners([instance.pk], added=created)


def partner_deleted(sender, instance, **kwargs):
    fragments.invalidate_partners([instance.pk], added=True)


def connect():
    pre_save.connect(counted_before, sender=Partner, dispatch_uid="pagecache-pre-partner")
    post_save.connect(counted_after, sender=Partner, dispatch_uid="pagecache-partner")
    post_save.connect(partner_changed, sender=Partner, dispatch_uid="pagecache-partner-card")
    post_delete.connect(
        pagecache.content_changed, sender=Partner, dispatch_uid="pagecache-del-partner"
    )
    post_delete.connect(partner_deleted, sender=Partner, dispatch_uid="pagecache-del-partner-card")
