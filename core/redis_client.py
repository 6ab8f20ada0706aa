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
