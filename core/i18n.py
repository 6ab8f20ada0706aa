"""Links between the languages of the site."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import translate_url
from django.utils import translation


def object_urls_by_language(obj) -> dict[str, str]:
    """Return ``{language code: URL}`` of one object, each with that language's slug."""
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls[code] = obj.get_absolute_url()
    return urls


def get_by_translated_slug(queryset, slug, url=None):
    """Return the object with this slug in the current language, or a redirect to it.

    An address carrying the slug of another language (a visitor who edited /fr/ into
    /en/) is sent on to the object's own address in the current language: its
    ``get_absolute_url()``, or ``url(obj)`` for another page of the same object.
    """
    found = queryset.filter(slug=slug).first()
    if found is not None:
        return found
    other = Q()
    for code, _name in settings.LANGUAGES:
        other |= Q(**{f"slug_{code}": slug})
    found = queryset.filter(other).first()
    if found is None:
        raise Http404
    return redirect(url(found) if url else found, permanent=True)


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
    empty one would make the page unreachable in that language. A slug made here is
    unique in its column ("education-2" when another project's English address is
    already "education"), since the editor never saw it to correct it.
    """
    from django.utils.text import slugify

    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    default_slug = getattr(instance, f"slug_{default}", "") or slugify(
        getattr(instance, f"{source_field}_{default}", "") or ""
    )
    for code, _name in settings.LANGUAGES:
        column = f"slug_{code}"
        if not getattr(instance, column, ""):
            text = getattr(instance, f"{source_field}_{code}", "") or ""
            setattr(instance, column, _unused_slug(instance, column, slugify(text) or default_slug))


def _unused_slug(instance, column: str, slug: str) -> str:
    """Return ``slug``, cut to the column's length and numbered if another row has it."""
    max_length = instance._meta.get_field(column).max_length
    others = type(instance)._default_manager.exclude(pk=instance.pk)
    candidate = slug[:max_length].strip("-")
    number = 1
    while candidate and others.filter(**{column: candidate}).exists():
        number += 1
        suffix = f"-{number}"
        candidate = slug[: max_length - len(suffix)].strip("-") + suffix
    return candidate
