from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = _("Portfolio")

    def ready(self):
        from . import (
            signal_handlers,
            signals,  # noqa: F401 - connects the search documents' receivers
        )

        signal_handlers.connect()
