"""The Redis cache's client: django-redis's own, reading pickled values directly, and
reading a value it cannot unpickle as missing.

django-redis stores integers as digits (so that ``incr`` works on them) and everything
else pickled, and reads a value back by first trying it as an integer: for a pickled
value that attempt fails with an exception, which costs more than ten times as much as
unpickling it. A page drawn after a change reads from fifty to a few hundred fragments and versions
at once (``core.fragments``), so here a pickled value, which always starts with the
pickle protocol's mark, is unpickled at once; anything else is read as django-redis
reads it.

A value pickled by another release (a class renamed or moved, a module gone) cannot be
unpickled: django-redis would raise, and the page asking for it would fail. Here it is
logged and read as missing, so the page is computed again and the value stored anew.

Keys are made as django-redis makes them (the backend's prefix and version before the key),
with their start written once rather than once per key: a page reads up to a few hundred.

A numbered log's change (``add_numbered``) is written by a Lua script: its numbers and its
entries in one round trip.
"""

import logging

from django.core.cache.backends.base import default_key_func
from django_redis.client import DefaultClient
from django_redis.client.default import CacheKey
from django_redis.compressors.identity import IdentityCompressor
from django_redis.serializers.pickle import PickleSerializer

logger = logging.getLogger(__name__)

# The first byte of a value pickled with protocol 2 or later (a value pickled with an
# older protocol, if django-redis is told to use one, is read the usual way).
PICKLE_MARK = b"\x80"

# What ``decode`` returns for a value it cannot read; ``get`` and ``get_many`` leave it out.
UNREADABLE = object()


class RedisClient(DefaultClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only values stored as they are pickled (not compressed) start with the mark.
        self._pickled_as_is = type(self._compressor) is IdentityCompressor and isinstance(
            self._serializer, PickleSerializer
        )
        self._loads = self._serializer.loads
        backend = self._backend
        # What every key made with the backend's own prefix and version starts with, when
        # they are put together as Django's default does ("prefix:version:key").
        self._key_start = (
            f"{backend.key_prefix}:{backend.version}:"
            if backend.key_func is default_key_func
            else None
        )
        self._add_numbered = None  # The script of ``add_numbered``, registered when first run.

    def make_key(self, key, version=None, prefix=None):
        if self._key_start is None or version is not None or prefix is not None:
            return super().make_key(key, version=version, prefix=prefix)
        if isinstance(key, CacheKey):
            return key
        return CacheKey(f"{self._key_start}{key}")

    def decode(self, value):
        try:
            if self._pickled_as_is and isinstance(value, bytes) and value[:1] == PICKLE_MARK:
                return self._loads(value)
            return super().decode(value)
        except Exception:  # whatever unpickling a stale value raises: read it as missing
            logger.warning("A cached value could not be read: read as missing.", exc_info=True)
            return UNREADABLE

    def get(self, key, default=None, version=None, client=None):
        value = super().get(key, default=default, version=version, client=client)
        return default if value is UNREADABLE else value

    def get_many(self, keys, version=None, client=None):
        found = super().get_many(keys, version=version, client=client)
        return {key: value for key, value in found.items() if value is not UNREADABLE}

    def get_many_raw(self, keys) -> dict:
        """Return the values found under these keys as stored, not read yet (``decode``
        reads one): what a request may not use is not unpickled. A failed read raises
        Redis's own error, as the cache's reads do."""
        if not keys:
            return {}
        made = {self.make_key(key): key for key in keys}
        values = self.get_client(write=False).mget(*made)
        return {
            made[key]: value for key, value in zip(made, values, strict=True) if value is not None
        }

    def add_numbered(self, counter: str, prefix: str, values: list, timeout: int) -> int | None:
        """``add_numbered`` in one round trip: a Lua script, atomic. For keys made by
        putting the backend's start before them (``_key_start``)."""
        client = self.get_client(write=True)
        if self._add_numbered is None:
            self._add_numbered = client.register_script(ADD_NUMBERED)
        # A failure raises Redis's own error, as the cache's calls do.
        last = self._add_numbered(
            keys=[self.make_key(counter)],
            args=[str(self.make_key(prefix)), timeout, *map(self.encode, values)],
            client=client,
        )
        return None if last is None else int(last)


def add_numbered(cache, counter: str, prefix: str, values: list, timeout: int) -> int | None:
    """Add ``len(values)`` to the integer under ``counter`` and keep each value under
    ``prefix`` followed by its number (the last of them the counter's new value), for
    ``timeout`` seconds; return the last number, or None when the counter is not kept
    (nothing is then written).

    A numbered log (``core.fragments.ChangeLog``) writes its entries so, and an edit logs
    twice (when made, and at its commit). With this client, in one round trip where an
    addition and its entries took two; with another cache (local memory), or keys made
    another way, as the cache adds and writes."""
    client = getattr(cache, "client", None)
    if isinstance(client, RedisClient) and client._key_start is not None:
        return client.add_numbered(counter, prefix, values, timeout)
    try:
        last = cache.incr(counter, len(values))
    except ValueError:
        return None
    first = last - len(values) + 1
    cache.set_many(
        {f"{prefix}{first + index}": value for index, value in enumerate(values)}, timeout
    )
    return last


# KEYS[1]: the counter; ARGV[1]: the start of the entries' keys, ARGV[2]: their lifetime in
# seconds, ARGV[3…]: the entries, in order. The counter stays below 2**53 (a Lua number,
# written out whole by '%.0f'). The entries' keys are made in the script, not named in
# KEYS: for one Redis server, not a cluster that places keys by name.
ADD_NUMBERED = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local count = #ARGV - 2
local last = redis.call('INCRBY', KEYS[1], count)
for index = 1, count do
  local key = ARGV[1] .. string.format('%.0f', last - count + index)
  redis.call('SET', key, ARGV[2 + index], 'EX', ARGV[2])
end
return last
"""
