"""What the page cache and the fragments do when a transaction commits.

Each token renewed at a commit learns when the next scheduled publication falls
(``pagecache.new_state``): one query, and a look at what fell due since the last one. One
commit renews several tokens, one after the other (an editor hiding a partner: seven),
and none of them changes public content. The callbacks registered here for one
transaction share one answer while they run: the first renewal learns it, the others
reuse it. Any change of public content made meanwhile (a callback of another app saving
a row: it puts pages out of date, ``pagecache.invalidate``) forgets it, and the next
renewal learns it again. Outside these callbacks (a request, a command, a save outside a
transaction), every renewal learns it anew.
"""

import threading
import weakref
from collections.abc import Callable

from django.db import transaction

_running = threading.local()


class _Commit:
    """What the callbacks of one transaction share at its commit."""

    __slots__ = ("__weakref__", "learnt")

    def __init__(self):
        self.learnt = {}


def on_commit(callback: Callable[[], object], *, once: bool = False) -> None:
    """Run ``callback`` when the current transaction commits, with the others registered
    here for it (``learnt_once``); ``once``: once however often asked. Outside a
    transaction, nothing: the caller has done the work already."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    commit = None
    for _savepoints, registered, _robust in connection.run_on_commit:
        shared = getattr(registered, "shared_commit", None)
        if shared is None:
            continue
        if once and registered.callback is callback:
            return
        commit = shared
    if commit is None:
        commit = _Commit()

    def run():
        outer = getattr(_running, "commit", None)
        _started().add(commit)
        _running.commit = commit
        try:
            callback()
        finally:
            _running.commit = outer

    run.shared_commit = commit
    run.callback = callback
    transaction.on_commit(run)


def on_commit_once(callback: Callable[[], object]) -> None:
    """``on_commit(callback)``, once however often asked."""
    on_commit(callback, once=True)


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
