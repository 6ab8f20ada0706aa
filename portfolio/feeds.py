"""An Atom feed per language: new projects and news from the field, newest first."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from core import fragments
from core.richtext import rich_text_sanitiser
from core.templatetags.translated_fields import translated

from .models import Project, ProjectUpdate

FEED_ITEMS = 20


class LatestNewsFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("%(organisation)s: new projects and news from the field") % {
            "organisation": settings.ORGANISATION_NAME
        }

    def subtitle(self):
        return _("Projects we fund with local partners around the world.")

    def link(self):
        return reverse("portfolio:home")

    def feed_url(self):
        return reverse("portfolio:feed")

    def author_name(self):
        return settings.ORGANISATION_NAME

    def items(self):
        # Publishing a field update renders the feed anew, as does a change of the catalogue.
        fragments.shows_news_of([fragments.ANY_PROJECT])
        # The newest of both kinds, chosen by date from the ends of two indexes, then only
        # those rows loaded, with only what an entry shows.
        latest = sorted(
            [
                *(
                    (when, pk, Project)
                    for pk, when in Project.objects.published()
                    .order_by("-published_at", "-pk")
                    .values_list("pk", "published_at")[:FEED_ITEMS]
                ),
                *(
                    (when, pk, ProjectUpdate)
                    for pk, when in ProjectUpdate.objects.published()
                    .order_by("-published_at", "-pk")
                    .values_list("pk", "published_at")[:FEED_ITEMS]
                ),
            ],
            key=lambda each: (each[0], each[1]),
            reverse=True,
        )[:FEED_ITEMS]
        chosen = {
            model: [pk for _when, pk, kind in latest if kind is model]
            for model in (Project, ProjectUpdate)
        }
        rows = {
            (Project, project.pk): project
            for project in Project.objects.filter(pk__in=chosen[Project]).only(
                "published_at", *_columns("title", "summary", "subtitle", "slug")
            )
        }
        updates = ProjectUpdate.objects.filter(pk__in=chosen[ProjectUpdate]).select_related(
            "project"
        )
        rows |= {
            (ProjectUpdate, update.pk): update
            for update in updates.only(
                "published_at",
                "project",
                *_columns("title", "text"),
                *_columns("project__title", "project__slug"),
            )
        }
        items = [rows[kind, pk] for _when, pk, kind in latest if (kind, pk) in rows]
        # Entries show their projects' titles and summaries: renaming one of them renders
        # the feed anew (``core.fragments``); other edits to a project leave it as it is.
        fragments.shows_cards_of(
            {item.project_id if isinstance(item, ProjectUpdate) else item.pk for item in items}
        )
        return items

    def item_title(self, item):
        if isinstance(item, ProjectUpdate):
            return _("%(project)s — news: %(title)s") % {
                "project": translated(item.project, "title").text,
                "title": translated(item, "title").text,
            }
        return translated(item, "title").text

    def item_description(self, item):
        """Return the item's text as HTML that is safe to render.

        Atom readers render a summary as HTML: a project's plain summary (``<img onerror=…>``,
        a ``javascript:`` address typed in it) reaches them escaped, as the pages show it;
        a field update's rich text reaches them as the sanitiser leaves it, checked again.
        """
        if isinstance(item, ProjectUpdate):
            return rich_text_sanitiser(ProjectUpdate, "text")(translated(item, "text").text)
        text = translated(item, "summary").text or translated(item, "subtitle").text
        return linebreaks(text, autoescape=True)

    def item_link(self, item):
        if isinstance(item, ProjectUpdate):
            return f"{item.project.get_absolute_url()}#update-{item.pk}"
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        """Return when the entry last changed in a way that matters to its readers.

        An entry announces a project (its title and summary) or a field update: its date
        stands, whatever is later edited on the project's page (its story, its photos), so
        the feed stays the same until the catalogue changes or one of its projects is
        renamed (``core.fragments``)."""
        return item.published_at


def _columns(*fields: str) -> list[str]:
    """Return the columns of these translated fields, each language's (an entry falls back
    on the other language where one is missing)."""
    return [f"{field}_{code}" for field in fields for code, _name in settings.LANGUAGES]
