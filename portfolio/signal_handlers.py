"""Public pages show portfolio content: any change to it puts stored pages out of date.

Some changes may move any page (a partner, a region). A project published, moved to another
region or sector or given other partners moves the lists, and that project's own fragments,
not the other projects' (``fragments.invalidate_catalogue``). Those that show only where a
project itself shows put just that project's
fragments out of date (``core.fragments``), so the rest of the site stays cheap to render
after an editor's everyday work: its story, cover, dates and photos (its page and card),
its title and summary (its page, its card, and what names it: the feed, maps, the latest
news on the home page, the searches that find it).
"""

import functools

from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from core import fragments, pagecache
from core.changes import changed_columns
from core.prepared_statements import marked

from .models import (
    Partnership,
    Project,
    ProjectImage,
    ProjectUpdate,
    Region,
    Sector,
)
from .search import SEARCHED_FIELDS, search_columns

PUBLIC_MODELS = (Region, Sector)
# The columns of each whose change moves the counts of the catalogue (``catalogue``).
COUNTED_COLUMNS = {Region: ("parent",), Sector: ()}
# The fields that publish a project or a field update: the flag, then the moment.
PUBLICATION = ("is_published", "published_at")

# Columns of a project that only its own page and card show (and the search, and when the
# project last changed). A save that changes nothing else moves only its content version.
OWN_CONTENT_FIELDS = (
    "title",
    "subtitle",
    "summary",
    "body",
    "beneficiaries_description",
    "cover_alt",
    "cover_image",
    "cover_width",
    "cover_height",
    "start_date",
    "end_date",
    "funding_goal",
    "iati_identifier",
    "updated_at",
)
# Of those, what the cards (and what names projects: feeds, maps) show and what the
# funding figures read. The search reads the texts (``search.SEARCHED_FIELDS``).
CARD_FIELDS = (
    "title",
    "subtitle",
    "summary",
    "cover_alt",
    "cover_image",
    "cover_width",
    "cover_height",
    "funding_goal",
)
# What a card shows besides: a catalogue change that leaves these, and the project's
# regions and partners, keeps its card (a project published or unpublished).
CARD_CATALOGUE_FIELDS = (*CARD_FIELDS, "status", "sector", "slug")
FUNDING_FIELDS = ("funding_goal",)
# What the funding figures and the giving panel (its pledge links) read of a project.
GIVING_FIELDS = (*FUNDING_FIELDS, "slug")


def columns(names) -> set[str]:
    """Return the columns of these fields, each language's included."""
    return {
        field.attname
        for field in Project._meta.concrete_fields
        if field.attname in names or field.attname.rsplit("_", 1)[0] in names
    }


# The search documents, made from the texts.
SEARCH_COLUMNS = set(search_columns())
OWN_CONTENT_COLUMNS = columns(OWN_CONTENT_FIELDS) | SEARCH_COLUMNS


def project_saving(sender, instance, raw=False, update_fields=None, **kwargs):
    """Note, before a project is written, which of its columns the save changes."""
    instance._changed_columns = None if raw else changed_columns(instance, update_fields)


def dates_changed(project_pks) -> None:
    """Put out of date what shows when these projects last changed, and nothing else of
    them: the sitemaps (``fragments.invalidate_dates``), and the stored pages."""
    pagecache.invalidate(content_of=())
    fragments.invalidate_dates(project_pks)


def project_saved(sender, instance, created, raw=False, **kwargs):
    changed = None if created else instance.__dict__.pop("_changed_columns", None)
    if raw:
        pagecache.invalidate()
    elif changed is not None and not changed:
        # Saved as it was (its admin form saved to add a place, a partner or a photo
        # below it): only the date it last changed moves.
        dates_changed([instance.pk])
    elif changed is None or not changed <= OWN_CONTENT_COLUMNS:
        # Published, moved to another sector, a new status or address: every list may
        # move, and this project's own fragments, not the other projects'; its funding
        # figures and giving panel only if their columns changed too, its card only if
        # what it shows did.
        pagecache.invalidate(
            catalogue_of=[instance.pk],
            figures_kept=changed is not None and not changed & columns(GIVING_FIELDS),
            cards_kept=changed is not None and not changed & columns(CARD_CATALOGUE_FIELDS),
        )
    else:
        pagecache.invalidate(
            content_of=[instance.pk],
            funding_of=[instance.pk] if changed & columns(FUNDING_FIELDS) else None,
            parts=["card"] if changed & columns(CARD_FIELDS) else (),
            searched=bool(changed & (columns(SEARCHED_FIELDS) | SEARCH_COLUMNS)),
        )


