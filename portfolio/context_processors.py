from django.conf import settings


def site(request):
    """Add the organisation's name to every template."""
    return {"ORGANISATION_NAME": settings.ORGANISATION_NAME}
