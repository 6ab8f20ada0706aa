"""Rich text that editors write in the admin and the public reads as HTML."""

from django_prose_editor.fields import ProseEditorField

# What editors may use; the sanitiser allows exactly the HTML these produce.
RICH_TEXT_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
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


def sanitise_rich_text(instance, field_names, languages) -> None:
    """Sanitise every language column of each rich-text field before it is stored.

    django-prose-editor sanitises only in ``full_clean()``; ``save()``, ``create()``
    and the like would store a ``<script>`` unchanged, so models call this on save.
    Writing ``__dict__`` directly sidesteps modeltranslation's proxy on the base name.
    """
    for name in field_names:
        sanitize = instance._meta.get_field(name).sanitize
        for attname in [name] + [f"{name}_{code}" for code in languages]:
            value = instance.__dict__.get(attname)
            if value:
                instance.__dict__[attname] = sanitize(value)
