"""Fragments drawn during a request are written to Redis together when it ends.

These run against the Redis server on 127.0.0.1:6379 (database 13); writes that fail are
those of a Redis user that may not write.
"""

import contextlib
import dataclasses
import socket

import pytest
import redis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.test import Client

from core import fragments
from tests.factories import make_partner, make_project, make_region, make_sector

pytestmark = pytest.mark.django_db


def reachable(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not reachable(6379), reason="no Redis server on 127.0.0.1:6379")


def use_redis(settings, url):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "fragment-writes",
            "OPTIONS": {"CLIENT_CLASS": "core.redis_client.RedisClient"},  # As in production.
        }
    }
    settings.PAGE_CACHE_ENABLED = False
    settings.PAGE_CACHE_STATE = "cache"
    settings.FRAGMENT_CACHE_ENABLED = True


@pytest.fixture
def shared_redis(settings):
    url = "redis://127.0.0.1:6379/13"
    use_redis(settings, url)
    server = redis.Redis.from_url(url)
    server.flushdb()
    yield server
    server.flushdb()


def stored(server, key):
    return server.exists(f"fragment-writes:1:{key}") == 1


@needs_redis
def test_fragments_are_written_when_the_request_ends_and_read_back_meanwhile(shared_redis):
    request_started.send(sender=None)
    fragments.set_many({"a": "premier", "b": "second"})
    fragments._set("c", ["troisième"])
    # Nothing has gone to Redis yet; this request reads what it wrote.
    assert not any(stored(shared_redis, key) for key in "abc")
    assert fragments.get_many(["a", "b", "c"]) == {
        "a": "premier",
        "b": "second",
        "c": ["troisième"],
    }
    request_finished.send(sender=None)
    assert all(stored(shared_redis, key) for key in "abc")
    assert shared_redis.ttl("fragment-writes:1:a") > fragments.FRAGMENT_TIMEOUT - 60
    # The next request reads them from Redis.
    request_started.send(sender=None)
    assert fragments.get_many(["a", "c"]) == {"a": "premier", "c": ["troisième"]}
    request_finished.send(sender=None)


@needs_redis
def test_a_fragment_is_kept_as_it_was_when_written(shared_redis):
    request_started.send(sender=None)
    value = {"title": "L’eau au village"}
    fragments.set_many({"row": value})
    value["title"] = "changed by the page afterwards"
    request_finished.send(sender=None)
    request_started.send(sender=None)
    assert fragments.get_many(["row"]) == {"row": {"title": "L’eau au village"}}
    request_finished.send(sender=None)


@needs_redis
def test_outside_a_request_a_fragment_is_written_at_once(shared_redis):
    fragments.set_many({"now": 1})
    assert stored(shared_redis, "now")


@needs_redis
def test_a_page_keeps_its_fragments_with_redis(shared_redis):
    make_project(title_fr="L’eau au village", title_en="Water in the village")
    client = Client()
    assert client.get("/fr/projets/").status_code == 200
    kept = shared_redis.keys("fragment-writes:1:pagecache:fragment:*")
    assert kept  # Written once the response was closed.


@pytest.fixture
def reader(shared_redis):
    """A Redis user that may read but not write (SET refused): how a page fares when its
    fragments cannot be kept."""
    name = "fragment-writes-reader"
    shared_redis.execute_command(
        "ACL", "SETUSER", name, "on", ">lecture", "~*", "&*", "+@all", "-set"
    )
    yield f"redis://{name}:lecture@127.0.0.1:6379/13"
    shared_redis.execute_command("ACL", "DELUSER", name)


@needs_redis
def test_a_page_is_served_when_its_fragments_cannot_be_written(
    shared_redis, reader, settings, caplog
):
    make_project(title_fr="L’eau au village", title_en="Water in the village")
    client = Client(raise_request_exception=True)
    pages = {"/fr/projets/": "L’eau au village", "/en/projects/": "Water in the village"}
    for address in pages:
        assert client.get(address).status_code == 200
    # The tokens and versions stay; the fragments are gone and must be drawn anew.
    for key in shared_redis.scan_iter("fragment-writes:1:pagecache:fragment:*"):
        shared_redis.delete(key)
    use_redis(settings, reader)
    for address, title in pages.items():
        response = client.get(address)
        assert response.status_code == 200
        assert title in response.content.decode()
    assert "Fragments could not be kept." in caplog.text
    assert not list(shared_redis.scan_iter("fragment-writes:1:pagecache:fragment:*"))