def project_deleted(sender, instance, **kwargs):
    """A project deleted leaves the catalogue as an unpublished one does: every list may
    move, and its own fragments (its page is gone); the counts are corrected for it, and
    the other projects' fragments kept."""
    pagecache.invalidate(catalogue_of=[instance.pk])


def photo_of(photo) -> int | None:
    return photo.project_id


# Photos show in the gallery, in the bottom part of their project's page, not on its card.
photo_changed = pagecache.own_content_changed(photo_of, parts=["bottom"])


def previous_project_saving(sender, instance, raw=False, **kwargs):
    """Note, before a row of a project (a field update, a partnership, a place) is
    written, the project it was of (it may move: both projects change)."""
    previous = None
    if not raw and instance.pk is not None:
        rows = sender._base_manager.filter(pk=instance.pk)
        previous = rows.values_list("project_id", flat=True).first()
    instance._previous_project_id = previous


def projects_of(instance) -> set[int]:
    """Return the project a row is of, and the one it was of before its save when it moved
    (``previous_project_saving``)."""
    projects = {instance.project_id, instance.__dict__.pop("_previous_project_id", None)}
    projects.discard(None)
    return projects


def update_changed(sender, instance, **kwargs):
    """A field update shows on its project's page, in the latest news on the home page and
    in the feed: those are rendered anew (``fragments.NEWS``), nothing else."""
    projects = projects_of(instance)
    # As stored (a form or a script may have given the date as text).
    scheduled = ProjectUpdate.objects.scheduled().filter(pk=instance.pk).exists()
    if projects and not scheduled:
        news_changed(projects)
    else:
        # Scheduled: every token renewed now learns when the update falls due; the kept
        # parts that will show it are then drawn anew (``publications_fell_due``).
        pagecache.invalidate()


def news_changed(project_pks) -> None:
    """Put out of date what shows these projects' field updates, and the latest news: the
    part of their pages that lists them (what keeps their page's rows goes with it), not
    the rest of their pages."""
    pagecache.invalidate(content_of=())  # The pages, none of the projects' own content.
    fragments.invalidate_part("bottom", project_pks)
    fragments.invalidate_part(fragments.NEWS, [*project_pks, fragments.ANY_PROJECT])


def partnership_changed(sender, instance, raw=False, **kwargs):
    """A partnership shows on its project's page and moves the lists that filter by
    partner: the catalogue changes for its project (and the one it left)."""
    projects = projects_of(instance)
    if raw or not projects:
        pagecache.invalidate()
    else:
        pagecache.invalidate(catalogue_of=projects, figures_kept=True)


def links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A project's regions or partners changed: the catalogue changes for those projects."""
    if not action.startswith("post_"):
        return
    if not reverse:
        pagecache.invalidate(catalogue_of=[instance.pk], figures_kept=True)
    elif pk_set:
        pagecache.invalidate(catalogue_of=pk_set, figures_kept=True)
    elif action == "post_clear":
        # Cleared from the region's or partner's side: which projects lost it is not told.
        pagecache.invalidate()


@functools.cache
def _next_publication_sql() -> str:
    """The query of ``next_publication``: the rule of ``scheduled()`` (published, for a
    moment still to come) on both tables, written once from the models."""
    quote = connection.ops.quote_name
    selects = []
    for model in (Project, ProjectUpdate):
        published, moment = (quote(model._meta.get_field(name).column) for name in PUBLICATION)
        selects.append(
            f"SELECT {moment} FROM {quote(model._meta.db_table)} "  # noqa: S608 - names quoted
            f"WHERE {published} AND {moment} > %s"
        )
    return f"{' UNION ALL '.join(selects)} ORDER BY 1 LIMIT 1"


