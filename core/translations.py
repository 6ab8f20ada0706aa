"""Which languages of a page are complete: its required public texts filled in each.

Each model names its required texts once, in ``translated_required_fields``; the admin's
column, its filter, the publication warning and the translation report all ask here.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.db.models import Q
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_name(code: str) -> str:
    return gettext(dict(settings.LANGUAGES)[code])


def required_fields(model) -> tuple[str, ...]:
    return model.translated_required_fields


def is_filled(value) -> bool:
    """Tell whether a text says something (a rich text of empty paragraphs does not)."""
    return bool(strip_tags(value or "").replace("&nbsp;", " ").strip())


def missing_fields(obj, code: str, fields=None) -> list[str]:
    """Return the names of the required texts of ``obj`` left empty in language ``code``."""
    fields = fields or required_fields(type(obj))
    return [name for name in fields if not is_filled(getattr(obj, f"{name}_{code}", ""))]


def missing_by_language(obj, fields=None) -> dict[str, list[str]]:
    """Return ``{language: [field names]}`` for every language with a required text empty."""
    missing = {code: missing_fields(obj, code, fields) for code in language_codes()}
    return {code: names for code, names in missing.items() if names}


def field_label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def missing_condition(model, code: str) -> Q:
    """Return the rows with a required text empty in language ``code``, as a condition.

    Rich texts left as empty paragraphs by the editor count as filled here: the database
    cannot strip markup; the column and the report, which read each row, can.
    """
    condition = Q()
    for name in required_fields(model):
        column = f"{name}_{code}"
        condition |= Q(**{f"{column}__isnull": True}) | Q(**{column: ""})
    return condition


class MissingTranslationFilter(admin.SimpleListFilter):
    """Filter the rows missing a required text in one language."""

    title = _("translations")
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        return [
            (code, gettext("Missing %(language)s") % {"language": language_name(code)})
            for code in language_codes()
        ]

    def queryset(self, request, queryset):
        if self.value() in language_codes():
            return queryset.filter(missing_condition(queryset.model, self.value()))
        return queryset


class TranslationStatusAdmin:
    """A list column saying which languages of each row are complete."""

    @admin.display(description=_("translations"))
    def translation_status(self, obj):
        missing = missing_by_language(obj)
        return format_html(
            '<span class="translation-status">{}</span>',
            format_html_join(
                " ",
                '<span class="translation-{}" title="{}"><span aria-hidden="true">{} {}</span>'
                '<span class="visually-hidden">{}</span></span>',
                (
                    (
                        "missing" if code in missing else "complete",
                        text,
                        code.upper(),
                        "✗" if code in missing else "✓",
                        text,
                    )
                    for code in language_codes()
                    for text in [status_text(code, code in missing)]
                ),
            ),
        )


def status_text(code: str, missing: bool) -> str:
    if missing:
        return gettext("%(language)s: incomplete") % {"language": language_name(code)}
    return gettext("%(language)s: complete") % {"language": language_name(code)}
