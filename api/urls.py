"""The API's addresses, outside the language prefix: the language is a parameter."""

from django.urls import path

from core.pagecache import public_page

from . import views

app_name = "api"


def public(view_class):
    return public_page(view_class.as_view())


urlpatterns = [
    path("projects/", public(views.ProjectList), name="project_list"),
    path("projects/<str:key>/", public(views.ProjectDetail), name="project_detail"),
    path("partners/", public(views.PartnerList), name="partner_list"),
    path("partners/<str:key>/", public(views.PartnerDetail), name="partner_detail"),
    path("regions/", public(views.RegionList), name="region_list"),
    path("sectors/", public(views.SectorList), name="sector_list"),
    path("updates/", public(views.UpdateList), name="update_list"),
    path("schema/", public(views.Schema), name="schema"),
]
