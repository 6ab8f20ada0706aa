"""The IATI data at fixed addresses, for the IATI Registry to read.

Both are public pages (``core.pagecache``): kept for anonymous visitors and put out of
date by any change to projects, partners, regions, sectors or gifts.
"""

from django.http import Http404, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_safe

from core.pagecache import public_page
from portfolio.models import Project

from .export import serialise
from .publish import export

CONTENT_TYPE = "application/xml; charset=utf-8"


def _xml(document) -> HttpResponse:
    return HttpResponse(serialise(document), content_type=CONTENT_TYPE)


@public_page
@require_safe
def activities(request):
    """Every published project that passes validation."""
    with translation.override(None):
        return _xml(export().document)


@public_page
@require_safe
def activity(request, key: str):
    """One published project's activity, by number or by slug (either language)."""
    projects = Project.objects.published()
    if key.isdigit():
        projects = projects.filter(pk=int(key))
    else:
        projects = projects.filter(slug_fr=key) | projects.filter(slug_en=key)
    with translation.override(None):
        result = export(projects.distinct())
    if not result.reports:
        raise Http404
    if result.invalid:
        # Logged by export(); an invalid activity is not published.
        raise Http404
    return _xml(result.document)
