from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IatiConfig(AppConfig):
    name = "iati"
    verbose_name = _("IATI data")

    def ready(self):
        from portfolio.admin_extensions import add_project_panel

        from .admin import iati_problems

        add_project_panel("iati_problems", _("IATI data"), iati_problems)
