"""Public pages show portfolio content: any change to it puts stored pages out of date."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from core import pagecache

from .models import Partnership, Project, ProjectImage, ProjectUpdate, Region, Sector

PUBLIC_MODELS = (Region, Sector, Project, Partnership, ProjectImage, ProjectUpdate)


def next_publication():
    """Return when the next scheduled project or field update goes public, if any."""
    scheduled = [
        model.objects.scheduled().order_by().values_list("published_at", flat=True)
        for model in (Project, ProjectUpdate)
    ]
    return scheduled[0].union(scheduled[1]).order_by("published_at").first()


def connect():
    for model in PUBLIC_MODELS:
        post_save.connect(
            pagecache.content_changed, sender=model, dispatch_uid=f"pagecache-{model.__name__}"
        )
        post_delete.connect(
            pagecache.content_changed, sender=model, dispatch_uid=f"pagecache-del-{model.__name__}"
        )
    for through in (Project.regions.through, Project.partners.through):
        m2m_changed.connect(
            pagecache.content_changed,
            sender=through,
            dispatch_uid=f"pagecache-m2m-{through.__name__}",
        )
    pagecache.register_schedule(next_publication)
