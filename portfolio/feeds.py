"""An Atom feed per language: new projects and news from the field, newest first."""

import re
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.contrib.syndication.views import Feed, add_domain
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, rfc3339_date
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from core import fragments
from core.richtext import rich_text_sanitiser
from core.rows import RowsByKey
from core.templatetags.translated_fields import translated

from .models import Project, ProjectUpdate, ProjectUpdateQuerySet, PublicationQuerySet
from .rows import newest_published

FEED_ITEMS = 20
# The kinds of entries.
PROJECT, UPDATE = "project", "update"
# What XML 1.0 cannot carry, even escaped: the control characters but tab and line breaks.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


class EntriesWrittenAtOnce(Atom1Feed):
    """Django's Atom 1.0 feed, each entry written as one string rather than element by
    element through the XML writer: the same bytes (what this feed's entries have: a
    title, a link, a publication date, an id and a summary; ``tests/test_feed_escaping.py``
    compares them), with ``LatestNewsFeed.get_feed`` in a third of the time (twenty
    entries: 1.5 ms → 0.5 ms in one process). A control character that XML cannot
    carry, which Django's writer refuses with an error, is left out."""

    def write_items(self, handler):
        for item in self.items:
            handler.ignorableWhitespace(entry_xml(item))  # Written as it is.


def entry_xml(item: dict) -> str:
    """Return the ``<entry>`` of an item of the feed (``SyndicationFeed.add_item``'s dict),
    as ``Atom1Feed.write_items`` writes it with no author, enclosure, category or rights."""
    if item["author_name"] or item["enclosures"] or item["categories"] or item["item_copyright"]:
        raise ValueError("The feed's entries have no author, enclosure, category or rights.")

    def element(name: str, value: str, attributes: str = "") -> str:
        value = escape(_NOT_IN_XML.sub("", value))
        if not value:
            return f"<{name}{attributes}/>"
        return f"<{name}{attributes}>{value}</{name}>"

    link = _NOT_IN_XML.sub("", item["link"])
    parts = ["<entry>", element("title", item["title"])]
    parts.append(f'<link href={quoteattr(link)} rel="alternate"/>')
    if item["pubdate"] is not None:
        parts.append(f"<published>{rfc3339_date(item['pubdate'])}</published>")
    if item["updateddate"] is not None:
        parts.append(f"<updated>{rfc3339_date(item['updateddate'])}</updated>")
    parts.append(element("id", item["unique_id"]))
    if item["description"] is not None:
        parts.append(element("summary", item["description"], ' type="html"'))
    parts.append("</entry>")
    return "".join(parts)


