"""What the public API shows of each kind of public content, in the request's language.

Text fields come in the language of the request, with the other language's text where a
translation is missing (as on the pages); ``translations`` gives each language's own text,
empty where it is missing. No serializer here reads a donor's data: funding comes as
totals from ``donations.funding``.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.templatetags.translated_fields import translated
from partners.models import Partner
from portfolio.models import Partnership, Project, ProjectUpdate, Region, Sector


def text_of(obj, field: str) -> str:
    """Return a translated field in the current language, or the other language's text."""
    return translated(obj, field).text


def absolute(context, path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


def url_in(context, obj, language: str) -> str:
    with translation.override(language):
        return absolute(context, obj.get_absolute_url())


def image_of(context, file, alt: str, width, height) -> dict | None:
    if not file:
        return None
    return {"url": absolute(context, file.url), "alt": alt, "width": width, "height": height}


class ImageSerializer(serializers.Serializer):
    url = serializers.URLField()
    alt = serializers.CharField(help_text="Alternative text, in the response's language.")
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)


def translations_serializer(name: str, fields: dict) -> type[serializers.Serializer]:
    """Return a serializer with one object of ``fields`` per language of the site."""
    text = type(f"{name}Text", (serializers.Serializer,), fields)
    return type(name, (serializers.Serializer,), {code: text() for code, _n in settings.LANGUAGES})


def translations_of(context, obj, fields: tuple[str, ...], with_url: bool = True) -> dict:
    """Return each language's own texts of ``obj`` (empty where not translated)."""
    result = {}
    for code, _name in settings.LANGUAGES:
        texts = {field: getattr(obj, f"{field}_{code}", "") or "" for field in fields}
        if with_url:
            texts["url"] = url_in(context, obj, code)
        result[code] = texts
    return result


class TranslatedField(serializers.Field):
    """A translated model field, in the response's language with the other as fallback."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        self.model_field = field_name

    def to_representation(self, obj):
        return text_of(obj, self.model_field)


extend_schema_field(OpenApiTypes.STR)(TranslatedField)


class PageUrlField(serializers.Field):
    """The object's public page, in the response's language."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, obj):
        return absolute(self.context, obj.get_absolute_url())


extend_schema_field(OpenApiTypes.URI)(PageUrlField)


class SectorSerializer(serializers.ModelSerializer):
    name = TranslatedField()

    class Meta:
        model = Sector
        fields = ["id", "slug", "name"]


RegionTranslations = translations_serializer(
    "RegionTranslations",
    {
        "name": serializers.CharField(),
        "slug": serializers.CharField(),
        "url": serializers.URLField(),
    },
)


class RegionSerializer(serializers.ModelSerializer):
    name = TranslatedField()
    country = serializers.CharField(source="country.code", help_text="ISO 3166-1 alpha-2 code.")
    parent = serializers.IntegerField(
        source="parent_id", allow_null=True, help_text="The country a region belongs to."
    )
    url = PageUrlField()
    translations = serializers.SerializerMethodField()

    class Meta:
        model = Region
        fields = ["id", "slug", "name", "country", "parent", "url", "translations"]

    @extend_schema_field(RegionTranslations)
    def get_translations(self, region) -> dict:
        return translations_of(self.context, region, ("name", "slug"))


class PartnerSummarySerializer(serializers.ModelSerializer):
    name = TranslatedField()
    url = PageUrlField()

    class Meta:
        model = Partner
        fields = ["id", "slug", "name", "url"]


class PartnershipSerializer(serializers.ModelSerializer):
    partner = PartnerSummarySerializer()
    role = serializers.ChoiceField(choices=Partnership.Role.choices)
    role_label = serializers.CharField(source="get_role_display")

    class Meta:
        model = Partnership
        fields = ["partner", "role", "role_label"]


class FundingSerializer(serializers.Serializer):
    goal = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    raised = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Money received, in Canadian dollars."
    )
    pledged = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text="Promised by confirmed pledges and not received yet, in Canadian dollars.",
    )
    percent_committed = serializers.IntegerField(
        allow_null=True, help_text="Share of the goal received or pledged, 0 to 100."
    )


ProjectTranslations = translations_serializer(
    "ProjectTranslations",
    {
        "title": serializers.CharField(),
        "subtitle": serializers.CharField(),
        "summary": serializers.CharField(),
        "slug": serializers.CharField(),
        "url": serializers.URLField(),
    },
)


