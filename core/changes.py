"""What a save changes: the columns of a row whose values differ from those stored.

``changed_columns(row)``, called before the row is written (a ``pre_save`` receiver),
reads the stored row once and compares. Used to put public pages out of date as narrowly
as a change allows (``portfolio.signal_handlers``).
"""

from __future__ import annotations

from django.db import models
from django.db.models.fields.files import FieldFile


def _plain(value):
    """A column's value as compared: a file by its name."""
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def changed_columns(row: models.Model, update_fields=None) -> set[str] | None:
    """Return the columns whose values in ``row`` differ from those stored; None when that
    is unknown (a row not stored yet, columns not loaded). With ``update_fields`` (the
    save's), only those are written, so only those are compared."""
    if row._state.adding or row.pk is None:
        return None
    fields = [
        field
        for field in row._meta.concrete_fields
        if not field.primary_key
        and (update_fields is None or field.name in update_fields or field.attname in update_fields)
    ]
    # Read from the instance's own values, not through descriptors: a translated field's
    # descriptor answers in the active language, not with its column.
    if any(field.attname not in row.__dict__ for field in fields):
        return None
    if not fields:
        return set()
    names = [field.attname for field in fields]
    rows = type(row)._base_manager.db_manager(row._state.db).all()
    # A translated model's queries read ``title`` as the active language's column: here
    # every name must mean its own column.
    rewrite = getattr(rows, "rewrite", None)
    if rewrite is not None:
        rows = rewrite(False)
    stored = rows.filter(pk=row.pk).values(*names).first()
    if stored is None:
        return None
    changed = set()
    for field in fields:
        value = field.to_python(_plain(row.__dict__[field.attname]))
        if _plain(value) != _plain(stored[field.attname]):
            changed.add(field.attname)
    return changed