class LatestNewsFeed(Feed):
    feed_type = EntriesWrittenAtOnce

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
        """None through the syndication framework: ``get_feed`` adds the entries."""
        return []

    def entries(self):
        """Return the 20 newest entries (projects published and field updates), each as
        what it shows (``Entry``).

        Which entries: ``latest_entries``. Each entry is kept under the versions of what
        it shows (its project's card; an update's project's news too), so renaming a
        project or publishing an update reads only the entries that show it again
        (``core.fragments``). None shows a name of a region, sector or partner: they are
        kept under the counts token, across their saves."""
        latest = latest_entries()
        projects = {project for _when, _pk, _kind, project in latest}
        # Entries show their projects' titles and summaries: renaming one of them renders
        # the feed anew; other edits to a project leave it as it is. Their field updates
        # too: any update published or changed renders it anew.
        fragments.shows_cards_of(projects)
        fragments.shows_news_of([fragments.ANY_PROJECT])
        keys = {}
        if fragments.in_use():
            cards = fragments.part_versions("card", projects)
            news = fragments.part_versions(
                fragments.NEWS, {project for *_, kind, project in latest if kind == UPDATE}
            )
            keys = {
                # An entry shows one project and its update, dated by its publication:
                # kept across the catalogue (a project published again keeps its card).
                (kind, pk): fragments.fragment_key(
                    "feed-entry",
                    kind,
                    pk,
                    when.isoformat(),
                    cards[project],
                    news.get(project),
                    across_catalogue=True,
                    no_partners=True,
                    no_names=True,
                )
                for when, pk, kind, project in latest
            }
        found = fragments.get_many(keys.values())
        entries = {entry: found[key] for entry, key in keys.items() if key in found}
        made = self._entries([(kind, pk) for _when, pk, kind, _project in latest], entries)
        fragments.set_many({keys[entry]: value for entry, value in made.items() if entry in keys})
        entries |= made
        return [entries[kind, pk] for _when, pk, kind, _project in latest if (kind, pk) in entries]

    def _entries(self, wanted, kept) -> dict:
        """Return ``{(kind, pk): Entry}`` of the entries wanted and not kept, from their
        rows (one query per kind), with only what an entry shows."""
        chosen = {
            kind: [pk for each, pk in wanted if each == kind and (kind, pk) not in kept]
            for kind in (PROJECT, UPDATE)
        }
        rows = []
        if chosen[PROJECT]:
            rows += _PROJECT_ENTRIES(chosen[PROJECT]).values()
        if chosen[UPDATE]:
            rows += (
                ProjectUpdate.objects.filter(pk__in=chosen[UPDATE])
                .select_related("project")
                .only(
                    "published_at",
                    "project",
                    *_columns("title", "text"),
                    *_columns("project__title", "project__slug"),
                )
            )
        return {
            (UPDATE if isinstance(row, ProjectUpdate) else PROJECT, row.pk): Entry(
                title=self._title(row),
                description=self._description(row),
                link=self._link(row),
                published_at=row.published_at,
            )
            for row in rows
        }

    def _title(self, item):
        if isinstance(item, ProjectUpdate):
            return _("%(project)s — news: %(title)s") % {
                "project": translated(item.project, "title").text,
                "title": translated(item, "title").text,
            }
        return translated(item, "title").text

    def _description(self, item):
        """Return the item's text as HTML that is safe to render.

        Atom readers render a summary as HTML: a project's plain summary (``<img onerror=…>``,
        a ``javascript:`` address typed in it) reaches them escaped, as the pages show it;
        a field update's rich text reaches them as the sanitiser leaves it, checked again.
        """
        if isinstance(item, ProjectUpdate):
            return rich_text_sanitiser(ProjectUpdate, "text")(translated(item, "text").text)
        text = translated(item, "summary").text or translated(item, "subtitle").text
        return linebreaks(text, autoescape=True)

    def _link(self, item):
        if isinstance(item, ProjectUpdate):
            return f"{item.project.get_absolute_url()}#update-{item.pk}"
        return item.get_absolute_url()

    def get_feed(self, obj, request):
        """Return Django's feed with the entries added as they are kept (``entries``), not
        looked up item by item through the syndication framework (two dozen lookups an
        entry).

        An entry's date of update is its date of publication: it announces a project (its
        title and summary) or a field update, whatever is later edited on the project's
        page (its story, its photos), so the feed stays the same until the catalogue
        changes or one of its projects is renamed (``core.fragments``)."""
        feed = super().get_feed(obj, request)
        domain, secure = get_current_site(request).domain, request.is_secure()
        for entry in self.entries():
            link = add_domain(domain, entry.link, secure)
            feed.add_item(
                title=entry.title,
                link=link,
                description=entry.description,
                unique_id=link,
                pubdate=self.item_pubdate(entry),
                updateddate=self.item_updateddate(entry),
            )
        return feed

    # With these, Django also sends the date of the newest entry as the feed's
    # ``Last-Modified``, for a reader's conditional request.
    def item_pubdate(self, entry):
        return entry.published_at

    def item_updateddate(self, entry):
        return entry.published_at


@dataclass(frozen=True)
class Entry:
    """What an entry of the feed shows: kept as such, not as the rows it comes from."""

    title: str
    description: str
    link: str
    published_at: datetime


# What a project's entry shows, read by key.
_PROJECT_ENTRIES = RowsByKey(
    Project, only=lambda: ("published_at", *_columns("title", "summary", "subtitle", "slug"))
)
# The newest projects and field updates, each query built once per process.
_NEWEST_PROJECTS = newest_published(Project, PublicationQuerySet, FEED_ITEMS, "published_at", "pk")
_NEWEST_UPDATES = newest_published(
    ProjectUpdate, ProjectUpdateQuerySet, FEED_ITEMS, "published_at", "pk", "project_id"
)


def latest_entries() -> list[tuple[datetime, int, str, int]]:
    """Return ``(date, key, kind, project key)`` of the feed's entries, newest first.

    Kept under the editorial token (a change of the catalogue moves them) and the news
    version of every project, and read once per request: the feed page is kept under
    them (``feed_shown``), read before it, outside what it is kept with."""
    return fragments.once_per_request(
        "feed-latest", lambda: fragments.memo("feed-latest", (), _latest)
    )


def feed_shown(request) -> tuple:
    """What the feed shows of the catalogue: which entries, dated. The rest is what its
    entries' versions stand for, which the page is kept with: it is kept under the counts
    token (``core.pagecache.editorial_page``), and a region, a sector or a partner saved
    leaves it as it was."""
    return tuple(latest_entries())


def _latest() -> list[tuple[datetime, int, str, int]]:
    """Return ``(date, key, kind, project key)`` of the newest entries of both kinds,
    chosen by date from the ends of two indexes."""
    # Publishing a field update changes them, as does a change of the catalogue.
    fragments.shows_news_of([fragments.ANY_PROJECT])
    entries = [(when, pk, PROJECT, pk) for when, pk in _NEWEST_PROJECTS()]
    entries += [(when, pk, UPDATE, project) for when, pk, project in _NEWEST_UPDATES()]
    return sorted(entries, key=lambda each: (each[0], each[1]), reverse=True)[:FEED_ITEMS]


def _columns(*fields: str) -> list[str]:
    """Return the columns of these translated fields, each language's (an entry falls back
    on the other language where one is missing)."""
    return [f"{field}_{code}" for field in fields for code, _name in settings.LANGUAGES]
