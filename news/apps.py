from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = _("News to supporters")

    def ready(self):
        from . import signal_handlers  # noqa: F401
