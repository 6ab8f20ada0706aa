"""Values as visitors and editors read them, in their language."""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def format_value(value: Decimal | None, percentage: bool = False) -> str:
    """Return a value in the current language: "4 000" in French, "4,000" in English."""
    if value is None:
        return "—"
    places = 0 if value == value.to_integral_value() else 2
    text = number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    return _("%(value)s%%") % {"value": text} if percentage else text
