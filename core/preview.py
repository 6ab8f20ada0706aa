"""Previews of content the public cannot see yet: for editors, and for whoever they share
a signed link with.

A preview is the public page rendered from the database as it is now, whatever the
content's state. Editors (staff who may change the object) open it from the admin; the
link the admin offers to share carries a signed token that names the object and expires
after ``PREVIEW_LINK_MAX_AGE`` seconds, so a colleague without an account can read it.
Previews are never kept: not by the page cache (the views are not ``@public_page``), not
by fragments (the view turns them off for its request), not by browsers or proxies.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.core import signing
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation

from . import fragments

SALT = "core.preview"
# The query parameter of shared links.
LINK_PARAMETER = "token"


def _signed_value(obj: models.Model) -> str:
    # The model is part of what is signed: a project's link opens no partner of that pk.
    return f"{obj._meta.label_lower}.{obj.pk}"


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def make_token(obj: models.Model) -> str:
    """Return a token that opens this object's preview until the link expires."""
    signed = _signer().sign(_signed_value(obj))
    # The value is the object itself, known from the address: only the timestamp and
    # the signature travel.
    return signed[len(_signed_value(obj)) + 1 :]


def link_expiry() -> datetime:
    """Return when a link made now stops opening its preview."""
    return timezone.now() + timedelta(seconds=settings.PREVIEW_LINK_MAX_AGE)


def check_token(obj: models.Model, token: str) -> str:
    """Return ``"valid"``, ``"expired"`` or ``"invalid"`` for this object's token."""
    try:
        _signer().unsign(f"{_signed_value(obj)}:{token}", max_age=settings.PREVIEW_LINK_MAX_AGE)
    except signing.SignatureExpired:
        return "expired"
    except signing.BadSignature:
        return "invalid"
    return "valid"


def is_editor(user, obj: models.Model) -> bool:
    """Tell whether this user may preview the object without a link: staff who may change it."""
    codename = get_permission_codename("change", obj._meta)
    return user.is_active and user.is_staff and user.has_perm(f"{obj._meta.app_label}.{codename}")


def shared_url(obj: models.Model, language: str | None = None) -> str:
    """Return the absolute address of a preview link to share (see ``SITE_URL``)."""
    with translation.override(language or translation.get_language()):
        path = obj.get_preview_url()
    query = urlencode({LINK_PARAMETER: make_token(obj)})
    return f"{settings.SITE_URL.rstrip('/')}{path}?{query}"


def start(request) -> None:
    """Begin a preview request: fragments hold the published pages, never a preview."""
    fragments.serve_request(request, public=False)


def refusal(request, obj: models.Model) -> HttpResponse | None:
    """Return the page refusing this preview, or None if the visitor may see it.

    Editors see it as they are; anyone else needs a valid token. Without one, the
    object's existence is not told: the usual 404.
    """
    if is_editor(request.user, obj):
        return None
    token = request.GET.get(LINK_PARAMETER)
    if not token:
        raise Http404
    state = check_token(obj, token)
    if state == "valid":
        return None
    return mark(render(request, "preview_refused.html", {"reason": state}, status=403))


def language_urls(request, obj: models.Model) -> dict[str, str]:
    """Return the preview in each language, the visitor's token kept."""
    token = request.GET.get(LINK_PARAMETER)
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            url = obj.get_preview_url()
        urls[code] = f"{url}?{urlencode({LINK_PARAMETER: token})}" if token else url
    return urls


def context(request, obj: models.Model, message: str) -> dict:
    """Return what the public page's template needs to show itself as a preview."""
    return {
        "preview": {"message": message},
        "language_urls": language_urls(request, obj),
        "canonical_path": obj.get_absolute_url(),
    }


def mark(response: HttpResponse) -> HttpResponse:
    """Keep the answer out of every cache and every search engine."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
