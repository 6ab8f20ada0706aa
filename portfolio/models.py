from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.i18n import fill_missing_slugs
from core.images import SafeImageField
from core.richtext import RichTextField, RichTextQuerySet, sanitise_all_rich_text
from partners.models import Partner

from .search import search_words, translated_text, word_pattern


class Region(models.Model):
    """A country or a part of one (India -> West Bengal) where projects take place."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    country = CountryField(
        _("country"), help_text=_("The ISO country this region is, or belongs to.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("Leave empty for a country; choose the country for a state or province."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="region_not_its_own_parent",
                violation_error_message=_("A region cannot be part of itself."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        fill_missing_slugs(self, "name")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("portfolio:region_detail", kwargs={"slug": self.slug})

    def clean(self):
        """Refuse a parent that lies inside this region: the loop would hide both.

        A region chosen as its own parent is left to the database constraint's message.
        """
        super().clean()
        if self.pk is None or self.parent_id == self.pk:
            return
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if ancestor.pk == self.pk:
                raise ValidationError(
                    {"parent": _("A region cannot be part of one of its own parts.")}
                )
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class Sector(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        fill_missing_slugs(self, "name")
        super().save(*args, **kwargs)


class ProjectQuerySet(RichTextQuerySet):
    def published(self):
        """Return the projects visible to the public."""
        return self.filter(is_published=True, published_at__lte=timezone.now())

    def in_regions(self, region_ids):
        """Return the projects taking place in any of these regions, without duplicates."""
        return self.filter(
            Exists(
                Project.regions.through.objects.filter(
                    project=OuterRef("pk"), region__in=list(region_ids)
                )
            )
        )

    def with_partner(self, partner):
        """Return the projects this partner takes part in, without duplicates."""
        return self.filter(
            Exists(Partnership.objects.filter(project=OuterRef("pk"), partner=partner))
        )

    def search(self, text: str, language: str | None = None):
        """Return the projects matching every word of ``text``, as the visitor reads them.

        Each word may appear in the title, subtitle, summary, story, a public partner's
        name or a region's name (or its country's), in the visitor's language or, where
        a text is not translated, in the language shown instead. The database does the
        matching; nothing is loaded to be filtered here.
        """
        words = search_words(text)
        if not words:
            return self
        fields = ("title", "subtitle", "summary", "body")
        queryset = self.alias(
            **{f"search_{name}": translated_text(name, language) for name in fields}
        )
        for word in words:
            pattern = word_pattern(word)
            partners = (
                Partnership.objects.filter(project=OuterRef("pk"), partner__is_public=True)
                .alias(search_name=translated_text("partner__name", language))
                .filter(search_name__iregex=pattern)
            )
            regions = (
                Region.objects.filter(projects=OuterRef("pk"))
                .alias(
                    search_name=translated_text("name", language),
                    search_parent=translated_text("parent__name", language),
                )
                .filter(Q(search_name__iregex=pattern) | Q(search_parent__iregex=pattern))
            )
            matches = Q(Exists(partners)) | Q(Exists(regions))
            for name in fields:
                matches |= Q(**{f"search_{name}__iregex": pattern})
            queryset = queryset.filter(matches)
        return queryset


class Project(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=200, unique=True, help_text=_("The last part of the page address.")
    )
    subtitle = models.CharField(_("subtitle"), max_length=250, blank=True)
    summary = models.TextField(
        _("summary"),
        max_length=400,
        blank=True,
        help_text=_("Shown on project cards and in search results; 400 characters."),
    )
    body = RichTextField(
        verbose_name=_("story"), blank=True, help_text=_("The project's full text.")
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        related_name="projects",
        null=True,
        blank=True,
    )
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions"), related_name="projects", blank=True
    )
    partners = models.ManyToManyField(
        Partner,
        verbose_name=_("partners"),
        through="Partnership",
        related_name="projects",
        blank=True,
    )
    beneficiaries = models.PositiveIntegerField(
        _("beneficiaries"), null=True, blank=True, help_text=_("How many people it reaches.")
    )
    beneficiaries_description = models.CharField(
        _("who benefits"),
        max_length=200,
        blank=True,
        help_text=_('Who they are, e.g. "girls and boys".'),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    funding_goal = models.DecimalField(
        _("funding goal (CAD)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Amount to raise, in Canadian dollars. Leave empty if none."),
    )
    cover_image = SafeImageField(
        _("cover image"),
        upload_to="projects/covers/",
        blank=True,
        width_field="cover_width",
        height_field="cover_height",
        help_text=_("JPEG, PNG or WebP, at most 10 MB; at least 1600 pixels wide looks best."),
    )
    cover_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_alt = models.CharField(
        _("cover alternative text"),
        max_length=250,
        blank=True,
        help_text=_("Describes the picture for people who cannot see it. Required with an image."),
    )
    is_featured = models.BooleanField(
        _("featured"), default=False, help_text=_("Shown first on the home page.")
    )
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(
        _("publication date"),
        default=timezone.now,
        help_text=_("The project is public from this moment, if published."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-is_featured", "-published_at"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="project_ends_after_start",
                violation_error_message=_("The end date must come after the start date."),
            ),
            models.CheckConstraint(
                condition=Q(beneficiaries__isnull=True) | Q(beneficiaries__gte=0),
                name="project_beneficiaries_not_negative",
                violation_error_message=_("The number of beneficiaries cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(funding_goal__isnull=True) | Q(funding_goal__gte=0),
                name="project_funding_goal_not_negative",
                violation_error_message=_("The funding goal cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(cover_image="") | (Q(cover_alt_fr__isnull=False) & ~Q(cover_alt_fr="")),
                name="project_cover_has_alt_text",
                violation_error_message=_("Describe the cover image in its alternative text."),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        fill_missing_slugs(self, "title")
        sanitise_all_rich_text(self)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("portfolio:project_detail", kwargs={"slug": self.slug})

    def is_public(self) -> bool:
        """Mirror ``ProjectQuerySet.published()`` for one project."""
        return self.is_published and self.published_at <= timezone.now()


class Partnership(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead partner")
        IMPLEMENTING = "implementing", _("Implementing partner")
        FUNDING = "funding", _("Funding partner")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="partnerships"
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="partnerships"
    )
    role = models.CharField(_("role"), max_length=15, choices=Role.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "partner"],
                name="one_role_per_partner_per_project",
                violation_error_message=_("This partner already has a role in this project."),
            ),
        ]

    def __str__(self):
        return f"{self.partner} — {self.get_role_display()}"


class ProjectImage(models.Model):
    """A photo in a project's gallery."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="images"
    )
    image = SafeImageField(
        _("image"),
        upload_to="projects/gallery/",
        width_field="width",
        height_field="height",
        help_text=_("JPEG, PNG or WebP, at most 10 MB and 40 megapixels."),
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    alt_text = models.CharField(
        _("alternative text"),
        max_length=250,
        help_text=_("Describes the picture for people who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(_("photo credit"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("gallery")
        constraints = [
            models.CheckConstraint(
                condition=(Q(alt_text_fr__isnull=False) & ~Q(alt_text_fr="")),
                name="project_image_has_alt_text",
                violation_error_message=_("Describe the picture in its alternative text."),
            ),
        ]

    def __str__(self):
        return self.alt_text


class ProjectUpdateQuerySet(models.QuerySet):
    def published(self):
        """Return the field updates visible to the public: their project must be too."""
        now = timezone.now()
        return self.filter(
            is_published=True,
            published_at__lte=now,
            project__is_published=True,
            project__published_at__lte=now,
        )


class ProjectUpdate(models.Model):
    """Dated news from the field."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="updates"
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    image = SafeImageField(
        _("photo"),
        upload_to="projects/updates/",
        blank=True,
        width_field="image_width",
        height_field="image_height",
        help_text=_("JPEG, PNG or WebP, at most 10 MB."),
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(_("photo alternative text"), max_length=250, blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    published_at = models.DateTimeField(_("date"), default=timezone.now)

    objects = ProjectUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("field update")
        verbose_name_plural = _("field updates")
        constraints = [
            models.CheckConstraint(
                condition=Q(image="") | (Q(image_alt_fr__isnull=False) & ~Q(image_alt_fr="")),
                name="project_update_image_has_alt_text",
                violation_error_message=_("Describe the photo in its alternative text."),
            ),
        ]

    def __str__(self):
        return self.title
