from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = _("Results")

    def ready(self):
        from portfolio.admin_extensions import add_project_inline
        from portfolio.page_extensions import add_demo_content, add_page_section

        from . import signal_handlers
        from .admin import ResultInline
        from .demo import add_demo_results
        from .sections import results_section

        signal_handlers.connect()
        add_project_inline(ResultInline)
        add_page_section("project", results_section)
        add_demo_content(add_demo_results)
