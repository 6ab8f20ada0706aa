import functools
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from core import fragments, preview
from core.i18n import get_by_translated_slug, object_urls_by_language
from core.pagecache import editorial_page, public_page
from core.pagination import KeysFirstPaginator
from core.rows import PreparedQuery, RowsByKey
from core.sitemaps import address_around_slug
from core.templatetags.public_site import image, lang_attribute, text
from core.templatetags.translated_fields import translated

from .models import Partner, PartnerQuerySet, list_order

PARTNER_PAGE_PROJECTS = 12
PARTNERS_PER_PAGE = 60
# Pages of the list whose query is kept compiled (``page_keys``), all languages together.
PREPARED_PAGES = 256
# What a partner card shows; the story, quote and the like stay in the database.
CARD_FIELDS = [
    "pk",
    "kind",
    "name",
    "slug",
    "summary",
    "city",
    "country",
    "logo",
    "logo_width",
    "logo_height",
]


def find_partner(slug) -> Partner | None:
    """Return the public partner at this slug, or None (the slug leads elsewhere, or nowhere)."""
    found = get_by_translated_slug(Partner.objects.public(), slug)
    return found if isinstance(found, Partner) else None


def listed_partners(
    request,
) -> tuple[str, object, dict[int, int], list[Partner] | None, str | None]:
    """Return the partner list's search, its page, the number of published projects of
    each partner it lists, their rows when they were read with the page (None when the
    page came as keys), and every partner's version (``fragments.ANY_PARTNER``, None
    without fragments): chosen once per request."""
    listed = getattr(request, "_listed_partners", None)
    if listed is not None:
        return listed
    query = request.GET.get("q", "").strip()[:100]
    # Which partners a page lists depends on the partners alone: kept across the catalogue,
    # as keys (the queryset built only when they are not kept; their rows read only when
    # the cards are drawn). Without fragments, the page is read as rows, in one query.
    as_keys = fragments.in_use()
    # Which partners there are and their order move with any partner's save, with nothing
    # else: the count (under the version that a partner added, deleted, shown or hidden
    # moves) and pages are kept under every partner's version (read before the rows),
    # across the saves of regions and sectors and the changes of the catalogue.
    versions = fragments.partner_versions([fragments.ANY_PARTNER, fragments.PARTNERS_ADDED])
    everyone = versions.get(fragments.ANY_PARTNER)
    page = KeysFirstPaginator(
        lambda: partners_in_order(query, as_keys=as_keys),
        PARTNERS_PER_PAGE,
        memo=("partner-keys", (query, everyone)),
        keys_only=True,
        across_catalogue=True,
        no_names=True,
        # Without a search, how many there are is kept across renames.
        known_count=None
        if query
        else lambda: public_partner_count(versions.get(fragments.PARTNERS_ADDED)),
        page_keys=None if query else page_keys,
    ).get_page(request.GET.get("page"))
    rows = None if as_keys else list(page.object_list)
    keys = list(page.object_list) if as_keys else [partner.pk for partner in rows]
    # From the kept counts of the catalogue, without a round trip of its own.
    counts = published_project_counts(keys)
    listed = (query, page, {pk: counts.get(pk, 0) for pk in keys}, rows, everyone)
    request._listed_partners = listed
    return listed


def public_partner_count(added: str | None = None) -> int | None:
    """Return the number of public partners, kept under the version that a partner added
    or deleted, shown or hidden moves (``fragments.PARTNERS_ADDED``, read first when not
    given as ``added``): a partner renamed keeps it.
    None without fragments."""
    if not fragments.in_use():
        return None
    if added is None:
        added = fragments.partner_versions([fragments.PARTNERS_ADDED])[fragments.PARTNERS_ADDED]
    return fragments.memo(
        "partner-count",
        (added,),
        lambda: Partner.objects.public().count(),
        across_catalogue=True,
        no_partners=True,
        no_names=True,
    )


class CardAddresses:
    """What the cards of a page link to, worked out once for all of them in the current
    language: each partner's page (its address around its slug) and the project list;
    and the countries' names."""

    def __init__(self):
        self.detail = address_around_slug("partners:partner_detail")
        self.projects = reverse("portfolio:project_list")
        self.countries = {}

    def partner(self, slug: str) -> str:
        # As ``reverse`` quotes it. A slug is letters, digits, "-" and "_" (the field
        # validates it, and saves fill a missing one), which ``reverse`` would check.
        return quote(slug, safe=RFC3986_SUBDELIMS + "/~:@").join(self.detail)

    def country(self, country) -> str:
        found = self.countries.get(country.code)
        if found is None:
            found = self.countries[country.code] = escape(country.name)
        return found


