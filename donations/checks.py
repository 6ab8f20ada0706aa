"""Start-up checks: settings the pledge form relies on."""

from decimal import Decimal

from django.conf import settings
from django.core.checks import Error, register


@register()
def check_pledge_limits(app_configs, **kwargs):
    from .models import AMOUNT_CEILING

    low, high = settings.PLEDGE_MIN_AMOUNT, settings.PLEDGE_MAX_AMOUNT
    if not (isinstance(low, Decimal) and isinstance(high, Decimal)):
        return [
            Error("PLEDGE_MIN_AMOUNT and PLEDGE_MAX_AMOUNT must be Decimals.", id="donations.E001")
        ]
    if not (Decimal("0") < low <= high <= AMOUNT_CEILING):
        return [
            Error(
                f"Pledge limits must satisfy 0 < PLEDGE_MIN_AMOUNT <= PLEDGE_MAX_AMOUNT <= "
                f"{AMOUNT_CEILING} (the database's ceiling).",
                id="donations.E002",
            )
        ]
    return []
