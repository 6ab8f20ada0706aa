from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "portfolio"

urlpatterns = [
    path("", views.home, name="home"),
    path(_("projects/<slug:slug>/"), views.ProjectDetailView.as_view(), name="project_detail"),
    path(_("regions/<slug:slug>/"), views.region_detail, name="region_detail"),
]
