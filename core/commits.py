"""What the page cache and the fragments do when a transaction commits.

Renewing a token at the commit puts out of date what a request kept meanwhile, under a
token it renewed before the commit, from content not committed yet: it must come after
every change the commit logs and every version it moves. Renewals asked for at a commit
(``renew_at_commit``) or while its callbacks run (``renew_last``) are made once each,
however many ask, after the last of these callbacks, not after each: by one more
callback, registered after each of them (the last registered makes them, the others do
nothing), which a savepoint rolled back drops only with every callback of this commit
registered before it. A renewal that another one asked for at the same commit does as
well (``covering``) is not made. If one of these callbacks fails, the renewals asked for
so far are made first, a renewal that fails then logged, and the callback's error raised
(Django runs no callback after one that fails: the other callbacks of the site are
registered ``robust``, so that none of them stops these).

Each token renewed learns when the next scheduled publication falls
(``pagecache.new_state``): one query, and a look at what fell due since the last one.
The callbacks registered here for one transaction share one answer while they run: the
first renewal learns it, the others reuse it. Any change of public content made
meanwhile (a callback of another app saving a row: it puts pages out of date,
``pagecache.invalidate``) forgets it, and the next renewal learns it again. Outside
these callbacks (a request, a command, a save outside a transaction), every renewal
learns it anew.
"""

import logging
import threading
import weakref
from collections.abc import Callable
from contextlib import contextmanager

from django.db import transaction

logger = logging.getLogger(__name__)
_running = threading.local()


class _Commit:
    """What the callbacks of one transaction share at its commit."""

    __slots__ = ("__weakref__", "last", "learnt", "renewals", "renewed", "savepoints")

    def __init__(self):
        self.learnt = {}
        # The renewals asked for, in order (those that run after the others last), each
        # once; made by the last callback registered (``last``, in these savepoints),
        # after which they run at once (until another registers: ``_renewing_last``).
        self.renewals: dict[Callable[[], object], bool] = {}
        self.renewed = False
        self.last = None
        self.savepoints: set[str] = set()


