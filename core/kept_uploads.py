"""Uploads survive a form that comes back with errors.

A browser never sends a file twice: when the admin shows a form again because something
is wrong, every file input is empty. ``KeepUploadsMixin`` keeps each valid upload of such a
form as a ``PendingUpload`` and ``KeptFileInput`` shows it (a preview only its owner can
open, its name) with a signed reference in a hidden input; the next submission uses it
unless the editor chooses another file.

Use the mixin on the ModelAdmin *and* on its inlines: the inlines' widgets read the
references, the ModelAdmin keeps the uploads of every form it shows again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.admin.widgets import AdminFileWidget
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.models import PendingUpload


class KeptFile(SimpleUploadedFile):
    """A pending upload handed to a form as if it had just been sent."""

    def __init__(self, pending: PendingUpload):
        with pending.file.open("rb") as stored:
            content = stored.read()
        super().__init__(pending.original_name, content, pending.content_type)
        self.pending = pending


@dataclass
class Kept:
    pending: PendingUpload
    initial: FieldFile | None


class KeptFileInput(AdminFileWidget):
    """The admin's file input, which also offers the file kept from the last submission."""

    kept_text = _("Kept from your last attempt")
    kept_help = _("It will be saved unless you choose another file.")
    discard_label = _("Do not keep this file")

    def __init__(self, attrs=None, owner=None):
        super().__init__(attrs)
        self.owner = owner
        self.kept: Kept | None = None
        self._resolved: dict[str, KeptFile | None] = {}

    def __deepcopy__(self, memo):
        # Each form has its own widget: what one keeps is not another's.
        copy = super().__deepcopy__(memo)
        copy.kept = None
        copy._resolved = {}
        return copy

    @staticmethod
    def kept_name(name: str) -> str:
        return f"{name}-kept"

    def kept_file(self, reference: str | None) -> KeptFile | None:
        """Return the owner's pending upload that ``reference`` names, read once per form."""
        if not reference:
            return None
        if reference not in self._resolved:
            pending = PendingUpload.from_reference(self.owner, reference)
            self._resolved[reference] = KeptFile(pending) if pending else None
        kept = self._resolved[reference]
        if kept is not None:
            kept.seek(0)
        return kept

    def value_from_datadict(self, data, files, name):
        upload = super().value_from_datadict(data, files, name)
        if upload is not None:
            # A new file, or the box that clears the field: either wins over a kept file.
            return upload
        return self.kept_file(data.get(self.kept_name(name)))

    def value_omitted_from_data(self, data, files, name):
        return (
            super().value_omitted_from_data(data, files, name) and self.kept_name(name) not in data
        )

    def use_required_attribute(self, initial):
        return super().use_required_attribute(initial) and self.kept is None

    def render(self, name, value, attrs=None, renderer=None):
        if self.kept is None:
            return super().render(name, value, attrs, renderer)
        initial = self.kept.initial
        field_html = super().render(name, initial, attrs, renderer)
        pending = self.kept.pending
        discard = ""
        if not self.is_required and not self.is_initial(initial):
            # With a saved file, the admin's own "clear" box already says "no file".
            checkbox_id = f"{self.clear_checkbox_id(self.clear_checkbox_name(name))}"
            discard = format_html(
                '<span class="clearable-file-input"><input type="checkbox" name="{}" id="{}">'
                ' <label for="{}">{}</label></span>',
                self.clear_checkbox_name(name),
                checkbox_id,
                checkbox_id,
                self.discard_label,
            )
        return format_html(
            '<div class="kept-upload"><p class="file-upload">{}: '
            '<a href="{}"><img src="{}" alt="" width="160" class="admin-preview kept-preview">'
            " <strong>{}</strong></a> {}</p>"
            '<p class="help">{}</p><input type="hidden" name="{}" value="{}"></div>{}',
            self.kept_text,
            pending.get_absolute_url(),
            pending.get_absolute_url(),
            pending.original_name,
            discard,
            self.kept_help,
            self.kept_name(name),
            pending.reference,
            field_html,
        )


def keep_uploads(form) -> None:
    """Keep the valid uploads of a bound ``form`` that is shown again with errors.

    Each file field without an error of its own keeps what it received: a new upload is
    stored as a pending upload, a kept one stays as it is.
    """
    if not form.is_bound:
        return
    cleaned_data = getattr(form, "cleaned_data", {})
    if cleaned_data.get("DELETE"):
        return
    for name, field in form.fields.items():
        widget = field.widget
        if not isinstance(widget, KeptFileInput) or name in form.errors:
            continue
        bound = form[name]
        upload = bound.data
        if not isinstance(upload, UploadedFile):
            continue
        pending = getattr(upload, "pending", None) or PendingUpload.keep(widget.owner, upload)
        widget.kept = Kept(pending, bound.initial or None)
        # What the form shows as saved (its previews) is what is saved, not the new file.
        instance = getattr(form, "instance", None)
        if instance is not None and isinstance(getattr(instance, name, None), FieldFile):
            setattr(instance, name, bound.initial or None)


class KeepUploadsMixin:
    """For ModelAdmin and InlineModelAdmin: files sent with a form that fails are kept."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.FileField) and "widget" not in kwargs:
            owner = getattr(request, "user", None)
            kwargs["widget"] = KeptFileInput(owner=owner)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def render_change_form(self, request, context, *args, **kwargs):
        if request.method == "POST":
            admin_form = context.get("adminform")
            if admin_form is not None:
                keep_uploads(admin_form.form)
            for inline in context.get("inline_admin_formsets", ()):
                for form in inline.formset.forms:
                    keep_uploads(form)
        return super().render_change_form(request, context, *args, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        used = [
            value.pending.pk
            for each in [form, *(f for formset in formsets for f in formset.forms)]
            for value in getattr(each, "cleaned_data", {}).values()
            if isinstance(value, KeptFile)
        ]
        if used:
            # Saved where they belong now; their kept copies go once the save is final.
            transaction.on_commit(
                lambda: PendingUpload.objects.filter(pk__in=used).discard(), robust=True
            )