def next_publication():
    """Return when the next scheduled project or field update goes public, if any.

    Read on every renewal of the editorial token: one query written out, which costs less
    than building it."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(marked(_next_publication_sql(), connection), [now, now])
        row = cursor.fetchone()
    if row is None:
        return None
    convert = getattr(connection.ops, "convert_datetimefield_value", None)
    return row[0] if convert is None else convert(row[0], None, connection)


@functools.cache
def _fell_due_sql() -> str:
    """The query of ``publications_fell_due``: the projects, then the projects of the
    field updates, published from a moment until another (``publication_condition``),
    written once from the models."""
    quote = connection.ops.quote_name
    selects = []
    keys = ((Project, Project._meta.pk), (ProjectUpdate, ProjectUpdate._meta.get_field("project")))
    for kind, (model, project) in enumerate(keys):
        published, moment = (quote(model._meta.get_field(name).column) for name in PUBLICATION)
        selects.append(
            f"SELECT {kind}, {quote(project.column)} FROM {quote(model._meta.db_table)} "  # noqa: S608 - names quoted
            f"WHERE {published} AND {moment} >= %s AND {moment} <= %s"
        )
    return " UNION ALL ".join(selects)


def publications_fell_due(since) -> int | None:
    """Tell the fragments what went public by its date from ``since`` until now, as the
    saves that publish it now do: projects change the catalogue (their funding figures and
    cards as they were), field updates their projects' news (``news_changed``). Return how
    many went public, or None when the projects are too many to be logged (every token is
    then renewed).

    One query written out, both tables at once: it runs on the first request after the
    moment, which building querysets would cost more than running it."""
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            marked(_fell_due_sql(), connection), [adapt(since), adapt(timezone.now())] * 2
        )
        rows = cursor.fetchall()
    if not fragments.catalogue_published(pk for kind, pk in rows if kind == 0):
        return None
    news = {pk for kind, pk in rows if kind == 1}
    if news:
        fragments.invalidate_part("bottom", news)
        fragments.invalidate_part(fragments.NEWS, [*news, fragments.ANY_PROJECT])
    return len(rows)


def connect():
    for model in PUBLIC_MODELS:
        # What the counts of the catalogue read of them: a region's place in the tree, a
        # sector nothing but its key (renaming either keeps the counts).
        before, after = pagecache.counted_columns_saved(*COUNTED_COLUMNS[model])
        pre_save.connect(
            before, sender=model, weak=False, dispatch_uid=f"pagecache-pre-{model.__name__}"
        )
        post_save.connect(
            after, sender=model, weak=False, dispatch_uid=f"pagecache-{model.__name__}"
        )
        post_delete.connect(
            pagecache.content_changed, sender=model, dispatch_uid=f"pagecache-del-{model.__name__}"
        )
    pre_save.connect(
        previous_project_saving, sender=ProjectUpdate, dispatch_uid="pagecache-pre-Update"
    )
    post_save.connect(update_changed, sender=ProjectUpdate, dispatch_uid="pagecache-Update")
    post_delete.connect(update_changed, sender=ProjectUpdate, dispatch_uid="pagecache-del-Update")
    pre_save.connect(project_saving, sender=Project, dispatch_uid="pagecache-pre-Project")
    post_save.connect(project_saved, sender=Project, dispatch_uid="pagecache-Project")
    post_delete.connect(project_deleted, sender=Project, dispatch_uid="pagecache-del-Project")
    post_save.connect(photo_changed, sender=ProjectImage, dispatch_uid="pagecache-ProjectImage")
    post_delete.connect(
        photo_changed, sender=ProjectImage, dispatch_uid="pagecache-del-ProjectImage"
    )
    pre_save.connect(
        previous_project_saving, sender=Partnership, dispatch_uid="pagecache-pre-Partnership"
    )
    post_save.connect(partnership_changed, sender=Partnership, dispatch_uid="pagecache-Partnership")
    post_delete.connect(
        partnership_changed, sender=Partnership, dispatch_uid="pagecache-del-Partnership"
    )
    for through in (Project.regions.through, Project.partners.through):
        m2m_changed.connect(
            links_changed, sender=through, dispatch_uid=f"pagecache-m2m-{through.__name__}"
        )
    pagecache.register_schedule(next_publication, publications_fell_due)
