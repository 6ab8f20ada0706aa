"""A sitemap base for pages that exist in every language of the site."""

from functools import cached_property

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Count, Max, QuerySet
from django.utils import translation

from core import fragments


def slug_columns() -> list[str]:
    """Return every language's slug column: each address needs its own language's."""
    return [f"slug_{code}" for code, _name in settings.LANGUAGES]


class LanguagePairs:
    """The ``(item, language)`` pairs of a sitemap section, read one slice at a time.

    Django's sitemap builds the whole list of pairs to paginate it, loading every row of
    the section for every page. Here the count comes from the database and a page loads
    only the items its pairs need. Every item is listed in every language, in order.
    """

    def __init__(self, items, languages, count=None):
        self.items = items
        self.languages = list(languages)
        self._count = count

    def count(self) -> int:
        """Return the number of pairs: items times languages."""
        if self._count is None:
            items = self.items.count() if isinstance(self.items, QuerySet) else len(self.items)
            self._count = items * len(self.languages)
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("LanguagePairs only supports contiguous slices.")
        start = index.start or 0
        stop = self.count() if index.stop is None else index.stop
        if start < 0 or stop < 0:
            raise ValueError("LanguagePairs does not support negative indexes.")
        if stop <= start:
            return []
        per_item = len(self.languages)
        first, last = start // per_item, -(-stop // per_item)  # the items the pairs touch
        pairs = [(item, language) for item in self.items[first:last] for language in self.languages]
        offset = first * per_item
        return pairs[start - offset : stop - offset]


class TranslatedSitemap(Sitemap):
    """Every page once per language, each listing all its languages and an x-default.

    Django's own x-default strips the language prefix, which leads nowhere here since
    every address carries one; the default language's page stands for it instead.

    A section's ``items()`` should be a queryset loading only what ``location()`` and
    ``lastmod()`` read: a page of the section loads just its own rows. Set
    ``lastmod_field`` to give the section's date in the sitemap index.
    """

    i18n = True
    alternates = True
    # URLs per sitemap page, each (item, language) pair counting once: about 450 KB, built
    # in well under half a second with 10 000 projects. The protocol allows 50 000.
    limit = 1000
    lastmod_field = None
    # Items are projects whose dates move with their own content (``core.fragments``).
    project_content = False

    @cached_property
    def _summary(self) -> dict:
        """Return the section's number of items and latest change, in one query.

        Kept for the sitemap's life: the views make one per request from the class.
        """
        items = self.items()
        if not isinstance(items, QuerySet):
            return {"count": len(items), "latest": None}
        aggregates = {"count": Count("pk")}
        if self.lastmod_field:
            aggregates["latest"] = Max(self.lastmod_field)
        return {"latest": None} | items.aggregate(**aggregates)

    @property
    def paginator(self):
        languages = self._languages()
        pairs = LanguagePairs(self.items(), languages, self._summary["count"] * len(languages))
        return Paginator(pairs, self.limit)

    def get_latest_lastmod(self):
        """Return the section's latest change without loading its rows."""
        if self.project_content:
            # Any project's change moves it: a kept index goes with every project's content.
            fragments.shows_content_of([fragments.ANY_PROJECT])
        return self._summary["latest"]

    def get_urls(self, page=1, site=None, protocol=None):
        """Return the page's URL entries, each with its alternates and an x-default.

        An item's addresses are worked out once for all its entries (one per language),
        not once per entry and alternate as Django's sitemap does.
        """
        prefix = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        urls = []
        latest, all_dated = None, True
        previous = None
        pairs = self.paginator.page(page).object_list
        if self.project_content:
            # Each project's date is shown: a kept page goes with their content.
            fragments.shows_content_of({item.pk for item, _language in pairs})
        for item, language in pairs:
            if item is not previous:  # An item's entries come one after the other.
                previous = item
                locations = {}
                for code in self._languages():
                    with translation.override(code):
                        locations[code] = prefix + self.location(item)
                alternates = [
                    {"location": url, "lang_code": code} for code, url in locations.items()
                ]
                if settings.LANGUAGE_CODE in locations:
                    alternates.append(
                        {"location": locations[settings.LANGUAGE_CODE], "lang_code": "x-default"}
                    )
                lastmod = self._value("lastmod", item)
                changefreq = self._value("changefreq", item)
                priority = self._value("priority", item)
                if lastmod is None:
                    all_dated = False
                elif latest is None or lastmod > latest:
                    latest = lastmod
            urls.append(
                {
                    "item": (item, language),
                    "location": locations[language],
                    "lastmod": lastmod,
                    "changefreq": changefreq,
                    "priority": "" if priority is None else str(priority),
                    "alternates": alternates,
                }
            )
        if all_dated and latest:
            self.latest_lastmod = latest  # The view's Last-Modified header.
        return urls

    def _value(self, name, item):
        """Return an attribute of the sitemap, called with ``item`` if it is a method."""
        value = getattr(self, name, None)
        return value(item) if callable(value) else value
