"""Template helpers for the public pages of every app."""

import html
import re

import nh3
from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from core.templatetags.translated_fields import translated
from core.web_addresses import safe_web_address

register = template.Library()

# How each language calls itself in Open Graph's locale field.
OPEN_GRAPH_LOCALES = {"fr": "fr_CA", "en": "en_CA"}


@register.simple_tag
def text(obj, field_name: str):
    """Print a translated field's plain text; text shown in another language is marked
    with a ``lang`` attribute, so screen readers pronounce it right.

    Usage: ``{% text region "name" %}``.
    """
    value = translated(obj, field_name)
    if value.is_fallback:
        return format_html('<span lang="{}">{}</span>', value.lang, value.text)
    return value.text


@register.inclusion_tag("includes/privacy_officer.html")
def privacy_officer():
    """Name the person in charge of the protection of personal information and how to
    reach them (settings ``PRIVACY_OFFICER_*``). Usage: ``{% privacy_officer %}``."""
    return {
        "name": settings.PRIVACY_OFFICER_NAME,
        "title": settings.PRIVACY_OFFICER_TITLE,
        "email": settings.PRIVACY_OFFICER_EMAIL,
        "address": settings.PRIVACY_OFFICER_ADDRESS,
    }


@register.filter
def web_address(value) -> str:
    """Return a stored address a page may link to (http or https), else an empty string.

    Usage: ``{% with url=partner.website|web_address %}{% if url %}<a href="{{ url }}">``.
    """
    return safe_web_address(value)


@register.simple_tag(takes_context=True)
def absolute_uri(context, url: str = "") -> str:
    """Return ``url`` (a path, or already absolute) as an absolute address."""
    request = context.get("request")
    if request is None:
        return url
    return request.build_absolute_uri(url or request.path)


# The main menu's items, by the URL of the page each leads to.
MENU = (("projects", "portfolio:project_list"), ("partners", "partners:partner_list"))


@register.simple_tag(takes_context=True)
def nav_current(context) -> str:
    """Return the main menu's item that is the current page ("projects", "partners"), or
    "" (the header, kept as a fragment, varies on it rather than on every address)."""
    request = context.get("request")
    path = request.path if request is not None else None
    return next((item for item, url_name in MENU if path == reverse(url_name)), "")


@register.simple_tag
def open_graph_locale(language_code: str) -> str:
    return OPEN_GRAPH_LOCALES.get(language_code, language_code)


@register.simple_tag
def default_language_url(urls: dict) -> str:
    """Return the default language's address from ``{language: URL}`` (for x-default)."""
    return urls.get(settings.LANGUAGE_CODE, "") if urls else ""


@register.simple_tag
def page_numbers(page_obj) -> list:
    """Return the page numbers to link to around the current page; None marks a gap."""
    paginator = page_obj.paginator
    return [
        None if number == paginator.ELLIPSIS else number
        for number in paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    ]


FIRST_PARAGRAPH = re.compile(r"<p\b[^>]*>.*?</p>", re.DOTALL | re.IGNORECASE)
# Words kept of a story that has no paragraph (only a list or headings, say).
EXCERPT_WORDS = 60


@register.filter
def first_paragraph(rich_text) -> str:
    """Return the first paragraph of sanitised rich text (its first words if it has none).

    Usage: ``{{ story.text|first_paragraph }}``. The cut is sanitised again, so a cut
    made in an odd place still closes every tag it opened.
    """
    text = str(rich_text or "")
    found = FIRST_PARAGRAPH.search(text)
    excerpt = found.group(0) if found else Truncator(text).words(EXCERPT_WORDS, html=True)
    return mark_safe(nh3.clean(excerpt))  # noqa: S308 - cleaned just now


BLOCK_ENDS = re.compile(r"</(?:p|li|h[1-6]|blockquote)>|<br\s*/?>", re.IGNORECASE)


@register.filter
def plain_text(rich_text) -> str:
    """Return the words of rich text without its markup, to be escaped where shown.

    Usage: ``{{ update_text.text|plain_text|truncatewords:30 }}``. Paragraphs stay apart.
    """
    text = strip_tags(BLOCK_ENDS.sub(" ", str(rich_text or "")))
    return " ".join(html.unescape(text).split())


@register.simple_tag
def image(file, alt="", sizes="100vw", eager=False, css_class=""):
    """Return a responsive ``<img>`` for an uploaded image (a SafeImageField file).

    Its size comes from the field's width and height columns, its ``srcset`` from the
    renditions made on upload. The cover (``eager``) loads first; the others lazily.
    Written in Python rather than an included template: pages show dozens of them.
    """
    if not file:
        return ""
    field = file.field
    loading = (
        mark_safe(' fetchpriority="high"')
        if eager
        else mark_safe(' loading="lazy" decoding="async"')
    )
    return format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{}{}>',
        file.url,
        file.srcset(),
        sizes,
        getattr(file.instance, field.width_field or "", "") or "",
        getattr(file.instance, field.height_field or "", "") or "",
        alt,
        loading,
        format_html(' class="{}"', css_class) if css_class else "",
    )


def lang_attribute(value) -> str:
    """Return `` lang="…"`` for text shown in another language, else nothing."""
    return format_html(' lang="{}"', value.lang) if value.is_fallback else ""
