"""Versions of public content: every save keeps one; editors compare and restore them.

``keep_versions`` gives a model its history (django-simple-history). It runs in each app's
``translation.py``, after modeltranslation has added the language columns, so a version
holds every language's text (``title_fr``, ``title_en``…), not only the language of the
editor who saved.

``VersionsAdmin`` turns the admin's "History" page into a list of versions, each with a
readable before/after per field in the admin's language, and a Restore button for editors
who may change the object. Restoring is an ordinary save: it becomes a version itself, and
the public pages update through the page cache's signals.
"""

from __future__ import annotations

import difflib
import html
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import simple_history
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.formats import date_format, localize
from django.utils.html import strip_tags
from django.utils.module_loading import import_string
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from modeltranslation.fields import TranslationField
from simple_history.models import HistoricalRecords, transform_field

# How many versions the History page lists, newest first.
VERSIONS_SHOWN = 50
# In a long text's diff, unchanged runs longer than this are cut to their two ends.
KEPT_CONTEXT_WORDS = 8


class TranslatedHistoricalRecords(HistoricalRecords):
    """Historical records that keep each language's column as a plain, non-unique one.

    A language column describes itself as the field it translates, unique slug and all:
    copied as is, the second version of a page would break the slug's uniqueness.
    """

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for name, copied in fields.items():
            original = model._meta.get_field(name)
            if not isinstance(original, TranslationField):
                continue
            _name, field_path, args, kwargs = original.deconstruct()
            kwargs.update(unique=False, db_index=original.unique or original.db_index)
            plain = import_string(field_path)(*args, **kwargs)
            plain.set_attributes_from_name(copied.name)
            transform_field(plain)
            fields[name] = plain
        return fields


def keep_versions(*models_to_version: type[models.Model], excluded_fields=()) -> None:
    """Keep a version of each of these models at every save."""
    for model in models_to_version:
        simple_history.register(
            model, records_class=TranslatedHistoricalRecords, excluded_fields=list(excluded_fields)
        )


def _kept_and_translated(model: type[models.Model]) -> tuple[set[str], set[str]]:
    """Return the columns a version keeps, and the names of the fields translated."""
    kept = {f.attname for f in model.history.model._meta.concrete_fields}
    translated = {
        f.translated_field.name for f in model._meta.fields if isinstance(f, TranslationField)
    }
    return kept, translated


def versioned_fields(model: type[models.Model]) -> list[models.Field]:
    """Return the fields a version shows and restores, in the form's order.

    A translated field counts once per language (``title_fr``, ``title_en``); the field it
    translates is left out, since modeltranslation derives it from them.
    """
    history_names, translated = _kept_and_translated(model)
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable
        and not f.primary_key
        and f.name not in translated
        and f.attname in history_names
    ]


def restored_fields(model: type[models.Model]) -> list[models.Field]:
    """Return the fields restoring a version sets: those shown, and image sizes with them."""
    history_names, translated = _kept_and_translated(model)
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key
        and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
        and f.name not in translated
        and f.attname in history_names
    ]


def field_label(field: models.Field) -> str:
    """Return the field's name in the admin's language ("titre (anglais)")."""
    if isinstance(field, TranslationField):
        language = translation.get_language_info(field.language)["name_translated"]
        return gettext("%(field)s (%(language)s)") % {
            "field": field.translated_field.verbose_name,
            "language": language.lower(),
        }
    return str(field.verbose_name)


def raw_value(field: models.Field, source) -> object:
    """Return a field's value as its column holds it, past any descriptor."""
    if field.attname in source.__dict__:
        return source.__dict__[field.attname]
    return getattr(source, field.attname)


def stored_value(field: models.Field, source) -> object:
    """Return a field's value as a version stores it (a file by its name)."""
    value = raw_value(field, source)
    if isinstance(field, models.FileField):
        return getattr(value, "name", value) or ""
    return value


def is_long_text(field: models.Field) -> bool:
    return isinstance(field, models.TextField | ProseEditorField)


def shown_value(field: models.Field, value) -> str:
    """Return a value as an editor reads it: labels, names and dates, never raw codes."""
    if value is None or value == "":
        return ""
    if isinstance(field, ProseEditorField) or (
        isinstance(field, TranslationField) and isinstance(field.translated_field, ProseEditorField)
    ):
        # Rich text is read as text; the template escapes what is left.
        return " ".join(html.unescape(strip_tags(value.replace(">", "> "))).split())
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        if related is None:
            return gettext("%(id)s (deleted)") % {"id": value}
        return str(related)
    if isinstance(field, models.BooleanField):
        return gettext("Yes") if value else gettext("No")
    if isinstance(field, models.DateTimeField):
        return date_format(localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(field, models.DateField):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, int | float) or hasattr(value, "quantize"):
        return localize(value)
    return str(value)