def partner_card(partner: Partner, projects: int, addresses: CardAddresses | None = None) -> str:
    """Return a partner's card in the partner list: logo, name (a link to its page), city
    and country, summary, and its number of published projects (a link to them on the
    project list). ``addresses``: those of the page's cards, made once for them all.

    Written in Python rather than an included template: a page of the list draws 60,
    which after a deploy are all drawn at once."""
    addresses = addresses or CardAddresses()
    parts = ['<li class="partner-card">']
    if partner.logo:
        parts.append(image(partner.logo, alt="", sizes="4rem", css_class="partner-logo"))
    heading = f"partner-{partner.pk}"
    name = conditional_escape(text(partner, "name"))
    slug = partner.slug
    parts.append(f'<h3 id="{heading}"><a href="{escape(addresses.partner(slug))}">{name}</a></h3>')
    city, country = partner.city, partner.country
    if city or country:
        city = f"{escape(city)}, " if city else ""
        parts.append(f'<p class="muted">{city}{addresses.country(country)}</p>')
    summary = translated(partner, "summary")
    if summary:
        parts.append(f"<p{lang_attribute(summary)}>{escape(summary.text)}</p>")
    if projects:
        listed = f"{addresses.projects}?partner={quote(slug, safe='/')}"
        label = ngettext("%(counter)s project", "%(counter)s projects", projects) % {
            "counter": localize(projects)
        }
        parts.append(
            f'<p class="card-meta"><a href="{escape(listed)}" aria-describedby="{heading}">'
            f"{escape(label)}</a></p>"
        )
    parts.append("</li>")
    return "".join(parts)


def partner_cards(counts: dict[int, int], rows: list[Partner] | None) -> list[tuple[str, str]]:
    """Return ``(kind, HTML)`` of the card of each listed partner, in the list's order:
    drawn from these rows, or (None) kept, each under its partner's version and number
    of projects, across the catalogue (a partner saved draws its own card anew, not the
    others), those not kept drawn from their rows, read in one query."""
    pks = list(counts)
    given = {partner.pk: partner for partner in rows or ()}
    # Read before the rows. The list that shows the cards is kept under every partner's
    # version (``listed_partners``), which each partner's save moves: it does not take on
    # each partner's own, which reading it back would check one by one.
    versions = fragments.partner_versions(pks, depend=False) if pks else {}

    def draw(missing: list[int]) -> dict[int, tuple[str, str]]:
        found = given | partner_rows([pk for pk in missing if pk not in given], versions)
        drawn, addresses = {}, CardAddresses()
        for pk in missing:
            partner = found.get(pk)
            if partner is not None:  # Else gone since the list was kept: shows nothing.
                drawn[pk] = (partner.kind, partner_card(partner, counts[pk], addresses))
        return drawn

    if not fragments.in_use():
        cards = draw(pks)
    else:
        keys = {
            pk: fragments.fragment_key(
                "partner-card",
                pk,
                versions[pk],
                counts[pk],
                across_catalogue=True,
                no_partners=True,
                no_names=True,
            )
            for pk in pks
        }
        cards = fragments.kept_each(keys, draw)
    return [cards[pk] for pk in pks if pk in cards]


@functools.cache
def _rows_by_key(fields: tuple[str, ...] | None) -> RowsByKey:
    """Return the reader of partners' rows with these fields (None: every column), each
    field with its translations, as ``Partner.objects.only(*fields)`` reads them, with a
    query compiled once: after a partner's save, a page reads its row and little else."""
    if fields is None:
        return RowsByKey(Partner)
    # The translated manager's own reading of the fields (a translated one with its column
    # in each language).
    only, _deferred = Partner.objects.only(*fields).query.deferred_loading
    return RowsByKey(Partner, only=lambda: sorted(set(only) - {"pk"}))


def partner_rows(
    pks: list[int],
    versions: dict[int, str],
    *,
    fields: list[str] | None = CARD_FIELDS,
    name: str = "partner-row",
) -> dict[int, Partner]:
    """Return ``{pk: partner}`` with these fields (what a card shows; None: the whole
    row), each kept as ``name`` under its partner's version (``versions``, read before),
    which is all they show (no name of a region or sector: under the counts token): a
    card drawn anew for a new number of projects, or a project's page after another
    partner saved, reads no row of theirs. Those not kept are read in one query."""

    def read(unread: list[int]) -> dict[int, Partner]:
        return _rows_by_key(None if fields is None else tuple(fields))(unread)

    if not fragments.in_use():
        return read(pks)
    keys = {
        pk: fragments.fragment_key(
            name, pk, versions[pk], across_catalogue=True, no_partners=True, no_names=True
        )
        for pk in pks
    }
    return fragments.kept_each(keys, read)


def partners_in_order(query: str, *, as_keys: bool = False):
    """Return the public partners (those whose name is searched), by kind then name: their
    card fields, or their keys alone (``as_keys``)."""
    partners = Partner.objects.public()
    if query:
        partners = partners.named(query)
    partners = in_list_order(partners)
    return partners.values_list("pk", flat=True) if as_keys else partners.only(*CARD_FIELDS)


def in_list_order(partners, language: str | None = None):
    """Return these partners in the list's order, as a visitor reading ``language`` (by
    default, the current one) sees it: by kind, then name."""
    kind_order, sort_name = list_order(language)
    partners = partners.alias(kind_order=kind_order, sort_name=sort_name)
    return partners.order_by("kind_order", "sort_name", "pk")


