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


def address_around_slug(url_name: str) -> list[str]:
    """Return the address of the page ``url_name`` names in the current language, cut where
    its slug goes: ``slug.join(parts)`` is a page's address, without a ``reverse`` each."""
    return reverse(url_name, kwargs={"slug": SLUG_MARK}).split(SLUG_MARK)


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
        # The items, or a function returning them: then called only for a page's items.
        self._items = items
        self.languages = list(languages)
        self._count = count

    @cached_property
    def items(self):
        return self._items() if callable(self._items) else self._items

    def count(self) -> int:
        """Return the number of pairs: items times languages."""
        if self._count is None:
            self._count = _size(self.items) * len(self.languages)
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

    # URLs per sitemap page, each (item, language) pair counting once: about 45 KB, written
    # in a few milliseconds and served from the page cache nearly as fast as a small page
    # (the protocol allows 50 000; smaller pages are cheaper to write again after a change
    # and to send, and 10 000 projects still make only about 200 of them).
    limit = 100
    lastmod_field = None
    # The URL name of an item's page, whose only argument is its slug (see ``_location``).
    url_name = None
    # Items are projects whose dates move with their own content (``core.fragments``).
    project_content = False
    # Items that a change of the catalogue made by some projects (one published, moved)
    # leaves as they are: partners, regions. Their number and date are kept across it.
    outside_catalogue = False

    @cached_property
    def _name(self) -> str:
        return f"{type(self).__module__}.{type(self).__name__}"

    @cached_property
    def _item_count(self) -> int:
        """Return the section's number of items.

        Kept for the sitemap's life (the views make one per request from the class). It
        moves only with the catalogue, so it is kept as ``kept()`` keeps it, and the
        items' query is built only when it is not kept nor counted already
        (``kept_count``)."""
        return self.kept("sitemap-count", (self._name,), self._counted)

    def kept(self, name: str, vary: tuple, compute):
        """Return ``compute()``, which only the catalogue moves (the section's number of
        items, which items a page lists), kept under the editorial token, or across it
        (``outside_catalogue``). A section may keep them longer: across the changes of the
        catalogue that leave its items as they were."""
        return fragments.memo(name, vary, compute, across_catalogue=self.outside_catalogue)

    def _counted(self) -> int:
        kept = self.kept_count()
        return _size(self.items()) if kept is None else kept

    def kept_count(self) -> int | None:
        """Return the number of items when it is kept already (the catalogue's counts),
        else None: they are counted in the database."""
        return None

    @cached_property
    def _latest(self):
        """Return the section's latest change, read from the end of an index.

        Kept under the editorial token, or across it (``outside_catalogue``); for a section
        of projects, also with every project's content and dates versions, which move their
        dates (``core.fragments``)."""
        if not self.lastmod_field:
            return None

        def latest():
            if self.project_content:
                fragments.shows_dates_of([fragments.ANY_PROJECT])
            return self.latest_date()

        return fragments.memo(
            "sitemap-latest", (self._name,), latest, across_catalogue=self.outside_catalogue
        )

    def latest_date(self):
        """Return the latest ``lastmod_field`` of the section's items (None without a
        queryset of items)."""
        items = self.items()
        if not isinstance(items, QuerySet):
            return None
        dates = items.order_by(f"-{self.lastmod_field}").values_list(self.lastmod_field, flat=True)
        return dates.first()

    @property
    def paginator(self):
        languages = self._languages()
        pairs = LanguagePairs(self.items, languages, self._item_count * len(languages))
        return Paginator(pairs, self.limit)

    def get_latest_lastmod(self):
        """Return the section's latest change without loading its rows."""
        return self._latest

    def get_urls(self, page=1, site=None, protocol=None):
        """Return the page's URL entries, each with its alternates and an x-default.

        An item's addresses are worked out once for all its entries (one per language),
        not once per entry and alternate as Django's sitemap does.
        """
        prefix = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        urls, dates = [], []
        previous = None
        languages = self._languages()
        readers = self._readers()
        pairs = self.paginator.page(page).object_list
        if self.project_content:
            # Each project's date is shown: a kept page goes with every project's dates.
            fragments.shows_dates_of([fragments.ANY_PROJECT])
        for item, language in pairs:
            if item is not previous:  # An item's entries come one after the other.
                previous = item
                entries = self._item_urls(item, prefix, languages, readers)
                dates.append(entries[language]["lastmod"])
            urls.append(entries[language])
        latest = _latest_date(dates)
        if latest:
            self.latest_lastmod = latest  # The view's Last-Modified header.
        return urls

    def _item_urls(self, item, prefix: str, languages, readers) -> dict[str, dict]:
        """Return an item's URL entry in each language, ``{code: entry}``: they share its
        date, frequency, priority and alternates (the same list)."""
        lastmod_of, changefreq_of, priority_of = readers
        locations = {code: prefix + self._location(item, code) for code in languages}
        alternates = [{"location": url, "lang_code": code} for code, url in locations.items()]
        if settings.LANGUAGE_CODE in locations:
            alternates.append(
                {"location": locations[settings.LANGUAGE_CODE], "lang_code": "x-default"}
            )
        lastmod = lastmod_of(item)
        changefreq = changefreq_of(item)
        priority = priority_of(item)
        return {
            code: {
                "item": (item, code),
                "location": location,
                "lastmod": lastmod,
                "changefreq": changefreq,
                "priority": "" if priority is None else str(priority),
                "alternates": alternates,
            }
            for code, location in locations.items()
        }

    def _readers(self):
        return tuple(map(self._reader, ("lastmod", "changefreq", "priority")))

    def page_xml(self, page=1, site=None, protocol=None) -> tuple[str, object]:
        """Return the XML of one page of the section and its latest change (None unless
        every entry is dated).

        A section of projects (``project_content``) with fragments in use keeps a page's
        entries in parts of ``ENTRIES_PER_PART`` projects, each project's with its content
        and dates versions, and which projects a page lists as ``kept()`` keeps it: after
        an editor's change to one project, its page is put together from what is kept,
        only that project's entries are written anew, and only its part is kept again.
        """
        if not (self.project_content and self.url_name and fragments.in_use()):
            urls = self.get_urls(page=page, site=site, protocol=protocol)
            return urlset(urls), getattr(self, "latest_lastmod", None)
        prefix = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        languages = self._languages()
        number = self.paginator.validate_number(page)
        per_item = len(languages)
        start = (number - 1) * self.limit
        stop = min(start + self.limit, self._item_count * per_item)
        first, last = start // per_item, -(-stop // per_item)  # the items the pairs touch
        # Each project's date is shown: a kept page goes with every project's dates.
        fragments.shows_dates_of([fragments.ANY_PROJECT])
        pks = self.kept("sitemap-keys", (self._name, first, last), lambda: self._keys(first, last))
        # Read before the rows they describe: an edit meanwhile writes its entries anew.
        versions = fragments.dated_versions(pks) if pks else {}
        # A project's entries show its own addresses and date, no name of a region, sector
        # or partner: kept across the catalogue (a change of its place there moves its
        # versions) and across those saves. The page's entries are kept in parts, named
        # by the items they hold, each entry with the versions it was written under (the
        # parts read in one round trip, not one read per project): after an edit, those
        # of the projects changed are written anew, and only their part is kept again.
        kept_parts = {}
        for at in range(0, len(pks), ENTRIES_PER_PART):
            part = pks[at : at + ENTRIES_PER_PART]
            key = fragments.fragment_key(
                "sitemap-entries",
                self._name,
                prefix,
                first + at,
                first + at + len(part),
                across_catalogue=True,
                no_partners=True,
                no_names=True,
            )
            kept_parts[key] = part
        stored = fragments.get_many(list(kept_parts))
        entries, out_of_date = {}, []
        for key, part in kept_parts.items():
            own = stored.get(key) or {}
            # Entries found in another part count too: a project published or unpublished
            # before the page's moves each of its projects by one, into the next part.
            entries |= {pk: found[1] for pk, found in own.items() if found[0] == versions.get(pk)}
            if any(own.get(pk, (None,))[0] != versions[pk] for pk in part):
                out_of_date.append(key)
        missing = [pk for pk in pks if pk not in entries]
        if missing:
            entries |= self._entries_xml(missing, prefix, languages)
        if out_of_date:
            # Each part holds its own projects' entries again, in one write.
            fragments.set_many(
                {
                    key: {
                        pk: (versions[pk], entries[pk]) for pk in kept_parts[key] if pk in entries
                    }
                    for key in out_of_date
                }
            )
        # Gone since the keys were kept: the catalogue moved, and the page follows soon.
        kept = [entries[pk] for pk in pks if pk in entries]
        parts = [xml for _lastmod, entry in kept for xml in entry]
        offset = first * per_item
        body = "".join(parts[start - offset : stop - offset])
        return URLSET_START + body + "</urlset>\n", _latest_date(d for d, _xml in kept)

    def _keys(self, first: int, last: int) -> list:
        """Return the keys of the items ``first`` to ``last`` (excluded), in order."""
        items = self.items()
        if isinstance(items, QuerySet):
            return list(items.values_list("pk", flat=True)[first:last])
        return [item.pk for item in items[first:last]]

    def items_by_key(self, pks):
        """Return the items of these keys, in any order, with what ``location()`` and
        ``lastmod()`` read (for ``page_xml``)."""
        return self.items().filter(pk__in=pks)

    def _entries_xml(self, pks, prefix: str, languages) -> dict[int, tuple]:
        """Return ``{pk: (lastmod, (XML of its entry in each language, …))}`` of these
        items, read in one query."""
        readers = self._readers()
        made = {}
        for item in self.items_by_key(pks):
            urls = self._item_urls(item, prefix, languages, readers)
            escape, tails = _escaper(), {}
            made[item.pk] = (
                urls[languages[0]]["lastmod"],
                tuple(_url_xml(urls[code], escape, tails) for code in languages),
            )
        return made

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
                address = address_around_slug(self.url_name)
            columns = [f"slug_{each}" for each in fallback_order(code)]
            found = self._url_templates[code] = (address, columns)
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


