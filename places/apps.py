from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = _("Places")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from core import pagecache
        from portfolio.admin_extensions import add_project_inline
        from portfolio.page_extensions import add_demo_content, add_page_section

        from . import sections
        from .admin_inlines import LocationInline
        from .demo_content import add_demo_places
        from .models import Location

        # Places show on project, region and home pages: a change renews their caches.
        post_save.connect(
            pagecache.content_changed, sender=Location, dispatch_uid="pagecache-Location"
        )
        post_delete.connect(
            pagecache.content_changed, sender=Location, dispatch_uid="pagecache-del-Location"
        )
        add_project_inline(LocationInline)
        add_page_section("project", sections.project_section)
        add_page_section("region", sections.region_section)
        add_page_section("home", sections.home_section)
        add_demo_content(add_demo_places)
