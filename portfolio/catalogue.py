"""What the published catalogue adds up to, kept across changes of the catalogue.

The lists' filter panel (which partners have the most projects, which regions and sectors
have any), the home page (its figures, partners and countries) and the partner list (each
partner's projects) count the whole catalogue. Counted in the database, that grows with
the portfolio, and a project published or moved (``fragments.invalidate_catalogue``)
would have every such count made again on the next request.

So the counts are kept in one summary, under the counts token (a region moved in the
tree, a partner of more than 250 projects shown or hidden, or more than 250 projects
going public by their date at once, count everything again; ``fragments.counts_token``),
with what each published project adds to them, in buckets of projects kept on their own.
A project that changes the catalogue is logged (``fragments.CATALOGUE_CHANGES``); the next
reader takes what those projects added out of the counts, reads what they add now (one
small query), and keeps the corrected summary. The counts are thus always the sum of what the
buckets say each project adds, each read from the database after it last changed. When
those projects add what they did (a new status or dates, a place moved within its
regions), only which change the counts count up to is written (``_Head``), not the
counts again.

Without fragments (no shared cache, or staff), the summary is counted from the database.
"""

from __future__ import annotations

import functools
import gc
import heapq
import uuid
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from itertools import chain

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone, translation

from core import fragments
from core.prepared_statements import marked
from core.rows import PreparedQuery, padded

from .models import Partnership, Project, PublicationQuerySet
from .rows import kept_regions

# Projects per bucket: a correction reads and writes the buckets of the projects that
# changed only.
BUCKET_SIZE = 256
# How many partners the counts rank ahead (``Summary.top_partners``): the list's filter
# offers the first 20.
RANKED = 32
BUCKET_PREFIX = f"{fragments.FRAGMENT_KEY_PREFIX}catalogue-bucket:"

# The kinds of the link rows of ``_sql_of_entries`` (0: the project's own row): a link of
# kind k goes to position 2 + k of its project's row (regions, partners, places).
REGION, PARTNER, PLACE = 1, 2, 3

# What one published project adds: (sector, beneficiaries, the regions it takes place in
# with every region around them, its public partners, and for each of its places the
# region of the place with every region around it).
Entry = tuple[int | None, int | None, tuple[int, ...], tuple[int, ...], tuple[tuple[int, ...], ...]]


class PackedCounts(Mapping):
    """Counts by key held as two arrays of machine integers (the keys sorted), which pickle
    as bytes: a summary read back from the cache builds no dictionary of every partner
    (at 2 000 partners, unpickling their ``Counter`` cost more than the rest of the
    summary, on every page that reads it). A key is found by bisection; a copy is
    corrected in place (``adjust``), without unpacking."""

    __slots__ = ("_counts", "_keys")

    def __init__(self, keys: array, counts: array):
        self._keys = keys
        self._counts = counts

    @classmethod
    def of(cls, counts: Mapping[int, int]) -> PackedCounts:
        if isinstance(counts, PackedCounts):
            return counts
        keys = sorted(key for key, count in counts.items() if count)
        return cls(array("q", keys), array("q", [counts[key] for key in keys]))

    def __getitem__(self, key: int) -> int:
        at = bisect_left(self._keys, key)
        if at < len(self._keys) and self._keys[at] == key:
            return self._counts[at]
        raise KeyError(key)

    def __iter__(self) -> Iterator[int]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def items(self):
        return zip(self._keys, self._counts, strict=True)

    def copy(self) -> PackedCounts:
        return PackedCounts(self._keys[:], self._counts[:])

    def adjust(self, key: int, by: int) -> None:
        """Add ``by`` to the count of ``key``, as a ``Counter`` whose zeros are removed."""
        at = bisect_left(self._keys, key)
        if at < len(self._keys) and self._keys[at] == key:
            count = self._counts[at] + by
            if count:
                self._counts[at] = count
            else:
                del self._keys[at], self._counts[at]
        elif by:
            self._keys.insert(at, key)
            self._counts.insert(at, by)

    def __reduce__(self):
        return (_unpacked, (self._keys.tobytes(), self._counts.tobytes()))


def _unpacked(keys: bytes, counts: bytes) -> PackedCounts:
    packed = PackedCounts(array("q"), array("q"))
    packed._keys.frombytes(keys)
    packed._counts.frombytes(counts)
    return packed


