from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.i18n import fill_missing_slugs, follow_titles, keep_addresses
from core.images import SafeImageField
from core.pagecache import PublicContentQuerySet
from core.richtext import RichTextField, RichTextQuerySet, sanitise_all_rich_text
from core.text_search import holds_every_word, shown_text
from core.web_addresses import WebAddressField, web_address_constraint


class PartnerQuerySet(RichTextQuerySet, PublicContentQuerySet):
    def public(self):
        """Return the partners shown on the public site."""
        return self.filter(is_public=True)

    def named(self, text: str, language: str | None = None):
        """Return the partners whose name, as the visitor reads it, holds every word of
        ``text``, whatever their case and accents."""
        return self.alias(shown_name=shown_text("name", language)).filter(
            holds_every_word("shown_name", text)
        )


def shown_on_site(partner) -> bool:
    return partner.is_public


class PartnerKind(models.TextChoices):
    LEAD = "lead", _("Lead partner")
    LOCAL = "local", _("Local partner")
    FUNDER = "funder", _("Funder")


def list_order(language: str | None = None) -> tuple:
    """Return the expressions the partner list is sorted by: the kind (lead, local, funder),
    then the name as a visitor reading ``language`` (by default, the current one) sees it,
    case aside. Each language's are indexed (``Partner.Meta.indexes``): a page of the list
    is read from an index, not sorted from every public partner."""
    kinds = PartnerKind.values
    kind_rank = Case(
        *(When(kind=kind, then=Value(rank)) for rank, kind in enumerate(kinds)),
        default=Value(len(kinds)),
        output_field=IntegerField(),
    )
    return kind_rank, Lower(shown_text("name", language))


class Partner(models.Model):
    Kind = PartnerKind

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=200, unique=True, help_text=_("The last part of the page address.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LOCAL)
    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences shown on partner cards; 300 characters."),
    )
    description = RichTextField(
        verbose_name=_("description"),
        blank=True,
        help_text=_("The partner's story, shown on its page."),
    )
    country = CountryField(_("country"), blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = WebAddressField(
        _("website"), blank=True, help_text=_("An address starting with http:// or https://.")
    )
    logo = SafeImageField(
        _("logo"),
        upload_to="partners/logos/",
        blank=True,
        width_field="logo_width",
        height_field="logo_height",
        help_text=_("JPEG, PNG or WebP, at most 10 MB."),
    )
    logo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_alt = models.CharField(
        _("logo alternative text"),
        max_length=200,
        blank=True,
        help_text=_("Describes the logo for people who cannot see it. Required with a logo."),
    )
    partner_since = models.PositiveSmallIntegerField(
        _("partner since"),
        null=True,
        blank=True,
        help_text=_("Year the partnership with our organisation began, e.g. 2013."),
    )
    quote = models.TextField(
        _("quote"), blank=True, help_text=_("A founder's or spokesperson's words.")
    )
    quote_author = models.CharField(_("quote author"), max_length=200, blank=True)
    iati_ref = models.CharField(
        _("IATI organisation identifier"),
        max_length=150,
        blank=True,
        help_text=_("The partner's organisation identifier in IATI data, e.g. NP-SWC-1234."),
    )
    iati_type = models.CharField(
        _("IATI organisation type"),
        max_length=3,
        blank=True,
        help_text=_(
            "A code of IATI's OrganisationType list, e.g. 21 (international NGO), "
            "22 (national NGO), 23 (regional NGO), 24 (partner country based NGO)."
        ),
    )
    is_public = models.BooleanField(
        _("shown on the site"), default=True, help_text=_("Untick to hide the partner's page.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The public texts each language needs to be complete (core.translations).
    translated_required_fields = ("name", "summary", "description")

    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        indexes = (
            [
                # The home page's partners, when nothing is kept: the first public partners by
                # kind and name (in each language) read in this order, each checked for a
                # published project until there are enough, instead of every partnership.
                models.Index(
                    fields=["kind", f"name_{language}", "id"],
                    condition=Q(is_public=True),
                    name=f"partner_public_order_{language}",
                )
                for language in ("fr", "en")
            ]
            + [
                # The partner list's order (``list_order``), for its pages and their keys.
                models.Index(
                    *list_order(language),
                    F("id"),
                    condition=Q(is_public=True),
                    name=f"partner_list_order_{language}",
                )
                for language in ("fr", "en")
            ]
            + [
                # The sitemap's latest change of a public partner (``PartnerSitemap``), read
                # from the end of the index after any save of a partner, region or sector.
                models.Index(
                    fields=["updated_at"],
                    condition=Q(is_public=True),
                    name="partner_public_updated",
                )
            ]
        )
        constraints = [
            models.CheckConstraint(
                condition=Q(partner_since__isnull=True)
                | Q(partner_since__gte=1900, partner_since__lte=2100),
                name="partner_since_plausible_year",
                violation_error_message=_("Enter a year between 1900 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(logo="") | (Q(logo_alt_fr__isnull=False) & ~Q(logo_alt_fr="")),
                name="partner_logo_has_alt_text",
                violation_error_message=_("Describe the logo in its alternative text."),
            ),
            web_address_constraint("website", name="partner_website_is_web_address"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        shown = follow_titles(self, "name", shown_on_site, kwargs.get("update_fields"))
        fill_missing_slugs(self, "name")
        sanitise_all_rich_text(self)
        super().save(*args, **kwargs)
        keep_addresses(self, "name", shown_on_site, shown)

    def get_absolute_url(self):
        return reverse("partners:partner_detail", kwargs={"slug": self.slug})

    def get_preview_url(self):
        """Return the preview editors see (``core.preview``), shown on the site or not."""
        return reverse("partners:partner_preview", kwargs={"pk": self.pk})
