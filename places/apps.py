from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = _("Places")

    def ready(self):
        from portfolio.admin_extensions import add_project_inline
        from portfolio.page_extensions import add_demo_content, add_page_section

        from . import sections, signal_handlers
        from .admin_inlines import LocationInline
        from .demo_content import add_demo_places

        # Places show on project, region and home pages (``signal_handlers``).
        signal_handlers.connect()
        add_project_inline(LocationInline)
        add_page_section("project", sections.project_section)
        add_page_section("region", sections.region_section)
        add_page_section("home", sections.home_section)
        add_demo_content(add_demo_places)
