"""A page cache for anonymous visitors, emptied the moment public content changes.

Public pages are the same for every anonymous visitor of a language (the language is in
the address), so one rendering serves them all. Views opt in with ``@public_page``; the
middleware keeps their responses, keyed by host, scheme and full path, and serves them
again without reaching the view, the session, the language middleware or the database.

Nothing waits for a timeout. Each stored page carries the *content token* it was rendered
under; any change to public content gives the site a new token (``invalidate()``, run after
the change is committed), so every page stored before is out of date at once. The token
also knows when the next scheduled publication falls due (``register_schedule``): past that
moment, the first request makes a new token, and a project published for 9:00 shows at 9:00;
fragments kept across the catalogue are kept, and corrected for what went public, as after
the save that publishes it now (``fragments.past_publication``). A token renewed with a
moment learnt before another commit scheduled a sooner publication is put out of date at
that publication all the same: with the fragments on, their names token, which every
commit that schedules a publication tells of it, is read with every stored page and every
token renewed (``PageCacheMiddleware._lookup``, ``state_in_cache``); kept in the database,
the token keeps the sooner moment (``_store_state``); kept in Redis without the fragments,
a renewal writes its token only if Redis still holds the one it read before learning the
moment (``renew``, ``_state_renewed_as_read``).

Where the token lives depends on the cache. Redis (``REDIS_URL``) is shared by every worker:
the token and the page come back in one round trip. The local-memory cache belongs to one
process, so there the token lives in the database (one query a hit), which every worker of
a server sees.

Visitors carrying a session cookie (staff) are never served from the cache and their pages
are never stored; POSTs pass straight through. Stored pages set no cookie and do not vary
on cookies, so a CDN or a reverse proxy may keep them too: they say ``Cache-Control:
public`` with an ``ETag``, and a repeated conditional request gets ``304 Not Modified``.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import parse_etags
from django.utils.functional import cached_property

from . import fragments
from .commits import forget as _forget_learnt
from .commits import learnt_once, renew_at_commit, renew_last
from .i18n import negotiated_language

STATE_KEY = fragments.PAGE_STATE_KEY
PAGE_KEY_PREFIX = "pagecache:page:"
# A stored page is checked against the token on every hit; this only bounds memory.
PAGE_TIMEOUT = 24 * 60 * 60
# Headers a stored page does not keep: set anew on each answer (the outer middleware,
# security and CSP, adds its own headers to hits too).
UNKEPT_HEADERS = {"set-cookie", "content-length", "etag", "cache-control"}

_schedules: list[Callable[[], datetime | None]] = []
# What each schedule tells the fragments of what went public by itself (``fell_due``).
_fallen_due: list[Callable[[datetime], int | None] | None] = []


@dataclass(frozen=True)
class ContentState:
    """The token public pages are rendered under, and when it stops being valid."""

    token: str
    valid_until: datetime | None = None

    def is_current(self, now: datetime) -> bool:
        return self.valid_until is None or now < self.valid_until


def register_schedule(
    next_change: Callable[[], datetime | None],
    fell_due: Callable[[datetime], int | None] | None = None,
) -> None:
    """Add a function returning the next moment public content changes by itself.

    Apps register theirs in ``AppConfig.ready()`` (e.g. the next scheduled publication);
    core never imports them. ``fell_due(since)`` tells the fragments what went public by
    itself from ``since`` until now, as the saves that publish it now would
    (``fragments.catalogue_published``), and returns how many publications it told of, or
    None when it could not; without it, or when it cannot, every token is renewed when
    such a change falls due.
    """
    if next_change not in _schedules:
        _schedules.append(next_change)
        _fallen_due.append(fell_due)


def _next_change() -> datetime | None:
    moments = [moment for source in _schedules if (moment := source()) is not None]
    return min(moments, default=None)


def fell_due(since: datetime) -> int | None:
    """Tell the fragments what went public by itself from ``since`` until now; return how
    many publications were told, or None when a schedule could not tell them
    (``register_schedule``)."""
    told = 0
    for tell in _fallen_due:
        found = None if tell is None else tell(since)
        if found is None or found is False:  # False: could not, as True could.
            return None
        told += int(found)
    return told


def next_scheduled_change(*, again: bool = False) -> datetime | None:
    """Return the next scheduled change, learnt once per request served to the public
    (``fragments.once_per_request``); ``again``: learnt anew (the moment learnt before
    has come since)."""
    if again:
        fragments.forget_once("next-change")
    return fragments.once_per_request("next-change", _next_change)


def new_state() -> ContentState:
    """Return a new token, good until the next scheduled change. What went public by
    itself since the last one fell due is logged first, if no request has yet
    (``fragments.past_publication``): whoever reads this token finds it logged. The
    tokens one commit renews learn that moment, and log what fell due, once
    (``commits.learnt_once``)."""
    moment = learnt_once("next-change", _learn_next_change)
    return ContentState(token=uuid.uuid4().hex, valid_until=moment)


def _learn_next_change() -> datetime | None:
    moment = _next_change()
    fragments.past_publication(moment)
    return moment


def _state_renewed_by_a_reader() -> ContentState:
    """``new_state()`` for a token a request found missing or out of date: every token it
    renews learns the next scheduled change from one query, and what fell due is looked
    for once (``once_per_request``)."""
    moment = next_scheduled_change()
    if fragments.publication_may_be_due():
        fragments.once_per_request("past-publication", lambda: fragments.past_publication(moment))
        moment = next_scheduled_change()  # Learnt again there if it had come meanwhile.
    return ContentState(token=uuid.uuid4().hex, valid_until=moment)


def _state_in_database() -> bool:
    return settings.PAGE_CACHE_STATE == "database"


def _store_state(state: ContentState) -> None:
    if _state_in_database():
        from .models import PageCacheState

        # Never later than a moment still to come that the stored state knows and this
        # one does not: a renewal that learnt the next publication before another commit
        # scheduled a sooner one, written after that commit's, keeps the sooner one (the
        # row is read and written in one statement).
        sooner = models.Q(valid_until__gt=timezone.now())
        if state.valid_until is not None:
            sooner &= models.Q(valid_until__lt=state.valid_until)
        moment = models.Case(
            models.When(sooner, then=models.F("valid_until")),
            default=models.Value(state.valid_until, output_field=models.DateTimeField()),
        )
        if not PageCacheState.objects.filter(pk=1).update(token=state.token, valid_until=moment):
            PageCacheState.objects.create(pk=1, token=state.token, valid_until=state.valid_until)
    else:
        cache.set(STATE_KEY, state, None)


def _load_state_from_database() -> ContentState:
    from .models import PageCacheState

    row = PageCacheState.objects.filter(pk=1).values_list("token", "valid_until").first()
    if row is None:
        state = new_state()
        _store_state(state)
        return state
    return ContentState(*row)


def renew() -> ContentState:
    """Give public content a new token now; every page stored before is out of date."""
    if _state_in_database() or fragments.enabled():
        state = new_state()
        _store_state(state)
        return state
    for _attempt in range(3):
        found = cache.get(STATE_KEY)
        # Learnt anew each time: a commit that renewed it meanwhile may have scheduled a
        # publication sooner.
        _forget_learnt()
        state = new_state()
        if fragments.replaced(STATE_KEY, found, state):
            return state
    # Renewed again and again meanwhile: this one, learnt after the commit, is written,
    # then made good until the next publication at most, learnt after the write.
    cache.set(STATE_KEY, state, None)
    fragments.good_until(STATE_KEY, _next_change())
    return state


def renew_after_the_others() -> None:
    """``renew()`` now, or, in a commit's callbacks, once after them and after the
    fragments' tokens (``commits.renew_last``): the page token is renewed after every
    change they log and every version they move."""
    renew_last(renew, after_others=True)


def _state_renewed_as_read(key: str, found: ContentState | None) -> ContentState:
    """Renew the page state a request found out of date (``found``, under ``key``), in the
    cache without the fragments: written only if it still holds what was read. Otherwise
    another request, or an editor's commit, renewed it between the read and the write,
    and may have learnt of a publication scheduled after this one learnt when the next
    falls (by a commit it could not see yet): what it wrote is read again, and used if
    still good.

    (With the fragments, the names token, which every commit that schedules a publication
    lowers, puts such a state out of date at the publication's time,
    ``fragments.past_publication``; in the database, ``_store_state`` keeps the sooner
    moment.)"""
    for attempt in range(3):
        if attempt:
            found = cache.get(key)
            if found is not None and found.is_current(timezone.now()):
                return found
        state = ContentState(
            token=uuid.uuid4().hex, valid_until=next_scheduled_change(again=attempt > 0)
        )
        if fragments.replaced(key, found, state):
            return state
    return state  # Not kept: the next request renews it again.


def clear() -> None:
    """Put every stored page and fragment out of date (deploys, ``clear_page_cache``, a
    backup restored): the fragments' tokens first, then the page token, so that a page
    drawn between the two from fragments kept before is out of date too."""
    fragments.renew_editorial()
    renew()


def invalidate(
    *,
    funding_of: Iterable[int] | None = None,
    content_of: Iterable[int] | None = None,
    parts: Iterable[str] = (),
    searched: bool = False,
    catalogue_of: Iterable[int] | None = None,
    figures_kept: bool = False,
    cards_kept: bool = False,
    catalogue_parts: Iterable[str] | None = None,
    versions_kept: bool = False,
    counts_kept: bool = False,
    regions_kept: bool = False,
) -> None:
    """Make every stored public page out of date, now and again when the transaction commits.

    Fragments (``core.fragments``) are put out of date as narrowly as the change allows:

    - ``funding_of``: the change only moves these projects' funding figures (a pledge, a
      gift, a suggested amount);
    - ``content_of``: it only changes what these projects' own pages show (a story,
      photos, results); ``parts`` names the parts of their pages kept apart that it
      changes too (``"card"``: their cards; ``"bottom"``, ``"results"``), and
      ``searched`` adds that it changed text the search reads;
    - ``catalogue_of``: these projects changed the catalogue (published, moved to another
      region or sector, a new status, address or partner): every list may move, and
      these projects' own fragments, not the other projects' (the editorial token and
      these projects' versions; ``fragments.invalidate_catalogue``); ``figures_kept``:
      it leaves their funding figures as they were (their goal, their slug, their gifts);
      ``cards_kept``: it leaves what their cards show, and their regions and partnerships,
      as they were (a project published or unpublished); ``catalogue_parts``: only these
      parts of their pages change (a place saved: their maps), their other versions
      stay; ``versions_kept``: none of their versions move (a partner of theirs shown or
      hidden: only what they count moves);
    - none: it may change any page (the editorial, names, counts and regions tokens);
      ``counts_kept``: but it leaves what the counts of the catalogue count as it was (a
      partner, region or sector renamed: ``counted_columns_saved``), which are kept, or
      moves only what some projects count, which a change of the catalogue for them
      then corrects (a partner shown or hidden: ``catalogue_moved_for``);
      ``regions_kept`` with it: and it changes nothing of what is kept under the regions
      token, which shows nothing of partners (a partner's save), which is kept too.

    The token is marked out of date at once, so the next request renews it: this
    transaction's own requests see the change, and so does everyone once it commits where
    the token is kept in the database. Where it is kept in a shared cache, another request
    could meanwhile render the content not yet committed under a renewed token and keep
    it: the renewal after the commit puts such a page out of date too.
    """
    _forget_learnt()  # A change made while a commit renews tokens: they learn anew.
    if catalogue_of is not None:
        # The log of changed projects first, then the tokens (the fragments' then the
        # pages'): a request between them finds every token as before.
        fragments.invalidate_catalogue(
            catalogue_of,
            figures_kept=figures_kept,
            cards_kept=cards_kept,
            parts=catalogue_parts,
            versions_kept=versions_kept,
        )
    _store_state(ContentState(token=uuid.uuid4().hex, valid_until=timezone.now()))
    renew_at_commit(renew, after_others=True)
    if catalogue_of is not None:
        return
    if funding_of is None and content_of is None:
        fragments.invalidate_editorial(counts_kept=counts_kept, regions_kept=regions_kept)
        return
    if funding_of is not None:
        fragments.invalidate_funding(funding_of)
    if content_of is not None:
        content_of = set(content_of)
        fragments.invalidate_content(content_of)
        for part in parts:
            fragments.invalidate_part(part, content_of)
        if searched:
            fragments.note_searched_edit(content_of)


def state_in_cache(key: str, *, read: Mapping[str, object] | None = None) -> ContentState:
    """Return the state kept in the cache under ``key``: made when missing, renewed when a
    scheduled change has fallen due (but the names, counts and regions tokens, kept once
    what it published is logged: ``fragments.past_publication``). ``read``: that state
    and the names, counts and regions tokens as the request read them a moment ago (at
    its start, ``fragments._prefetch``), not read again."""
    state = fragments.read_with_scheduled(key, read)
    if state is None:
        cache.add(key, _state_renewed_by_a_reader(), None)
        state = cache.get(key)
    elif key in fragments.RENEWED_AT_PUBLICATION and fragments.outlives_publication(state):
        # A scheduled publication fell due that the names token knows of, no request has
        # logged it, and this token, made by a renewal that learnt of no such publication,
        # is good for longer: logging it puts this token out of date if something went
        # public (``fragments.past_publication``).
        state_in_cache(fragments.NAMES_KEY)
        state = fragments.read_with_scheduled(key)  # With the names token as kept since.
    if state is None or not state.is_current(timezone.now()):
        fragments.fell_during_request(state)
        if state is not None and key in fragments.SCHEDULED_KEYS:
            # A scheduled publication fell due: what it published is logged, and the
            # names, counts and regions tokens kept (``fragments.past_publication``).
            kept = fragments.past_publication(next_scheduled_change(), seen_due=True).get(key)
            if kept is None:  # Kept or renewed meanwhile by another request.
                kept = cache.get(key)
                if kept is not None and not kept.is_current(timezone.now()):
                    kept = None
            if kept is not None:
                return kept
        if not fragments.enabled():
            return _state_renewed_as_read(key, state)
        state = _state_renewed_by_a_reader()
        cache.set(key, state, None)
        if key == fragments.EDITORIAL_KEY:
            fragments.names_good_until(state.valid_until)
    return state


def content_changed(sender, **kwargs) -> None:
    """Receive a signal that public content changed (apps connect it to their models)."""
    invalidate()


def counted_columns_saved(
    *counted: str,
    regions_kept: bool = False,
    projects_of: Callable[[models.Model], Iterable[int]] | None = None,
):
    """Return ``(pre_save, post_save)`` receivers for rows whose saves change the counts of
    the catalogue only through these fields (a partner's ``is_public``, a region's
    ``parent``; none for a sector): a save that leaves them as they were (compared with
    the stored row, locked until the save commits: the admin saves in a transaction), or
    makes a new row (which no project counts yet), puts every page out of date but the
    counts (``invalidate(counts_kept=True)``), and, with ``regions_kept`` (rows that
    nothing kept under the regions token shows: partners), but what is kept under the
    regions token; any other, as ``content_changed``, unless ``projects_of(row)`` tells
    which projects it moves in the catalogue (a partner shown or hidden: those it works
    on), no more than a correction of the counts checks one by one: then the same as a
    save that leaves the fields, and a change of the catalogue for those projects
    (``invalidate(catalogue_of=…)``), for which the counts are corrected, not counted
    again."""

    def before(sender, instance, raw=False, using=None, **kwargs):
        if raw or instance.pk is None or not counted:
            return
        if not transaction.get_connection(using).in_atomic_block:
            return  # Nothing would hold the row until it is written: not kept.
        # Locked until the save commits: another save of the row waits for this one, then
        # compares with what it wrote (an editor hiding it meanwhile is not undone unseen).
        stored = sender._base_manager.using(using).select_for_update().filter(pk=instance.pk)
        instance.__dict__["_counted_before"] = stored.values_list(*counted).first()

    def after(sender, instance, created=False, raw=False, **kwargs):
        stored = instance.__dict__.pop("_counted_before", None)
        fields = [sender._meta.get_field(name).attname for name in counted]
        now = tuple(getattr(instance, name) for name in fields)
        kept = not raw and (created or not counted or stored == now)
        # For the receivers that follow (a partner's card: how many partners there are).
        instance.__dict__["_counted_columns_changed"] = not kept
        moved = None
        if not kept and not raw and stored is not None and projects_of is not None:
            moved = set(projects_of(instance))
            if len(moved) > fragments.MAX_CATALOGUE_CHANGES // 2:
                moved = None  # Counting everything again costs less than so many checks.
        if moved is None:
            invalidate(counts_kept=kept, regions_kept=kept and regions_kept)
        else:
            catalogue_moved_for(moved, regions_kept=regions_kept)

    return before, after


def catalogue_moved_for(project_pks: Iterable[int], *, regions_kept: bool = False) -> None:
    """Say that a row shown or hidden (a partner) moved these projects in the catalogue,
    and nothing else of the counts: every page out of date but the counts (and, with
    ``regions_kept``, what is kept under the regions token), and a change of the catalogue
    for these projects, for which the counts are corrected and the lists and searches
    check them again. None of their own fragments moves: what shows a project's partners
    reads them under their versions (the row's save moves its own) or the names token."""
    invalidate(counts_kept=True, regions_kept=regions_kept)
    project_pks = set(project_pks)
    if project_pks:
        invalidate(catalogue_of=project_pks, versions_kept=True)


def own_content_changed(
    project_of: Callable[[models.Model], int | None], parts: Iterable[str] = ()
):
    """Return a receiver for rows that only their project's own page and card show (its
    photos, its results): their changes move that project's content version, not the
    editorial token, and the versions of the ``parts`` of its page they show
    (``fragments.kept_part``, ``{% fragment … <part>=pk %}``). ``project_of(row)`` returns
    the project's key, None when unknown (then every fragment is renewed). The project
    a row was of before it moved (``previous_project_noter``) changes too."""

    def receiver(sender, instance, **kwargs):
        previous = instance.__dict__.pop("_previous_project_id", None)
        try:
            project = project_of(instance)
        except ObjectDoesNotExist:
            project = None
        if project is None:
            invalidate()
            return
        invalidate(content_of={project, previous} - {None}, parts=parts)

    return receiver


def previous_project_noter(project_of: Callable[[models.Model], int | None]):
    """Return a ``pre_save`` receiver that notes the project a row was of, as stored, for
    ``own_content_changed``: a row moved to another project leaves the first one's page."""

    def receiver(sender, instance, raw=False, **kwargs):
        previous = None
        if not raw and instance.pk is not None:
            stored = sender._base_manager.filter(pk=instance.pk).first()
            previous = project_of(stored) if stored is not None else None
        instance._previous_project_id = previous

    return receiver


class PublicContentQuerySet(models.QuerySet):
    """A QuerySet of public content whose bulk writes put stored pages out of date.

    ``update()``, ``delete()`` and the bulk methods send no ``post_save`` signal; each says
    itself, after writing, that public pages changed (before writing, a request could
    render the old rows under the renewed token).
    """

    def update(self, **kwargs):
        count = super().update(**kwargs)
        invalidate()
        return count

    update.alters_data = True

    def delete(self):
        deleted = super().delete()
        invalidate()
        return deleted

    delete.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        invalidate()
        return created

    bulk_create.alters_data = True

    def bulk_update(self, objs, *args, **kwargs):
        count = super().bulk_update(objs, *args, **kwargs)
        invalidate()
        return count

    bulk_update.alters_data = True


class FundingQuerySet(PublicContentQuerySet):
    """Public content that only moves projects' funding figures (pledges, gifts, amounts).

    Its bulk writes put pages out of date but keep the fragments of other projects
    (``invalidate(funding_of=…)``). ``project_field`` leads from a row to its project.
    """

    project_field = "project_id"

    def _projects(self, rows=None) -> set[int]:
        if rows is None:
            return set(self.values_list(self.project_field, flat=True))
        pks = [row.pk for row in rows if row.pk is not None]
        if "__" not in self.project_field:
            return {getattr(row, self.project_field) for row in rows}
        rows = self.model._base_manager.filter(pk__in=pks)
        return set(rows.values_list(self.project_field, flat=True))

    def update(self, **kwargs):
        projects = self._projects()
        count = models.QuerySet.update(self, **kwargs)
        invalidate(funding_of=projects)
        return count

    update.alters_data = True

    def delete(self):
        projects = self._projects()
        deleted = models.QuerySet.delete(self)
        invalidate(funding_of=projects)
        return deleted

    delete.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        created = models.QuerySet.bulk_create(self, objs, *args, **kwargs)
        invalidate(funding_of=self._projects(created))
        return created

    bulk_create.alters_data = True

    def bulk_update(self, objs, *args, **kwargs):
        count = models.QuerySet.bulk_update(self, objs, *args, **kwargs)
        invalidate(funding_of=self._projects(objs))
        return count

    bulk_update.alters_data = True


def current_state() -> ContentState:
    """Return the content state, renewed if a scheduled change has fallen due."""
    if not _state_in_database():
        return state_in_cache(STATE_KEY)
    state = _load_state_from_database()
    if not state.is_current(timezone.now()):
        state = renew()
    return state


def public_page(view):
    """Mark a view's successful GET responses as the same for every anonymous visitor.

    Public pages only read, so they run outside ``ATOMIC_REQUESTS``' transaction: no
    BEGIN and COMMIT around each rendering, and on SQLite no write lock taken by a read.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.public_page = True
        return response

    wrapper.public_page = True
    return transaction.non_atomic_requests(wrapper)


class _NotKeptError(Exception):
    """A response that is not kept as a fragment (an error, a redirect, a cookie)."""


def editorial_page(
    view=None, *, shown: Callable[[object], tuple] | None = None, no_names: bool = False
):
    """``@public_page`` for a page that shows no funding figures (feeds, sitemaps, lists of
    partners): its whole rendering is also kept as a fragment under the editorial token
    (``core.fragments``), so a pledge or a gift, which empties the page cache, does not
    make it render again. A page that shows something of projects' own content (when they
    last changed) says so with ``fragments.depends_on``, and is rendered again when it
    moves.

    ``shown(request)``: for a page that shows of the catalogue only what this returns
    (e.g. how many projects each partner listed has), with names of regions, sectors and
    partners: the page is kept across the catalogue under it instead of the editorial
    token, and a project published elsewhere leaves it as it was
    (``fragments.fragment_key``). What ``shown`` returns names all the page shows of the
    catalogue; it is read before the page, outside what the page is kept with, so what it
    reads may be kept under any token (the feed's entries are chosen under the editorial
    token). ``no_names``: and it shows no name of a region or sector, and of partners only
    what their versions stand for, which ``shown`` reads (the partner list), or none (the
    feed): it is kept under the counts token, across a region's or a sector's save.
    """
    if view is None:
        return lambda view: editorial_page(view, shown=shown, no_names=no_names)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not fragments.in_use() or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        # The fragment's key holds the scheme, host and language already.
        if shown is None:
            key = fragments.fragment_key("page", request.get_full_path())
        else:
            key = fragments.fragment_key(
                "page-shown",
                request.get_full_path(),
                shown(request),
                across_catalogue=True,
                no_partners=no_names,
                no_names=no_names,
            )
        answered = []

        def compute():
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response.render()
            answered.append(response)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                return (_kept_headers(response), response.content)
            raise _NotKeptError

        try:
            headers, content = fragments.keep(key, compute)
        except _NotKeptError:
            return answered[0]
        if answered:
            return answered[0]
        return _response(headers, content)

    return public_page(wrapper)


def cache_control_header() -> str:
    """Return the Cache-Control of a public page.

    Browsers and shared caches keep the page but ask again each time (a 304 costs
    little); an operator who accepts pages up to N seconds old at the CDN sets
    ``PAGE_CACHE_SHARED_MAX_AGE``.
    """
    shared = settings.PAGE_CACHE_SHARED_MAX_AGE
    if shared:
        return f"public, max-age=0, s-maxage={shared}, must-revalidate"
    return "public, no-cache"


@dataclass(frozen=True)
class StoredPage:
    token: str
    headers: tuple[tuple[str, str], ...]
    content: bytes
    etag: str

    def response(self) -> HttpResponse:
        response = _response(self.headers, self.content)
        response.headers["Content-Length"] = str(len(self.content))
        response.headers["ETag"] = self.etag
        response.headers["Cache-Control"] = cache_control_header()
        return response


def _kept_headers(response) -> tuple[tuple[str, str], ...]:
    """Return the headers a kept response keeps (the others are set anew on each answer)."""
    return tuple(
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in UNKEPT_HEADERS
    )


def _response(headers, content: bytes) -> HttpResponse:
    response = HttpResponse(content)
    for name, value in headers:
        response.headers[name] = value
    return response


def _etag(content: bytes) -> str:
    """The page's validator: 128 bits of its SHA-256, which processors compute with their
    own instructions (here 23 µs for a page of 45 KB, against 44 µs for BLAKE2b): every
    page rendered anew is hashed."""
    return f'"{hashlib.sha256(content).hexdigest()[:32]}"'


def _not_modified(request, etag: str, headers) -> HttpResponseNotModified | None:
    wanted = request.META.get("HTTP_IF_NONE_MATCH")
    if not wanted:
        return None
    tags = parse_etags(wanted)
    if "*" not in tags and etag not in tags and f"W/{etag}" not in tags:
        return None
    response = HttpResponseNotModified()
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = cache_control_header()
    for name in ("Vary", "Content-Language"):
        if name in headers:
            response.headers[name] = headers[name]
    return response


@functools.lru_cache(maxsize=4096)
def _leads_to_public_page(path: str, urlconf) -> bool:
    """Resolve an address once per process: the URLconf does not change while it runs."""
    language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            match = resolve(path, urlconf=urlconf)
        except Resolver404:
            return False
    return getattr(match.func, "public_page", False)


class PageRequest:
    """What the middleware needs to know of one request."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def is_anonymous_read(self) -> bool:
        request = self.request
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path_info.startswith(settings.PAGE_CACHE_SKIP_PREFIXES)
        )

    @cached_property
    def is_storable(self) -> bool:
        """Tell whether this request may be answered from, and kept in, the cache.

        Addresses with other parameters (trackers, junk) are rendered, never kept:
        anyone could otherwise fill the cache with copies of one page.
        """
        return (
            settings.PAGE_CACHE_ENABLED
            and self.is_anonymous_read
            and set(self.request.GET) <= settings.PAGE_CACHE_QUERY_PARAMETERS
        )

    @cached_property
    def is_public_view(self) -> bool:
        """Tell whether the address leads to a view marked ``@public_page``."""
        return _leads_to_public_page(self.request.path_info, getattr(self.request, "urlconf", None))

    @cached_property
    def key(self) -> str:
        meta = self.request.META
        path = self.request.path_info
        # An address without a language (the API) answers in the one Accept-Language
        # prefers: one copy per language, never one per spelling of the header.
        language = translation.get_language_from_path(path) or negotiated_language(self.request)
        address = "|".join(
            (
                "https" if self.request.is_secure() else "http",
                meta.get("HTTP_HOST", ""),
                path,
                meta.get("QUERY_STRING", ""),
                language,
            )
        )
        return PAGE_KEY_PREFIX + hashlib.blake2b(address.encode(), digest_size=20).hexdigest()


class PageCacheMiddleware:
    """Serve and keep public pages for anonymous visitors (see the module's docstring).

    It sits just after the security, CSP and static-file middleware, so a hit skips
    sessions, languages, CSRF and the view, yet still gets every security header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        page_request = PageRequest(request)
        fragments.serve_request(request, public=page_request.is_anonymous_read)
        state = None
        if page_request.is_storable:
            state, stored = self._lookup(page_request)
            if stored is not None:
                headers = dict(stored.headers)
                return _not_modified(request, stored.etag, headers) or stored.response()

        # Drawn: what it read last time is read at once (a stored page reads none of it).
        fragments.draw_page(request)
        response = self.get_response(request)
        if not getattr(response, "public_page", False):
            return response
        if not page_request.is_anonymous_read:
            # Staff (and anyone with a session) may see more than the public does.
            response.headers["Cache-Control"] = "private, no-cache"
            return response
        if response.status_code != 200 or response.streaming or response.cookies:
            return response
        if "cookie" in response.headers.get("Vary", "").lower():
            return response
        etag = _etag(response.content)
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = cache_control_header()
        if state is not None:
            page = StoredPage(state.token, _kept_headers(response), response.content, etag)
            cache.set(page_request.key, page, PAGE_TIMEOUT)
        return _not_modified(request, etag, response.headers) or response

    def _lookup(self, page_request) -> tuple[ContentState | None, StoredPage | None]:
        """Return the current state and the stored page, if it is still good.

        Only public pages are looked up, so other pages cost nothing here; the state is
        read before rendering (never after: a change committed meanwhile would then be
        stored as if it were current).
        """
        if not page_request.is_public_view:
            return None, None
        if _state_in_database():
            stored = cache.get(page_request.key)
            state = current_state()
        else:
            # One round trip for them all; a missing or expired token is mended below.
            found = cache.get_many([STATE_KEY, fragments.NAMES_KEY, page_request.key])
            state, stored = found.get(STATE_KEY), found.get(page_request.key)
            names, now = found.get(fragments.NAMES_KEY), timezone.now()
            # Also when the names token knows of a scheduled publication fallen due that no
            # request has logged (``state_in_cache``).
            due = fragments.enabled() and names is not None and not names.is_current(now)
            if state is None or not state.is_current(now) or due:
                state = current_state()
        if stored is not None and stored.token != state.token:
            stored = None
        return state, stored
