"""A sitemap base for pages that exist in every language of the site."""

import datetime
import html
from functools import cached_property

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import http_date

from core import fragments
from core.i18n import fallback_order

# Stands for an item's slug in a reversed address.
SLUG_MARK = "slug-mark-4f1c9e"


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

    def __init__(self):
        super().__init__()
        self._url_templates = {}

    # URLs per sitemap page, each (item, language) pair counting once: about 90 KB, written
    # in a few milliseconds (the protocol allows 50 000; smaller pages are cheaper to write
    # again after a change, and 10 000 projects still make only about 100 of them).
    limit = 200
    lastmod_field = None
    # The URL name of an item's page, whose only argument is its slug (see ``_location``).
    url_name = None
    # Items are projects whose dates move with their own content (``core.fragments``).
    project_content = False

    @cached_property
    def _summary(self) -> dict:
        """Return the section's number of items and latest change.

        Kept for the sitemap's life: the views make one per request from the class. The
        number moves only with the catalogue, so it is kept under the editorial token
        (``core.fragments``); the latest change is read from the end of an index.
        """
        items = self.items()
        if not isinstance(items, QuerySet):
            return {"count": len(items), "latest": None}
        name = f"{type(self).__module__}.{type(self).__name__}"
        count = fragments.memo("sitemap-count", (name,), items.count)
        latest = None
        if self.lastmod_field:
            dates = items.order_by(f"-{self.lastmod_field}").values_list(
                self.lastmod_field, flat=True
            )
            latest = dates.first()
        return {"count": count, "latest": latest}

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
        languages = self._languages()
        lastmod_of, changefreq_of, priority_of = map(
            self._reader, ("lastmod", "changefreq", "priority")
        )
        pairs = self.paginator.page(page).object_list
        if self.project_content:
            # Each project's date is shown: a kept page goes with every project's content
            # (checking the versions of its thousand projects would cost more than it saves).
            fragments.shows_content_of([fragments.ANY_PROJECT])
        for item, language in pairs:
            if item is not previous:  # An item's entries come one after the other.
                previous = item
                locations = {code: prefix + self._location(item, code) for code in languages}
                alternates = [
                    {"location": url, "lang_code": code} for code, url in locations.items()
                ]
                if settings.LANGUAGE_CODE in locations:
                    alternates.append(
                        {"location": locations[settings.LANGUAGE_CODE], "lang_code": "x-default"}
                    )
                lastmod = lastmod_of(item)
                changefreq = changefreq_of(item)
                priority = priority_of(item)
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

    def _location(self, item, code: str) -> str:
        """Return the item's address in the language ``code``.

        With ``url_name``, the address is that URL's with the item's slug in that language
        (or the next one it has, as the pages fall back), worked out once per language for
        the whole page of addresses: reversing a URL per item and language costs more than
        the rest of the page."""
        if self.url_name is None:
            with translation.override(code):
                return self.location(item)
        found = self._url_templates.get(code)
        if found is None:
            with translation.override(code):
                address = reverse(self.url_name, kwargs={"slug": SLUG_MARK})
            columns = [f"slug_{each}" for each in fallback_order(code)]
            found = self._url_templates[code] = (address.split(SLUG_MARK), columns)
        template, columns = found
        for column in columns:
            slug = getattr(item, column, "")
            if slug:
                return slug.join(template)
        return "".join(template)

    def _reader(self, name):
        """Return a function of an item giving this attribute of the sitemap (the same for
        every item unless it is a method)."""
        value = getattr(self, name, None)
        return value if callable(value) else lambda _item: value


URLSET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)


def urlset(urls) -> str:
    """Return the XML of a sitemap page, as Django's ``sitemap.xml`` template writes it.

    Written here rather than by the template engine, which takes most of the time of a
    page of a thousand addresses with their alternates."""
    # Each address comes several times (as an entry and as the alternates of the others).
    escaped = {}

    def escape(text) -> str:
        found = escaped.get(text)
        if found is None:
            found = escaped[text] = html.escape(str(text))
        return found

    parts = [URLSET_START]
    # An item's entries (one per language) share their date and alternates: written once.
    tails = {}
    for url in urls:
        parts.append(f"<url><loc>{escape(url['location'])}</loc>")
        tail = tails.get(id(url["alternates"]))
        if tail is None:
            tail = tails[id(url["alternates"])] = _entry_tail(url, escape)
        parts.append(tail)
    parts.append("</urlset>\n")
    return "".join(parts)


def _entry_tail(url, escape) -> str:
    """Return the XML of an entry after its address: date, frequency, priority, alternates."""
    parts = []
    lastmod = url["lastmod"]
    if lastmod:
        if _is_aware(lastmod):
            lastmod = timezone.localtime(lastmod)
        parts.append(f"<lastmod>{lastmod:%Y-%m-%d}</lastmod>")
    if url["changefreq"]:
        parts.append(f"<changefreq>{escape(url['changefreq'])}</changefreq>")
    if url["priority"]:
        parts.append(f"<priority>{escape(url['priority'])}</priority>")
    for alternate in url["alternates"]:
        parts.append(
            f'<xhtml:link rel="alternate" hreflang="{escape(alternate["lang_code"])}" '
            f'href="{escape(alternate["location"])}"/>'
        )
    parts.append("</url>\n")
    return "".join(parts)


INDEX_START = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
)


def index(request, sitemaps, sitemap_url_name):
    """Serve the sitemap index: each page of each section, with the section's latest
    change, as Django's ``index`` view lists them, written here rather than by its
    template (a portfolio of 10 000 projects has over a hundred pages to list)."""
    site_of_request = get_current_site(request)
    parts = [INDEX_START]
    latest, all_dated = None, True
    for name, site in sitemaps.items():
        site = site() if callable(site) else site
        protocol = request.scheme if site.protocol is None else site.protocol
        address = html.escape(
            f"{protocol}://{site_of_request.domain}"
            + reverse(sitemap_url_name, kwargs={"section": name})
        )
        lastmod = site.get_latest_lastmod()
        if lastmod is None:
            all_dated = False
            tail = "</sitemap>"
        else:
            if latest is None or lastmod > latest:
                latest = lastmod
            when = timezone.localtime(lastmod) if _is_aware(lastmod) else lastmod
            tail = f"<lastmod>{when.isoformat()}</lastmod></sitemap>"
        parts.append(f"<sitemap><loc>{address}</loc>{tail}")
        parts.extend(
            f"<sitemap><loc>{address}?p={page}</loc>{tail}"
            for page in range(2, site.paginator.num_pages + 1)
        )
    parts.append("\n</sitemapindex>\n")
    response = HttpResponse("".join(parts), content_type="application/xml")
    if all_dated and latest is not None:
        response["Last-Modified"] = http_date(latest.timestamp())
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response


def _is_aware(value) -> bool:
    return isinstance(value, datetime.datetime) and timezone.is_aware(value)


def section(request, sitemaps, section):
    """Serve one page of one sitemap section (``?p=``), like Django's ``sitemap`` view for
    a section, written by ``urlset``."""
    if section not in sitemaps:
        raise Http404(f"No sitemap available for section: {section!r}")
    site = sitemaps[section]
    site = site() if callable(site) else site
    try:
        urls = site.get_urls(
            page=request.GET.get("p", 1), site=get_current_site(request), protocol=request.scheme
        )
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404("No such page of this sitemap.") from error
    response = HttpResponse(urlset(urls), content_type="application/xml")
    lastmod = getattr(site, "latest_lastmod", None)
    if lastmod is not None:
        response["Last-Modified"] = http_date(lastmod.timestamp())
    return response