def _copied(counts: Mapping[int, int]) -> Counter | PackedCounts:
    """Return a copy of these counts to correct (kept ones come as ``PackedCounts``)."""
    return counts.copy() if isinstance(counts, PackedCounts) else Counter(counts)


def _adjust(counts: Counter | PackedCounts, keys, by: int) -> None:
    """Add ``by`` to the count of each of these keys (a zero removed), in either form."""
    if isinstance(counts, PackedCounts):
        for key in keys:
            counts.adjust(key, by)
        return
    for key in keys:
        counts[key] += by
        if not counts[key]:
            del counts[key]


# The counts of a ``Summary`` by key: kept as ``PackedCounts``.
COUNTED_BY_KEY = ("partners", "regions", "sectors", "places")


@dataclass
class Summary:
    """Counts of the published projects: in all, by partner (public partners only), by
    region (those taking place in it or in a region inside it) and by sector; and of their
    places, in all and by region (inside it or a region inside it)."""

    projects: int = 0
    beneficiaries: int = 0
    # Projects that say how many people they reach: with none, there is no total.
    counted_beneficiaries: int = 0
    partners: Counter | PackedCounts = field(default_factory=Counter)
    regions: Counter | PackedCounts = field(default_factory=Counter)
    sectors: Counter | PackedCounts = field(default_factory=Counter)
    located: int = 0
    places: Counter | PackedCounts = field(default_factory=Counter)
    # The last logged change of the catalogue it counts, and its buckets' keys by number.
    changes: int = 0
    buckets: dict[int, str] = field(default_factory=dict)
    # The keys of the first ``RANKED`` partners by number of projects (``top_partners``),
    # kept with the counts; None until ranked.
    ranking: list[int] | None = None
    # Told apart from other counts kept before or since (``_Head``): new with each count.
    generation: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __getstate__(self) -> dict:
        # Read back as ``PackedCounts``, corrected on a copy (``_copied``).
        state = dict(self.__dict__)
        for name in COUNTED_BY_KEY:
            state[name] = PackedCounts.of(state[name])
        return state

    @classmethod
    def of(cls, entries: Collection[Entry], **fields) -> Summary:
        """Return the counts of these entries, counted at once: what ``add`` counts one
        entry at a time, which costs several times more for every project."""
        summary = cls(**fields)
        summary.projects = len(entries)
        summary.sectors.update(entry[0] for entry in entries if entry[0] is not None)
        reached = [entry[1] for entry in entries if entry[1] is not None]
        summary.beneficiaries = sum(reached)
        summary.counted_beneficiaries = len(reached)
        summary.regions.update(chain.from_iterable(entry[2] for entry in entries))
        summary.partners.update(chain.from_iterable(entry[3] for entry in entries))
        places = [place for entry in entries for place in entry[4]]
        summary.located = len(places)
        summary.places.update(chain.from_iterable(places))
        return summary

    def add(self, entry: Entry, sign: int = 1) -> None:
        sector, beneficiaries, regions, partners, places = entry
        self.projects += sign
        self.located += sign * len(places)
        if beneficiaries is not None:
            self.beneficiaries += sign * beneficiaries
            self.counted_beneficiaries += sign
        for counter, keys in (
            (self.sectors, () if sector is None else (sector,)),
            (self.regions, regions),
            (self.partners, partners),
            *((self.places, place) for place in places),
        ):
            _adjust(counter, keys, sign)

    @property
    def figures(self) -> dict:
        """The home page's figures: projects, and people reached (None when none says)."""
        reached = self.beneficiaries if self.counted_beneficiaries else None
        return {"projects": self.projects, "beneficiaries": reached}

    def top_partners(self, number: int) -> list[int]:
        """Return the keys of the partners with the most published projects (the lowest
        key first among equals), at most ``number``."""
        if number > RANKED:
            return self._ranked(number)
        if self.ranking is None:
            self.ranking = self._ranked(RANKED)
        return self.ranking[:number]

    def _ranked(self, number: int) -> list[int]:
        ranked = heapq.nsmallest(number, ((-count, pk) for pk, count in self.partners.items()))
        return [pk for _count, pk in ranked]

    def rank_after(self, before: Summary, partners: set[int]) -> None:
        """Keep the ranking of ``before`` (these counts before the projects of these
        partners changed) when it still holds: no partner it ranks lost a project and
        none it leaves out rose into it. Ranking all the partners again costs more the
        more there are."""
        ranking = before.ranking
        self.ranking = None
        if ranking is None or any(
            self.partners.get(pk, 0) < before.partners.get(pk, 0)
            for pk in partners.intersection(ranking)
        ):
            return
        ranking = sorted(ranking, key=lambda pk: (-self.partners[pk], pk))
        if len(ranking) < RANKED and len(self.partners) > len(ranking):
            return  # Fewer ranked than there are partners: a newcomer may belong.
        last = ranking[-1] if ranking else None
        for pk in partners.difference(ranking):
            count = self.partners.get(pk, 0)
            if count and (last is None or (-count, pk) < (-self.partners[last], last)):
                return
        self.ranking = ranking

    def projects_in(self, region_pk: int) -> int:
        """Return how many published projects take place in this region or inside it."""
        return self.regions.get(region_pk, 0)

    def places_in(self, region_pk: int | None) -> int:
        """Return how many places of published projects are in this region or inside it
        (with None, everywhere)."""
        return self.located if region_pk is None else self.places.get(region_pk, 0)


