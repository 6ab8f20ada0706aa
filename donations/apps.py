from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("Donations")

    def ready(self):
        from . import (
            checks,  # noqa: F401 - registers the start-up checks
            signal_handlers,
        )

        signal_handlers.connect()

        from portfolio.admin_extensions import add_project_inline

        from .admin_inlines import SuggestedAmountInline

        add_project_inline(SuggestedAmountInline)