def mget_calls(server) -> int:
    return server.info("commandstats").get("cmdstat_mget", {}).get("calls", 0)


@needs_redis
def test_a_request_reads_each_fragment_once(shared_redis):
    from django.core.cache import cache

    cache.set("shown", "avant")
    request_started.send(sender=None)
    assert fragments.get_many(["shown"]) == {"shown": "avant"}
    cache.set("shown", "après")  # Another server's write, during the request.
    # The page goes on with what it read: one round trip, one view of the cache.
    assert fragments.get_many(["shown"]) == {"shown": "avant"}
    request_finished.send(sender=None)
    request_started.send(sender=None)
    assert fragments.get_many(["shown"]) == {"shown": "après"}
    request_finished.send(sender=None)


@needs_redis
def test_the_changes_of_the_catalogue_are_read_once_per_request(shared_redis):
    log = fragments.CATALOGUE_CHANGES
    before = log.latest()
    log.note([7, 3])
    request_started.send(sender=None)
    calls = mget_calls(shared_redis)
    # What several kept values check (counts, lists, maps) is read in one round trip,
    # with the number of the latest change.
    assert log.since(before) == (before + 2, [3, 7])
    assert log.since(before + 1) == (before + 2, [7])
    assert log.since(before) == (before + 2, [3, 7])
    assert mget_calls(shared_redis) - calls == 2
    request_finished.send(sender=None)


@needs_redis
def test_a_prefetched_fragment_is_read_only_when_the_page_uses_it(shared_redis, settings, caplog):
    """A request reads at once what the last one for its address read; what it then does
    not use (kept under a token renewed since) is never unpickled. A value that cannot be
    unpickled shows which are: it is logged when read, and the page is drawn anew."""
    settings.CACHES = {
        "default": settings.CACHES["default"]
        | {"OPTIONS": {"CLIENT_CLASS": "core.redis_client.RedisClient"}}
    }
    make_project(title_fr="L’eau au village", title_en="Water in the village")
    client = Client()
    url = "/fr/projets/"
    first = client.get(url)
    assert first.status_code == 200
    address = ("http", "testserver", url)
    learned = fragments._read_by_address[address]
    fragment_keys = learned.fragment_keys
    unreadable = b"\x80\x05not a pickle"
    # Read by the last request, not by the next one.
    gone = "pagecache:fragment:gone:0"
    shared_redis.set(f"fragment-writes:1:{gone}", unreadable)
    fragments._read_by_address[address] = dataclasses.replace(
        learned, fragment_keys=(*fragment_keys, gone)
    )
    with caplog.at_level("WARNING", logger="core.redis_client"):
        again = client.get(url)
    assert again.content == first.content
    assert "could not be read" not in caplog.text
    # Read by the next one too: read when used, found unreadable, drawn anew.
    used = next(key for key in fragment_keys if key.startswith(fragments.FRAGMENT_KEY_PREFIX))
    assert used in fragments._read_by_address[address].fragment_keys
    shared_redis.set(f"fragment-writes:1:{used}", unreadable)
    with caplog.at_level("WARNING", logger="core.redis_client"):
        drawn = client.get(url)
    assert drawn.content == first.content
    assert "could not be read" in caplog.text


def get_calls(server) -> int:
    stats = server.info("commandstats")
    return sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("get", "mget"))


