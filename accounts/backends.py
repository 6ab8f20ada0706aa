"""Login throttling: where a login comes from, and the backend that refuses locked ones."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """Return the address a login comes from.

    Read from ``RATELIMIT_IP_META_KEY`` (``REMOTE_ADDR`` unless the operator names the
    header their proxy sets), as the pledge rate limits do. A header the visitor can
    send, such as X-Forwarded-For, is never read unless configured; then its right-most
    address, the one the proxy itself appended, counts.
    """
    value = request.META.get(settings.RATELIMIT_IP_META_KEY) or request.META.get("REMOTE_ADDR", "")
    return value.split(",")[-1].strip() or None


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuse any login of a locked-out account or address, right password or not.

    Logins made by code (a shell, ``authenticate()`` without a request) come from no
    address and are not counted; every web login passes its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
