"""Indexes for the public list's order and filters; the key ends the order."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
        ("portfolio", "0004_fill_search_documents"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="project",
            options={
                "ordering": ["-is_featured", "-published_at", "-pk"],
                "verbose_name": "project",
                "verbose_name_plural": "projects",
            },
        ),
        migrations.AddIndex(
            model_name="partnership",
            index=models.Index(fields=["partner", "project"], name="partnership_partner_project"),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(
                condition=models.Q(("is_published", True)),
                fields=["-is_featured", "-published_at", "-id"],
                name="project_public_order",
            ),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(
                condition=models.Q(("is_published", True)),
                fields=["status", "-is_featured", "-published_at", "-id"],
                name="project_public_status_order",
            ),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(
                condition=models.Q(("is_published", True)),
                fields=["sector", "-is_featured", "-published_at", "-id"],
                name="project_public_sector_order",
            ),
        ),
        migrations.AddIndex(
            model_name="projectupdate",
            index=models.Index(
                condition=models.Q(("is_published", True)),
                fields=["-published_at", "-id"],
                name="update_public_order",
            ),
        ),
        migrations.AddIndex(
            model_name="projectupdate",
            index=models.Index(
                fields=["project", "-published_at", "-id"], name="update_project_order"
            ),
        ),
        # The regions filter goes from a region to its projects; Django indexes the two
        # columns of this implicit table separately. Plain SQL: the table has no model.
        migrations.RunSQL(
            sql=(
                "CREATE INDEX portfolio_project_regions_region_project "
                "ON portfolio_project_regions (region_id, project_id)"
            ),
            reverse_sql="DROP INDEX portfolio_project_regions_region_project",
        ),
    ]
