"""How often one address may ask the API for what the page cache does not hold."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class VisitorRateThrottle(SimpleRateThrottle):
    """Limit the requests one address makes (``API_RATE_LIMIT``), counted in the cache.

    The address is the one the pledge limits use (``RATELIMIT_IP_META_KEY``): a header the
    visitor can set is never believed unless the operator names it there. Answers served
    by the page cache never reach here, and cost nothing.
    """

    scope = "visitor"

    def get_rate(self):
        return settings.API_RATE_LIMIT or None

    def get_cache_key(self, request, view):
        address = request.META.get(settings.RATELIMIT_IP_META_KEY) or ""
        return self.cache_format % {"scope": self.scope, "ident": address.strip()}
