"""Field updates' texts become rich text: the plain texts written so far become paragraphs."""

from django.db import migrations
from django.utils.html import linebreaks

COLUMNS = ("text", "text_fr", "text_en")


def plain_text_to_paragraphs(apps, schema_editor):
    ProjectUpdate = apps.get_model("portfolio", "ProjectUpdate")
    changed = []
    for update in ProjectUpdate.objects.only("pk", *COLUMNS).iterator(chunk_size=500):
        dirty = False
        for column in COLUMNS:
            value = getattr(update, column)
            # Shown so far with its line breaks and escaped: the same, as HTML.
            if value and not value.lstrip().startswith("<"):
                setattr(update, column, linebreaks(value, autoescape=True))
                dirty = True
        if dirty:
            changed.append(update)
    ProjectUpdate.objects.bulk_update(changed, COLUMNS, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0008_image_dimensions")]

    operations = [migrations.RunPython(plain_text_to_paragraphs, migrations.RunPython.noop)]
