"""The Redis cache's client reads pickled values at once and every other value as
django-redis does (core.redis_client), against the Redis server on 127.0.0.1:6379."""

import datetime
import sys
from decimal import Decimal

import pytest
import redis
from django.core.cache import caches
from django.utils import timezone
from django_redis.client import DefaultClient
from django_redis.client.default import CacheKey

from core.redis_client import RedisClient, add_numbered
from portfolio.models import Project
from tests.factories import make_project
from tests.test_fragment_writes import needs_redis

URL = "redis://127.0.0.1:6379/12"
ZLIB = "django_redis.compressors.zlib.ZlibCompressor"

pytestmark = [pytest.mark.django_db, needs_redis]


def redis_cache(settings, *, location=URL, backend=None, **options):
    """The cache on Redis with this client; ``backend``: more of the cache's own settings
    (its version, key function), ``options``: more of its client's."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "client-test",
            **(backend or {}),
            "OPTIONS": {"CLIENT_CLASS": "core.redis_client.RedisClient", **options},
        }
    }
    return caches["default"]


@pytest.fixture(autouse=True)
def empty_database():
    server = redis.Redis.from_url(URL)
    server.flushdb()
    yield
    server.flushdb()


def values():
    return {
        "text": "Prévenir la traite",
        "empty": "",
        "digits as text": "12",
        "bytes": b"\x80\x05 not pickled",
        "number": 42,
        "negative": -7,
        "big": 2**70,
        "decimal": Decimal("12500.50"),
        "moment": timezone.now(),
        "day": datetime.date(2026, 12, 3),
        "nothing": None,
        "yes": True,
        "list": [1, "deux", (3,)],
        "dict": {"fr": "eau", "en": "water"},
    }


@pytest.mark.parametrize("options", [{}, {"COMPRESSOR": ZLIB}])
def test_every_kind_of_value_comes_back_as_it_was_stored(settings, options):
    cache = redis_cache(settings, **options)
    assert isinstance(cache.client, RedisClient)
    project = make_project(title_fr="L’eau au village")
    stored = values() | {"project": Project.objects.get(pk=project.pk)}
    cache.set_many(stored)
    found = cache.get_many(stored)
    assert found == stored
    for key, value in stored.items():
        assert cache.get(key, "missing") == value, key
    assert found["project"].title_fr == "L’eau au village"
    cache.add("counter", 0)
    assert cache.incr("counter") == 1 and cache.get("counter") == 1


def test_a_pickled_value_is_read_without_the_detour_through_integers(settings, monkeypatch):
    cache = redis_cache(settings)
    cache.set("words", {"fr": "eau"})
    cache.set("number", 5)
    client = cache.client

    def refused(*_args):
        raise AssertionError("read as something else before being unpickled")

    # django-redis tries a value as an integer, then through the compressor, then unpickles.
    monkeypatch.setattr(client._compressor, "decompress", refused)
    assert cache.get("words") == {"fr": "eau"}
    assert cache.get_many(["words", "number"]) == {"words": {"fr": "eau"}, "number": 5}


class Stale:
    """A class that a later release renames: its pickles then name a class that is gone."""

    def __init__(self, words):
        self.words = words


@pytest.mark.parametrize("options", [{}, {"COMPRESSOR": ZLIB}])
def test_a_value_that_cannot_be_unpickled_is_read_as_missing(settings, options, monkeypatch):
    cache = redis_cache(settings, **options)
    cache.set_many({"stale": Stale("eau"), "fresh": {"fr": "eau"}, "number": 3})
    # The release that wrote "stale" is replaced by one without its class.
    monkeypatch.delattr(sys.modules[__name__], "Stale")
    assert cache.get("stale", "missing") == "missing"
    assert cache.get("stale") is None
    assert cache.get_many(["stale", "fresh", "number"]) == {"fresh": {"fr": "eau"}, "number": 3}
    # Stored again, it reads as the new value.
    cache.set("stale", "drawn anew")
    assert cache.get("stale") == "drawn anew"


def custom_key(key, key_prefix, version):
    return f"{key_prefix}/{version}/{key}"


@pytest.mark.parametrize(
    "options",
    [{}, {"VERSION": 3}, {"KEY_FUNCTION": "tests.test_redis_client.custom_key"}],
)
def test_keys_are_those_django_redis_makes(settings, options):
    """The client writes the start of its keys once; they stay byte for byte django-redis's,
    whatever the version or key function, so that a worker of another release shares them."""
    cache = redis_cache(settings, backend=options)
    client = cache.client
    for key in ("fragment:card:1", "é", "x" * 300):
        for version, prefix in ((None, None), (7, None), (None, "autre")):
            made = client.make_key(key, version=version, prefix=prefix)
            assert made == DefaultClient.make_key(client, key, version=version, prefix=prefix)
            assert isinstance(made, CacheKey)
            assert client.make_key(made) is made
    cache.set("page", "réponse")
    version = options.get("VERSION", 1)
    stored = (
        f"client-test/{version}/page"
        if "KEY_FUNCTION" in options
        else f"client-test:{version}:page"
    )
    assert redis.Redis.from_url(URL).get(stored) is not None
    assert cache.get("page") == "réponse"


@pytest.mark.parametrize(
    "key_function", [None, "tests.test_redis_client.custom_key"], ids=["backend's keys", "custom"]
)
def test_numbered_values_are_added_with_their_numbers(settings, monkeypatch, key_function):
    cache = redis_cache(settings, backend={"KEY_FUNCTION": key_function} if key_function else {})
    # No counter kept: nothing written.
    assert add_numbered(cache, "log:count", "log:", [7, 8], 60) is None
    assert cache.get("log:count") is None
    assert redis.Redis.from_url(URL).dbsize() == 0
    cache.set("log:count", 100, None)
    assert add_numbered(cache, "log:count", "log:", [7, (8, ("places",))], 60) == 102
    sent = []
    execute = redis.Redis.execute_command
    monkeypatch.setattr(
        redis.Redis,
        "execute_command",
        lambda self, *args, **options: sent.append(args[0]) or execute(self, *args, **options),
    )
    assert add_numbered(cache, "log:count", "log:", [9], 60) == 103
    # One round trip where the keys are made by the client; else the count, then the entries.
    assert sent == (["EVALSHA"] if key_function is None else ["EVAL"])
    assert cache.get("log:count") == 103
    assert cache.get_many(["log:100", "log:101", "log:102", "log:103"]) == {
        "log:101": 7,
        "log:102": (8, ("places",)),
        "log:103": 9,
    }
    assert 0 < cache.ttl("log:101") <= 60
    assert cache.ttl("log:count") is None  # The counter keeps no lifetime.


def test_numbered_values_in_local_memory(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache = caches["default"]
    assert add_numbered(cache, "log:count", "log:", [7], 60) is None
    cache.set("log:count", 5, None)
    assert add_numbered(cache, "log:count", "log:", [7, 8], 60) == 7
    assert cache.get_many(["log:6", "log:7"]) == {"log:6": 7, "log:7": 8}


def test_numbered_values_are_added_after_the_servers_scripts_are_flushed(settings):
    cache = redis_cache(settings)
    cache.set("log:count", 10, None)
    assert add_numbered(cache, "log:count", "log:", [1], 60) == 11
    redis.Redis.from_url(URL).script_flush()
    assert add_numbered(cache, "log:count", "log:", [2], 60) == 12
    assert cache.get("log:12") == 2


def test_a_numbered_value_fails_as_the_caches_own_calls_do_without_a_server(settings):
    cache = redis_cache(settings, location="redis://127.0.0.1:1/0")  # Nothing listens there.
    with pytest.raises(redis.ConnectionError):
        cache.incr("log:count")
    with pytest.raises(redis.ConnectionError):
        add_numbered(cache, "log:count", "log:", [1], 60)
