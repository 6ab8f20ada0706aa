"""Give Editors the results framework: they write a project's results, indicators, periods
and their parts."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ACTIONS = ("add", "change", "delete", "view")
MODELS = ("result", "indicator", "period", "disaggregation")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("results")
    # Migration app configs are stubs; create_permissions skips them without this.
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _created = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="results",
            codename__in=[f"{action}_{model}" for model in MODELS for action in ACTIONS],
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="results"))


class Migration(migrations.Migration):
    dependencies = [
        ("results", "0001_initial"),
        ("portfolio", "0002_editor_and_finance_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
