"""A place shows on its project's map, on the home page's and on its region's (and the
maps of the regions around it), and is counted on them: saving or deleting one changes the
catalogue for its project, as moving that project to another region does
(``pagecache.invalidate(catalogue_of=…)``), but for that project's page only its map moves
(``fragments.PLACES``), and it is logged as a change of places. The maps and counts are
drawn anew, and the part of its page that holds the map; the rest of its page, its card,
its news and its funding figures stay kept, as does what shows other projects, and what
shows no place (the lists and searches: ``catalogue.kept_apart(…, no_places=True)``)."""

from django.db.models.signals import post_delete, post_save, pre_save

from core import fragments, pagecache
from portfolio.signal_handlers import previous_project_saving, projects_of

from .models import Location


def places_changed(project_pks) -> None:
    """Put out of date what shows these projects' places (the catalogue changes for them)."""
    pagecache.invalidate(catalogue_of=project_pks, catalogue_parts=[fragments.PLACES])


def place_changed(sender, instance, raw=False, **kwargs):
    projects = projects_of(instance)
    if raw or not projects:
        pagecache.invalidate()
    else:
        # The project it was of too, when it moved: both maps change.
        places_changed(projects)


def connect():
    pre_save.connect(
        previous_project_saving, sender=Location, dispatch_uid="pagecache-pre-Location"
    )
    post_save.connect(place_changed, sender=Location, dispatch_uid="pagecache-Location")
    post_delete.connect(place_changed, sender=Location, dispatch_uid="pagecache-del-Location")