@dataclass
class FieldChange:
    """One field's value before and after a version, as an editor reads them."""

    label: str
    before: str
    after: str
    # For a long text: the words, each marked "equal", "delete" or "insert".
    diff: list[tuple[str, str]] = dataclass_field(default_factory=list)


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Return the words of two texts, marked kept, removed or added; long kept runs cut."""
    old, new = before.split(), after.split()
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            words = old[i1:i2]
            if len(words) > 2 * KEPT_CONTEXT_WORDS:
                words = [*words[:KEPT_CONTEXT_WORDS], "…", *words[-KEPT_CONTEXT_WORDS:]]
            parts.append(("equal", " ".join(words)))
            continue
        if i2 > i1:
            parts.append(("delete", " ".join(old[i1:i2])))
        if j2 > j1:
            parts.append(("insert", " ".join(new[j1:j2])))
    return parts


def field_changes(fields: Iterable[models.Field], before, after) -> list[FieldChange]:
    """Return the fields whose values differ between two versions (``before`` may be None)."""
    changes = []
    for f in fields:
        old = stored_value(f, before) if before is not None else None
        new = stored_value(f, after)
        if (old or None) == (new or None):
            continue
        change = FieldChange(field_label(f), shown_value(f, old), shown_value(f, new))
        if change.before == change.after:
            # A difference the editor cannot read (a date's microseconds) is no change.
            continue
        if is_long_text(f) and change.before and change.after:
            change.diff = word_diff(change.before, change.after)
        changes.append(change)
    return changes


@dataclass
class Version:
    record: object
    changes: list[FieldChange]

    @property
    def kind(self) -> str:
        return {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}[self.record.history_type]


def restore_version(obj: models.Model, record) -> list[models.Field]:
    """Give ``obj`` the values of one of its versions and save it; return the fields changed.

    Raise ``ValidationError`` (and save nothing) if the values no longer fit: a slug taken
    since by another object, a sector deleted since.
    """
    fields = restored_fields(type(obj))
    changed = [f for f in fields if stored_value(f, obj) != stored_value(f, record)]
    for f in fields:
        value = stored_value(f, record)
        if f.is_relation and value is not None:
            if not f.related_model._default_manager.filter(pk=value).exists():
                raise ValidationError(
                    {
                        f.name: gettext("%(field)s of this version no longer exists.")
                        % {"field": field_label(f)}
                    }
                )
        # Straight into the instance: file and translation descriptors would read or
        # rewrite the value.
        obj.__dict__[f.attname] = value
    obj.clean()
    obj.validate_unique()
    obj.validate_constraints()
    obj._change_reason = gettext("Restored the version of %(date)s") % {
        "date": date_format(localtime(record.history_date), "SHORT_DATETIME_FORMAT")
    }
    with transaction.atomic():
        obj.save()
    return [f for f in changed if f.editable]


def translated_labels(message: str, choices: Iterable[type[models.Choices]]) -> str:
    """Return a log message with each choice's label in the admin's language.

    The admin's log keeps the text of the objects it names as they read when saved, in the
    language of the editor who saved: "Lead partner" stays English in a French sentence.
    """
    current = translation.get_language()
    for choice in choices:
        for member in choice:
            label = str(member.label)
            for code, _name in settings.LANGUAGES:
                if code == current:
                    continue
                with translation.override(code):
                    other = str(member.label)
                if other != label:
                    message = message.replace(other, label)
    return message


class VersionsAdmin(admin.ModelAdmin):
    """An admin whose History page shows versions, compares them and restores one."""

    object_history_template = "admin/versions/object_history.html"
    # TextChoices whose labels the log's messages show in the admin's language.
    log_choices: tuple[type[models.Choices], ...] = ()

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="{}_{}_restore_version".format(*info),
            ),
            *super().get_urls(),
        ]

    def admin_url_name(self, view: str) -> str:
        return f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}"

    def versions(self, obj) -> list[Version]:
        """Return the object's newest versions, each with what it changed."""
        records = list(
            obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
                : VERSIONS_SHOWN + 1
            ]
        )
        fields = versioned_fields(type(obj))
        versions = []
        for record, previous in zip(records, [*records[1:], None], strict=True):
            if previous is None and len(records) > VERSIONS_SHOWN:
                break
            versions.append(Version(record, field_changes(fields, previous, record)))
        return versions

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        context = {**(extra_context or {})}
        if obj is not None and self.has_view_or_change_permission(request, obj):
            context["versions"] = self.versions(obj)
            context["can_restore"] = self.has_change_permission(request, obj)
        response = super().history_view(request, object_id, context)
        action_list = getattr(response, "context_data", {}).get("action_list")
        for action in action_list or ():
            action.readable_change_message = translated_labels(
                action.get_change_message(), self.log_choices
            )
        return response

    def restore_view(self, request, object_id, version_id):
        """Ask to confirm (GET), then restore the version (POST) for editors who may change."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        record = get_object_or_404(obj.history, history_id=version_id)
        change_url = reverse(self.admin_url_name("change"), args=[obj.pk])
        history_url = reverse(self.admin_url_name("history"), args=[obj.pk])
        if request.method == "POST":
            try:
                changed = restore_version(obj, record)
            except ValidationError as error:
                for text in error.messages:
                    self.message_user(request, text, messages.ERROR)
            else:
                # Stored untranslated, like the admin's own messages: read in each
                # editor's language.
                with translation.override(None):
                    names = sorted(
                        {str(getattr(f, "translated_field", f).verbose_name) for f in changed}
                    )
                self.log_change(request, obj, [{"changed": {"fields": names}}])
                when = date_format(localtime(record.history_date), "SHORT_DATETIME_FORMAT")
                self.message_user(
                    request,
                    gettext("The version of %(date)s is restored.") % {"date": when},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
            return HttpResponseRedirect(history_url)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Restore a version of “%(object)s”") % {"object": obj},
            "subtitle": None,
            "object": obj,
            "record": record,
            "changes": field_changes(versioned_fields(type(obj)), obj, record),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "module_name": str(self.opts.verbose_name_plural).capitalize(),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/versions/restore_confirmation.html", context)