def _around(regions) -> dict[int, tuple[int, ...]]:
    """Return each region with the regions around it, by key (a loop in bad data ends)."""
    parents = {region.pk: region.parent_id for region in regions}
    around = {}
    for pk in parents:
        chain, step = [], pk
        while step is not None and step not in chain:
            chain.append(step)
            step = parents.get(step)
        around[pk] = tuple(chain)
    return around


def _entries_of(rows, hidden: set[int] = frozenset()) -> dict[int, Entry]:
    """Return each project's entry from its ``(pk, sector, beneficiaries, regions,
    partners, places)``, the last three the keys of its links (None for none), the
    partners not public (``hidden``) left out. Regions come with those around them, worked
    out once for each combination of regions that projects share, as are places."""
    around = _around(kept_regions())
    regions_of: dict[tuple, tuple[int, ...]] = {}
    places_of: dict[tuple, tuple[tuple[int, ...], ...]] = {}
    found = {}
    for pk, sector, beneficiaries, regions, partners, places in rows:
        regions = tuple(regions) if regions else ()
        with_around = regions_of.get(regions)
        if with_around is None:
            with_around = regions_of[regions] = tuple(
                sorted({each for key in regions for each in around.get(key, (key,))})
            )
        places = tuple(places) if places else ()
        located = places_of.get(places)
        if located is None:
            located = places_of[places] = tuple(sorted(around.get(key, (key,)) for key in places))
        if partners and hidden:
            partners = [key for key in partners if key not in hidden]
        partners = tuple(sorted(partners)) if partners else ()
        found[pk] = (sector, beneficiaries, with_around, partners, located)
    return found


