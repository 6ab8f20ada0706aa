from django.shortcuts import get_object_or_404, render

from core.i18n import object_urls_by_language

from .models import Partner


def partner_list(request):
    return render(request, "partners/partner_list.html", {"partners": Partner.objects.public()})


def partner_detail(request, slug):
    partner = get_object_or_404(Partner.objects.public(), slug=slug)
    return render(
        request,
        "partners/partner_detail.html",
        {
            "partner": partner,
            # The reverse relation comes from portfolio; its manager keeps published().
            "projects": partner.projects.published().distinct(),
            "language_urls": object_urls_by_language(partner),
        },
    )
