"""Places where projects take place: points on the maps of public pages."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import pagecache
from portfolio.models import Project, Region

LATITUDE_LIMIT = Decimal(90)
LONGITUDE_LIMIT = Decimal(180)


class Location(models.Model):
    """A village, a town or a district where a project works, with its coordinates."""

    class Reach(models.IntegerChoices):
        """IATI's GeographicLocationReach code list."""

        ACTIVITY = 1, _("Where the activity takes place")
        BENEFICIARIES = 2, _("Where the intended beneficiaries live")

    class Exactness(models.IntegerChoices):
        """IATI's GeographicExactness code list."""

        EXACT = 1, _("Exact")
        APPROXIMATE = 2, _("Approximate")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="locations"
    )
    name = models.CharField(
        _("place name"), max_length=120, help_text=_("A village, a town or a district.")
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="locations",
        help_text=_("The region this place belongs to."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=7,
        decimal_places=5,
        validators=[
            MinValueValidator(-LATITUDE_LIMIT, _("The latitude must be between -90 and 90.")),
            MaxValueValidator(LATITUDE_LIMIT, _("The latitude must be between -90 and 90.")),
        ],
        help_text=_("In decimal degrees, north positive (e.g. 22.16)."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        validators=[
            MinValueValidator(-LONGITUDE_LIMIT, _("The longitude must be between -180 and 180.")),
            MaxValueValidator(LONGITUDE_LIMIT, _("The longitude must be between -180 and 180.")),
        ],
        help_text=_("In decimal degrees, east positive (e.g. 88.43)."),
    )
    exactness = models.PositiveSmallIntegerField(
        _("exactness"), choices=Exactness.choices, default=Exactness.APPROXIMATE
    )
    reach = models.PositiveSmallIntegerField(
        _("reach"), choices=Reach.choices, null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    # The public texts each language needs to be complete (core.translations).
    translated_required_fields = ("name",)

    objects = pagecache.PublicContentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-LATITUDE_LIMIT) & Q(latitude__lte=LATITUDE_LIMIT),
                name="location_latitude_in_range",
                violation_error_message=_("The latitude must be between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-LONGITUDE_LIMIT) & Q(longitude__lte=LONGITUDE_LIMIT),
                name="location_longitude_in_range",
                violation_error_message=_("The longitude must be between -180 and 180."),
            ),
        ]

    def __str__(self):
        return self.name
