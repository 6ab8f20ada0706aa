"""Keep projects' search documents current where no ``save()`` of this app runs.

Saving a project, a region or a partnership refreshes documents from those models'
``save()``. What remains is caught here: a partner (another app's model) renamed or
hidden, deletions (the admin deletes in bulk, without calling ``delete()``), and a
project's regions, which live in a many-to-many table without a model of its own.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from partners.models import Partner

from .models import Partnership, Project, Region
from .search import language_codes, refresh_search_documents


def _partner_columns() -> list[str]:
    return [f"name_{code}" for code in language_codes()] + ["is_public"]


@receiver(pre_save, sender=Partner)
def note_partner_search_change(sender, instance, raw=False, **kwargs):
    """Remember whether the name or publicness that search documents hold is changing."""
    if raw or instance.pk is None:
        instance._search_changed = False
        return
    saved = Partner.objects.filter(pk=instance.pk).values_list(*_partner_columns()).first()
    current = tuple(getattr(instance, column) for column in _partner_columns())
    instance._search_changed = saved is not None and tuple(saved) != current


@receiver(post_save, sender=Partner)
def refresh_partner_projects(sender, instance, created, raw=False, **kwargs):
    if getattr(instance, "_search_changed", False):
        partnerships = Partnership.objects.filter(partner=instance)
        refresh_search_documents(partnerships.values_list("project_id", flat=True))


def _deleted_with_a_project(origin) -> bool:
    """Tell whether a deletion started from projects, whose documents go with them."""
    return isinstance(origin, Project) or getattr(origin, "model", None) is Project


@receiver(post_delete, sender=Partnership)
def refresh_after_partnership_deleted(sender, instance, origin=None, **kwargs):
    if not _deleted_with_a_project(origin):
        refresh_search_documents([instance.project_id])


@receiver(pre_delete, sender=Region)
def note_region_projects(sender, instance, **kwargs):
    """Remember the region's projects: their links to it are deleted with it."""
    located = Project.regions.through.objects.filter(region=instance)
    instance._search_projects = list(located.values_list("project_id", flat=True))


@receiver(post_delete, sender=Region)
def refresh_after_region_deleted(sender, instance, **kwargs):
    refresh_search_documents(getattr(instance, "_search_projects", []))


@receiver(m2m_changed, sender=Project.regions.through)
def refresh_after_regions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Refresh the projects whose regions changed, from either side of the relation."""
    if not reverse:  # project.regions.add(…)
        if action in ("post_add", "post_remove", "post_clear"):
            refresh_search_documents([instance.pk])
        return
    # region.projects.add(…): the projects are the keys given, or all of them on clear.
    if action == "pre_clear":
        instance._search_projects = list(instance.projects.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove"):
        refresh_search_documents(pk_set or [])
    elif action == "post_clear":
        refresh_search_documents(getattr(instance, "_search_projects", []))
