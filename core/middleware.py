"""Security headers that Django 5.2 does not send by itself."""

import re
from base64 import b64encode
from hashlib import sha256

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


# The admin runs only its own scripts too, plus the import map the rich-text editor puts
# inline in the page (allowed by the hash of its exact text: an import map only names
# where modules are, still fetched from this site). ADMIN_STYLE_SOURCES lists what the
# admin's widgets need beyond its style sheets (see the README, "Content-Security-Policy").
ADMIN_STYLE_SOURCES = [
    # The base style sheet the rich-text editor (TipTap, in django-prose-editor 0.28.0)
    # writes into a <style> element; a new version may change it, and the browser test
    # of the admin's policy then fails with the new hash.
    "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='",
    # One style attribute, style="border-top: 0", of django-simple-history's history list:
    # 'unsafe-hashes' lets a hash allow that exact attribute, and no other.
    "'unsafe-hashes'",
    "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",
]
IMPORT_MAP = re.compile(rb'<script type="importmap"[^>]*>(.*?)</script>', re.DOTALL)


def admin_policy(response) -> str:
    """Return the admin's policy for ``response``, allowing its own import maps."""
    scripts = ["script-src 'self'"]
    if not response.streaming and "text/html" in response.get("Content-Type", ""):
        scripts += [
            f"'sha256-{b64encode(sha256(import_map).digest()).decode()}'"
            for import_map in IMPORT_MAP.findall(response.content)
        ]
    styles = " ".join(["style-src 'self'", *ADMIN_STYLE_SOURCES])
    return PUBLIC_CSP.replace("script-src 'self'", " ".join(scripts)).replace(
        "style-src 'self'", styles
    )


class ContentSecurityPolicyMiddleware:
    """Send a Content-Security-Policy: the public one, or the admin's under ADMIN_URL."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = f"/{settings.ADMIN_URL}"

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(self.admin_prefix):
            policy = admin_policy(response)
        else:
            policy = PUBLIC_CSP
        response.headers.setdefault("Content-Security-Policy", policy)
        return response
