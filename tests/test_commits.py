"""What the page cache and the fragments do when a transaction commits (``core.commits``):
the tokens asked to be renewed are renewed once, after every other callback of theirs.

These tests use a database whose transactions commit (``transactional_db``): Django runs
the callbacks as in production, outside any transaction (but in the last two tests,
which run them inside their own, as many tests of the site do).
"""

import pytest
from django.db import transaction

from core import commits, fragments, pagecache
from tests.factories import make_partner, make_project

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fragments_on(settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.PAGE_CACHE_STATE = "cache"
    settings.FRAGMENT_CACHE_ENABLED = True


def test_a_renewal_asked_for_by_several_callbacks_is_made_once_after_all_of_them():
    done = []

    def renewal():
        done.append("renewed")

    def asks(name):
        def callback():
            done.append(name)
            commits.renew_last(renewal)

        return callback

    with transaction.atomic():
        commits.on_commit(asks("first"))
        commits.renew_at_commit(renewal)
        commits.on_commit(asks("second"))
        transaction.on_commit(lambda: done.append("another app's"))
        commits.on_commit(asks("third"))

    assert done == ["first", "second", "another app's", "third", "renewed"]


def recording(done: list, name: str):
    """Return a renewal that adds ``name`` to ``done`` when made (a new function each time:
    renewals are told apart by identity)."""

    def renewal():
        done.append(name)

    return renewal


def test_the_renewal_asked_to_follow_the_others_follows_them():
    done = []
    page, editorial = recording(done, "page"), recording(done, "editorial")

    with transaction.atomic():
        commits.renew_at_commit(page, after_others=True)
        commits.on_commit(lambda: commits.renew_last(editorial))

    assert done == ["editorial", "page"]


def test_a_renewal_that_another_covers_is_not_made_with_it():
    done = []
    narrow = recording(done, "narrow")
    wide = commits.covering(narrow)(recording(done, "wide"))

    with transaction.atomic():
        commits.renew_at_commit(narrow)
        commits.on_commit(lambda: commits.renew_last(wide))
    assert done == ["wide"]

    done.clear()
    with transaction.atomic():
        commits.renew_at_commit(narrow)
    assert done == ["narrow"]


def test_a_renewal_covers_what_those_it_covers_cover_and_leads_where_they_would():
    done = []
    page, narrowest = recording(done, "page"), recording(done, "narrowest")
    narrow = commits.covering(narrowest)(recording(done, "narrow"))
    wide = commits.covering(narrow)(recording(done, "wide"))

    with transaction.atomic():
        commits.renew_at_commit(page, after_others=True)
        commits.renew_at_commit(wide, after_others=True)
        commits.renew_at_commit(narrowest)  # To run before the others: so does ``wide``.
    assert done == ["wide", "page"]

    with pytest.raises(ValueError, match="cannot cover itself"):
        commits.covering(wide)(narrowest)


def test_the_wider_editorial_renewals_cover_the_narrower_ones():
    """Each does all that those it covers do: a new editorial token; the names, counts
    and regions tokens renewed, or made good until the next publication at most."""
    widest_first = [
        fragments.renew_editorial,
        fragments.renew_editorial_but_counts,
        fragments.renew_editorial_for_partners,
        fragments.renew_catalogue,
    ]
    for number, renewal in enumerate(widest_first):
        assert getattr(renewal, "covers", frozenset()) == set(widest_first[number + 1 :])


def test_outside_the_callbacks_of_a_commit_a_renewal_is_made_at_once():
    done = []
    commits.renew_last(lambda: done.append("renewed"))
    assert done == ["renewed"]
    commits.renew_at_commit(lambda: done.append("at a commit"))  # No transaction: nothing.
    assert done == ["renewed"]


def test_a_savepoint_rolled_back_takes_its_callbacks_and_renewals_with_it():
    done = []

    with transaction.atomic():
        try:
            with transaction.atomic():
                commits.on_commit(lambda: done.append("rolled back"))
                commits.renew_at_commit(lambda: done.append("renewal rolled back"))
                raise RuntimeError
        except RuntimeError:
            pass
        commits.on_commit(lambda: done.append("kept"))
        commits.renew_at_commit(lambda: done.append("renewed"))

    assert done == ["kept", "renewed"]


def test_the_renewals_outlive_a_savepoint_rolled_back_after_callbacks_outside_it():
    done = []

    with transaction.atomic():
        commits.on_commit(lambda: commits.renew_last(lambda: done.append("renewed")))
        try:
            with transaction.atomic():
                # Registered in the savepoint: the callback that makes the renewals
                # registered after it keeps the savepoints of the one registered before.
                commits.on_commit(lambda: done.append("rolled back"))
                raise RuntimeError
        except RuntimeError:
            pass

    assert done == ["renewed"]


def test_a_callback_that_fails_has_the_renewals_asked_for_before_it_made():
    done = []

    def fails():
        raise RuntimeError("Failed at the commit.")

    with pytest.raises(RuntimeError, match="Failed at the commit"):
        with transaction.atomic():
            commits.on_commit(lambda: commits.renew_last(lambda: done.append("renewed")))
            commits.on_commit(fails)
            commits.on_commit(lambda: done.append("never run"))

    assert done == ["renewed"]


def test_hiding_a_partner_renews_each_token_once_at_the_commit_after_every_change_logged(
    monkeypatch,
):
    """The commit of a partner hidden logs its projects (a change of the catalogue for
    them, their searched text) and moves its versions, then renews the tokens, each
    once (the editorial token by the renewal for a partner's save, which covers the
    catalogue's): the page token last, after all of that."""
    partner = make_partner(name_fr="Partenaire du Bengale")
    make_project(title_fr="L’eau au village", partners=[partner])
    events = []
    committing = []

    def spy(module, name, event):
        real = getattr(module, name)

        def spied(*args, **kwargs):
            if committing:
                events.append(event)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, spied)

    spy(pagecache, "_store_state", "page token")
    spy(fragments, "_store_editorial", "editorial token")
    spy(fragments.ChangeLog, "_log", "logged")
    spy(fragments, "_move_versions", "versions moved")

    with transaction.atomic():
        transaction.on_commit(lambda: committing.append(True))  # The first to run.
        partner.is_public = False
        partner.save()

    assert events[-2:] == ["editorial token", "page token"]
    assert events.count("page token") == 1
    assert events.count("editorial token") == 1
    assert {"logged", "versions moved"} <= set(events[:-2])


