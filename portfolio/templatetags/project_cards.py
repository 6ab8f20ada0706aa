"""Project cards, written in Python: lists, the home page and related projects show many,
and an included template costs several times more per card."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from core.templatetags.public_site import image, lang_attribute, text
from core.templatetags.translated_fields import translated

register = template.Library()

CARD_IMAGE_SIZES = "(min-width: 72rem) 22rem, (min-width: 40rem) 45vw, 100vw"


@register.simple_tag
def project_card(project, heading="h3", footer=""):
    """Return a project's card: cover, status, sector, title, regions, summary.

    ``heading`` is the title's level ("h2" or "h3") so the card fits the page's outline;
    ``footer`` is HTML shown at the bottom (the funding bar, from the donations app).
    Expects ``sector`` selected and ``regions`` prefetched (``views.card_projects``).
    """
    heading = "h2" if heading == "h2" else "h3"
    title = translated(project, "title")
    if project.cover_image:
        cover = image(
            project.cover_image,
            alt=translated(project, "cover_alt").text,
            sizes=CARD_IMAGE_SIZES,
            css_class="card-image",
        )
    else:
        cover = mark_safe('<div class="card-image card-image-empty"></div>')
    sector = (
        format_html(' <span class="card-sector">{}</span>', text(project.sector, "name"))
        if project.sector
        else ""
    )
    regions = list(project.regions.all())
    places = (
        format_html(
            '<p class="card-places"><span class="visually-hidden">{} </span>{}</p>',
            gettext("Regions:"),
            format_html_join(", ", "{}", ((text(region, "name"),) for region in regions)),
        )
        if regions
        else ""
    )
    summary = translated(project, "summary") or translated(project, "subtitle")
    blurb = (
        format_html('<p class="card-summary"{}>{}</p>', lang_attribute(summary), summary.text)
        if summary
        else ""
    )
    return format_html(
        '<article class="card">{cover}<div class="card-body"><p class="card-meta">'
        '<span class="status status-{status}">{status_label}</span>{sector}</p>'
        '<{h} class="card-title"><a href="{url}"{title_lang}>{title}</a></{h}>'
        "{places}{blurb}{footer}</div></article>",
        cover=cover,
        status=project.status,
        status_label=project.get_status_display(),
        sector=sector,
        h=heading,
        url=project.get_absolute_url(),
        title_lang=lang_attribute(title),
        title=title.text,
        places=places,
        blurb=blurb,
        footer=footer,
    )
