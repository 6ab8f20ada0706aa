from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.pagecache import editorial_page

from . import views
from .feeds import LatestNewsFeed, feed_shown

app_name = "portfolio"

urlpatterns = [
    path("", views.home, name="home"),
    path(_("projects/"), views.project_list, name="project_list"),
    path(_("projects/export.csv"), views.project_export, name="project_export"),
    path(_("projects/<slug:slug>/"), views.project_detail, name="project_detail"),
    path(_("preview/projects/<int:pk>/"), views.project_preview, name="project_preview"),
    path(_("regions/<slug:slug>/"), views.region_detail, name="region_detail"),
    # Kept under which entries it shows (it names no region, sector or partner).
    path(
        _("feed/"),
        editorial_page(LatestNewsFeed(), shown=feed_shown, no_names=True),
        name="feed",
    ),
]