def test_a_failed_renewal_leaves_the_others_made_and_is_raised_after_them(caplog):
    done = []

    def fails():
        raise RuntimeError("Redis is gone.")

    def fails_too():
        raise ConnectionError("Redis is still gone.")

    with pytest.raises(RuntimeError, match="Redis is gone"):
        with transaction.atomic():
            commits.renew_at_commit(lambda: done.append("page"), after_others=True)
            commits.renew_at_commit(fails)
            commits.renew_at_commit(fails_too)
            commits.renew_at_commit(lambda: done.append("editorial"))

    assert done == ["editorial", "page"]
    assert "Redis is still gone" in caplog.text


def test_a_callback_that_fails_is_what_its_commit_raises_if_the_renewals_fail_too(caplog):
    def fails():
        raise RuntimeError("Failed at the commit.")

    def renewal_fails():
        raise ConnectionError("Redis is gone.")

    with pytest.raises(RuntimeError, match="Failed at the commit"):
        with transaction.atomic():
            commits.renew_at_commit(renewal_fails)
            commits.on_commit(fails)

    assert "Tokens not renewed" in caplog.text


def test_a_callback_opening_its_own_transaction_has_its_renewals_made_at_its_commit():
    done = []

    def opens_its_own():
        with transaction.atomic():
            commits.on_commit(lambda: done.append("inner callback"))
            commits.renew_at_commit(lambda: done.append("inner renewal"))
        done.append("inner committed")

    with transaction.atomic():
        commits.on_commit(opens_its_own)
        commits.renew_at_commit(lambda: done.append("outer renewal"))

    assert done == ["inner callback", "inner renewal", "inner committed", "outer renewal"]


def test_callbacks_run_inside_a_tests_transaction_run_every_one_registered_meanwhile(
    django_capture_on_commit_callbacks,
):
    """Run by a test inside its own transaction, a callback that registers more (as
    another app's callback saving a row does) has them run, then the renewals, once."""
    done = []

    def renewal():
        done.append("renewed")

    with transaction.atomic():
        with django_capture_on_commit_callbacks(execute=True):
            commits.renew_at_commit(renewal)
            transaction.on_commit(
                lambda: commits.on_commit(lambda: (done.append("registered meanwhile"),))
            )
            commits.on_commit(lambda: commits.renew_last(renewal))
        transaction.set_rollback(True)

    assert done == ["registered meanwhile", "renewed"]


def test_run_inside_a_tests_transaction_renewals_asked_after_they_were_made_wait_again(
    django_capture_on_commit_callbacks,
):
    """The renewals made, another app's callback registers one of these, which asks for
    a renewal: made after it, not at once."""
    done = []

    def renewal():
        done.append("renewed")

    def asks():
        commits.renew_last(renewal)
        done.append("asked")

    with transaction.atomic():
        with django_capture_on_commit_callbacks(execute=True):
            commits.renew_at_commit(renewal)
            transaction.on_commit(lambda: commits.on_commit(asks))
        transaction.set_rollback(True)

    assert done == ["renewed", "asked", "renewed"]