@needs_redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("saved", "in_transaction"), [("region", True), ("sector", True), ("sector", False)]
)
def test_after_a_save_a_page_reads_its_fragments_made_anew_in_two_round_trips(
    shared_redis, settings, saved, in_transaction
):
    """The keys of a page's fragments hold the tokens they were kept under: after a save
    renews a token, the next request for the same address makes them again with it, and
    those their computation read, and reads them together (a round trip after the first),
    instead of one by one as the page asks for them. A save outside a transaction (a
    command) leaves the editorial token out of date: that request renews it first, from
    what it read at its start (no more reads), then reads the same way. (A region saved
    outside a transaction cannot tell whether it moved what the counts count: it renews
    every token.)"""
    settings.CACHES = {
        "default": settings.CACHES["default"]
        | {"OPTIONS": {"CLIENT_CLASS": "core.redis_client.RedisClient"}}
    }
    region = make_region(name_fr="Inde", name_en="India", country="IN")
    sector = make_sector(name_fr="Eau", name_en="Water")
    partner = make_partner(name_fr="Partenaire du Bengale")
    for title in ("L’eau au village", "L’école des filles"):
        make_project(title_fr=title, regions=[region], partners=[partner], sector=sector)
    client = Client()
    url = f"/fr/projets/?region={region.slug}"
    first = client.get(url).content
    client.get(url)
    row = region if saved == "region" else sector
    # As the admin saves, in a transaction: the tokens are renewed at the commit.
    with transaction.atomic() if in_transaction else contextlib.nullcontext():
        row.name_fr = "Inde du Nord" if saved == "region" else "Eau potable"
        row.save()

    before = get_calls(shared_redis)
    drawn = client.get(url).content
    reads = get_calls(shared_redis) - before
    assert drawn != first and row.name_fr.encode() in drawn
    # Out of date outside a transaction: the editorial token, renewed as read. The names
    # and regions tokens the save made are good until the next publication (none).
    assert reads == 2


@needs_redis
def test_a_token_is_replaced_only_while_it_holds_what_was_read(shared_redis):
    """Compare-and-set on Redis: nothing read is nothing held (a value that cannot be read
    counts as nothing, as the cache's reads take it); anything written since wins."""
    key = "pagecache:some-token"
    assert fragments.replaced(key, None, "first")
    assert cache.get(key) == "first"
    assert not fragments.replaced(key, None, "second")  # Written since it was read missing.
    assert not fragments.replaced(key, "earlier", "second")
    assert fragments.replaced(key, "first", "second")
    assert cache.get(key) == "second"
    shared_redis.set(f"fragment-writes:1:{key}", b"\x80\x04not a pickle")
    assert cache.get(key) is None
    assert fragments.replaced(key, None, "readable")
    assert cache.get(key) == "readable"


@needs_redis
def test_without_the_fragments_a_page_state_that_cannot_be_read_is_renewed(shared_redis, settings):
    """A page state Redis holds but cannot read (left by an older release) is renewed by
    the next request as a missing one, and the page is then served from the cache."""
    from core import pagecache

    settings.PAGE_CACHE_ENABLED, settings.FRAGMENT_CACHE_ENABLED = True, False
    make_project(title_fr="Le puits", title_en="The well")
    shared_redis.set(f"fragment-writes:1:{pagecache.STATE_KEY}", b"\x80\x04not a pickle")
    visitor = Client()
    assert "Le puits" in visitor.get("/fr/projets/").content.decode()
    state = cache.get(pagecache.STATE_KEY)
    assert state is not None
    assert visitor.get("/fr/projets/").content == visitor.get("/fr/projets/").content
    assert cache.get(pagecache.STATE_KEY) == state


@needs_redis
def test_a_change_of_many_projects_takes_its_numbers_in_the_log_at_once(shared_redis):
    """A change of a few hundred projects (a partner shown or hidden, a bulk change) takes
    their numbers in the log of changes and writes their entries in one round trip, not
    two a project; a reader finds every one of them."""
    log = fragments.CATALOGUE_CHANGES
    log.note([1])  # The log's script known to the server.
    before = log.latest()
    projects = list(range(1, 301))
    sent = []
    # Undone before the cache's settings are.
    with pytest.MonkeyPatch.context() as patch:
        execute = redis.Redis.execute_command
        patch.setattr(
            redis.Redis,
            "execute_command",
            lambda self, *args, **options: sent.append(args[0]) or execute(self, *args, **options),
        )
        pipeline = redis.client.Pipeline.execute
        patch.setattr(
            redis.client.Pipeline,
            "execute",
            lambda self, *args, **options: (
                sent.append("pipeline") or pipeline(self, *args, **options)
            ),
        )
        log.note(projects)

    assert sent == ["EVALSHA"]
    assert log.since(before) == (before + len(projects), projects)
    fragments.SEARCHED_EDITS.note([7])
    assert fragments.SEARCHED_EDITS.since(fragments.SEARCHED_EDITS.latest() - 1)[1] == [7]
