"""One language switch for the whole admin form, an error summary, accessible widgets.

modeltranslation's tabbed admin puts a pair of language tabs on every translated field;
editors then click dozens of tabs to read a project in one language, and the tabs nest a
link in a tab (an accessibility fault). The admins here use modeltranslation's plain
admin, which only marks each translated field (``mt-field-<name>-<language>``), and one
switch at the top of the form (``static/js/admin-languages.js``) shows that language's
field everywhere, inlines and rows added later included.
"""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import FieldDoesNotExist
from django.forms.forms import NON_FIELD_ERRORS
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from modeltranslation.fields import TranslationField

# The rich-text editor's button names, which django-prose-editor leaves in English.
EDITOR_LABELS = {
    "bold": _("bold"),
    "italic": _("italic"),
    "unordered list": _("bulleted list"),
    "ordered list": _("numbered list"),
    "blockquote": _("quote"),
    "insert link": _("insert a link"),
    "remove link": _("remove the link"),
    "paragraph": _("paragraph"),
    "undo": _("undo"),
    "redo": _("redo"),
    "heading 2": _("heading 2"),
    "heading 3": _("heading 3"),
    "heading 4": _("heading 4"),
    "Heading 2": _("Heading 2"),
    "Heading 3": _("Heading 3"),
    "Heading 4": _("Heading 4"),
    "Paragraph": _("Paragraph"),
    "horizontal rule": _("horizontal rule"),
    "Toggle fullscreen": _("full screen"),
}


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time inputs, each with a real ``<label>``.

    Django's widget writes "Date:" and "Time:" as plain text, and the field's own label
    points at neither input, so screen readers announce two unnamed boxes.
    """

    template_name = "core/widgets/split_datetime.html"


@dataclass(frozen=True)
class FieldError:
    """One entry of the error summary: where the field is, what it is called, what is wrong."""

    field_id: str
    label: str
    message: str
    language: str = ""


def translation_language(form, name: str) -> str:
    """Return the language of ``form``'s field ``name`` if it is a translation column."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is None:
        return ""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a field of the form only
        return ""
    return field.language if isinstance(field, TranslationField) else ""


def form_errors(form, prefix: str = "") -> list[FieldError]:
    """Return the summary entries of one form's field errors, in the form's order."""
    entries = []
    for name, bound_field in ((name, form[name]) for name in form.fields):
        if name not in form.errors or bound_field.is_hidden:
            continue
        label = f"{prefix}{bound_field.label}"
        entries.append(
            FieldError(
                field_id=bound_field.id_for_label or bound_field.auto_id,
                label=label,
                message=" ".join(str(error) for error in form.errors[name]),
                language=translation_language(form, name),
            )
        )
    return entries


def error_summary(adminform, inline_admin_formsets) -> list[FieldError]:
    """Return every field error of a change form and its inlines, each one linkable."""
    entries = form_errors(adminform.form)
    for inline in inline_admin_formsets:
        formset = inline.formset
        title = inline.opts.verbose_name_plural or inline.opts.verbose_name
        for number, form in enumerate(formset.forms, start=1):
            if form.errors:
                prefix = f"{str(title).capitalize()} #{number} — "
                entries.extend(form_errors(form, prefix))
                for message in form.errors.get(NON_FIELD_ERRORS, []):
                    entries.append(
                        FieldError(f"{formset.prefix}-{number - 1}", prefix.rstrip(" —"), message)
                    )
        for message in formset.non_form_errors():
            entries.append(FieldError(f"{formset.prefix}-group", str(title).capitalize(), message))
    return entries


# Each language by its own name, as editors look for it in a switch.
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


class SummarisedErrors(list):
    """The form's errors, false in a template's ``{% if errors %}``: the error summary shows
    them, so Django's own note is left out, while code reading ``errors`` still finds them."""

    def __bool__(self):
        return False


class LanguageSwitchMixin:
    """The script and style of the language switch, the error summary and the editor;
    date and time inputs with labels."""

    @property
    def media(self):
        return super().media + forms.Media(
            js=[
                # django-prose-editor's own strings (its link dialog), in the admin's language.
                reverse("admin_editor_jsi18n"),
                "js/admin-languages.js",
                "js/admin-editor.js",
            ],
            css={"all": ["css/admin-languages.css"]},
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and type(formfield.widget) is AdminSplitDateTime:
            formfield.widget = LabelledSplitDateTime(attrs=formfield.widget.attrs)
        return formfield


class TranslatedAdmin(LanguageSwitchMixin, TranslationAdmin):
    """A ModelAdmin with translated fields, edited one language at a time."""

    change_form_template = "admin/translated_change_form.html"

    def render_change_form(self, request, context, *args, **kwargs):
        languages = [
            {"code": code, "name": LANGUAGE_NAMES.get(code, code)}
            for code, _name in settings.LANGUAGES
        ]
        adminform = context.get("adminform")
        entries = (
            error_summary(adminform, context.get("inline_admin_formsets", []))
            if adminform is not None and adminform.form.is_bound
            else []
        )
        with_errors = {entry.language for entry in entries if entry.language}
        for language in languages:
            language["has_errors"] = language["code"] in with_errors
        if entries:
            # The summary takes the place of Django's one-line note (shown when ``errors``
            # is set), with the form's own errors; the page title still says "Error".
            context["error_count"] = len(context.get("errors") or entries)
            context["errors"] = SummarisedErrors(context.get("errors") or [])
        context.update(
            edited_languages=languages,
            admin_language=(get_language() or settings.LANGUAGE_CODE).split("-")[0],
            error_summary=entries,
            editor_labels={key: str(label) for key, label in EDITOR_LABELS.items()},
        )
        return super().render_change_form(request, context, *args, **kwargs)


class TranslatedStackedInline(LanguageSwitchMixin, TranslationStackedInline):
    """A stacked inline whose translated fields follow the form's language switch."""


class TranslatedTabularInline(LanguageSwitchMixin, TranslationTabularInline):
    """A tabular inline whose translated columns follow the form's language switch."""
