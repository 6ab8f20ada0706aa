import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core import pagecache
from core.i18n import fallback_order, fill_missing_slugs, follow_titles, keep_addresses
from core.images import SafeImageField
from core.richtext import RichTextField, RichTextQuerySet, sanitise_all_rich_text
from core.text_search import search_words
from partners.models import Partner

from .search import (
    SEARCH_RANK,
    document_column,
    fill_search_documents,
    language_codes,
    refresh_search_documents,
    search_columns,
    source_columns,
    title_column,
)


def always_public(obj) -> bool:
    """Regions and sectors have no draft: their pages are public from their first save."""
    return True


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

    # The public texts each language needs to be complete (core.translations).
    translated_required_fields = ("name",)

    objects = pagecache.PublicContentQuerySet.as_manager()

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
        shown = follow_titles(self, "name", always_public, kwargs.get("update_fields"))
        fill_missing_slugs(self, "name")
        before = self._searched_values_in_database()
        super().save(*args, **kwargs)
        keep_addresses(self, "name", always_public, shown)
        after = self._searched_values()
        if before is not None and before != after:
            # Projects here carry this name, and so do projects in its parts.
            located = Project.regions.through.objects.filter(
                Q(region=self) | Q(region__parent=self)
            )
            refresh_search_documents(located.values_list("project_id", flat=True))

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

    def _searched_values(self):
        return (*[getattr(self, f"name_{code}") for code in language_codes()], self.parent_id)

    def _searched_values_in_database(self):
        """Return the name and country that search documents hold, as saved (None if new)."""
        if self.pk is None:
            return None
        columns = [f"name_{code}" for code in language_codes()] + ["parent_id"]
        return Region.objects.filter(pk=self.pk).values_list(*columns).first()