# A sitemap page's entries are kept in parts of this many items (``page_xml``): an edit
# writes one part again, not the page's (45 KB for 50 projects).
ENTRIES_PER_PART = 10

URLSET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)


def urlset(urls) -> str:
    """Return the XML of a sitemap page, as Django's ``sitemap.xml`` template writes it.

    Written here rather than by the template engine, which takes most of the time of a
    page of a thousand addresses with their alternates."""
    escape = _escaper()
    parts = [URLSET_START]
    # An item's entries (one per language) share their date and alternates: written once.
    tails = {}
    for url in urls:
        parts.append(_url_xml(url, escape, tails))
    parts.append("</urlset>\n")
    return "".join(parts)


def _escaper():
    """Return an escaping function that escapes each text once (each address comes several
    times: as an entry and as the alternates of the others)."""
    escaped = {}

    def escape(text) -> str:
        found = escaped.get(text)
        if found is None:
            found = escaped[text] = html.escape(str(text))
        return found

    return escape


def _url_xml(url, escape, tails=None) -> str:
    """Return the XML of one URL entry; ``tails`` keeps the tails written, by alternates."""
    tail = None if tails is None else tails.get(id(url["alternates"]))
    if tail is None:
        tail = _entry_tail(url, escape)
        if tails is not None:
            tails[id(url["alternates"])] = tail
    return f"<url><loc>{escape(url['location'])}</loc>{tail}"


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


def _latest_date(dates):
    """Return the latest of these dates, or None unless every one is known."""
    dates = list(dates)
    if not dates or None in dates:
        return None
    return max(dates)


def _size(items) -> int:
    return items.count() if isinstance(items, QuerySet) else len(items)


def _is_aware(value) -> bool:
    return isinstance(value, datetime.datetime) and timezone.is_aware(value)


def section(request, sitemaps, section):
    """Serve one page of one sitemap section (``?p=``), like Django's ``sitemap`` view for
    a section, written by ``urlset`` or put together from kept entries (``page_xml``)."""
    if section not in sitemaps:
        raise Http404(f"No sitemap available for section: {section!r}")
    site = sitemaps[section]
    site = site() if callable(site) else site
    try:
        xml, lastmod = site.page_xml(
            page=request.GET.get("p", 1), site=get_current_site(request), protocol=request.scheme
        )
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404("No such page of this sitemap.") from error
    response = HttpResponse(xml, content_type="application/xml")
    if lastmod is not None:
        response["Last-Modified"] = http_date(lastmod.timestamp())
    return response
