from django.db import models


class PageCacheState(models.Model):
    """The content token of the page cache, where every worker of a server can read it.

    Used when the cache is local to each process (no ``REDIS_URL``); see core.pagecache.
    One row.
    """

    token = models.CharField(max_length=32)
    valid_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "page cache state"

    def __str__(self):
        return self.token