class Sector(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    dac_codes = models.CharField(
        _("DAC sector codes"),
        max_length=200,
        blank=True,
        help_text=_(
            "The OECD DAC 5-digit sector codes this sector reports under, each with its "
            'share in percent, e.g. "15180 60, 16010 40"; a single code alone counts for 100.'
        ),
    )

    # The public texts each language needs to be complete (core.translations).
    translated_required_fields = ("name",)

    objects = pagecache.PublicContentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        shown = follow_titles(self, "name", always_public, kwargs.get("update_fields"))
        fill_missing_slugs(self, "name")
        super().save(*args, **kwargs)
        keep_addresses(self, "name", always_public, shown)

    def clean(self):
        super().clean()
        try:
            shares = parse_dac_codes(self.dac_codes)
        except ValueError:
            raise ValidationError(
                {"dac_codes": _('Write each code with five digits and its share: "15180 60".')}
            ) from None
        if shares and sum(share for _code, share in shares) != 100:
            raise ValidationError({"dac_codes": _("The shares must add up to 100.")})

    def dac_shares(self) -> list[tuple[str, Decimal]]:
        """Return the DAC codes and their shares as written (unreadable text gives none)."""
        try:
            return parse_dac_codes(self.dac_codes)
        except ValueError:
            return []


def parse_dac_codes(text: str) -> list[tuple[str, Decimal]]:
    """Read "15180 60, 16010 40" as [("15180", 60), ("16010", 40)]; one bare code is 100.

    Raises ``ValueError`` on anything else.
    """
    items = [item.split() for item in (text or "").replace(";", ",").split(",") if item.strip()]
    if len(items) == 1 and len(items[0]) == 1:
        items[0].append("100")
    shares = []
    for item in items:
        if len(item) != 2 or not re.fullmatch(r"\d{5}", item[0]):
            raise ValueError(text)
        try:
            share = Decimal(item[1].rstrip("%"))
        except InvalidOperation:
            raise ValueError(text) from None
        if not share.is_finite():
            raise ValueError(text)
        shares.append((item[0], share))
    return shares


class Publication(models.TextChoices):
    """Where a project or a field update stands, as visitors see it (not the editor's flag)."""

    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    # A field update whose own date has come, on a project that is not public yet.
    WAITING_FOR_PROJECT = "waiting", _("Waiting for its project")


def publication_condition(prefix: str = "", now=None) -> Q:
    """Return the publication rule as a condition, for a query that reaches projects
    through a relation (``prefix="projects__"``), at ``now`` (the current moment unless
    given: ``core.rows.PreparedQuery`` gives a stand-in).

    The one place the rule is written: ``ProjectQuerySet.published()``, field updates and
    other apps (through ``Partner.projects``) all ask it.
    """
    moment = timezone.now() if now is None else now
    return Q(**{f"{prefix}is_published": True, f"{prefix}published_at__lte": moment})


def publication_state(is_published: bool, published_at, now=None) -> Publication:
    """Return the state that a flag and a date give (the rule above, for one row)."""
    if not is_published:
        return Publication.DRAFT
    if published_at > (now or timezone.now()):
        return Publication.SCHEDULED
    return Publication.PUBLISHED


class PublicationQuerySet(models.QuerySet):
    """The states of rows that editors publish with a flag and a date."""

    def published(self, now=None):
        """Return the rows visible to the public (at ``now``, the current moment unless
        given)."""
        return self.filter(publication_condition(now=now))

    def drafts(self):
        """Return the rows not published."""
        return self.filter(is_published=False)

    def scheduled(self):
        """Return the rows published for a moment still to come."""
        return self.filter(is_published=True, published_at__gt=timezone.now())

    def in_state(self, state: str):
        """Return the rows in this ``Publication`` state."""
        return {
            Publication.DRAFT: self.drafts,
            Publication.SCHEDULED: self.scheduled,
            Publication.PUBLISHED: self.published,
        }[state]()

    def publication_condition(self, prefix: str = "") -> Q:
        """Return the rule as a condition (see ``publication_condition``): other apps
        reach it through a relation's manager without importing portfolio."""
        return publication_condition(prefix)


# What a project's search documents are built from: changing one rebuilds them.
SEARCH_SOURCES = {"title", "subtitle", "summary", "body", *source_columns()}


class ProjectQuerySet(RichTextQuerySet, PublicationQuerySet, pagecache.PublicContentQuerySet):
    def in_regions(self, region_ids):
        """Return the projects taking place in any of these regions, without duplicates."""
        return self.filter(
            Exists(
                Project.regions.through.objects.filter(
                    project=OuterRef("pk"), region__in=list(region_ids)
                )
            )
        )

    def kept_counts_by_partner(self, partner_pks) -> dict[int, int] | None:
        """Return ``{partner pk: number of published projects}`` for these partners from
        the kept counts of the catalogue (``catalogue.summary``), or None when fragments
        are not in use (count them in the database).

        Kept as they are across the changes of the catalogue made by projects none of
        these partners takes part in, before or after (``catalogue.kept_apart``): a page
        of the partner list read back reads its partners' numbers, not the counts of the
        whole catalogue."""
        from . import catalogue

        pks = tuple(partner_pks)

        def counted():
            counts = catalogue.kept_summary()
            if counts is None:
                return None
            return {pk: counts.partners.get(pk, 0) for pk in pks}

        return catalogue.kept_apart(
            "partner-counts",
            (pks,),
            counted,
            catalogue.with_any_partner(pks),
            no_names=True,
            no_places=True,
        )

    def kept_apart_from(self, name: str, vary: tuple, compute, *, partner: int):
        """Return ``compute()``, kept across the changes of the catalogue made by projects
        this partner takes no part in, before or after (``catalogue.kept_apart``)."""
        from . import catalogue

        return catalogue.kept_apart(
            name,
            vary,
            compute,
            catalogue.with_partner(partner),
            no_names=True,
            no_places=True,
        )

    def with_partner(self, partner):
        """Return the projects this partner takes part in, without duplicates."""
        return self.filter(
            Exists(Partnership.objects.filter(project=OuterRef("pk"), partner=partner))
        )

    def for_cards(self):
        """Return these projects with what a project card shows, in a fixed number of queries.

        The story and the search documents, the longest columns, are left out: no card
        shows them (and kept cards would carry them in the cache)."""
        return self.select_related("sector").prefetch_related("regions").defer(*long_columns())

    def search(self, text: str, language: str | None = None):
        """Return the projects matching every word of ``text``, best matches first.

        Each word may appear in the title, subtitle, summary, story, a public partner's
        name or a region's name (or its country's), as a visitor reading ``language``
        sees them: the other language's text where one is not translated. Projects
        whose title holds more of the words come first, then the usual order. The
        matching runs on the stored search documents, in the database.
        """
        words = search_words(text)
        if not words:
            return self
        code = next(c for c in fallback_order(language) if c in language_codes())
        queryset = self
        for word in words:
            queryset = queryset.filter(**{f"{document_column(code)}__contains": word})
        in_title = [
            Case(When(**{f"{title_column(code)}__contains": word}, then=Value(1)), default=Value(0))
            for word in words
        ]
        rank = sum(in_title[1:], in_title[0])
        return queryset.alias(**{SEARCH_RANK: rank}).order_by(
            f"-{SEARCH_RANK}", *Project._meta.ordering
        )

    def update(self, **kwargs):
        if set(kwargs) & SEARCH_SOURCES:
            changed = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            refresh_search_documents(changed)
            return count
        return super().update(**kwargs)

    update.alters_data = True

    def prepare_new(self, obj) -> None:
        # New rows have no partners nor regions yet: their own texts make the document.
        fill_search_documents(obj, names=[])

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        count = super().bulk_update(objs, fields, *args, **kwargs)
        if set(fields) & SEARCH_SOURCES:
            refresh_search_documents(obj.pk for obj in objs)
        return count

    bulk_update.alters_data = True


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
    iati_identifier = models.CharField(
        _("IATI identifier"),
        max_length=150,
        blank=True,
        help_text=_(
            "The activity's identifier in IATI data. Leave empty to use the organisation's "
            "identifier followed by the project's number."
        ),
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
    # Search columns (search_title_fr, search_document_fr…) are added below, one pair per
    # language. On PostgreSQL their trigram indexes live in migration 0003 only, since
    # SQLite cannot build them.

    # The public texts each language needs to be complete (core.translations).
    translated_required_fields = ("title", "summary", "body")
    # What a published project cannot lack in a language without the editor saying so.
    publication_required_fields = ("title", "summary")

    objects = ProjectQuerySet.as_manager()

    class Meta:
        # The key last: pages of the list must not share or skip projects.
        ordering = ["-is_featured", "-published_at", "-pk"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [
            # The public list in its order, and filtered by status or sector: the page's
            # keys come from the index alone (see core.pagination).
            models.Index(
                fields=["-is_featured", "-published_at", "-id"],
                condition=Q(is_published=True),
                name="project_public_order",
            ),
            models.Index(
                fields=["status", "-is_featured", "-published_at", "-id"],
                condition=Q(is_published=True),
                name="project_public_status_order",
            ),
            models.Index(
                fields=["sector", "-is_featured", "-published_at", "-id"],
                condition=Q(is_published=True),
                name="project_public_sector_order",
            ),
            # The latest change of a published project (the sitemap index), from the end.
            models.Index(
                fields=["-updated_at"],
                condition=Q(is_published=True),
                name="project_public_latest_change",
            ),
            # The latest published projects (the feed), read from the end of an index.
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(is_published=True),
                name="project_public_latest",
            ),
        ]
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
        shown = follow_titles(self, "title", Project.is_public, kwargs.get("update_fields"))
        fill_missing_slugs(self, "title")
        sanitise_all_rich_text(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or set(update_fields) & SEARCH_SOURCES:
            fill_search_documents(self)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, *search_columns()}
        super().save(*args, **kwargs)
        keep_addresses(self, "title", Project.is_public, shown)

    def get_absolute_url(self):
        return reverse("portfolio:project_detail", kwargs={"slug": self.slug})

    def get_preview_url(self):
        """Return the preview editors see (``core.preview``), whatever the state."""
        return reverse("portfolio:project_preview", kwargs={"pk": self.pk})

    def is_public(self) -> bool:
        """Mirror ``ProjectQuerySet.published()`` for one project."""
        return self.publication_state() == Publication.PUBLISHED

    def publication_state(self) -> Publication:
        """Return where the project stands for visitors: draft, scheduled or published."""
        # A date given as text (``objects.create(published_at="2026-01-01T00:00:00Z")``)
        # is only parsed by the database; ``save()`` asks before reading it back.
        published_at = self._meta.get_field("published_at").to_python(self.published_at)
        if timezone.is_naive(published_at):
            published_at = timezone.make_aware(published_at)
        return publication_state(self.is_published, published_at)


def _add_search_columns():
    """Give Project a folded title and a search document per language of the site."""
    for code in language_codes():
        # Not editable: out of the admin's forms; modeltranslation does not know them either.
        Project.add_to_class(title_column(code), models.TextField(default="", editable=False))
        Project.add_to_class(document_column(code), models.TextField(default="", editable=False))


_add_search_columns()


def long_columns() -> list[str]:
    """Return a project's longest columns, its story and its search documents, which lists,
    cards and feeds do not show."""
    stories = [
        field.attname for field in Project._meta.concrete_fields if field.name.startswith("body")
    ]
    return [*stories, *search_columns()]


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

    objects = pagecache.PublicContentQuerySet.as_manager()

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
        indexes = [
            # A partner's projects (the list's partner filter) from the index alone.
            models.Index(fields=["partner", "project"], name="partnership_partner_project"),
        ]

    def __str__(self):
        return f"{self.partner} — {self.get_role_display()}"

    def save(self, *args, **kwargs):
        before = None
        if self.pk is not None:
            saved = Partnership.objects.filter(pk=self.pk)
            before = saved.values_list("project_id", flat=True).first()
        super().save(*args, **kwargs)
        # The project's document holds its public partners' names.
        refresh_search_documents([self.project_id, before])


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

    objects = pagecache.PublicContentQuerySet.as_manager()

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


class ProjectUpdateQuerySet(RichTextQuerySet, PublicationQuerySet, pagecache.PublicContentQuerySet):
    def published(self, now=None):
        """Return the field updates visible to the public: their project must be too."""
        return self.filter(
            publication_condition(now=now), publication_condition("project__", now=now)
        )

    def waiting_for_project(self):
        """Return the field updates whose date has come, on a project not public yet."""
        return self.filter(publication_condition()).exclude(publication_condition("project__"))

    def in_state(self, state: str):
        if state == Publication.WAITING_FOR_PROJECT:
            return self.waiting_for_project()
        return super().in_state(state)


class ProjectUpdate(models.Model):
    """Dated news from the field."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="updates"
    )
    title = models.CharField(_("title"), max_length=200)
    text = RichTextField(verbose_name=_("text"))
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

    # The public texts each language needs to be complete (core.translations).
    translated_required_fields = ("title", "text")

    objects = ProjectUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("field update")
        verbose_name_plural = _("field updates")
        indexes = [
            # The newest public news (home page, feed) and one project's news, newest first.
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(is_published=True),
                name="update_public_order",
            ),
            models.Index(fields=["project", "-published_at", "-id"], name="update_project_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(image="") | (Q(image_alt_fr__isnull=False) & ~Q(image_alt_fr="")),
                name="project_update_image_has_alt_text",
                violation_error_message=_("Describe the photo in its alternative text."),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        sanitise_all_rich_text(self)
        super().save(*args, **kwargs)

    def publication_state(self) -> Publication:
        """Return where the update stands for visitors (its project's state counts too)."""
        now = timezone.now()
        own = publication_state(self.is_published, self.published_at, now)
        project = publication_state(self.project.is_published, self.project.published_at, now)
        if own == Publication.PUBLISHED and project != Publication.PUBLISHED:
            return Publication.WAITING_FOR_PROJECT
        return own

    def is_public(self) -> bool:
        """Mirror ``ProjectUpdateQuerySet.published()`` for one update."""
        return self.publication_state() == Publication.PUBLISHED
