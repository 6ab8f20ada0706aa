"""Fragments of public pages kept across changes that do not touch them.

The page cache throws every page away at any change of public content: a confirmed pledge
or a gift, the most frequent changes, would otherwise leave one page stale. The pages then
have to be rendered again; fragments make that cheap. Each fragment is kept under the
tokens of what it shows:

- the *editorial token*, renewed by every change of public content except funding (a
  project, partner, region, sector, photo, update or partnership saved or deleted, a
  scheduled publication falling due);
- for the parts that show one project's funding or suggested amounts, that project's own
  *funding version*, moved by its pledges, gifts and amounts.

So after a gift to one project, every page is rendered again but only that project's card
and panel are computed anew; the rest (filter panels, counts, other projects' cards) comes
from here. After an editor's change everything is computed anew, as without fragments.

Fragments need a cache shared by every worker (Redis); with the local-memory cache each
worker would keep its own copies while the tokens live in the database, so there they are
off and every page is computed in full. ``FRAGMENT_CACHE=false`` turns them off too.
Like the page cache, fragments serve anonymous visitors only: staff (anyone with a session)
see pages computed from the database.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_started
from django.db import transaction
from django.utils import timezone, translation

EDITORIAL_KEY = "pagecache:editorial"
FUNDING_KEY_PREFIX = "pagecache:funding:"
FRAGMENT_KEY_PREFIX = "pagecache:fragment:"
# Fragments are checked against their tokens on every read; this only bounds memory.
FRAGMENT_TIMEOUT = 24 * 60 * 60

_MISSING = object()
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


def _forget_token(**kwargs) -> None:
    _request.token = None
    _request.public = True
    _request.site = None


request_started.connect(_forget_token, dispatch_uid="fragments-forget-token")


def _store_editorial(state) -> None:
    cache.set(EDITORIAL_KEY, state, None)
    _request.token = None


def renew_editorial() -> None:
    """Give the editorial token a new value now: every fragment kept before is out of date."""
    from .pagecache import new_state

    if enabled():
        _store_editorial(new_state())


def editorial_token() -> str:
    """Return the editorial token, renewed when a scheduled publication has fallen due."""
    from .pagecache import state_in_cache

    token = getattr(_request, "token", None)
    if token is None:
        token = _request.token = state_in_cache(EDITORIAL_KEY).token
    return token


def invalidate_editorial() -> None:
    """Put every fragment out of date, now and again when the transaction commits.

    The same two steps as the page cache's token (see ``pagecache.invalidate``): a
    request rendering meanwhile, before the commit, keeps what it read under a token that
    the commit then renews.
    """
    from .pagecache import ContentState, on_commit_once

    if not enabled():
        return
    _store_editorial(ContentState(token=uuid.uuid4().hex, valid_until=timezone.now()))
    on_commit_once(renew_editorial)


def _move_funding(project_pks: Iterable[int]) -> None:
    cache.set_many(
        {f"{FUNDING_KEY_PREFIX}{pk}": uuid.uuid4().hex for pk in project_pks},
        FRAGMENT_TIMEOUT * 2,
    )


def invalidate_funding(project_pks: Iterable[int]) -> None:
    """Put these projects' funding fragments out of date, now and when the transaction commits."""
    if not enabled():
        return
    pks = sorted(set(project_pks))
    if not pks:
        return
    _move_funding(pks)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _move_funding(pks))


def funding_versions(project_pks: Iterable[int]) -> dict[int, str]:
    """Return each project's funding version (one round trip; missing ones are created).

    A version that was evicted gets a new value, never a default one: a fragment kept
    under a default could otherwise come back after a change.
    """
    pks = list(project_pks)
    keys = {pk: f"{FUNDING_KEY_PREFIX}{pk}" for pk in pks}
    found = cache.get_many(keys.values())
    versions = {}
    for pk, key in keys.items():
        version = found.get(key)
        if version is None:
            cache.add(key, uuid.uuid4().hex, FRAGMENT_TIMEOUT * 2)
            version = cache.get(key) or uuid.uuid4().hex
        versions[pk] = version
    return versions


def fragment_key(name: str, *vary) -> str:
    """Return the key of a fragment for the current editorial token and language."""
    site = getattr(_request, "site", None)
    parts = repr((editorial_token(), translation.get_language(), site, *vary))
    digest = hashlib.blake2b(parts.encode(), digest_size=20).hexdigest()
    return f"{FRAGMENT_KEY_PREFIX}{name}:{digest}"


def memo(name: str, vary: tuple, compute: Callable[[], object]):
    """Return ``compute()``, kept under the editorial token, the language and ``vary``.

    For what a page shows that only editors' changes move: counts, filter choices, the
    keys of a list's page. Values must pickle (model instances do, with what they have
    prefetched).
    """
    if not in_use():
        return compute()
    key = fragment_key(name, *vary)
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, FRAGMENT_TIMEOUT)
    return value


def get_many(keys: Iterable[str]) -> dict[str, object]:
    return cache.get_many(list(keys)) if in_use() else {}


def set_many(values: dict[str, object]) -> None:
    if in_use() and values:
        cache.set_many(values, FRAGMENT_TIMEOUT)
