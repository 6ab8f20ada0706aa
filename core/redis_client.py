"""The Redis cache's client: django-redis's own, reading pickled values directly.

django-redis stores integers as digits (so that ``incr`` works on them) and everything
else pickled, and reads a value back by first trying it as an integer: for a pickled
value that attempt fails with an exception, which costs more than ten times as much as
unpickling it. A page drawn after a change reads from fifty to a few hundred fragments and versions
at once (``core.fragments``), so here a pickled value, which always starts with the
pickle protocol's mark, is unpickled at once; anything else is read as django-redis
reads it.
"""

from django_redis.client import DefaultClient
from django_redis.compressors.identity import IdentityCompressor
from django_redis.serializers.pickle import PickleSerializer

# The first byte of a value pickled with protocol 2 or later (a value pickled with an
# older protocol, if django-redis is told to use one, is read the usual way).
PICKLE_MARK = b"\x80"


class RedisClient(DefaultClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only values stored as they are pickled (not compressed) start with the mark.
        self._pickled_as_is = type(self._compressor) is IdentityCompressor and isinstance(
            self._serializer, PickleSerializer
        )

    def decode(self, value):
        if self._pickled_as_is and isinstance(value, bytes) and value[:1] == PICKLE_MARK:
            return self._serializer.loads(value)
        return super().decode(value)