def entries(pks=None) -> dict[int, Entry]:
    """Return what each published project adds to the counts: every one, or those of these
    keys (queries written out: building querysets would cost more than running them for a
    project or two, and iterating them more than reading the cursor for all).

    Every project on PostgreSQL comes as one row each, its links gathered into arrays
    (``_sql_of_every_entry``): a row per link, some 65 000 at 10 000 projects, took longer
    to read than the query to run."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    if pks is None:
        if connection.vendor == "postgresql":
            hidden, every = _sql_of_every_entry()
            with connection.cursor() as cursor:
                cursor.execute(every, [now])
                rows = cursor.fetchall()
                # Read after the partnerships: one added with them is found here. A
                # partner shown or hidden meanwhile logs its projects as changes of the
                # catalogue, after the one these counts count up to: corrected for.
                cursor.execute(hidden)
                hidden = {pk for (pk,) in cursor}
            return _entries_of(rows, hidden) if rows else {}
        return _entries_read(_sql_of_entries(every=True), [now])
    # Padded: a few statements serve every number of projects.
    pks = padded(pks)
    if not pks:
        return {}
    placeholders = ", ".join(["%s"] * len(pks))
    sql = _sql_of_entries(every=False).format(keys=placeholders)
    return _entries_read(marked(sql, connection), [now, *pks * 4])


def _names():
    """Return functions quoting a model's column and table names, for the queries of the
    entries written out from the models."""
    quote = connection.ops.quote_name

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    def table(model) -> str:
        return quote(model._meta.db_table)

    return column, table


@functools.cache
def _sql_of_every_entry() -> tuple[str, str]:
    """The queries of ``entries`` for every project on PostgreSQL: the partners not public;
    and a row per published project, ``(project, sector, beneficiaries, regions, partners,
    places)``, its links' keys as arrays (NULL for none), every partner's (a join with the
    partners to leave out those not public took longer than the rest of the query)."""
    column, table = _names()
    through = Project.regions.through
    location = Project._meta.get_field("locations").related_model
    partner = Partnership._meta.get_field("partner").related_model
    project_id = column(Project, "id")

    def gathered(name: str, model, project: str, key: str) -> str:
        project, key = column(model, project), column(model, key)
        return (
            f" LEFT JOIN (SELECT {project} AS project, array_agg({key}) AS keys "  # noqa: S608
            f"FROM {table(model)} GROUP BY {project}) {name} ON {name}.project = p.{project_id}"
        )

    published = f"p.{column(Project, 'is_published')} AND p.{column(Project, 'published_at')}"
    hidden = (
        f"SELECT {column(partner, 'id')} FROM {table(partner)} "  # noqa: S608 - names quoted
        f"WHERE NOT {column(partner, 'is_public')}"
    )
    return hidden, (
        f"SELECT p.{project_id}, p.{column(Project, 'sector')}, "  # noqa: S608 - names quoted
        f"p.{column(Project, 'beneficiaries')}, r.keys, s.keys, l.keys FROM {table(Project)} p"
        + gathered("r", through, "project", "region")
        + gathered("s", Partnership, "project", "partner")
        + gathered("l", location, "project", "region")
        + f" WHERE {published} <= %s"
    )


@functools.cache
def _sql_of_entries(every: bool) -> str:
    """The query of ``entries``: for every project, or with ``{keys}`` where the keys'
    placeholders go. Written once from the models' tables, with the publication rule
    (``PublicationQuerySet.published``) and public partners only. Its rows are
    ``(project, key, beneficiaries, kind)``: the published projects with their sectors
    (kind 0), then the regions, partners and places of the projects asked."""
    column, table = _names()

    def where(*conditions: str, asked: str) -> str:
        chosen = [*conditions, *(() if every else (f"{asked} IN ({{keys}})",))]
        return f" WHERE {' AND '.join(chosen)}" if chosen else ""

    through = Project.regions.through
    location = Project._meta.get_field("locations").related_model
    partner = Partnership._meta.get_field("partner").related_model
    published = (
        f"{column(Project, 'is_published')}",
        f"{column(Project, 'published_at')} <= %s",
    )
    public_partner = f"o.{column(partner, 'is_public')}"
    partnered = f"p.{column(Partnership, 'project')}"
    return (
        f"SELECT {column(Project, 'id')}, {column(Project, 'sector')}, "  # noqa: S608 - names quoted
        f"{column(Project, 'beneficiaries')}, 0 FROM {table(Project)}"
        f"{where(*published, asked=column(Project, 'id'))} "
        f"UNION ALL SELECT {column(through, 'project')}, {column(through, 'region')}, NULL, "
        f"{REGION} FROM {table(through)}{where(asked=column(through, 'project'))} "
        f"UNION ALL SELECT p.{column(Partnership, 'project')}, p.{column(Partnership, 'partner')}, "
        f"NULL, {PARTNER} FROM {table(Partnership)} p INNER JOIN {table(partner)} o "
        f"ON p.{column(Partnership, 'partner')} = o.{column(partner, 'id')}"
        f"{where(public_partner, asked=partnered)} "
        f"UNION ALL SELECT {column(location, 'project')}, {column(location, 'region')}, NULL, "
        f"{PLACE} FROM {table(location)}{where(asked=column(location, 'project'))}"
    )


def _entries_read(sql: str, params: list) -> dict[int, Entry]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = list(cursor)
    rows = {
        pk: (pk, sector, beneficiaries, [], [], [])
        for pk, sector, beneficiaries, kind in found
        if kind == 0
    }
    # The links of the projects not published are left out.
    for pk, key, _none, kind in found:
        if kind and pk in rows:
            rows[pk][2 + kind].append(key)
    return _entries_of(rows.values()) if rows else {}


def _key(name: str) -> str:
    # The same summary in every language: its key is made in the default one. Keys only:
    # a region's or a sector's save keeps it (the counts token).
    with translation.override(settings.LANGUAGE_CODE):
        return fragments.fragment_key(name, across_catalogue=True, no_partners=True, no_names=True)


def _bucket_key(generation: str) -> str:
    return f"{BUCKET_PREFIX}{generation}"


def _new_buckets(summary: Summary, buckets: dict[int, dict[int, Entry]]) -> dict[str, dict]:
    """Give these buckets new keys in the summary; return them by key, to be written
    (a bucket is never written over: another reader may be reading the old one)."""
    written = {}
    for number, bucket in buckets.items():
        generation = uuid.uuid4().hex
        summary.buckets[number] = generation
        written[_bucket_key(generation)] = bucket
    return written


@contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector meanwhile. Counting every project builds
    tens of thousands of tuples and lists, none in a cycle, which would set off collections
    that go through every object of the process: some 45 ms of 120 at 10 000 projects."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _counted(changes: int) -> tuple[Summary, dict[str, dict[int, Entry]]]:
    """Count everything from the database: the summary, and its buckets by key."""
    with _collector_paused():
        every = entries()
        summary = Summary.of(every.values(), changes=changes)
        buckets: dict[int, dict[int, Entry]] = {}
        for pk, entry in every.items():
            buckets.setdefault(pk // BUCKET_SIZE, {})[pk] = entry
        summary.top_partners(RANKED)  # Ranked now, to be kept with the counts.
        return summary, _new_buckets(summary, buckets)


def _corrected(kept: Summary, latest: int, changed: list[int]):
    """Return the kept summary corrected for these projects, with the buckets it writes;
    ``(kept, {})`` when none of them adds anything else than it did (its status, dates or
    text changed, a place moved within its regions: no count moves); None when a bucket
    it needs is no longer kept."""
    numbers = {pk // BUCKET_SIZE for pk in changed}
    keys = {
        number: _bucket_key(kept.buckets[number]) for number in numbers if number in kept.buckets
    }
    # Not remembered for the next request: it reads other buckets (new keys).
    found = fragments.get_many(keys.values(), remember=False)
    if len(found) != len(keys):
        return None
    now = entries(changed)
    if all(_kept_entry(found, keys, pk) == now.get(pk) for pk in changed):
        return kept, {}
    summary = Summary(
        projects=kept.projects,
        beneficiaries=kept.beneficiaries,
        counted_beneficiaries=kept.counted_beneficiaries,
        partners=_copied(kept.partners),
        regions=_copied(kept.regions),
        sectors=_copied(kept.sectors),
        located=kept.located,
        places=_copied(kept.places),
        changes=latest,
        buckets=dict(kept.buckets),
    )
    # Copies: another reader may be correcting from the same buckets.
    buckets = {number: dict(found[key]) for number, key in keys.items()}
    partners = set()
    for pk in changed:
        bucket = buckets.setdefault(pk // BUCKET_SIZE, {})
        before = bucket.pop(pk, None)
        if before is not None:
            summary.add(before, -1)
            partners.update(before[3])
        if pk in now:
            summary.add(now[pk])
            bucket[pk] = now[pk]
            partners.update(now[pk][3])
    summary.rank_after(kept, partners)
    summary.top_partners(RANKED)  # Ranked anew if it must be, to be kept with the counts.
    return summary, _new_buckets(summary, buckets)


def _kept_entry(found: dict, keys: dict[int, str], pk: int) -> Entry | None:
    """Return what a project adds as its bucket says (None: not published then)."""
    number = pk // BUCKET_SIZE
    return found[keys[number]].get(pk) if number in keys else None


@dataclass(frozen=True)
class _Head:
    """Which change of the catalogue the kept counts of this generation count up to: a
    change that moves no count writes this alone, not the counts again (some 34 KB at
    10 000 projects and 2 000 partners)."""

    changes: int
    generation: str


def summary() -> Summary:
    """Return the counts of the published catalogue as it is now."""
    if not fragments.in_use():
        return _counted(0)[0]
    # Named with the size of its buckets and of its ranking, and packed (``PackedCounts``):
    # counts kept by a release that numbered, ranked or stored them otherwise are not read
    # as this one's, nor overwritten by it.
    key = fragments.counts_key(f"catalogue-counts-by-{BUCKET_SIZE}-{RANKED}-packed")
    head_key = fragments.counts_key(f"catalogue-head-by-{BUCKET_SIZE}-{RANKED}-packed")
    found = fragments.get_many([key, head_key])
    kept, head = found.get(key), found.get(head_key)
    if isinstance(kept, Summary):
        # A head written for other counts (a reader that found no count moved, later
        # than one that wrote new counts) is left: the counts then say what they count.
        if isinstance(head, _Head) and head.generation == kept.generation:
            if head.changes > kept.changes:
                kept = replace(kept, changes=head.changes)
        since = fragments.CATALOGUE_CHANGES.since(kept.changes)
        if since is not None:
            latest, changed = since
            if not changed:
                return kept
            made = _corrected(kept, latest, changed)
            if made is not None:
                corrected, written = made
                if corrected is kept:  # No count moved: the same counts, up to ``latest``.
                    fragments.set_many({head_key: _Head(latest, kept.generation)})
                    return replace(kept, changes=latest)
                fragments.set_many(written | {key: corrected})
                return corrected
    # Read before the counts: the changes logged while they are read are corrected later.
    changes = fragments.CATALOGUE_CHANGES.latest()
    counted, written = _counted(changes)
    fragments.set_many(written | {key: counted})
    return counted


def kept_summary() -> Summary | None:
    """Return the kept counts when fragments are in use; None otherwise (count in the
    database, as one request needs it: counting everything costs more)."""
    return summary() if fragments.in_use() else None


# -- What only some projects move ----------------------------------------------------------


def in_region(region_pk: int) -> Callable[[Entry], bool]:
    """Whether a project takes place in this region (or inside it)."""
    return lambda entry: region_pk in entry[2]


def in_sector(sector_pk: int) -> Callable[[Entry], bool]:
    """Whether a project is of this sector."""
    return lambda entry: entry[0] == sector_pk


def with_partner(partner_pk: int) -> Callable[[Entry], bool]:
    """Whether a public partner takes part in a project."""
    return lambda entry: partner_pk in entry[3]


def with_any_partner(partner_pks) -> Callable[[Entry], bool]:
    """Whether any of these public partners takes part in a project."""
    wanted = frozenset(partner_pks)
    return lambda entry: not wanted.isdisjoint(entry[3])


def any_project(entry: Entry) -> bool:
    """Whether a published project could be shown (any: an unfiltered list)."""
    return True


def placed_in(region_pk: int | None) -> Callable[[Entry], bool]:
    """Whether a project has a place in this region (or inside it; None: anywhere)."""
    if region_pk is None:
        return lambda entry: bool(entry[4])
    return lambda entry: any(region_pk in regions for regions in entry[4])


def _entries_in(buckets: dict[int, str], pks) -> dict[int, Entry | None] | None:
    """Return the entries of these projects in these buckets (None: not published then),
    or None when a bucket is no longer kept."""
    numbers = {pk // BUCKET_SIZE for pk in pks}
    keys = {number: _bucket_key(buckets[number]) for number in numbers if number in buckets}
    # Read from this request's writes too (a bucket just corrected), not remembered for
    # the next request (each correction gives them new keys).
    found = fragments.get_many(keys.values(), remember=False)
    if len(found) != len(keys):
        return None
    return {
        pk: found[keys[pk // BUCKET_SIZE]].get(pk) if pk // BUCKET_SIZE in keys else None
        for pk in pks
    }


@dataclass
class _Apart:
    """A value kept across the catalogue, as it was at change ``changes``, with the
    buckets of the counts of the catalogue at that change (None when they were not
    those of that change), and the versions it depends on (``fragments.computed``)."""

    changes: int
    buckets: dict[int, str] | None
    value: object
    depends: dict[str, str]


def _unshown(no_places: bool, partners_apart: bool = False) -> tuple[str, ...]:
    """The kinds of the catalogue's changes that what shows no place leaves out, and what
    chooses its projects by no partner (``partners_apart``)."""
    return (
        *((fragments.PLACES,) if no_places else ()),
        *((fragments.PARTNERS_ONLY,) if partners_apart else ()),
    )


def untouched(
    changes: int,
    buckets: dict[int, str] | None,
    touches,
    *,
    no_places: bool = False,
    partners_apart: bool = False,
) -> tuple[int, dict] | None:
    """Tell whether the projects that changed the catalogue since change ``changes`` (when
    the kept counts' buckets were ``buckets``) are outside what ``touches(entry)`` says,
    before those changes and now: return the latest change and the buckets now if so,
    None otherwise (or when that cannot be told). ``no_places``: what is kept shows no
    place, and changes of places alone are left out; ``partners_apart``: it chooses its
    projects by no partner, and changes of their partners alone are left out. With
    ``touches`` None, every change but those left out touches it (the kept counts are
    not read to tell)."""
    since = fragments.CATALOGUE_CHANGES.since(
        changes, apart_from=_unshown(no_places, partners_apart)
    )
    if since is None:
        return None
    latest, changed = since
    if not changed:
        return latest, buckets
    if touches is None or buckets is None:
        return None
    counts = kept_summary()
    if counts is None or counts.changes != latest:
        return None
    before, now = _entries_in(buckets, changed), _entries_in(counts.buckets, changed)
    if before is None or now is None:
        return None
    entries = [entry for entry in (*before.values(), *now.values()) if entry is not None]
    if any(touches(entry) for entry in entries):
        return None
    return latest, counts.buckets


def kept_apart(
    name: str,
    vary: tuple,
    compute: Callable[[], object],
    touches,
    *,
    no_partners=False,
    no_places=False,
    no_names=False,
    partners_apart=False,
):
    """Return ``compute()``, kept across the catalogue for as long as the projects that
    change it stay outside what it shows (``touches(entry)``, for their entries before
    and after the change: e.g. ``in_region(pk)`` for the projects of a region): a project
    published in Nepal leaves the page of India as it was. Like ``fragments.keep``, with
    the versions it depends on.

    Without fragments, ``compute()``. ``no_partners``: it shows nothing of partners;
    ``no_names``: nor of regions and sectors, only keys and numbers
    (``fragments.fragment_key``); ``no_places``: nor of places, so a place saved leaves
    it (``untouched``); ``partners_apart``: which projects it shows depends on no partner
    (none chosen, no search), so a partner shown or hidden leaves it. ``touches`` None:
    any other change of the catalogue computes it again, without reading the kept
    counts, for a value that costs less to compute than those cost to read and correct
    (one small query: the projects a page suggests)."""
    if not fragments.in_use():
        return compute()
    key = fragments.fragment_key(
        name,
        *vary,
        across_catalogue=True,
        no_partners=no_partners or no_names,
        no_names=no_names,
    )
    kept = fragments.get_many([key]).get(key)
    if isinstance(kept, _Apart) and fragments.still_good(kept.depends):
        still = untouched(
            kept.changes,
            kept.buckets,
            touches,
            no_places=no_places,
            partners_apart=partners_apart,
        )
        if still is not None:
            latest, buckets = still
            if latest != kept.changes:
                fragments.set_many({key: _Apart(latest, buckets, kept.value, kept.depends)})
            return kept.value
    # Not read when no change is checked against them.
    counts = None if touches is None else kept_summary()
    # Read before the value: the changes logged meanwhile are checked next time.
    changes = fragments.CATALOGUE_CHANGES.latest()
    value, depends = fragments.computed(compute)
    buckets = counts.buckets if counts is not None and counts.changes == changes else None
    fragments.set_many({key: _Apart(changes, buckets, value, depends)})
    return value


def kept_apart_from(touches, *, partners_apart: bool = False):
    """Return how a list keeps its count and pages across the changes of the catalogue
    made by projects that ``touches(entry)`` says are outside it (None: any published
    project could be in it, so only changes that leave every published project as it
    was, a draft's), and the changes of places, and the saves of partners, regions and
    sectors that leave the counts (its keys and count show none of them); with
    ``partners_apart`` (it chooses its projects by no partner and no search), across the
    partners shown or hidden too."""
    return lambda name, vary, compute: kept_apart(
        name,
        vary,
        compute,
        touches or any_project,
        no_names=True,
        no_places=True,
        partners_apart=partners_apart,
    )


# -- The latest projects ------------------------------------------------------------------

# Keys of the first published projects kept: the home page shows 6, a list's page 12; the
# others make up for projects that leave.
FIRST_KEPT = 24
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


# The catalogue's order, as ``order_key`` sorts it.
ORDERING = ["-is_featured", "-published_at", "-pk"]
if Project._meta.ordering != ORDERING:
    raise ImproperlyConfigured("catalogue.order_key must sort as Project._meta.ordering does.")


def order_key(is_featured: bool, published_at: datetime, pk: int) -> tuple:
    """Where a project comes in the catalogue's order (``Project._meta.ordering``:
    featured first, then the latest published, then the latest made), as a sortable
    value."""
    return (not is_featured, *latest_first(published_at, pk))


def latest_first(published_at: datetime, pk: int) -> tuple[int, int]:
    """Where a row comes in the order of the latest published first, then the latest
    made, as a sortable value (whole microseconds: exact, as the database sorts)."""
    return (-((published_at - _EPOCH) // timedelta(microseconds=1)), -pk)


def _first_query(now, keys) -> QuerySet:
    published = PublicationQuerySet(Project).published(now=now)
    return published.order_by(*Project._meta.ordering).values_list(
        "pk", "is_featured", "published_at"
    )


_FIRST = PreparedQuery(Project, lambda now, keys: _first_query(now, keys)[: FIRST_KEPT + 1])
_FIRST_OF = PreparedQuery(
    Project, lambda now, keys: _first_query(now, keys).filter(pk__in=keys), keys_in=True
)


def _first_rows(pks=None) -> list[tuple[tuple, int]]:
    """Return ``(order key, pk)`` of the first published projects, in order, one more than
    are kept (to tell whether there are others); of these projects only, with ``pks``."""
    found = _FIRST() if pks is None else _FIRST_OF(pks)
    return sorted((order_key(featured, moment, pk), pk) for pk, featured, moment in found)


@dataclass
class _KeptFirst:
    """The first rows of an ordered selection, ``(order key, item)``, as the catalogue
    was at change ``changes`` (``fragments.CATALOGUE_CHANGES``); ``complete`` when they
    are all its rows."""

    changes: int
    rows: list[tuple[tuple, object]]
    complete: bool


def kept_first(
    key: str,
    number: int,
    kept: int,
    find: Callable,
    project_of: Callable,
    *,
    no_places: bool = False,
) -> list:
    """Return the items of the first ``number`` rows ``find()`` returns (``kept`` of them
    kept, one more found to tell whether there are others), kept across the catalogue under
    ``key`` and corrected for the projects that changed it since: their rows
    (``project_of(row)``) are taken out and those ``find(pks)`` gives now put in their
    place in the order. ``no_places``: the rows show no place, and changes of places
    alone are left out. No partner chooses the rows (the latest projects, field updates,
    places): changes of partners alone are left out.

    When rows were left out, each came after the last one kept: the rows that come before
    it are the first ones still, if there are enough of them; otherwise (a project among
    them left) they are found again."""
    found = fragments.get_many([key]).get(key)
    if isinstance(found, _KeptFirst):
        # Rows chosen by no partner: a partner shown or hidden leaves them.
        since = fragments.CATALOGUE_CHANGES.since(
            found.changes, apart_from=_unshown(no_places, partners_apart=True)
        )
        if since is not None:
            latest, changed = since
            moved = set(changed)
            rows = [row for row in found.rows if project_of(row) not in moved]
            if changed:
                rows = sorted([*rows, *find(changed)], key=_by_order)
            if not found.complete and found.rows:
                last = found.rows[-1][0]
                rows = [row for row in rows if not last < row[0]]
            if found.complete or len(rows) >= number:
                complete = found.complete and len(rows) <= kept
                if rows != found.rows or latest != found.changes:
                    fragments.set_many({key: _KeptFirst(latest, rows[:kept], complete)})
                return [item for _order, item in rows[:number]]
    changes = fragments.CATALOGUE_CHANGES.latest()  # Before the rows: later changes correct.
    rows = find()
    fragments.set_many({key: _KeptFirst(changes, rows[:kept], len(rows) <= kept)})
    return [item for _order, item in rows[:number]]


def _by_order(row: tuple) -> tuple:
    return row[0]


def first_published(number: int) -> list[int]:
    """Return the keys of the first ``number`` published projects, in the catalogue's
    order (at most ``FIRST_KEPT``), kept across the catalogue and corrected for the
    projects that changed it since (one small query: where they come now, if published)."""
    if not fragments.in_use():
        return [pk for _order, pk in _first_rows()[:number]]
    return kept_first(_key("first-kept"), number, FIRST_KEPT, _first_rows, _by_pk, no_places=True)


def _by_pk(row: tuple) -> int:
    return row[1]
