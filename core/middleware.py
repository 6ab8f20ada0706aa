"""Security headers that Django 5.2 does not send by itself."""

from django.conf import settings

# Public pages use no inline script or style and load nothing from another host.
PUBLIC_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Send a strict Content-Security-Policy on public pages.

    The admin is left out: its widgets (rich-text editor, tabs) set inline styles.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.excluded = tuple(settings.CSP_EXCLUDE_PREFIXES)

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.excluded):
            response.headers.setdefault("Content-Security-Policy", PUBLIC_CSP)
        return response
