from collections.abc import Mapping
from dataclasses import dataclass

from django import template
from django.utils import translation

from core.i18n import fallback_order
from core.richtext import rich_text_sanitiser

register = template.Library()


@dataclass(frozen=True)
class TranslatedText:
    text: str
    lang: str
    is_fallback: bool

    def __str__(self):
        return self.text

    def __bool__(self):
        return bool(self.text)


@register.simple_tag
def translated(obj, field_name: str) -> TranslatedText:
    """Return a translated field's text in the visitor's language, or the first
    language that has it, and which language that is (for a ``lang`` attribute).

    Usage: ``{% translated project "subtitle" as subtitle %}`` then
    ``<p{% if subtitle.is_fallback %} lang="{{ subtitle.lang }}"{% endif %}>``.

    Rich text is sanitised again here: rows written without ``save()`` (``loaddata``,
    SQL, database expressions) never reach a page as they were stored.
    """
    current = (translation.get_language() or "fr").split("-")[0]
    for code in fallback_order(current):
        text = getattr(obj, f"{field_name}_{code}", "") or ""
        if text:
            sanitize = rich_text_sanitiser(type(obj), f"{field_name}_{code}")
            if sanitize:
                text = sanitize(text)
            return TranslatedText(text, code, code != current)
    return TranslatedText("", current, False)


def translated_plain(columns: Mapping[str, str | None], field_name: str) -> TranslatedText:
    """``translated`` for a plain-text field read as values (``{"title_fr": …}``), not as
    a model instance: the same language, or the first that has it."""
    current = (translation.get_language() or "fr").split("-")[0]
    for code in fallback_order(current):
        text = columns.get(f"{field_name}_{code}") or ""
        if text:
            return TranslatedText(text, code, code != current)
    return TranslatedText("", current, False)


@register.simple_tag(takes_context=True)
def language_urls(context) -> dict:
    """Return the URL of the current page in each language."""
    from core.i18n import page_urls_by_language

    urls = context.get("language_urls")
    if urls:
        return urls
    request = context.get("request")
    return page_urls_by_language(request.path) if request else {}


@register.filter
def get_item(mapping, key):
    """Return ``mapping[key]``, or an empty string when it is missing."""
    return mapping.get(key, "") if mapping else ""