def on_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` when the current transaction commits, with the others registered
    here for it (``learnt_once``, ``renew_last``). Outside a transaction, nothing: the
    caller has done the work already."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    commit = _registered(connection)

    def run():
        with _running_for(commit):
            callback()

    run.shared_commit = commit
    transaction.on_commit(run)
    _renewing_last(connection, commit)


def renew_at_commit(renewal: Callable[[], object], *, after_others: bool = False) -> None:
    """Run ``renewal`` (the renewal of a token) when the current transaction commits, once
    however often asked, after the other callbacks registered here (``renew_last``);
    asked for in a savepoint rolled back, it is still made if they are (a token renewed
    once more). Outside a transaction, nothing."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    commit = _registered(connection)
    _renewing_last(connection, commit)
    _ask(commit, renewal, after_others)


def _registered(connection) -> "_Commit":
    """Return what the callbacks registered here for the current transaction share (new
    if none is): the last of them is one of theirs, unless another app's followed."""
    for _savepoints, registered, _robust in reversed(connection.run_on_commit):
        commit = getattr(registered, "shared_commit", None)
        if commit is not None:
            return commit
    return _Commit()


def _renewing_last(connection, commit: _Commit) -> None:
    """Register the callback that makes the renewals (``_renew``) after the one just
    registered: the last registered makes them, those before it do nothing. It is
    dropped with a savepoint rolled back only if every callback of this commit
    registered so far is (since its renewals were last made): it keeps the savepoints
    they were all registered in."""
    savepoints = set(connection.savepoint_ids)
    if commit.last is not None and not commit.renewed:
        savepoints &= commit.savepoints
    commit.savepoints = savepoints
    # Made already (a test that runs the callbacks inside its own transaction, which
    # then registers more): those asked for from now on wait for this one.
    commit.renewed = False

    def renewals():
        if commit.last is not renewals:
            return
        with _running_for(commit):
            commit.renewed = True
            _renew(commit)

    renewals.shared_commit = commit
    commit.last = renewals
    connection.run_on_commit.append((savepoints, renewals, False))


@contextmanager
def _running_for(commit: _Commit):
    """While a commit's callback runs: what it learns is shared (``learnt_once``), the
    renewals it asks for wait for the last callback (``renew_last``). If it fails, those
    asked for so far are made (Django runs no callback after one that fails), a renewal
    that fails then is logged, and the callback's own error raised."""
    outer = getattr(_running, "commit", None)
    _started().add(commit)
    _running.commit = commit
    try:
        yield
    except BaseException:
        if not commit.renewed:
            commit.renewed = True
            try:
                _renew(commit)
            except Exception:  # Said, and the callback's own error raised.
                logger.exception("Tokens not renewed after a failed commit callback.")
        raise
    finally:
        _running.commit = outer


def _renew(commit: _Commit) -> None:
    """Make the renewals asked for, each once: those asked to run after the others last,
    and none that another one asked for does as well (``covering``). One that fails does
    not stop the others; the first error is raised after them, the others logged."""
    failed = None
    while commit.renewals:
        _leave_covered(commit.renewals)
        first = next(
            (renewal for renewal, after in commit.renewals.items() if not after),
            next(iter(commit.renewals)),
        )
        del commit.renewals[first]
        try:
            first()
        except Exception as error:
            if failed is not None:
                logger.exception("A token not renewed at a commit.")
            failed = failed or error
    if failed is not None:
        raise failed


def covering(*renewals: Callable[[], object]):
    """Say that the renewal decorated does all that these ``renewals`` do, and what they
    cover (it renews the same tokens, or more, as soon or sooner): asked for at the same
    commit, they are not made. Known by the functions themselves: a renewal replaced (a
    test's stand-in) covers nothing and is covered by none."""

    def decorate(renewal):
        # With what those cover in turn: a renewal left out is always left to one made.
        covers = frozenset(renewals).union(*(getattr(r, "covers", ()) for r in renewals))
        if renewal in covers:
            raise ValueError(f"{renewal.__name__} cannot cover itself.")
        renewal.covers = covers
        return renewal

    return decorate


def _leave_covered(renewals: dict[Callable[[], object], bool]) -> None:
    """Take out of ``renewals`` those that another one there covers (``covering``); the
    one that covers it runs before the others if the one left out was to."""
    covered = {}
    for renewal in renewals:
        for done in getattr(renewal, "covers", ()):
            covered.setdefault(done, []).append(renewal)
    for done, wider in covered.items():
        if done in renewals:
            for renewal in wider:
                renewals[renewal] = renewals[renewal] and renewals[done]
    for done in covered.keys() & renewals.keys():
        del renewals[done]


def renew_last(renewal: Callable[[], object], *, after_others: bool = False) -> None:
    """Run ``renewal`` (the renewal of a token) now, or, while the callbacks of a commit
    run, once after the last of them, however many ask; ``after_others``: after the
    other renewals asked for then (the page cache's token, after the fragments')."""
    commit = getattr(_running, "commit", None)
    if commit is None or commit.renewed:
        renewal()
        return
    _ask(commit, renewal, after_others)


def _ask(commit: _Commit, renewal: Callable[[], object], after_others: bool) -> None:
    commit.renewals[renewal] = commit.renewals.get(renewal, False) or after_others


def learnt_once(name: str, learn: Callable[[], object]) -> object:
    """Return ``learn()``; while the callbacks of a commit run, learnt by the first one
    that asks and kept for the others, unless forgotten meanwhile (``forget``)."""
    commit = getattr(_running, "commit", None)
    if commit is None:
        return learn()
    if name not in commit.learnt:
        commit.learnt[name] = learn()
    return commit.learnt[name]


def _started() -> weakref.WeakSet:
    """The commits whose callbacks have started to run on this thread and may still run
    (a commit's callbacks can run inside another's: a save in a callback)."""
    started = getattr(_running, "started", None)
    if started is None:
        started = _running.started = weakref.WeakSet()
    return started


def forget() -> None:
    """Public content changed: what the callbacks of every commit still running learnt
    is learnt again by those still to run (another app's callback between two of them
    may save)."""
    for commit in list(_started()):
        commit.learnt.clear()
