from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.generic import DetailView

from core.i18n import object_urls_by_language

from .models import Partnership, Project, ProjectUpdate, Region


def home(request):
    projects = Project.objects.published().select_related("sector").prefetch_related("regions")
    return render(request, "portfolio/home.html", {"projects": projects[:12]})


class ProjectDetailView(DetailView):
    template_name = "portfolio/project_detail.html"
    context_object_name = "project"

    def get_queryset(self):
        return (
            Project.objects.published()
            .select_related("sector")
            .prefetch_related(
                "regions__parent",
                "images",
                Prefetch(
                    "partnerships",
                    queryset=Partnership.objects.select_related("partner"),
                ),
                Prefetch("updates", queryset=ProjectUpdate.objects.published()),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = self.object
        partnerships = list(project.partnerships.all())
        context["language_urls"] = object_urls_by_language(project)
        context["lead_partnerships"] = [p for p in partnerships if p.role == Partnership.Role.LEAD]
        context["other_partnerships"] = [p for p in partnerships if p.role != Partnership.Role.LEAD]
        return context


def region_detail(request, slug):
    region = get_object_or_404(Region, slug=slug)
    projects = (
        Project.objects.published()
        .filter(regions__in=[region, *region.children.all()])
        .distinct()
        .select_related("sector")
        .prefetch_related("regions")
    )
    return render(
        request,
        "portfolio/region_detail.html",
        {
            "region": region,
            "projects": projects,
            "language_urls": object_urls_by_language(region),
        },
    )
