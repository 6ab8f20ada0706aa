"""Give Editors the places: they write them on the project form."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ACTIONS = ("add", "change", "delete", "view")
EDITORS = {"location": ACTIONS}


def codenames(grants):
    return [f"{action}_{model}" for model, actions in grants.items() for action in actions]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("places")
    # Migration app configs are stubs; create_permissions skips them without this.
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Editors")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="places", codename__in=codenames(EDITORS)
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="places"))


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0001_initial"),
        ("portfolio", "0002_editor_and_finance_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
