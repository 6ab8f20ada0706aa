"""Partner pages and project pages show partners: a change puts stored pages out of date."""

from django.db.models.signals import post_delete, post_save, pre_save

from core import fragments, pagecache

from .models import Partner


def partnered_projects(partner) -> list[int]:
    """Return the projects a partner works on: shown or hidden, it moves in the catalogue
    for them only (what they count of partners), as a partnership added or deleted does."""
    return list(partner.projects.values_list("pk", flat=True))


# Saving a partner keeps the counts of the catalogue unless it is shown or hidden: they
# count the public partners' projects, and are then corrected for its projects. What is
# kept under the regions token (cards, the top of project pages, maps) shows nothing of
# partners: kept too.
counted_before, counted_after = pagecache.counted_columns_saved(
    "is_public", regions_kept=True, projects_of=partnered_projects
)


def partner_changed(sender, instance, created=False, **kwargs):
    """Its card on the partner list is kept under its own version (which this moves), with
    the regions token: the other partners' cards stay kept. A partner added, shown or
    hidden moves how many there are (``fragments.PARTNERS_ADDED``); one renamed keeps it."""
    shown_or_hidden = instance.__dict__.pop("_counted_columns_changed", False)
    fragments.invalidate_partners([instance.pk], added=created or shown_or_hidden)


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