@functools.lru_cache(maxsize=PREPARED_PAGES)
def _prepared_page(language: str, bottom: int, top: int) -> PreparedQuery:
    return PreparedQuery(
        Partner,
        lambda now, keys: in_list_order(PartnerQuerySet(Partner).public(), language).values_list(
            "pk"
        )[bottom:top],
    )


def page_keys(bottom: int, top: int) -> list[int]:
    """Return the keys of the public partners from ``bottom`` to ``top`` in the list's order
    (no search), in a query compiled once per process, language and page
    (``core.rows.PreparedQuery``): after any partner's save (which may move the list's
    order), the list reads its page without building that query."""
    return [pk for (pk,) in _prepared_page(translation.get_language(), bottom, top)()]


def partners_shown(request) -> tuple:
    """What the partner list shows of the catalogue: which partners, with how many
    projects each (their rows are kept across the catalogue), under every partner's
    version."""
    query, page, counts, _rows, everyone = listed_partners(request)
    return (query, page.number, tuple(counts.items()), everyone)


# Kept across the catalogue under what it shows: a project published leaves it as it
# was unless it moves a listed partner's count; a region or a sector saved, or a partner
# that it does not list renamed, leaves it too (it shows no name of theirs).
@editorial_page(shown=partners_shown, no_names=True)
@require_safe
def partner_list(request):
    """List the public partners by kind, a page at a time, or those whose name is searched."""
    query, page, counts, rows, _everyone = listed_partners(request)

    def groups():
        # Only when the cards are drawn (they are kept under what they show).
        grouped = []
        for kind, card in partner_cards(counts, rows):
            if not grouped or grouped[-1][0] != kind:
                grouped.append((kind, []))
            grouped[-1][1].append(mark_safe(card))  # noqa: S308 - escaped by partner_card
        return grouped

    return render(
        request,
        "partners/partner_list.html",
        {
            "groups": groups,
            "shown": partners_shown(request),
            "page_obj": page,
            "query": query,
            "canonical_path": list_url(translation.get_language(), query, page.number),
            "language_urls": {
                code: list_url(code, query, page.number) for code, _name in settings.LANGUAGES
            },
        },
    )


def published_project_counts(keys) -> dict[int, int]:
    """Return ``{partner pk: number of published projects}`` for these partners only."""
    if not keys:
        return {}
    # The reverse relation comes from portfolio: its manager gives the publication rule
    # and the kept counts, since partners never imports portfolio.
    projects = Partner.projects.field.model.objects
    kept = projects.kept_counts_by_partner(list(keys))
    if kept is not None:
        return kept
    published = projects.publication_condition("projects__")
    counted = (
        Partner.objects.filter(pk__in=keys)
        .annotate(project_count=Count("projects", filter=published, distinct=True))
        .values_list("pk", "project_count")
    )
    return dict(counted)


def list_url(language, query, page_number=1) -> str:
    """Return the partner list's address in ``language``, with this search and page."""
    params = {}
    if query:
        params["q"] = query
    if page_number > 1:
        params["page"] = page_number
    with translation.override(language):
        path = reverse("partners:partner_list")
    return f"{path}?{urlencode(params)}" if params else path


@public_page
@require_safe
def partner_detail(request, slug):
    # A partner's own row: kept across the catalogue, under the names token (which any
    # partner's save renews).
    partner = fragments.memo("partner", (slug,), lambda: find_partner(slug), across_catalogue=True)
    if partner is None:
        return get_by_translated_slug(Partner.objects.public(), slug)  # The redirect or 404.
    return render(request, "partners/partner_detail.html", partner_context(partner))


def partner_context(partner) -> dict:
    """What this partner's page shows."""
    # The reverse relation comes from portfolio; its manager keeps published().
    # One partnership per partner and project, so no project comes twice.
    projects = partner.projects.published()
    # A change of the catalogue by projects it takes no part in leaves them as they were.
    keys, count = projects.kept_apart_from(
        "partner-projects",
        (partner.pk,),
        lambda: (list(projects.values("pk")[:PARTNER_PAGE_PROJECTS]), projects.count()),
        partner=partner.pk,
    )
    # The cards are kept on their own ({% project_cards %}): the keys are enough.
    shown = [row["pk"] for row in keys]
    return {
        "partner": partner,
        "page_projects": shown,
        "project_count": count,
        "language_urls": object_urls_by_language(partner),
    }


@require_safe
def partner_preview(request, pk):
    """Show a partner as its page will look, shown on the site or not (see ``core.preview``)."""
    preview.start(request)
    partner = get_object_or_404(Partner, pk=pk)
    refused = preview.refusal(request, partner)
    if refused is not None:
        return refused
    if partner.is_public:
        message = _("This partner is shown on the site: visitors see this page.")
    else:
        message = _("This partner is hidden: visitors cannot see its page.")
    context = partner_context(partner) | preview.context(request, partner, message)
    return preview.mark(render(request, "partners/partner_detail.html", context))