class ProjectSerializer(serializers.ModelSerializer):
    """A project as the list shows it, with its funding as totals."""

    url = PageUrlField()
    title = TranslatedField()
    subtitle = TranslatedField()
    summary = TranslatedField()
    status = serializers.ChoiceField(choices=Project.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    sector = SectorSerializer(allow_null=True)
    regions = RegionSerializer(many=True)
    partners = PartnershipSerializer(many=True, source="partnerships")
    beneficiaries_description = TranslatedField()
    cover = serializers.SerializerMethodField()
    funding = serializers.SerializerMethodField()
    translations = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "slug",
            "url",
            "title",
            "subtitle",
            "summary",
            "status",
            "status_label",
            "sector",
            "regions",
            "partners",
            "beneficiaries",
            "beneficiaries_description",
            "start_date",
            "end_date",
            "cover",
            "funding",
            "published_at",
            "translations",
        ]

    @extend_schema_field(ImageSerializer(allow_null=True))
    def get_cover(self, project) -> dict | None:
        return image_of(
            self.context,
            project.cover_image,
            text_of(project, "cover_alt"),
            project.cover_width,
            project.cover_height,
        )

    @extend_schema_field(FundingSerializer)
    def get_funding(self, project) -> dict:
        figures = self.context["funding"][project.pk]
        return FundingSerializer(
            {
                "goal": figures.goal,
                "raised": figures.raised,
                "pledged": figures.pledged,
                "percent_committed": figures.percent_committed,
            }
        ).data

    @extend_schema_field(ProjectTranslations)
    def get_translations(self, project) -> dict:
        return translations_of(self.context, project, ("title", "subtitle", "summary", "slug"))


class PhotoSerializer(serializers.Serializer):
    url = serializers.URLField()
    alt = serializers.CharField()
    caption = serializers.CharField()
    credit = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)


class ProjectDetailSerializer(ProjectSerializer):
    """A project as its page shows it: the list's fields, its story and its photos."""

    story = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "story", "photos"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_story(self, project) -> str:
        """The story as sanitised HTML."""
        return text_of(project, "body")

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, project) -> list[dict]:
        return [
            {
                "url": absolute(self.context, photo.image.url),
                "alt": text_of(photo, "alt_text"),
                "caption": text_of(photo, "caption"),
                "credit": photo.credit,
                "width": photo.width,
                "height": photo.height,
            }
            for photo in project.images.all()
        ]


PartnerTranslations = translations_serializer(
    "PartnerTranslations",
    {
        "name": serializers.CharField(),
        "summary": serializers.CharField(),
        "slug": serializers.CharField(),
        "url": serializers.URLField(),
    },
)


class PartnerSerializer(serializers.ModelSerializer):
    url = PageUrlField()
    name = TranslatedField()
    kind = serializers.ChoiceField(choices=Partner.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    summary = TranslatedField()
    description = TranslatedField(help_text="Sanitised HTML.")
    country = serializers.CharField(
        source="country.code", help_text="ISO 3166-1 alpha-2 code, or empty."
    )
    website = serializers.CharField(help_text="An http:// or https:// address, or empty.")
    logo = serializers.SerializerMethodField()
    quote = TranslatedField()
    translations = serializers.SerializerMethodField()

    class Meta:
        model = Partner
        fields = [
            "id",
            "slug",
            "url",
            "name",
            "kind",
            "kind_label",
            "summary",
            "description",
            "country",
            "city",
            "website",
            "logo",
            "partner_since",
            "quote",
            "quote_author",
            "translations",
        ]

    @extend_schema_field(ImageSerializer(allow_null=True))
    def get_logo(self, partner) -> dict | None:
        return image_of(
            self.context,
            partner.logo,
            text_of(partner, "logo_alt"),
            partner.logo_width,
            partner.logo_height,
        )

    @extend_schema_field(PartnerTranslations)
    def get_translations(self, partner) -> dict:
        return translations_of(self.context, partner, ("name", "summary", "slug"))


class UpdateProjectSerializer(serializers.ModelSerializer):
    title = TranslatedField()
    url = PageUrlField()

    class Meta:
        model = Project
        fields = ["id", "slug", "title", "url"]


UpdateTranslations = translations_serializer(
    "UpdateTranslations", {"title": serializers.CharField(), "text": serializers.CharField()}
)


class UpdateSerializer(serializers.ModelSerializer):
    """A field update (news from the field)."""

    project = UpdateProjectSerializer()
    title = TranslatedField()
    text = TranslatedField()
    image = serializers.SerializerMethodField()
    translations = serializers.SerializerMethodField()

    class Meta:
        model = ProjectUpdate
        fields = ["id", "project", "title", "text", "image", "published_at", "translations"]

    @extend_schema_field(ImageSerializer(allow_null=True))
    def get_image(self, update) -> dict | None:
        return image_of(
            self.context,
            update.image,
            text_of(update, "image_alt"),
            update.image_width,
            update.image_height,
        )

    @extend_schema_field(UpdateTranslations)
    def get_translations(self, update) -> dict:
        return translations_of(self.context, update, ("title", "text"), with_url=False)
