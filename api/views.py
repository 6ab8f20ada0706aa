"""The public, read-only API: published content only, in French or English.

Every view answers GET, HEAD and OPTIONS only, to anyone, without a session. Successful
answers are public pages for ``core.pagecache``: kept per address and language, put out
of date by the same changes as the pages.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions, generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from core.i18n import negotiated_language
from core.pagination import KeysFirstPaginator
from donations.funding import funding_by_project
from partners.models import Partner
from portfolio.models import Partnership, Project, ProjectUpdate, Region, Sector
from portfolio.views import select_projects

from . import serializers as api_serializers

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class Pagination(PageNumberPagination):
    """Pages of a fixed order, whose cost does not grow with the page number."""

    django_paginator_class = KeysFirstPaginator
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


LANG_PARAMETER = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=LANGUAGE_CODES,
    description=(
        "Language of the texts, labels, slugs and page addresses. Without it, the one the "
        "Accept-Language header prefers, else French."
    ),
)
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such published object, or page.")
BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="A parameter could not be understood: each one's errors, by name.",
)


class PublicView(generics.GenericAPIView):
    """Answer in the language of ``?lang=`` or ``Accept-Language``, and say which."""

    pagination_class = Pagination

    def dispatch(self, request, *args, **kwargs):
        wanted = request.GET.get("lang")
        self.language = wanted if wanted in LANGUAGE_CODES else negotiated_language(request)
        with translation.override(self.language):
            response = super().dispatch(request, *args, **kwargs)
            # Rendered now, in this language (labels, error messages).
            if hasattr(response, "render"):
                response.render()
        response.headers["Content-Language"] = self.language
        patch_vary_headers(response, ["Accept-Language"])
        return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        wanted = request.query_params.get("lang")
        if wanted is not None and wanted not in LANGUAGE_CODES:
            raise exceptions.ValidationError(
                {"lang": [_("Choose one of: %(codes)s.") % {"codes": ", ".join(LANGUAGE_CODES)}]}
            )

    def get_serializer_context(self):
        return super().get_serializer_context() | {"language": self.language}


def as_id(text: str, model) -> int | None:
    """Return ``text`` as an id of ``model``, or None when it cannot be one (not plain
    digits, or beyond what the column holds: the database would refuse it)."""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    field = model._meta.pk
    _low, high = connections["default"].ops.integer_field_range(field.get_internal_type())
    return number if high is None or number <= high else None


def by_key(queryset, key: str):
    """Return the object with this id or this slug (in any language), or raise 404."""
    pk = as_id(key, queryset.model)
    if pk is not None:
        found = queryset.filter(pk=pk).first()
        if found is not None:
            return found
    condition = Q()
    for code in LANGUAGE_CODES:
        condition |= Q(**{f"slug_{code}": key})
    found = queryset.filter(condition).first()
    if found is None:
        raise Http404
    return found


def project_rows(queryset):
    """Return projects with what the API shows of them, in a fixed number of queries."""
    public_partnerships = Partnership.objects.filter(partner__is_public=True).select_related(
        "partner"
    )
    return queryset.select_related("sector").prefetch_related(
        "regions", Prefetch("partnerships", queryset=public_partnerships)
    )


PROJECT_FILTERS = [
    LANG_PARAMETER,
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description="Words that must each appear in the title, story, a partner's or a "
        "region's name (case and accents ignored); best matches first.",
    ),
    OpenApiParameter(
        "region",
        OpenApiTypes.STR,
        description="A region's slug in the response's language; a country includes its regions.",
    ),
    OpenApiParameter("sector", OpenApiTypes.STR, description="A sector's slug."),
    OpenApiParameter("partner", OpenApiTypes.STR, description="A partner's slug."),
    OpenApiParameter("status", OpenApiTypes.STR, enum=Project.Status.values),
]


@extend_schema(
    tags=["projects"],
    parameters=PROJECT_FILTERS,
    responses={200: api_serializers.ProjectSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
)
class ProjectList(PublicView, generics.ListAPIView):
    """The published projects, filtered as the project list page filters them.

    Slugs of regions, sectors and partners are read in the response's language.
    """

    serializer_class = api_serializers.ProjectSerializer

    def get_queryset(self):
        selection = select_projects(self.request.query_params)
        if selection.form.errors:
            raise exceptions.ValidationError(
                {name: list(errors) for name, errors in selection.form.errors.items()}
            )
        return project_rows(selection.projects)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        context = self.get_serializer_context() | {"funding": funding_by_project(page)}
        data = self.get_serializer_class()(page, many=True, context=context).data
        return self.get_paginated_response(data)


@extend_schema(
    tags=["projects"],
    parameters=[
        LANG_PARAMETER,
        OpenApiParameter(
            "key",
            OpenApiTypes.STR,
            OpenApiParameter.PATH,
            description="The project's id, or its slug in either language.",
        ),
    ],
    responses={200: api_serializers.ProjectDetailSerializer, 404: NOT_FOUND},
)
class ProjectDetail(PublicView, generics.RetrieveAPIView):
    """One published project, with its story and photos."""

    serializer_class = api_serializers.ProjectDetailSerializer

    def get_object(self):
        return by_key(
            project_rows(Project.objects.published()).prefetch_related("images"),
            self.kwargs["key"],
        )

    def retrieve(self, request, *args, **kwargs):
        project = self.get_object()
        context = self.get_serializer_context() | {"funding": funding_by_project([project])}
        return Response(self.get_serializer_class()(project, context=context).data)


PARTNER_FILTERS = [
    LANG_PARAMETER,
    OpenApiParameter("kind", OpenApiTypes.STR, enum=Partner.Kind.values),
    OpenApiParameter(
        "q", OpenApiTypes.STR, description="Words of the partner's name, in either case."
    ),
]


@extend_schema(
    tags=["partners"],
    parameters=PARTNER_FILTERS,
    responses={200: api_serializers.PartnerSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
)
class PartnerList(PublicView, generics.ListAPIView):
    """The partners shown on the site, by name."""

    serializer_class = api_serializers.PartnerSerializer

    def get_queryset(self):
        partners = Partner.objects.public()
        kind = self.request.query_params.get("kind")
        if kind:
            if kind not in Partner.Kind.values:
                raise exceptions.ValidationError({"kind": [_("Unknown kind of partner.")]})
            partners = partners.filter(kind=kind)
        query = self.request.query_params.get("q", "").strip()
        if query:
            partners = partners.named(query[:100], self.language)
        return partners.order_by("name", "pk")


@extend_schema(
    tags=["partners"],
    parameters=[
        LANG_PARAMETER,
        OpenApiParameter(
            "key",
            OpenApiTypes.STR,
            OpenApiParameter.PATH,
            description="The partner's id, or its slug in either language.",
        ),
    ],
    responses={200: api_serializers.PartnerSerializer, 404: NOT_FOUND},
)
class PartnerDetail(PublicView, generics.RetrieveAPIView):
    """One partner shown on the site."""

    serializer_class = api_serializers.PartnerSerializer

    def get_object(self):
        return by_key(Partner.objects.public(), self.kwargs["key"])


@extend_schema(
    tags=["places and themes"],
    parameters=[LANG_PARAMETER],
    responses={200: api_serializers.RegionSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
)
class RegionList(PublicView, generics.ListAPIView):
    """Every region: countries (``parent`` null) and their parts."""

    serializer_class = api_serializers.RegionSerializer

    def get_queryset(self):
        return Region.objects.order_by("name", "pk")


@extend_schema(
    tags=["places and themes"],
    parameters=[LANG_PARAMETER],
    responses={200: api_serializers.SectorSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
)
class SectorList(PublicView, generics.ListAPIView):
    """Every sector."""

    serializer_class = api_serializers.SectorSerializer

    def get_queryset(self):
        return Sector.objects.order_by("name", "pk")


@extend_schema(
    tags=["field updates"],
    parameters=[
        LANG_PARAMETER,
        OpenApiParameter(
            "project", OpenApiTypes.INT, description="Only this project's updates (its id)."
        ),
    ],
    responses={200: api_serializers.UpdateSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
)
class UpdateList(PublicView, generics.ListAPIView):
    """The published news from the field, newest first."""

    serializer_class = api_serializers.UpdateSerializer

    def get_queryset(self):
        updates = ProjectUpdate.objects.published().select_related("project")
        project = self.request.query_params.get("project")
        if project is not None:
            pk = as_id(project, Project)
            if pk is None:
                raise exceptions.ValidationError({"project": [_("Give a project's id.")]})
            updates = updates.filter(project_id=pk)
        return updates.order_by("-published_at", "-pk")


@extend_schema(exclude=True)
class Schema(SpectacularAPIView):
    """The OpenAPI schema, as JSON, its descriptions in the language of ``?lang=`` or
    ``Accept-Language`` (never of a cookie: the page cache keeps it per language)."""

    renderer_classes = [OpenApiJsonRenderer]

    def dispatch(self, request, *args, **kwargs):
        wanted = request.GET.get("lang")
        language = wanted if wanted in LANGUAGE_CODES else negotiated_language(request)
        with translation.override(language):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
        response.headers["Content-Language"] = language
        patch_vary_headers(response, ["Accept-Language"])
        return response

    def get(self, request, *args, **kwargs):
        # The language is chosen in ``dispatch``; the parent's ``get`` would choose again.
        return self._get_schema_response(request)
