from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = _("Portfolio")

    def ready(self):
        from . import signals  # noqa: F401 - connects the search documents' receivers
        from . import signal_handlers

        signal_handlers.connect()
