"""Links between the languages of the site."""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.signals import setting_changed
from django.db.models import Q
from django.dispatch import receiver
from django.http import Http404
from django.shortcuts import redirect
from django.urls import get_script_prefix, translate_url
from django.utils import translation
from django.utils.translation import trans_real


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
    /en/), or a slug the page had before, is sent on to the object's own address in the
    current language: its ``get_absolute_url()``, or ``url(obj)`` for another page of
    the same object.
    """
    found = queryset.filter(slug=slug).first()
    if found is not None:
        return found
    from core.models import PublishedSlug

    meta = queryset.model._meta
    # An address the page had before an editor changed its slug (``keep_addresses``).
    former = PublishedSlug.objects.filter(
        content_type__app_label=meta.app_label, content_type__model=meta.model_name, slug=slug
    ).values("object_id")
    other = Q(pk__in=former)
    for code, _name in settings.LANGUAGES:
        other |= Q(**{f"slug_{code}": slug})
    found = queryset.filter(other).first()
    if found is None:
        raise Http404
    return redirect(url(found) if url else found, permanent=True)


def page_urls_by_language(path: str) -> dict[str, str]:
    """Return ``{language code: URL}`` of a page whose address holds no translated slug."""
    return dict(_translated_urls(path, translation.get_language(), get_script_prefix()))


@receiver(setting_changed)
def _forget_translated_urls(*, setting, **kwargs):
    if setting in ("ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "PREFIX_DEFAULT_LANGUAGE"):
        _translated_urls.cache_clear()


@functools.lru_cache(maxsize=2048)
def _translated_urls(path: str, _language, _prefix: str) -> tuple[tuple[str, str], ...]:
    """The addresses of ``path`` in each language, found once per process, active
    language (which resolves the address) and prefix: they follow from the URL patterns
    alone, and finding them resolves the address and reverses it in every language."""
    return tuple((code, translate_url(path, code)) for code, _name in settings.LANGUAGES)


def fallback_order(language: str | None = None) -> list[str]:
    """Return the languages to try, in order, for text shown in ``language``."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    language = language.split("-")[0]
    order = [language]
    order += [code for code, _name in settings.LANGUAGES if code != language]
    return order


def negotiated_language(request) -> str:
    """Return the site's language that the request's ``Accept-Language`` prefers, else the
    default one.

    For addresses without a language in them (the API): unlike Django's own negotiation,
    it ignores the language cookie, so a response depends on the address and this one
    header only, which the page cache keys on and the response varies on.
    """
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for accepted, _quality in trans_real.parse_accept_lang_header(header):
        if accepted == "*":
            break
        try:
            return translation.get_supported_language_variant(accepted)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


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


def follow_titles(
    instance, source_field: str, public, update_fields=None
) -> list[tuple[str, str]] | None:
    """Before ``instance`` is saved, let each language's slug follow its title until the
    page has been published in that language; after, the slug stays as it is.

    ``public(obj)`` tells whether visitors see ``obj``. A slug follows when the title of
    its language changed and the editor left the slug alone. Return the (language, slug)
    pairs the saved page had in public, for ``keep_addresses`` to record after the save;
    None for a save of some fields only (``update_fields``), which leaves addresses alone.
    """
    from core.models import PublishedSlug

    if update_fields is not None:
        return None
    if instance.pk is None:
        return []
    saved = type(instance)._default_manager.filter(pk=instance.pk).first()
    if saved is None:
        return []
    published = set(PublishedSlug.objects.of(instance).values_list("language", flat=True))
    shown = []
    if public(saved):
        for code, _name in settings.LANGUAGES:
            if getattr(saved, f"{source_field}_{code}", ""):
                published.add(code)
                shown.append((code, getattr(saved, f"slug_{code}")))
    for code, _name in settings.LANGUAGES:
        if code in published:
            continue
        title_changed = getattr(instance, f"{source_field}_{code}", "") != getattr(
            saved, f"{source_field}_{code}", ""
        )
        slug_untouched = getattr(instance, f"slug_{code}") == getattr(saved, f"slug_{code}")
        if title_changed and slug_untouched:
            # Emptied here, made again from the new title by ``fill_missing_slugs``.
            setattr(instance, f"slug_{code}", "")
    return shown


def keep_addresses(instance, source_field: str, public, shown_before) -> None:
    """After a save, record the slugs visitors have seen, so that they lead here for good."""
    from django.contrib.contenttypes.models import ContentType

    from core.models import PublishedSlug

    if shown_before is None:
        return
    shown = list(shown_before)
    if public(instance):
        shown += [
            (code, getattr(instance, f"slug_{code}"))
            for code, _name in settings.LANGUAGES
            if getattr(instance, f"{source_field}_{code}", "")
        ]
    known = set(PublishedSlug.objects.of(instance).values_list("language", "slug"))
    content_type = ContentType.objects.get_for_model(instance)
    for code, slug in dict.fromkeys(shown):
        if slug and (code, slug) not in known:
            # The object holding an address now wins it over one that held it before.
            PublishedSlug.objects.update_or_create(
                content_type=content_type,
                language=code,
                slug=slug,
                defaults={"object_id": instance.pk},
            )
