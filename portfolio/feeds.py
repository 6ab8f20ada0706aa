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

from .models import Project, ProjectUpdate, long_columns

FEED_ITEMS = 30


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
        # Entries show neither stories nor search documents, the longest columns.
        projects = list(
            Project.objects.published()
            .defer(*long_columns())
            .order_by("-published_at", "-pk")[:FEED_ITEMS]
        )
        updates = list(
            ProjectUpdate.objects.published()
            .select_related("project")
            .defer(*(f"project__{name}" for name in long_columns()))
            .order_by("-published_at", "-pk")[:FEED_ITEMS]
        )
        items = sorted(projects + updates, key=lambda item: item.published_at, reverse=True)
        items = items[:FEED_ITEMS]
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
