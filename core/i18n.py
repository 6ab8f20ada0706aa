"""Links between the languages of the site."""

from __future__ import annotations

from django.conf import settings
from django.urls import translate_url
from django.utils import translation


def object_urls_by_language(obj) -> dict[str, str]:
    """Return ``{language code: URL}`` of one object, each with that language's slug."""
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls[code] = obj.get_absolute_url()
    return urls


def page_urls_by_language(path: str) -> dict[str, str]:
    """Return ``{language code: URL}`` of a page whose address holds no translated slug."""
    return {code: translate_url(path, code) for code, _name in settings.LANGUAGES}


def fallback_order(language: str | None = None) -> list[str]:
    """Return the languages to try, in order, for text shown in ``language``."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    language = language.split("-")[0]
    order = [language]
    order += [code for code, _name in settings.LANGUAGES if code != language]
    return order


def fill_missing_slugs(instance, source_field: str) -> None:
    """Give every language a slug: from that language's own text, else the default's.

    Each language's URLs look an object up by that language's slug column, so an
    empty one would make the page unreachable in that language.
    """
    from django.utils.text import slugify

    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    default_slug = getattr(instance, f"slug_{default}", "") or slugify(
        getattr(instance, f"{source_field}_{default}", "") or ""
    )
    for code, _name in settings.LANGUAGES:
        if not getattr(instance, f"slug_{code}", ""):
            text = getattr(instance, f"{source_field}_{code}", "") or ""
            setattr(instance, f"slug_{code}", slugify(text)[:200] or default_slug)
