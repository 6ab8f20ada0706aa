"""What the places app adds to the project form (see ``PlacesConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from core.admin_languages import TranslatedTabularInline

from .models import Location


class LocationInline(TranslatedTabularInline):
    """The places a project works in, shown on its map."""

    model = Location
    extra = 0
    fields = ("name", "region", "latitude", "longitude", "exactness", "reach", "order")
    verbose_name_plural = _("places on the map")
