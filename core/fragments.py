"""Fragments of public pages kept across changes that do not touch them.

The page cache throws every page away at any change of public content: a confirmed pledge
or a gift, the most frequent changes, would otherwise leave one page stale. The pages then
have to be rendered again; fragments make that cheap. Each fragment is kept under the
tokens of what it shows:

- the *editorial token*, renewed by every change of public content that can move more than
  what shows one project (a project published or moved to another region or sector, a
  partner, region, sector, partnership or place saved or deleted, a scheduled
  publication falling due);
- for the parts that show one project's own content (its page), that project's *content
  version*, moved by changes that only it shows: its title, story, subtitle, summary,
  cover, photos, dates, results (``invalidate_content``);
- for a part of a project's page with its own rows (its results, its field updates), or
  its card, that part's version, moved with the content version by changes to what the
  part shows only (``kept_part``); the card's version moves with the title, summary,
  subtitle, cover and funding goal; the news version of ``ANY_PROJECT`` moves with every
  field update (the latest news, the feed); the places version (its map) with its places;
- for the parts that show one project's funding or suggested amounts, that project's own
  *funding version*, moved by its pledges, gifts and amounts;
- for search results, a log of the projects whose searched text changed without the rest
  of the catalogue (their title, story, subtitle, summary, a partner's name): kept
  results check those projects again (``kept_search``);
- for what shows when a project last changed (the sitemaps), that project's *dates
  version* too, moved by a save that changed none of its columns (``invalidate_dates``);
- for a partner's card on the partner list, and the partners the lists' filter offers,
  each partner's own version, moved by its saves (``partner_versions``); for what shows
  which partners there are and their order (the partner list's pages), the version of
  ``ANY_PARTNER``, which every partner's save moves. What shows partners under their
  versions and no name of a region or sector (the home page's partners, a project's
  partners, the partner list) is so kept under the counts token, across a region's or a
  sector's save.

So after a gift to one project, every page is rendered again but only that project's card
and panel are computed anew; after an editor rewrites a project's story or adds photos,
only that project's page is, and after a rename its page, its cards and what names it;
the rest (filter panels, counts, other projects' cards) comes from here.

A change of the catalogue made by one project (published or unpublished, moved to another
region or sector, given a new status, address or partner) renews the editorial token and
moves every version of that project; a place of its map saved or deleted is such a change
that moves only its places version, and a partner of its shown or hidden one that moves
none (``PARTNERS_ONLY``: what shows its partners reads them under their versions). What
shows one project alone, with no more of the rest of the site than the names of regions,
sectors and partners (its cards, the parts of its page, the site's header and footer),
is kept under the *names token* instead of the
editorial token (``across_catalogue``): such a change draws anew the lists, counts and
maps, and that project's own parts, not the other projects'. Every other change of the
catalogue (a region, sector or partner saved, a bulk update) renews both tokens, and the
next requests compute everything, as without fragments, but the counts of the catalogue
when the save leaves what they count as it was (a partner renamed: the *counts token*,
``counts_token``); and what shows nothing of partners (cards, the top of a project's page,
maps; ``no_partners``) is kept under the *regions token* instead of the names token, which
such a partner's save keeps too (``regions_token``); what shows no name of a region,
sector or partner either, only keys, numbers and what its versions stand for (the lists'
and searches' keys, funding figures, results, a partner's card, the home and region maps;
``no_names``), is kept
under the counts token, which a region's or a sector's save that leaves the counts keeps
as well. A fragment kept across the catalogue that uses a fragment kept under the
editorial token goes with that token too (``EDITORIAL_DEPENDENCY``): it is drawn anew with
it; one kept under the regions token that uses one kept under the names token goes with
the names token (``NAMES_DEPENDENCY``), and one kept under the counts token that uses one
kept under the regions token with the regions token (``REGIONS_DEPENDENCY``).

A fragment may also show something of projects it does not name in its key (a feed shows
their titles, the sitemap when they last changed, a map names its points' projects): what
it computes says so (``shows_cards_of``, ``shows_content_of``), and the fragment is kept
with those projects' versions and checked against them when read. A fragment that contains
others, or is drawn from a kept value, takes on what they depend on.

Fragments need a cache shared by every worker (Redis); with the local-memory cache each
worker would keep its own copies while the tokens live in the database, so there they are
off and every page is computed in full. ``FRAGMENT_CACHE=false`` turns them off too.
Like the page cache, fragments serve anonymous visitors only: staff (anyone with a session)
see pages computed from the database.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import secrets
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.utils import timezone, translation
from django_redis.client import DefaultClient
from redis.exceptions import WatchError

from .commits import covering, on_commit, renew_at_commit, renew_last
from .redis_client import UNREADABLE, add_numbered

logger = logging.getLogger(__name__)

# The page cache's state (``pagecache.STATE_KEY``).
PAGE_STATE_KEY = "pagecache:state"
EDITORIAL_KEY = "pagecache:editorial"
NAMES_KEY = "pagecache:names"
# The token of the counts of the catalogue: renewed with the names token, but for a save
# that leaves what they count as it was (a partner renamed; ``counts_token``).
COUNTS_KEY = "pagecache:counts"
# The token of what is kept across the catalogue and shows nothing of partners (cards, the
# top of a project's page, maps): renewed with the names token, but for a partner's save
# that leaves what the counts count (``regions_token``).
REGIONS_KEY = "pagecache:regions"
# In what a fragment kept across the catalogue depends on, the editorial token it used.
EDITORIAL_DEPENDENCY = "editorial"
# In what a fragment kept under the regions token depends on, the names token of a
# fragment kept under it that it uses.
NAMES_DEPENDENCY = "names"
# In what a fragment kept under the counts token depends on, the regions token of a
# fragment kept under it that it uses.
REGIONS_DEPENDENCY = "regions"
FUNDING_KEY_PREFIX = "pagecache:funding:"
CONTENT_KEY_PREFIX = "pagecache:content:"
# The content version that every project's content change moves, for what shows
# something of every project (when the portfolio last changed).
ANY_PROJECT = "any"
PART_KEY_PREFIX = "pagecache:part:"
# The part of a project's page that its field updates move; its version for
# ``ANY_PROJECT`` moves with every project's (the latest news, the feed).
NEWS = "news"
# The part of a project's page that its places move (its map): a place saved changes the
# catalogue for its project (``places.signal_handlers``), which moves it.
PLACES = "places"
# Every part of a project's page kept under its own version.
PARTS = ("card", "bottom", "results", NEWS, PLACES)
# The kind of a change of the catalogue that moves which partners its projects count, and
# nothing else of them (a partner shown or hidden, ``invalidate_catalogue(…,
# versions_kept=True)``): what chooses its projects by no partner leaves it out
# (``ChangeLog.since(…, apart_from=…)``). No version is kept under it.
PARTNERS_ONLY = "partners"
# The parts a change of the catalogue that leaves a project's card keeps
# (``invalidate_catalogue``): its field updates show its title and address, nothing else
# of it.
KEPT_WITH_CARDS = ("card", NEWS)
CARD_KEY_PREFIX = f"{PART_KEY_PREFIX}card:"
# Each partner's version, moved by its saves: its card on the partner list is kept under it.
PARTNER_KEY_PREFIX = "pagecache:partner:"
# The version of every partner, moved by any partner's save: what shows which partners
# there are or their order by name (the partner list's keys) is kept under it.
ANY_PARTNER = "any"
# The version of how many partners there are, moved by a partner added, deleted, shown or
# hidden: their number is kept under it, across renames.
PARTNERS_ADDED = "added"
# Each project's dates version, moved by a save that changes nothing but when it last
# changed (what shows that date, the sitemaps, is kept under it and its content version).
DATED_KEY_PREFIX = "pagecache:dated:"
SEARCH_EDITS_KEY = "pagecache:searched-edits"
SEARCH_EDIT_PREFIX = "pagecache:searched-edit:"
# Searched edits a kept search result checks one by one; beyond, it is computed again.
MAX_SEARCHED_EDITS = 50
CATALOGUE_CHANGES_KEY = "pagecache:catalogue-changes"
# Its entries may say which parts changed (``ChangeLog.note``): named anew when they
# could, so that a release serving during a deploy reads none it cannot.
CATALOGUE_CHANGE_PREFIX = "pagecache:catalogue-changed:"
FRAGMENT_KEY_PREFIX = "pagecache:fragment:"
# Fragments are checked against their tokens on every read; this only bounds memory.
FRAGMENT_TIMEOUT = 24 * 60 * 60
# A change logged (``ChangeLog``) is kept longer than what checks it.
LOG_TIMEOUT = FRAGMENT_TIMEOUT * 2

# The editorial token read once per request (reset when a request starts).
_request = threading.local()


def enabled() -> bool:
    """Tell whether fragments are kept (and so must be put out of date by changes)."""
    return settings.FRAGMENT_CACHE_ENABLED and settings.PAGE_CACHE_STATE == "cache"


def in_use() -> bool:
    """Tell whether this request reads and keeps fragments (anonymous visitors only)."""
    return enabled() and getattr(_request, "public", True)


def serve_request(request, *, public: bool) -> None:
    """Start a request: whether it may use fragments (staff see everything as it is), and
    its scheme and host, which absolute addresses in fragments depend on."""
    _request.public = public
    _request.site = (request.scheme, request.get_host()) if public else None
    # From here it reads tokens, the log and versions: a token found out of date later
    # may have fallen due meanwhile (``fell_during_request``).
    _request.started = timezone.now()


def draw_page(request) -> None:
    """Say that the page is drawn (not served as stored by the page cache): read at once
    what the last request for the same address read (``_prefetch``)."""
    if getattr(_request, "public", False) and enabled():
        _prefetch((*_request.site, request.get_full_path()))


@dataclass(frozen=True)
class _Learned:
    """What the latest request for an address read: its fragments' and versions' keys,
    how the fragments' keys were made (pairs of a key and its ``(name, token kind,
    rest)``, ``fragment_key``) and the tokens they were made with (pairs of a kind and a
    token)."""

    fragment_keys: tuple[str, ...]
    version_keys: tuple[str, ...]
    recipes: tuple[tuple[str, tuple[str, str, str]], ...] = ()
    tokens: tuple[tuple[str, str], ...] = ()


# What the latest request for each address read, by address, in this process: the next
# request for it reads all of it in one round trip (the keys hold the versions they were
# kept under, so a key out of date since is simply not found, and read as usual). When a
# token was renewed since, the keys made with it are made again with the new one and read
# in a second round trip: after an edit, a page learns in two round trips which of its
# fragments another request drew already, not in one per fragment.
_read_by_address: dict[tuple, _Learned] = {}
# Addresses remembered at most; beyond, the memory starts again.
READ_ADDRESSES = 5000
# How the fragments a kept value's computation read were made, by how that value's key
# was made, in this process (``keep``; only for values that read some; a key made
# otherwise, such as the counts of the catalogue's, as ``(key, None, "")``): when the next
# request for an address finds that value gone, or kept under a token renewed since, it
# reads them in its second round trip (``_made_anew``), instead of one by one as it
# computes the value again.
_made_with: dict[tuple[str, str, str], tuple[tuple[str, str, str], ...]] = {}
# Values remembered at most; beyond, the memory starts again.
MADE_WITH = 20000
# The longest rest of a key remembered (``fragment_key``; a list's filter panel takes
# about 1 000 characters): keys made of more (a long search typed by a visitor, a map's
# places) are read as the page asks for them, and the memory stays small (some 4 KB an
# address at most, 20 MB for every address remembered).
LONGEST_RECIPE = 1200
# The tokens a scheduled publication falling due keeps (``past_publication``), and the
# attribute of the request each is read once per request as.
SCHEDULED_ATTRIBUTES = {NAMES_KEY: "names", COUNTS_KEY: "counts", REGIONS_KEY: "regions"}
SCHEDULED_KEYS = tuple(SCHEDULED_ATTRIBUTES)
# The tokens renewed when a scheduled publication falls due, as after any change of the
# catalogue: the editorial token and the page cache's state (``past_publication``).
RENEWED_AT_PUBLICATION = (EDITORIAL_KEY, PAGE_STATE_KEY)
# The token keys by kind (``fragment_key``).
TOKEN_KEYS = {
    "editorial": EDITORIAL_KEY,
    "names": NAMES_KEY,
    "counts": COUNTS_KEY,
    "regions": REGIONS_KEY,
}


def _prefetch(address: tuple) -> None:
    """Read the fragments and versions the latest request for this address read, in one
    round trip; each is then read from here (``_get``), as if read a moment later. When a
    token has been renewed since (or is found out of date: it is renewed now), the keys
    made with it, and those of what their values read, are made again and read in a
    second round trip (``_made_anew``)."""
    _request.address = address
    _request.used = ([], [])
    _forget_own_logging()
    learned = _read_by_address.get(address)
    if learned is None:
        return  # Not asked before, or a page that reads no fragment (nothing to read).
    fragment_keys, version_keys = learned.fragment_keys, learned.version_keys
    tokens = tuple(TOKEN_KEYS.values())
    found = _read_stored(fragment_keys, [*tokens, *version_keys])
    _request.asked = {*tokens, *fragment_keys}
    _request.prefetched = {}
    now = timezone.now()
    due = any(
        not state.is_current(now) for key in SCHEDULED_KEYS if (state := found.get(key)) is not None
    )
    _renew_tokens_out_of_date(found, [kind for kind, _token in learned.tokens])
    # What the renewal wrote (a scheduled publication fallen due logged, ``_note_set``),
    # over what was read before it.
    written = _request.prefetched
    if due and not _alone_since(found.get(CATALOGUE_CHANGES_KEY)):
        # Read before a scheduled publication fallen due was logged (``past_publication``):
        # the log and the versions are read again, in one round trip. Unless this request
        # logged it, and nothing else was logged since they were read: what it wrote is
        # then all that changed (the log's number and the versions it moved,
        # ``_note_set`` and ``_move_versions``).
        again = [
            *version_keys,
            *([CATALOGUE_CHANGES_KEY] if CATALOGUE_CHANGES_KEY in found else []),
        ]
        fresh = cache.get_many(again) if again else {}
        for key in again:
            found.pop(key, None)
        found |= fresh
    renamed = [key for key in _made_anew(learned, found) if key not in _request.asked]
    if renamed:
        found |= _read_stored(renamed, [])
        _request.asked.update(renamed)
    _request.prefetched = {key: found[key] for key in _request.asked if key in found} | written
    versions = getattr(_request, "versions", None)
    if versions is not None:
        # Read before the tokens were renewed; those moved since (what a scheduled
        # publication fallen due published, ``past_publication``) are known already.
        for key in version_keys:
            if key in found:
                versions.setdefault(key, found[key])


def _alone_since(counter) -> bool:
    """Tell whether this request logged a publication fallen due itself (keeping every
    token found due, ``past_publication``) and took every number of the log of changes
    of the catalogue since its number was read as ``counter`` (as stored): no other
    change was logged, nor its versions moved, in between."""
    if not getattr(_request, "logged_here", False):
        return False
    if isinstance(counter, _Stored):
        counter = cache.client.decode(counter.value)
    taken, last = (getattr(_request, "own_log", None) or {}).get(CATALOGUE_CHANGES_KEY, (0, None))
    return isinstance(counter, int) and last is not None and counter + taken == last


def _renew_tokens_out_of_date(found: dict[str, object], kinds: Iterable[str]) -> None:
    """Renew now those of these kinds of tokens found out of date (a change made outside a
    transaction, or a scheduled publication fallen due: the names, counts and regions
    tokens are then kept, ``past_publication``), as their first use in this request would
    (``pagecache.state_in_cache``): the keys made with them are then known, and read with
    the others (``_made_anew``)."""
    from .pagecache import state_in_cache

    now = timezone.now()
    kinds = set(kinds)
    # The first renewal starts from the tokens as read a moment ago, with the others; after
    # it, what it did not write is read again.
    as_read = {key: found[key] for key in TOKEN_KEYS.values() if key in found}
    for kind, key in TOKEN_KEYS.items():  # The editorial token first, as its readers read it.
        state = found.get(key)
        if kind in kinds and state is not None and not state.is_current(now):
            # Kept meanwhile by this request (the renewal of the editorial token logs a
            # publication fallen due and keeps the names, counts and regions tokens,
            # ``past_publication``): as written, not read again.
            kept = _request.prefetched.get(key)
            if kept is not None and kept.is_current(now):
                found[key] = kept
            else:
                found[key] = state_in_cache(key, read=as_read)
                as_read = None


def _read_stored(fragment_keys, other_keys) -> dict[str, object]:
    """Read these keys in one round trip: the other values as they are, the fragments
    as stored (``_Stored``), each unpickled when the request uses it: after a change,
    those kept under a token it renewed are not used, nor unpickled."""
    raw = getattr(getattr(cache, "client", None), "get_many_raw", None)
    if raw is None:
        return cache.get_many([*other_keys, *fragment_keys])
    stored = raw([*other_keys, *fragment_keys])
    read = cache.client.decode
    found = {key: read(stored[key]) for key in other_keys if key in stored}
    found = {key: value for key, value in found.items() if value is not UNREADABLE}
    found |= {key: _Stored(stored[key]) for key in fragment_keys if key in stored}
    return found


def _made_anew(learned: _Learned, found: Mapping[str, object]) -> list[str]:
    """Return the keys of what this request will ask for after a change, as far as the
    last request for its address tells: the fragments it read made again with the tokens
    renewed since, and, for those and for those it read that are gone, the fragments their
    computation read (``_made_with``), over and over, each made with the current tokens.

    A token not found, or no longer good, is renewed by its first reader: the keys made
    with it are not known yet, and are left out."""
    now = timezone.now()
    current = {}
    for kind, key in TOKEN_KEYS.items():
        state = found.get(key)
        if state is not None and state.is_current(now):
            current[kind] = state.token
    seen = dict(learned.tokens)
    renewed = {kind for kind, token in current.items() if seen.get(kind, token) != token}
    asked = [recipe for key, recipe in learned.recipes if recipe[1] in renewed or key not in found]
    made, done = [], set()
    while asked:
        recipe = asked.pop()
        if recipe in done:
            continue
        done.add(recipe)
        name, kind, rest = recipe
        if kind is None:
            made.append(name)  # A key made without a recipe (``_fetch``): as it was.
        elif kind in current:
            made.append(_digested(name, _token_part(kind, current[kind]), rest))
        asked.extend(_made_with.get(recipe, ()))
    return list(dict.fromkeys(made))


@dataclass(frozen=True)
class _Stored:
    """A prefetched fragment as stored, read when first used (``_fetch``)."""

    value: bytes


def _prefetched(keys: list[str], asked: set) -> dict[str, object]:
    """Return the values prefetched under these keys, each read the first time."""
    prefetched = getattr(_request, "prefetched", {})
    found = {}
    decode = None
    for key in keys:
        if key not in asked or key not in prefetched:
            continue
        value = prefetched[key]
        if isinstance(value, _Stored):
            if decode is None:  # Looked up once: the cache's proxy costs a few µs a time.
                decode = cache.client.decode
            value = decode(value.value)
            if value is UNREADABLE:
                del prefetched[key]
                continue
            prefetched[key] = value
        found[key] = value
    return found


def _remember_reads() -> None:
    address, used = getattr(_request, "address", None), getattr(_request, "used", None)
    if address is None or used is None:
        return
    if len(_read_by_address) >= READ_ADDRESSES:
        _read_by_address.clear()
    fragment_keys, version_keys = used
    if not fragment_keys and not version_keys:
        _read_by_address.pop(address, None)
        return
    fragment_keys = tuple(dict.fromkeys(fragment_keys))
    recipes = getattr(_request, "recipes", None) or {}
    tokens = {kind: getattr(_request, attribute, None) for kind, attribute in TOKEN_ATTRIBUTES}
    _read_by_address[address] = _Learned(
        fragment_keys,
        tuple(set(version_keys)),
        tuple((key, recipes[key]) for key in fragment_keys if key in recipes),
        tuple((kind, token) for kind, token in tokens.items() if token is not None),
    )


def _fetch(keys: list[str], *, remember: bool = True) -> dict[str, object]:
    """Return the values found under these keys: those this request wrote (``_write``),
    those read at the start of the request as they were then (``_prefetch``) or since
    (each key is read from the cache once per request), the others read now, in one
    round trip. ``remember``: read them at the start of the next request
    for the same address (keys that each change makes anew are not worth it)."""
    used = getattr(_request, "used", None)
    if used is not None and remember:
        used[0].extend(keys)
        reading = getattr(_request, "reading", None)
        if reading:
            # Keys made without a recipe (``counts_key``), read by a value being computed:
            # read again as they are when it is computed anew (``_made_anew``).
            recipes = getattr(_request, "recipes", None) or {}
            reading[-1].extend((key, None, "") for key in keys if key not in recipes)
    asked = getattr(_request, "asked", None) or set()
    written = getattr(_request, "written", None) or {}
    found = {key: written[key] for key in keys if key in written}
    found |= _prefetched([key for key in keys if key not in found], asked)
    read = getattr(_request, "read", None)
    if read:
        found |= {key: read[key] for key in keys if key in read and key not in found}
    unread = [key for key in keys if key not in asked and key not in found]
    if unread:
        fresh = cache.get_many(unread)
        found |= fresh
        if read is not None:
            # Read once per request: each key asked again is as read the first time.
            read.update(fresh)
    return found


def _get(key: str):
    return _fetch([key]).get(key)


def _set(key: str, value) -> None:
    _write({key: value})


def _write(values: Mapping[str, object]) -> None:
    """Keep these fragments: during a request, all in one round trip when it ends.

    With Redis, each value is serialised now, as it is (what the page does with it next
    is not kept), and sent with the others when the request ends (``_send_writes``): a
    page that draws several fragments anew writes them at once, not one by one. Until
    then this request reads them from here.
    """
    pending = getattr(_request, "pending", None)
    client = getattr(cache, "client", None)
    if pending is None or not isinstance(client, DefaultClient):
        cache.set_many(values, FRAGMENT_TIMEOUT)
    else:
        pending.extend((client.make_key(k), client.encode(v)) for k, v in values.items())
        _request.written.update(values)
    _note_set(values)


def _send_writes() -> None:
    pending = getattr(_request, "pending", None)
    _request.pending = None
    _request.written = None
    if not pending:
        return
    try:
        pipe = cache.client.get_client(write=True).pipeline(transaction=False)
        for key, value in pending:
            pipe.set(key, value, ex=FRAGMENT_TIMEOUT)
        pipe.execute()
    except Exception:
        # The page was served; what was not kept is computed again.
        logger.warning("Fragments could not be kept.", exc_info=True)


def _note_set(values: Mapping[str, object]) -> None:
    """Keep what was prefetched, and read, in step with what this request wrote."""
    asked = getattr(_request, "asked", None)
    if asked is not None:
        _request.prefetched.update({k: v for k, v in values.items() if k in asked})
    read = getattr(_request, "read", None)
    if read:
        read.update({k: v for k, v in values.items() if k in read})


def forget_once(name: str) -> None:
    """Have the next ``once_per_request(name, …)`` compute its value again."""
    once = getattr(_request, "once", None)
    if once:
        once.pop(name, None)


def once_per_request(name: str, compute: Callable[[], object]) -> object:
    """Return ``compute()``, computed once per request served to the public (which only
    reads, so what it reads stays as it was while it runs): e.g. when the next scheduled
    publication falls, which each token renewed while it renders asks."""
    if getattr(_request, "site", None) is None:  # Not such a request: computed each time.
        return compute()
    if name not in _request.once:
        _request.once[name] = compute()
    return _request.once[name]


def _forget_own_logging() -> None:
    """Forget what this request logged itself (``_alone_since``)."""
    _request.logged_here = False
    _request.own_log = {}


def _forget_token(**kwargs) -> None:
    _request.once = {}
    _forget_own_logging()
    _request.started = None
    # The names, counts and regions tokens as last read with a token renewed.
    _request.scheduled = {}
    _request.token = None
    _request.names = None
    _request.counts = None
    _request.regions = None
    _request.scopes = []
    _request.public = True
    _request.site = None
    _request.address = None
    _request.used = None
    _request.asked = None
    _request.prefetched = {}
    # How the fragments' keys made during this request were made (``fragment_key``), and
    # those made while each kept value is computed (``keep``).
    _request.recipes = {}
    _request.reading = []
    # Fragments read during this request, found (``_fetch``).
    _request.read = {}
    # Versions read during this request: each is read from the cache once per request.
    _request.versions = {}
    # Fragments this request keeps, written when it ends (``_write``).
    _request.pending = []
    _request.written = {}


def _end_request(**kwargs) -> None:
    _send_writes()
    _remember_reads()
    _request.versions = None  # Outside a request, versions are always read anew.
    _request.address = _request.used = _request.asked = _request.read = None
    _request.recipes = _request.reading = None
    _request.prefetched = {}
    # Outside a request, as before any: a staff member's request leaves no trace.
    _request.public = True
    _request.site = None
    _request.once = {}
    _request.scheduled = {}
    _forget_own_logging()


request_started.connect(_forget_token, dispatch_uid="fragments-forget-token")
request_finished.connect(_end_request, dispatch_uid="fragments-end-request")


def _store_editorial(
    state,
    *,
    names: bool = True,
    counts: bool = True,
    regions: bool = True,
    out_of_date: bool = False,
) -> None:
    """Keep this editorial state; with ``names``, give the names token a new value too
    (good until the next scheduled publication, as the state: ``past_publication``),
    and the counts token, unless ``counts`` is false, and the regions token, unless
    ``regions`` is false. ``out_of_date``: the state is out of date at once (renewed by
    the next request, ``invalidate_editorial``); the new tokens are good until the next
    publication their old values knew (``known_publication``), and the next request keeps
    them."""
    renewed = {"counts": (counts, COUNTS_KEY), "regions": (regions, REGIONS_KEY)}
    keys = [NAMES_KEY, *(key for chosen, key in renewed.values() if chosen)] if names else []
    _store_tokens(state, keys, out_of_date=out_of_date)
    _request.token = None
    if names:
        _request.names = None
        for attribute, (chosen, _key) in renewed.items():
            if chosen:
                setattr(_request, attribute, None)
    if getattr(_request, "asked", None):
        for key in (EDITORIAL_KEY, *keys):
            _request.asked.discard(key)
            _request.prefetched.pop(key, None)


def _store_tokens(state, keys: list[str], *, out_of_date: bool) -> None:
    """Keep this editorial state, and give these of the names, counts and regions tokens
    new values, good until the state falls, or until the soonest moment their old values
    knew if sooner (with ``out_of_date``: until that moment, whatever the state's): an
    editor's commit may have scheduled a publication sooner since the state was made
    (``names_good_until``).

    The old values are read and the new ones written as one step: another commit that
    lowers them in between (with compare-and-set) has them read again, and its moment is
    kept. After three such conflicts they are written as read last, and the next
    publication is then learnt from the database, which every commit that scheduled one
    has reached: the tokens are made good until it at most."""
    from .pagecache import ContentState

    def made(found: Mapping[str, object]) -> dict[str, object]:
        known = known_publication(found)
        moment = known if out_of_date else _sooner(state.valid_until, known)
        return {EDITORIAL_KEY: state} | {
            key: ContentState(token=uuid.uuid4().hex, valid_until=moment) for key in keys
        }

    if not keys:
        cache.set(EDITORIAL_KEY, state, None)
        return
    for _attempt in range(3):
        if _written_as_read(SCHEDULED_KEYS, made) is not None:
            return
    # Changed again and again meanwhile: written as read last, then made good until the
    # next publication at most, learnt after the write.
    from .pagecache import _next_change

    cache.set_many(made(read_scheduled()), None)
    moment = _next_change()
    for key in keys:
        good_until(key, moment)


def renew_editorial() -> None:
    """Give the editorial, names, counts and regions tokens new values now: every fragment
    kept before is out of date."""
    from .pagecache import new_state

    if enabled():
        _store_editorial(new_state())


def renew_editorial_but_counts() -> None:
    """``renew_editorial`` for a change that leaves the counts of the catalogue as they
    were: the counts token is kept."""
    from .pagecache import new_state

    if enabled():
        state = new_state()
        _store_editorial(state, counts=False)
        good_until(COUNTS_KEY, state.valid_until)


def renew_editorial_for_partners() -> None:
    """``renew_editorial`` for a partner's save that leaves the counts of the catalogue as
    they were: the counts and regions tokens are kept."""
    from .pagecache import new_state

    if enabled():
        state = new_state()
        _store_editorial(state, counts=False, regions=False)
        for key in (COUNTS_KEY, REGIONS_KEY):
            good_until(key, state.valid_until)


def renew_catalogue() -> None:
    """Give the editorial token a new value now, not the names token (which learns when
    the next scheduled publication falls due, if sooner than it knew)."""
    from .pagecache import new_state

    if enabled():
        state = new_state()
        _store_editorial(state, names=False)
        names_good_until(state.valid_until)


# Each of these renewals does all that the one before it does, and so all that those do
# (a new editorial token; the names, counts and regions tokens renewed, or made good
# until the next publication at most): asked for at one commit, only the widest is made.
covering(renew_catalogue)(renew_editorial_for_partners)
covering(renew_editorial_for_partners)(renew_editorial_but_counts)
covering(renew_editorial_but_counts)(renew_editorial)


def names_good_until(moment) -> None:
    """Have the names, counts and regions tokens good until ``moment`` at most (a
    scheduled publication): what is kept under them reads the published catalogue, which
    a project published by its date changes without any save. At that moment, what it
    publishes is logged, and they are kept (``past_publication``)."""
    if moment is None or not enabled():
        return
    for key in SCHEDULED_KEYS:
        good_until(key, moment)


def good_until(key: str, moment) -> None:
    """Have the token under ``key`` good until ``moment`` at most (a scheduled
    publication), by compare-and-set; a token found out of date has what fell due logged
    instead (``past_publication``)."""
    from .pagecache import ContentState

    if moment is None:
        return
    for _attempt in range(3):
        state = cache.get(key)
        if state is None:
            return
        if not state.is_current(timezone.now()):
            # A publication fell due: logged here, and the token kept, good until then. A
            # request that learnt when the next publication falls before the change that
            # calls this would otherwise keep it with what it learnt
            # (``pagecache.state_in_cache``).
            past_publication(moment)
            return
        if state.valid_until is not None and state.valid_until <= moment:
            return
        # Unless another request changed it meanwhile (then read again: it may have kept
        # it for longer, with what it learnt before this publication was scheduled).
        if replaced(key, state, ContentState(token=state.token, valid_until=moment)):
            return


def _sooner(first, second):
    """Return the sooner of two moments, either of which may be None (never)."""
    if first is None or second is None:
        return first if second is None else second
    return min(first, second)


def read_scheduled() -> dict[str, object]:
    """Return the names, counts and regions tokens as kept (those kept)."""
    return cache.get_many(SCHEDULED_KEYS)


def known_publication(states=None):
    """Return the soonest moment the names, counts and regions tokens (as kept, or these
    ``states`` of them) are good until: the next scheduled publication, or one fallen due
    that no request has logged yet."""
    states = (read_scheduled() if states is None else states).values()
    return min((state.valid_until for state in states if state.valid_until), default=None)


def past_publication(moment, *, seen_due: bool = False) -> dict[str, object]:
    """Log what went public by its date since a scheduled publication fell due, if no
    request has yet: keep the names, counts and regions tokens found out of date then,
    good until ``moment`` (the next one), and return them.

    They are good until the next publication because what is kept under them (the counts
    of the catalogue, the lists' keys) reads the published catalogue, which a publication
    falling due changes without any save. What went public since the earliest of them
    fell due is told to the fragments as the saves that publish it now do
    (``pagecache.fell_due``: logged as changes of the catalogue, which what is kept
    corrects itself for); when it cannot be (too many projects at once), the tokens are
    renewed instead, and everything kept under them is drawn anew.

    Every token made anew asks this first (``pagecache.new_state``): as after a save, a
    request that finds a token made after the moment finds what it published logged.
    Each token is kept only if no other request changed it meanwhile (renewed it, or
    learnt of a sooner publication). ``seen_due``: this request read one of them out of
    date; if another request has logged since, what this one read of the log and of the
    versions before is read again (``_forget_log_and_versions``)."""
    from .pagecache import ContentState, fell_due, next_scheduled_change

    if not enabled():
        return {}
    states = cache.get_many([*SCHEDULED_KEYS, *RENEWED_AT_PUBLICATION])
    now = timezone.now()
    due = {
        key: state
        for key in SCHEDULED_KEYS
        if (state := states.get(key)) is not None and not state.is_current(now)
    }
    if not due:
        if seen_due:
            _forget_log_and_versions()
        return {}
    since = min(state.valid_until for state in due.values())
    if moment is not None and moment <= now:
        # Learnt before it came (the request started before): learnt again, for the
        # tokens this request renews next too.
        moment = next_scheduled_change(again=True)
    # Logged before the tokens are kept: a request that finds them good finds it logged.
    logged = once_per_request(("fell-due", since), lambda: fell_due(since))
    # The editorial token and the page state, read with the names tokens fallen due, are
    # good for longer than a publication that went public when a renewal wrote them with
    # a moment learnt before an editor's commit scheduled it (two commits, or a commit
    # and a visitor's renewal, crossing): put out of date with it, as the save that
    # publishes it now would, they are renewed by the next request. (When nothing went
    # public, the publication was moved or cancelled since: they learnt it.) Written
    # first, should the tokens be written one by one (``_replaced_many``).
    outliving = {
        key: state
        for key in RENEWED_AT_PUBLICATION
        if logged != 0
        and (state := states.get(key)) is not None
        and state.is_current(now)
        and (state.valid_until is None or state.valid_until > since)
    }
    made = {key: ContentState(token=uuid.uuid4().hex, valid_until=now) for key in outliving}
    made |= {
        key: ContentState(
            token=uuid.uuid4().hex if logged is None else state.token, valid_until=moment
        )
        for key, state in due.items()
    }
    written = _replaced_many(outliving | due, made)
    kept = {key: made[key] for key in written if key in due}
    # Every token found due kept by this request: no other request logged it since it
    # read them here (``_alone_since`` checks the log since the request's start).
    _request.logged_here = len(kept) == len(due)
    if EDITORIAL_KEY in written:  # This request renews it too, when it next reads it.
        _request.token = None
        _note_set({EDITORIAL_KEY: made[EDITORIAL_KEY]})
    if getattr(_request, "asked", None):
        # What this request wrote is as read now: its later readers (the renewal of the
        # tokens found out of date at its start, ``_token``) need not read it again. The
        # others, which another request changed, are read again when next asked.
        for key in due:
            if key in kept:
                _request.asked.add(key)
                _request.prefetched[key] = kept[key]
            else:
                _request.asked.discard(key)
                _request.prefetched.pop(key, None)
    seen = getattr(_request, "scheduled", None)
    if seen:
        seen.update({key: state for key, state in kept.items() if key in seen})
    for key, attribute in SCHEDULED_ATTRIBUTES.items():
        if key in due and (logged is None or key not in kept):
            setattr(_request, attribute, None)
    return kept


def outlives_publication(state) -> bool:
    """Tell whether this editorial token or page state, current, was read with a names
    token fallen due (``read_with_scheduled``): a publication no request has logged yet,
    which it may outlive (``past_publication``)."""
    if not enabled():
        return False
    now = timezone.now()
    if not state.is_current(now):
        return False
    names = (getattr(_request, "scheduled", None) or {}).get(NAMES_KEY)
    return names is not None and not names.is_current(now)


def publication_may_be_due() -> bool:
    """Tell whether a scheduled publication may have fallen due that no request logged,
    as this request last read the names, counts and regions tokens (with a token it
    renews, ``pagecache.state_in_cache``, or at its start; when it read them all:
    otherwise, yes, and ``past_publication`` reads them)."""
    seen = getattr(_request, "prefetched", None) or {}
    seen = seen | (getattr(_request, "scheduled", None) or {})
    now = timezone.now()
    for key in SCHEDULED_KEYS:
        state = seen.get(key)
        if state is None or not state.is_current(now):
            return True
    return False


def fell_during_request(state) -> None:
    """Say that this request found ``state`` out of date, to renew it: if it was good when
    the request started (a scheduled publication fell due meanwhile, which another request
    may have logged already), what this request read of the log and of the versions is
    read again (``_forget_log_and_versions``)."""
    started = getattr(_request, "started", None)
    moment = getattr(state, "valid_until", None)
    if started is not None and moment is not None and moment > started:
        _forget_log_and_versions()


def read_with_scheduled(key: str, read: Mapping[str, object] | None = None):
    """Return what is kept under ``key``, read with the names, counts and regions tokens
    in one round trip (which ``publication_may_be_due`` then looks at); ``read``: as this
    request read them all a moment ago, not read again."""
    if not enabled():
        return cache.get(key) if read is None else read.get(key)
    found = cache.get_many([key, *SCHEDULED_KEYS]) if read is None else read
    _request.scheduled = {k: found[k] for k in SCHEDULED_KEYS if k in found}
    return found.get(key)


def _replaced_many(old: Mapping[str, object], new: Mapping[str, object]) -> set[str]:
    """Write each of ``new`` whose ``old`` value is what its key holds still (an ``old``
    of None: whose key holds nothing), in one step (``_written_as_read``: another
    worker's write in between wins, and each key is then tried on its own); return the
    keys written."""

    def unchanged(found: Mapping[str, object]) -> dict[str, object]:
        return {key: value for key, value in new.items() if found.get(key) == old[key]}

    written = _written_as_read(list(new), unchanged)
    if written is not None:
        return set(written)
    if len(new) == 1:
        return set()
    return {key for key in new if replaced(key, old[key], new[key])}


def _written_as_read(
    keys, make: Callable[[dict[str, object]], dict[str, object]]
) -> dict[str, object] | None:
    """Read these keys and write what ``make(found)`` makes of what they hold (any keys;
    a value that cannot be read holds nothing, as the cache's reads take it), in one step
    (Redis's WATCH); return what was written, or None, writing nothing, when another
    worker wrote one of them in between."""
    client = getattr(cache, "client", None)
    if not isinstance(client, DefaultClient):
        # One process (the local-memory cache: tests, or fragments off).
        found = cache.get_many(keys)
        made = make(found)
        if cache.get_many(keys) != found:
            return None
        cache.set_many(made, None)
        return made
    stored = {key: client.make_key(key) for key in keys}
    with client.get_client(write=True).pipeline() as pipe:
        try:
            pipe.watch(*stored.values())
            values = pipe.mget(list(stored.values()))
            found = {
                key: client.decode(value)
                for key, value in zip(stored, values, strict=True)
                if value is not None
            }
            made = make({key: value for key, value in found.items() if value is not UNREADABLE})
            if made:
                pipe.multi()
                for key, value in made.items():
                    pipe.set(client.make_key(key), client.encode(value))
                pipe.execute()
        except WatchError:
            return None
    return made


def replaced(key: str, old, new) -> bool:
    """Write ``new`` under ``key`` if it still holds ``old`` (None: nothing, or a value
    that cannot be read), as one step; return whether it was written. For a token learnt
    from the database between reading it and writing it (``pagecache.renew``,
    ``pagecache._state_renewed_as_read``): a write made meanwhile by another worker, which
    may have learnt more, wins."""
    return bool(_replaced_many({key: old}, {key: new}))


def _forget_log_and_versions() -> None:
    """Forget what this request read of the log of changes of the catalogue and of the
    versions: read before another request logged a publication fallen due (and moved the
    versions of what it published), they are read again when next asked."""
    _request.logged_here = False
    asked = getattr(_request, "asked", None)
    if asked:
        asked.discard(CATALOGUE_CHANGES_KEY)
    for read in (getattr(_request, "prefetched", None), getattr(_request, "read", None)):
        if read:
            read.pop(CATALOGUE_CHANGES_KEY, None)
    versions = getattr(_request, "versions", None)
    if versions:
        versions.clear()


def catalogue_published(project_pks: Iterable[int]) -> bool:
    """Log these projects, gone public by their date, as a change of the catalogue, as a
    save that publishes them does (their funding figures and cards kept); return False,
    having logged none, when they are more than a correction of the counts checks one by
    one (half the changes it reads: the tokens are then renewed)."""
    pks = set(project_pks)
    if len(pks) > MAX_CATALOGUE_CHANGES // 2:
        return False
    if enabled():
        _catalogue_changed(pks, figures_kept=True, cards_kept=True)
    return True


def _token(key: str, attribute: str) -> str:
    """Return the token kept under ``key``, read once per request (as ``attribute``), and
    renewed when a scheduled publication has fallen due (the names, counts and regions
    tokens kept, once what it published is logged: ``past_publication``)."""
    from .pagecache import state_in_cache

    token = getattr(_request, attribute, None)
    if token is None:
        prefetched = getattr(_request, "prefetched", {}).get(key)
        if prefetched is not None and prefetched.is_current(timezone.now()):
            token = prefetched.token
        else:
            token = state_in_cache(key).token
        setattr(_request, attribute, token)
    return token


def editorial_token() -> str:
    """Return the editorial token, renewed when a scheduled publication has fallen due."""
    return _token(EDITORIAL_KEY, "token")


def names_token() -> str:
    """Return the names token: renewed with the editorial token, but for a change of the
    catalogue made by some projects (``invalidate_catalogue``) and a scheduled
    publication falling due (what it publishes is logged: ``past_publication``)."""
    # The editorial token first: renewing it after a change of the catalogue tells the
    # names token when the next scheduled publication falls due (``names_good_until``).
    editorial_token()
    return _token(NAMES_KEY, "names")


def counts_token() -> str:
    """Return the counts token: renewed with the names token, but for a save that leaves
    what the counts of the catalogue count as it was (``invalidate_editorial(counts_kept=
    True)``: a partner renamed); kept with it when a scheduled publication falls due."""
    return _token_within_names(COUNTS_KEY, "counts")


def regions_token() -> str:
    """Return the regions token: renewed with the names token, but for a partner's save
    that leaves what the counts of the catalogue count as it was
    (``invalidate_editorial(counts_kept=True, regions_kept=True)``): what is kept under it
    shows nothing of partners; kept with it when a scheduled publication falls due."""
    return _token_within_names(REGIONS_KEY, "regions")


def _token_within_names(key: str, attribute: str) -> str:
    """Return a token renewed with the names token, and good until it at most: when the
    names token knows of a publication fallen due, what it published is logged first."""
    editorial_token()  # As for the names token: it tells when the next publication falls.
    if getattr(_request, attribute, None) is None:
        # Good until the names token at most, whoever shortened it (a publication
        # scheduled from a worker of the release before, during a deploy); the token read
        # again only when it is good for longer (as prefetched).
        prefetched = getattr(_request, "prefetched", {})
        names = prefetched.get(NAMES_KEY)
        asked = getattr(_request, "asked", None) or ()
        if names is None and (NAMES_KEY not in asked or getattr(_request, "names", None)):
            # Not read at the start of the request, or made since (read then and not
            # found, and not made since: none).
            names = cache.get(NAMES_KEY)
        if names is not None and not names.is_current(timezone.now()):
            # A publication fell due that the names token knows of and this one may not:
            # logged first (``past_publication``), and the names token kept.
            from .pagecache import state_in_cache

            names = state_in_cache(NAMES_KEY)
        kept = prefetched.get(key)
        if (
            names is not None
            and names.valid_until
            and names.is_current(timezone.now())
            and (kept is None or not kept.valid_until or names.valid_until < kept.valid_until)
        ):
            good_until(key, names.valid_until)
    return _token(key, attribute)


def counts_key(name: str) -> str:
    """Return the key of a value kept under the counts token (in every language)."""
    digest = hashlib.blake2b(repr((counts_token(), name)).encode(), digest_size=20).hexdigest()
    return f"{FRAGMENT_KEY_PREFIX}{name}:{digest}"


def invalidate_editorial(*, counts_kept: bool = False, regions_kept: bool = False) -> None:
    """Put every fragment out of date, now and again when the transaction commits; with
    ``counts_kept``, but the counts of the catalogue (the change leaves what they count);
    with ``regions_kept`` too, but what is kept under the regions token (a partner's save:
    it shows nothing of partners).

    The same two steps as the page cache's token (see ``pagecache.invalidate``): a
    request rendering meanwhile, before the commit, keeps what it read under a token that
    the commit then renews.
    """
    from .pagecache import ContentState

    if not enabled():
        return
    state = ContentState(token=uuid.uuid4().hex, valid_until=timezone.now())
    regions_kept = counts_kept and regions_kept
    _store_editorial(state, counts=not counts_kept, regions=not regions_kept, out_of_date=True)
    if regions_kept:
        renew_at_commit(renew_editorial_for_partners)
    else:
        renew_at_commit(renew_editorial_but_counts if counts_kept else renew_editorial)


def invalidate_catalogue(
    project_pks: Iterable[int],
    *,
    figures_kept: bool = False,
    cards_kept: bool = False,
    parts: Iterable[str] | None = None,
    versions_kept: bool = False,
) -> None:
    """Say that these projects changed the catalogue (published or unpublished, moved to
    another region or sector, given a new status, address or partners): the editorial
    token is renewed, now and when the transaction commits, and every version of these
    projects moves (but their funding versions, with ``figures_kept``: the change leaves
    their funding figures and giving panels as they were; and their card and news
    versions, with ``cards_kept``: it leaves what their cards show, their regions and
    partnerships as they were, and so what shows their field updates (a project published
    or unpublished: its updates read as they were, and which of them show is chosen
    under the editorial token); what is kept across the catalogue for other projects
    stays good. ``parts``: only the versions of these parts of their pages move, not their
    content or funding versions (a place saved: their maps, ``PLACES``; what contains a
    map depends on that version too), and the change is logged as one of those parts:
    what is kept across the catalogue and shows none of them (the lists, the searches)
    leaves it out (``ChangeLog.since``). ``versions_kept``: none of their versions move,
    what their own fragments show is as it was (a partner shown or hidden: what shows a
    project's partners reads them under their versions, which its save moves), and the
    change is logged as moving their partners only (``PARTNERS_ONLY``)."""
    from .pagecache import ContentState

    if not enabled():
        return
    if versions_kept and parts is not None:
        raise ValueError("A change that moves no version moves no part.")
    # Logged first, and again at the commit, followed there by the tokens: a request that
    # reads the tokens renewed finds these projects logged.
    _catalogue_changed(
        project_pks,
        then=_renew_after_catalogue_change,
        figures_kept=figures_kept,
        cards_kept=cards_kept,
        parts=parts,
        versions_kept=versions_kept,
    )
    _store_editorial(ContentState(token=uuid.uuid4().hex, valid_until=timezone.now()), names=False)
    renew_at_commit(renew_catalogue)


def _catalogue_changed(
    project_pks: Iterable[int],
    *,
    then: Callable[[], None] | None = None,
    figures_kept: bool = False,
    cards_kept: bool = False,
    parts: Iterable[str] | None = None,
    versions_kept: bool = False,
) -> None:
    """Log a change of the catalogue made by these projects and move their versions, as
    ``invalidate_catalogue`` says, without renewing any token."""
    pks = set(project_pks)
    parts = (PARTNERS_ONLY,) if versions_kept else None if parts is None else tuple(parts)
    CATALOGUE_CHANGES.note(pks, then=then, parts=parts)
    if versions_kept:
        return
    if parts is not None:
        _invalidate_keys(
            [f"{PART_KEY_PREFIX}{part}:{pk}" for part in sorted(set(parts)) for pk in sorted(pks)]
        )
        return
    # Every version of these projects (``invalidate_content``, ``invalidate_funding``,
    # ``invalidate_part``) in one round trip.
    prefixes = [
        *(() if figures_kept else (FUNDING_KEY_PREFIX,)),
        *(
            f"{PART_KEY_PREFIX}{part}:"
            for part in PARTS
            if not (cards_kept and part in KEPT_WITH_CARDS)
        ),
    ]
    _invalidate_keys(
        [
            *(f"{CONTENT_KEY_PREFIX}{pk}" for pk in sorted([*pks, ANY_PROJECT], key=str)),
            *(f"{prefix}{pk}" for prefix in prefixes for pk in sorted(pks)),
        ]
    )


def _renew_after_catalogue_change() -> None:
    """At the commit of a change of the catalogue, after its projects are logged: a request
    that read the catalogue between the commit and the log kept what it drew under tokens
    renewed here (the page cache's too), once the commit's callbacks have run
    (``commits.renew_last``)."""
    from .pagecache import renew_after_the_others

    renew_last(renew_catalogue)
    renew_after_the_others()


def _move_versions(keys: list[str]) -> None:
    moved = {key: uuid.uuid4().hex for key in keys}
    cache.set_many(moved, FRAGMENT_TIMEOUT * 2)
    seen = getattr(_request, "versions", None)
    if seen is not None:
        seen.update(moved)


def _invalidate_keys(keys: list[str]) -> None:
    """Move the versions under these keys now and again when the transaction commits (the
    same two steps as the editorial token), each time in one round trip; at the commit,
    then the page cache's token: a page drawn between its renewal and this move, from
    what was kept under the versions moved first, is out of date too."""
    if not keys:
        return
    _move_versions(keys)
    on_commit(lambda: _moved_at_commit(keys))  # Outside a transaction: nothing more.


def _moved_at_commit(keys: list[str]) -> None:
    from .pagecache import renew_after_the_others

    _move_versions(keys)
    renew_after_the_others()


def _invalidate_versions(prefix: str, project_pks: Iterable[int]) -> None:
    """Move these projects' versions under this prefix (``_invalidate_keys``)."""
    if not enabled():
        return
    _invalidate_keys([f"{prefix}{pk}" for pk in sorted(set(project_pks), key=str)])


def invalidate_funding(project_pks: Iterable[int]) -> None:
    """Put these projects' funding fragments out of date, now and when the transaction commits."""
    _invalidate_versions(FUNDING_KEY_PREFIX, project_pks)


def invalidate_content(project_pks: Iterable[int]) -> None:
    """Put the fragments that show these projects' own content out of date (their pages,
    their cards, what depends on them), now and when the transaction commits."""
    pks = set(project_pks)
    if pks:
        _invalidate_versions(CONTENT_KEY_PREFIX, [*pks, ANY_PROJECT])


def invalidate_part(part: str, project_pks: Iterable[int]) -> None:
    """Put out of date the fragments of one part of these projects' pages (their results),
    kept under its own versions inside fragments kept under the content versions."""
    _invalidate_versions(f"{PART_KEY_PREFIX}{part}:", project_pks)


def part_versions(part: str, project_pks: Iterable[int]) -> dict[int, str]:
    """Return each project's version of one part of its page (``invalidate_part``)."""
    prefix = f"{PART_KEY_PREFIX}{part}:"
    return {pk: v[0] for pk, v in _versions((prefix,), project_pks).items()}


def kept_part(
    part: str,
    project_pk: int,
    compute: Callable[[], str],
    *,
    no_partners: bool = False,
    no_names: bool = False,
) -> str:
    """Return one part of a project's page, kept under the project's version of that part
    (a rewritten story renders the page around it anew, not the part); ``no_partners``:
    it shows nothing of partners; ``no_names``: nor of regions and sectors
    (``fragment_key``)."""
    if not in_use():
        return compute()
    version = part_versions(part, [project_pk])[project_pk]
    key = fragment_key(
        f"part-{part}",
        project_pk,
        version,
        across_catalogue=True,
        no_partners=no_partners or no_names,
        no_names=no_names,
    )
    return keep(key, compute)


@dataclass(frozen=True)
class ChangeLog:
    """A numbered log of the projects some kind of change touched, kept in the cache.

    Each change takes the next numbers of an atomic counter, one per project, all at
    once, then says which project each was; what is kept with the number of the last
    change it saw checks the projects changed since (``since``). A reader that finds a
    number without its project, or too many changes since, computes anew.
    """

    counter_key: str
    entry_prefix: str
    # Changes checked one by one; beyond, what is kept is computed again.
    most: int = 50

    def note(
        self,
        project_pks: Iterable[int],
        then: Callable[[], None] | None = None,
        *,
        parts: Iterable[str] | None = None,
    ) -> None:
        """Log a change of these projects, now and again when the transaction commits (a
        request that read them before the commit checks them again), then, at the commit,
        call ``then``. ``parts``: the change moved these parts of what is logged only
        (a place saved: ``PLACES``), and readers that show none of them leave it out
        (``since(…, apart_from=…)``)."""
        kind = None if parts is None else tuple(sorted(set(parts)))
        if kind == ():
            raise ValueError("A change of some parts names them.")
        if not enabled():
            return
        pks = sorted(set(project_pks))
        if not pks:
            return
        self._log(pks, kind)

        def at_commit():
            self._log(pks, kind)
            if then is not None:
                then()

        on_commit(at_commit)  # Outside a transaction: nothing more.

    def _start(self) -> None:
        # Started far from 0: a counter the cache dropped starts again elsewhere, and what
        # was kept with a number of the old one is computed again (``since``). Below 2**53:
        # it is added to in Redis's Lua (``add_numbered``), in floating point.
        cache.add(self.counter_key, secrets.randbelow(2**32) * (self.most + 1), None)

    def _log(self, pks: list[int], kind: tuple[str, ...] | None) -> None:
        # The numbers of every project and their entries at once, in one round trip
        # however many (a partner of a few hundred projects shown). A change of some
        # parts only says which: ``(pk, parts)``.
        values = [pk if kind is None else (pk, kind) for pk in pks]
        last = add_numbered(cache, self.counter_key, self.entry_prefix, values, LOG_TIMEOUT)
        if last is None:  # Not kept (yet, or any more).
            self._start()
            last = add_numbered(cache, self.counter_key, self.entry_prefix, values, LOG_TIMEOUT)
        _note_set({self.counter_key: last})
        entries = {
            f"{self.entry_prefix}{number}": value
            for number, value in zip(range(last - len(pks) + 1, last + 1), values, strict=True)
        }
        read = getattr(_request, "read", None)
        if read is not None and getattr(_request, "asked", None) is not None:
            # Logged while a page is drawn (a publication fallen due): an entry never
            # changes, and the page reads it as written (``since``); how many numbers it
            # took, and the last (``_alone_since``).
            read.update(entries)
            own = _request.own_log
            own[self.counter_key] = (own.get(self.counter_key, (0, None))[0] + len(pks), last)

    def latest(self) -> int:
        """Return the number of the latest change logged (read before what it guards)."""
        number = _get(self.counter_key)
        if number is None:
            self._start()
            number = cache.get(self.counter_key)
            _note_set({self.counter_key: number})
        return number or 0

    def since(self, number: int, *, apart_from: Iterable[str] = ()) -> tuple[int, list[int]] | None:
        """Return the number of the latest change and the projects changed after change
        ``number``; None when that cannot be told (too many, or forgotten). ``apart_from``:
        parts the reader does not show; a change of those parts only is left out."""
        latest = self.latest()
        if latest < number or latest - number > self.most:
            return None
        if latest == number:
            return latest, []
        keys = [f"{self.entry_prefix}{each}" for each in range(number + 1, latest + 1)]
        # Each change's entry never changes: read once per request, however many kept
        # values check it, and not remembered for the next request (each change is new).
        found = _fetch(keys, remember=False)
        if len(found) != len(keys):
            return None
        unshown = set(apart_from)
        changed = set()
        for entry in found.values():
            if isinstance(entry, tuple):
                pk, parts = entry
                if unshown.issuperset(parts):
                    continue
                changed.add(pk)
            else:
                changed.add(entry)
        return latest, sorted(changed)


# The projects whose searched text changed without the rest of the catalogue (their title,
# story, subtitle, summary): kept search results check them again (``kept_search``).
SEARCHED_EDITS = ChangeLog(SEARCH_EDITS_KEY, SEARCH_EDIT_PREFIX, MAX_SEARCHED_EDITS)
# The projects that changed the catalogue (``invalidate_catalogue``): what adds up the
# catalogue corrects itself for them (``portfolio.catalogue``).
# Checked one by one up to this many (an editor's bulk change of a few hundred projects):
# a correction reads their keys in one round trip, where counting everything again costs
# a hundred milliseconds or more at 10 000 projects.
MAX_CATALOGUE_CHANGES = 500
CATALOGUE_CHANGES = ChangeLog(CATALOGUE_CHANGES_KEY, CATALOGUE_CHANGE_PREFIX, MAX_CATALOGUE_CHANGES)


def note_searched_edit(project_pks: Iterable[int]) -> None:
    """Say that these projects' searched text changed (their story), now and when the
    transaction commits: kept search results check them again when next read
    (``kept_search``). At the commit, the page cache's token is renewed after the log: a
    page drawn before it, from search results kept meanwhile, is out of date too."""
    from .pagecache import renew_after_the_others

    SEARCHED_EDITS.note(project_pks, then=renew_after_the_others)


@dataclass
class _KeptSearch:
    keys: list
    edits: int  # the number of the last searched edit before the keys were read
    # The rank of every key, as runs: (end, rank) says keys[previous end:end] have rank.
    ranks: list[tuple[int, int]] = field(default_factory=list)
    # The number of the last change of the catalogue before the keys were read (kept
    # across the catalogue), else None.
    changes: int | None = None

    def rank_at(self, index: int) -> int | None:
        run = bisect.bisect_right(self.ranks, index, key=lambda each: each[0])
        return self.ranks[run][1] if run < len(self.ranks) else None


def _rank_runs(ranks: Iterable[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for index, rank in enumerate(ranks):
        if runs and runs[-1][1] == rank:
            runs[-1] = (index + 1, rank)
        else:
            runs.append((index + 1, rank))
    return runs


def _still_in_place(kept: _KeptSearch, edited: list[int], found: Mapping[int, int]) -> bool:
    """Tell whether each edited project is where the kept keys have it: found now if and
    only if kept, at the rank it was kept at (its place in its rank comes from what only
    the catalogue's changes move)."""
    wanted = set(edited)
    places = {pk: index for index, pk in enumerate(kept.keys) if pk in wanted}
    for pk in wanted:
        if (pk in places) != (pk in found):
            return False
        if pk in found and kept.rank_at(places[pk]) != found[pk]:
            return False
    return True


def kept_search(
    name: str,
    vary: tuple,
    compute: Callable[[], list[tuple[int, int]]],
    still_found: Callable[[list[int]], Mapping[int, int]],
    *,
    across_catalogue: bool = False,
    no_partners: bool = False,
    no_names: bool = False,
) -> list:
    """Return the keys a search finds, kept under the editorial token and ``vary``.

    ``compute()`` returns the search's ``(key, rank)`` rows in order: best rank first,
    then an order that only changes of the catalogue move (dates), which renew the
    editorial token.

    A rewritten story or a renamed project can change what a search finds and how it
    ranks, but only for that project: when read, kept keys are checked against the
    projects whose searched text changed since they were kept (``still_found(pks)``
    returns ``{key: rank}`` for those of ``pks`` the search finds now, in one small
    query). If each is still found or not as before, at the same rank, the keys are
    still right; otherwise they are computed again.

    ``across_catalogue``: kept under the names token instead, and checked against the
    projects that changed the catalogue since too (``CATALOGUE_CHANGES``), in the same
    query: the keys are still right if none of them was found then or is now (a project
    published or moved that the search does not find leaves it as it was).
    ``no_partners`` with it: kept under the regions token, which a partner's save keeps,
    for a search whose partners' names come in its projects' searched text only (their
    search documents): a partner renamed changes those of its projects, which are
    logged as searched edits (``portfolio.search.refresh_search_documents``).
    ``no_names`` with them: kept under the counts token, which the saves of regions and
    sectors keep too, for a search whose regions' names come in its projects' searched
    text only (a region renamed logs its projects; a sector's name is not searched).
    """
    if not in_use():
        return [pk for pk, _rank in compute()]
    key = fragment_key(
        name,
        *vary,
        across_catalogue=across_catalogue,
        no_partners=no_partners,
        no_names=no_names,
    )
    kept = _get(key)
    if isinstance(kept, _KeptSearch):
        since = SEARCHED_EDITS.since(kept.edits)
        moved = (kept.changes, [])
        if across_catalogue:
            # A search reads no places: a place saved leaves it (``invalidate_catalogue``).
            # It reads partners in its projects' searched text only: a partner shown or
            # hidden rewrites that of its projects, logged as searched edits (checked above).
            moved = (
                None
                if kept.changes is None
                else CATALOGUE_CHANGES.since(kept.changes, apart_from=(PLACES, PARTNERS_ONLY))
            )
        if since is not None and moved is not None:
            (latest, edited), (changes, changed) = since, moved
            if not edited and not changed:
                return kept.keys
            found = still_found(sorted({*edited, *changed}))
            if _still_in_place(kept, edited, found) and not (
                set(changed) & ({*kept.keys} | set(found))
            ):
                # Still right: kept as checked, so these changes are not checked again.
                kept.edits, kept.changes = latest, changes
                _set(key, kept)
                return kept.keys
    edits = SEARCHED_EDITS.latest()  # Read before the keys: later edits are checked.
    changes = CATALOGUE_CHANGES.latest() if across_catalogue else None
    rows = compute()
    keys = [pk for pk, _rank in rows]
    _set(key, _KeptSearch(keys, edits, _rank_runs(r for _pk, r in rows), changes))
    return keys


def _read(keys: Iterable[str]) -> dict[str, str]:
    """Return the versions under these keys, in one round trip (each read once per request).

    A version that was evicted gets a new value, never a default one: a fragment kept
    under a default could otherwise come back after a change.
    """
    keys = list(keys)
    used = getattr(_request, "used", None)
    if used is not None:
        used[1].extend(keys)
    seen = getattr(_request, "versions", None)
    if seen is None:
        seen = {}
    found = {key: seen[key] for key in keys if key in seen}
    unread = [key for key in keys if key not in found]
    if unread:
        found |= cache.get_many(unread)
    missing = {key: uuid.uuid4().hex for key in keys if key not in found}
    if missing:
        found |= _add_versions(missing)
        found |= {k: v for k, v in missing.items() if k not in found}
    if getattr(_request, "versions", None) is not None:
        _request.versions.update(found)
    return found


def _add_versions(made: dict[str, str]) -> dict[str, str]:
    """Keep these new versions where none is kept, and return the versions kept now: a
    version another worker has just made is kept, and read back. With Redis, all in one
    round trip (a sitemap's page may make a hundred after the versions expired)."""
    client = getattr(cache, "client", None)
    if not isinstance(client, DefaultClient):
        for key, value in made.items():
            cache.add(key, value, FRAGMENT_TIMEOUT * 2)
        return {k: v for k, v in cache.get_many(made.keys()).items() if v is not None}
    keys = {client.make_key(key): key for key in made}
    pipe = client.get_client(write=True).pipeline(transaction=False)
    for stored, key in keys.items():
        pipe.set(stored, client.encode(made[key]), nx=True, ex=FRAGMENT_TIMEOUT * 2)
    pipe.mget(list(keys))
    *_added, values = pipe.execute()
    decoded = {
        key: client.decode(value)
        for key, value in zip(keys.values(), values, strict=True)
        if value is not None
    }
    # A version the client cannot read (``redis_client.UNREADABLE``) is taken as missing.
    return {key: value for key, value in decoded.items() if value is not UNREADABLE}


def _versions(prefixes: tuple[str, ...], project_pks: Iterable[int]) -> dict[int, tuple]:
    """Return each project's versions under these prefixes, in one round trip."""
    keys = {(pk, prefix): f"{prefix}{pk}" for pk in project_pks for prefix in prefixes}
    found = _read(keys.values())
    versions: dict[int, list] = {}
    for (pk, _prefix), key in keys.items():
        versions.setdefault(pk, []).append(found[key])
    return {pk: tuple(values) for pk, values in versions.items()}


def read_project_versions(project_pk: int) -> None:
    """Read every version of one project's page at once (its content, funding, card and
    parts), so that the fragments of its page find them read (one round trip)."""
    if in_use():
        parts = tuple(f"{PART_KEY_PREFIX}{part}:" for part in PARTS if part != NEWS)
        _versions((CONTENT_KEY_PREFIX, FUNDING_KEY_PREFIX, *parts), [project_pk])


def funding_versions(project_pks: Iterable[int]) -> dict[int, str]:
    """Return each project's funding version (one round trip; missing ones are created)."""
    return {pk: v[0] for pk, v in _versions((FUNDING_KEY_PREFIX,), project_pks).items()}


def content_versions(project_pks: Iterable[int]) -> dict[int, str]:
    """Return each project's content version (one round trip; missing ones are created)."""
    return {pk: v[0] for pk, v in _versions((CONTENT_KEY_PREFIX,), project_pks).items()}


def card_versions(project_pks: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Return ``{pk: (card version, funding version)}`` (one round trip): a card is kept
    under the version of the "card" part (its cover, its goal) and its funding version, so
    a rewritten story leaves it good."""
    return _versions((CARD_KEY_PREFIX, FUNDING_KEY_PREFIX), project_pks)


def dated_versions(project_pks: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Return ``{pk: (content version, dates version)}`` (one round trip): what shows when
    a project last changed is kept under both."""
    return _versions((CONTENT_KEY_PREFIX, DATED_KEY_PREFIX), project_pks)


def shows_dates_of(project_pks: Iterable[int | str]) -> None:
    """Say that what is being kept shows when these projects (or ``ANY_PROJECT``: any
    project) last changed: their content and dates versions."""
    _depend(CONTENT_KEY_PREFIX, project_pks, DATED_KEY_PREFIX)


def invalidate_dates(project_pks: Iterable[int]) -> None:
    """Put out of date what shows when these projects last changed, and nothing else of
    them (a save that changed none of their columns), now and when the transaction
    commits."""
    pks = set(project_pks)
    if pks:
        _invalidate_versions(DATED_KEY_PREFIX, [*pks, ANY_PROJECT])


def partner_versions(
    partner_pks: Iterable[int | str], *, depend: bool = True
) -> dict[int | str, str]:
    """Return each partner's version (one round trip; missing ones are created), which
    what is being kept then depends on: it shows these partners (``ANY_PARTNER``: which
    partners there are, and their order; ``PARTNERS_ADDED``: how many). Without
    fragments, none.

    What shows partners and no name of a region or sector can so be kept under the counts
    token (``no_names``), which a region's or a sector's save keeps: read the versions of
    the partners it shows before their rows.

    Without ``depend``, what is being kept around does not take them on: for what is kept
    under ``ANY_PARTNER`` already, which every partner's save moves (a page of the
    partner list), so that reading it back checks one version, not one per partner."""
    if not in_use():
        return {}
    versions = _read(f"{PARTNER_KEY_PREFIX}{pk}" for pk in partner_pks)
    if depend:
        depends_on(versions)
    found = {}
    for key, value in versions.items():
        pk = key.removeprefix(PARTNER_KEY_PREFIX)
        found[pk if pk in (ANY_PARTNER, PARTNERS_ADDED) else int(pk)] = value
    return found


def invalidate_partners(partner_pks: Iterable[int], *, added: bool = False) -> None:
    """Put out of date what is kept under these partners' versions (their cards), and
    under ``ANY_PARTNER`` (which partners there are, in what order), now and when the
    transaction commits; with ``added`` (a partner added or deleted), under
    ``PARTNERS_ADDED`` too (how many there are)."""
    every = [ANY_PARTNER, PARTNERS_ADDED] if added else [ANY_PARTNER]
    _invalidate_versions(PARTNER_KEY_PREFIX, [*partner_pks, *every])


def depends_on(versions: Mapping[str, str]) -> None:
    """Say that what is being kept shows what these versions stand for, at these values
    (``{version key: value}``, read before the rows they describe): it is kept with them
    and checked against them when read (``shows_content_of``, ``shows_cards_of``)."""
    for scope in getattr(_request, "scopes", ()):
        scope.update(versions)


def _depend(prefix: str, project_pks: Iterable[int | str], *more_prefixes: str) -> None:
    """Depend on these projects' versions under this prefix (and these others), read in
    one round trip."""
    if in_use():
        pks = list(project_pks)
        depends_on(_read(f"{each}{pk}" for each in (prefix, *more_prefixes) for pk in pks))


def shows_content_of(project_pks: Iterable[int | str]) -> None:
    """Say that what is being kept shows something of these projects' own content (when
    they last changed): it goes with their content versions. ``ANY_PROJECT`` stands for
    every project's content."""
    _depend(CONTENT_KEY_PREFIX, project_pks)


def shows_news_of(project_pks: Iterable[int | str]) -> None:
    """Say that what is being kept shows these projects' field updates (``ANY_PROJECT``:
    the latest of every project's): it goes with their news versions."""
    _depend(f"{PART_KEY_PREFIX}{NEWS}:", project_pks)


def shows_places_of(project_pks: Iterable[int]) -> None:
    """Say that what is being kept shows these projects' places (a project's map): it goes
    with their places versions, which a change of the catalogue made by them moves."""
    _depend(f"{PART_KEY_PREFIX}{PLACES}:", project_pks)


def shows_cards_of(project_pks: Iterable[int]) -> None:
    """Say that what is being kept shows what these projects' cards show of them (their
    titles, summaries, covers): it goes with their card versions, so renaming a project
    renders it anew, and leaves what shows only other projects as it was."""
    _depend(CARD_KEY_PREFIX, project_pks)


@dataclass
class _Kept:
    value: object
    depends: dict[str, str] = field(default_factory=dict)


def keep(key: str, compute: Callable[[], object]):
    """Return what is kept under ``key`` if the content it depends on has not moved since,
    else ``compute()``, kept with the content versions it says it depends on."""
    kept = _get(key)
    if isinstance(kept, _Kept) and still_good(kept.depends):
        return kept.value
    recipe = (getattr(_request, "recipes", None) or {}).get(key)
    if recipe is None:
        value, depends = computed(compute)
    else:
        # Which fragments its computation reads (``fragment_key``), for the next request.
        reading = _request.__dict__.setdefault("reading", [])
        reading.append([])
        try:
            value, depends = computed(compute)
        finally:
            read = reading.pop()
        if read:
            if len(_made_with) >= MADE_WITH:
                _made_with.clear()
            _made_with[recipe] = tuple(dict.fromkeys(read))
    _set(key, _Kept(value, depends))
    return value


def computed(compute: Callable[[], object]) -> tuple[object, dict[str, str]]:
    """Return ``compute()`` and the versions it says it depends on (``depends_on``), which
    what is being kept around it depends on too."""
    scopes = _request.__dict__.setdefault("scopes", [])
    scope: dict[str, str] = {}
    scopes.append(scope)
    try:
        value = compute()
    finally:
        # By identity: scopes are dicts, and two may be equal.
        scopes[:] = [each for each in scopes if each is not scope]
    depends_on(scope)
    return value, scope


def still_good(depends: Mapping[str, str]) -> bool:
    """Tell whether what was kept with these versions (``computed``) is still good; if so,
    what is being kept around it depends on them too."""
    if not _still_good(depends):
        return False
    depends_on(depends)
    return True


def _still_good(depends: Mapping[str, str]) -> bool:
    """Tell whether the versions (and editorial and names tokens) a kept fragment depends
    on are still those it was kept with."""
    tokens = {
        EDITORIAL_DEPENDENCY: editorial_token,
        NAMES_DEPENDENCY: names_token,
        REGIONS_DEPENDENCY: regions_token,
    }
    versions = {k: v for k, v in depends.items() if k not in tokens}
    for name, token in tokens.items():
        if name in depends and depends[name] != token():
            return False
    return not versions or _read(versions) == versions


def fragment_key(
    name: str,
    *vary,
    across_catalogue: bool = False,
    no_partners: bool = False,
    no_names: bool = False,
) -> str:
    """Return the key of a fragment for the current editorial token and language.

    ``across_catalogue``: the fragment shows only what its versions (in ``vary``) stand
    for and the names of regions, sectors and partners, and is kept under the names token
    instead: a change of the catalogue made by other projects leaves it good. With
    ``no_partners`` too, it shows nothing of partners (a card, a map), or only what it
    depends on their versions for (``partner_versions``): it is kept under the regions
    token, which a partner's save keeps. With ``no_names`` as well, it shows nothing of
    regions and sectors either, only keys, numbers and what its versions stand for (a
    list's keys and count, a project's funding figures or results, partners under their
    versions): it is kept under the counts token, which a save of a region, a sector or a
    partner that leaves what the counts count keeps too.
    """
    if no_partners and not across_catalogue:
        raise ValueError("no_partners goes with across_catalogue.")
    if no_names and not no_partners:
        raise ValueError("no_names goes with no_partners.")
    site = getattr(_request, "site", None)
    if no_names:
        kind, token = "counts", counts_token()
    elif across_catalogue and no_partners:
        kind, token = "regions", regions_token()
        if getattr(_request, "scopes", None):
            # What is being kept uses this: if it is kept under the counts token, it goes
            # with the regions token too.
            depends_on({REGIONS_DEPENDENCY: token})
    elif across_catalogue:
        kind, token = "names", names_token()
        if getattr(_request, "scopes", None):
            # What is being kept uses this: if it is kept under the regions token, it goes
            # with the names token too.
            depends_on({NAMES_DEPENDENCY: token})
    else:
        kind, token = "editorial", editorial_token()
        if getattr(_request, "scopes", None):
            # What is being kept uses this: it goes with the editorial token too.
            depends_on({EDITORIAL_DEPENDENCY: token})
    # What the key is made of but the token, as written in it (``_digested``).
    rest = repr((translation.get_language(), site, *vary))[1:]
    key = _digested(name, _token_part(kind, token), rest)
    recipes = getattr(_request, "recipes", None)
    if (
        recipes is not None
        and getattr(_request, "used", None) is not None
        and len(rest) <= LONGEST_RECIPE
    ):
        # A page drawn: the next request for its address may make it again (``_prefetch``).
        recipes[key] = recipe = (name, kind, rest)
        reading = getattr(_request, "reading", None)
        if reading:
            reading[-1].append(recipe)
    return key


# The request's attribute that holds each kind of token, read once per request (``_token``).
TOKEN_ATTRIBUTES = (
    ("editorial", "token"),
    ("names", "names"),
    ("counts", "counts"),
    ("regions", "regions"),
)


def _token_part(kind: str, token: str):
    """Return what a fragment's key holds of the token it is kept under."""
    return token if kind == "editorial" else (kind, token)


def _digested(name: str, token_part, rest: str) -> str:
    """Return the key of fragment ``name`` kept under this token (``_token_part``), made of
    the rest of what names it (the written form of a tuple of two or more values, without
    its opening parenthesis): the same as digesting the whole tuple, token first."""
    digest = hashlib.blake2b(f"({token_part!r}, {rest}".encode(), digest_size=20).hexdigest()
    return f"{FRAGMENT_KEY_PREFIX}{name}:{digest}"


def memo(
    name: str,
    vary: tuple,
    compute: Callable[[], object],
    *,
    across_catalogue=False,
    no_partners=False,
    no_names=False,
):
    """Return ``compute()``, kept under the editorial token, the language and ``vary``.

    For what a page shows that only editors' changes move: counts, filter choices, the
    keys of a list's page. Values must pickle (model instances do, with what they have
    prefetched). ``across_catalogue``, ``no_partners``, ``no_names``: see
    ``fragment_key``.
    """
    if not in_use():
        return compute()
    key = fragment_key(
        name,
        *vary,
        across_catalogue=across_catalogue,
        no_partners=no_partners,
        no_names=no_names,
    )
    return keep(key, compute)


def get_many(keys: Iterable[str], *, remember: bool = True) -> dict[str, object]:
    """Return the fragments found under these keys (those prefetched without a round trip;
    ``remember``: see ``_fetch``)."""
    return _fetch(list(keys), remember=remember) if in_use() else {}


def set_many(values: dict[str, object]) -> None:
    if in_use() and values:
        _write(values)


def kept_each(keys: Mapping, compute: Callable[[list], Mapping]) -> dict:
    """Return ``{item: value}`` for the items of ``keys`` (``{item: its fragment key}``):
    each kept under its own key, those not kept computed together (``compute(items)``
    returns their values, e.g. read in one query; an item it leaves out has none) and
    kept."""
    found = get_many(keys.values())
    values = {item: found[key] for item, key in keys.items() if key in found}
    if missing := [item for item in keys if item not in values]:
        made = compute(missing)
        set_many({keys[item]: value for item, value in made.items() if item in keys})
        values |= made
    return values
