from django.db import migrations

from portfolio.search import refresh_search_documents


def fill(apps, schema_editor):
    project = apps.get_model("portfolio", "Project")
    refresh_search_documents(project.objects.values_list("pk", flat=True), project_model=project)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
        ("portfolio", "0003_project_search_documents"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
