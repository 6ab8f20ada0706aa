"""Rich text that editors write in the admin and the public reads as HTML."""

import functools

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django_prose_editor.fields import ProseEditorField

# What editors may use; the sanitiser allows exactly the HTML these produce.
RICH_TEXT_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    # Not inclusive (autolink off): a full stop typed right after a link stays outside it.
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"], "autolink": False},
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "History": True,
}


def RichTextField(**kwargs) -> ProseEditorField:  # noqa: N802 - reads like a field class
    """Return a sanitised rich-text field with the house set of editor tools."""
    return ProseEditorField(extensions=RICH_TEXT_EXTENSIONS, sanitize=True, **kwargs)


@functools.cache
def rich_text_sanitiser(model, name: str):
    """Return the sanitiser of ``model``'s rich-text field (or language column) ``name``.

    Cached: pages ask it for every translated text they show.
    """
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field.sanitize if isinstance(field, ProseEditorField) else None


def sanitise_all_rich_text(instance) -> None:
    """Sanitise every rich-text column of ``instance`` in place, each language included.

    django-prose-editor sanitises only in ``full_clean()``; ``save()``, ``create()``
    and the like would store a ``<script>`` unchanged, so models call this on save.
    Writing ``__dict__`` directly sidesteps modeltranslation's proxy on the base name.
    """
    for field in instance._meta.concrete_fields:
        if isinstance(field, ProseEditorField):
            value = instance.__dict__.get(field.attname)
            if isinstance(value, str) and value:
                instance.__dict__[field.attname] = field.sanitize(value)


class RichTextQuerySet(models.QuerySet):
    """A QuerySet whose bulk writes sanitise rich text, as the models' ``save()`` does.

    ``update()``, ``bulk_create()`` and ``bulk_update()`` never call ``save()``. Text
    built by database expressions (``Concat``, ``F``) cannot be checked here; pages
    sanitise rich text again when they render it.
    """

    def update(self, **kwargs):
        for name, value in kwargs.items():
            sanitize = rich_text_sanitiser(self.model, name)
            if sanitize and isinstance(value, str):
                kwargs[name] = sanitize(value)
        return super().update(**kwargs)

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            sanitise_all_rich_text(obj)
            self.prepare_new(obj)
        return super().bulk_create(objs, *args, **kwargs)

    bulk_create.alters_data = True

    def prepare_new(self, obj) -> None:
        """Complete a sanitised row about to be bulk-inserted (a hook for subclasses)."""

    def bulk_update(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            sanitise_all_rich_text(obj)
        return super().bulk_update(objs, *args, **kwargs)

    bulk_update.alters_data = True
