from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.i18n import get_by_translated_slug, object_urls_by_language
from core.pagecache import public_page

from .models import Partner

PARTNER_PAGE_PROJECTS = 12


@public_page
@require_safe
def partner_list(request):
    now = timezone.now()
    partners = Partner.objects.public().annotate(
        # The reverse relation comes from portfolio; its rules are spelt out here in
        # field names only, since partners never imports portfolio.
        project_count=Count(
            "projects",
            filter=Q(projects__is_published=True, projects__published_at__lte=now),
            distinct=True,
        )
    )
    groups = []
    for kind, label in Partner.Kind.choices:
        members = [partner for partner in partners if partner.kind == kind]
        if members:
            groups.append((kind, label, members))
    return render(request, "partners/partner_list.html", {"groups": groups})


@public_page
@require_safe
def partner_detail(request, slug):
    partner = get_by_translated_slug(Partner.objects.public(), slug)
    if not isinstance(partner, Partner):
        return partner
    # The reverse relation comes from portfolio; its manager keeps published().
    # One partnership per partner and project, so no project comes twice.
    projects = partner.projects.published()
    shown = projects.select_related("sector").prefetch_related("regions")[:PARTNER_PAGE_PROJECTS]
    return render(
        request,
        "partners/partner_detail.html",
        {
            "partner": partner,
            "page_projects": shown,
            "project_count": projects.count(),
            "language_urls": object_urls_by_language(partner),
        },
    )
