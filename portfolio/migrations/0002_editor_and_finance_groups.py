"""Create the Editors and Finance groups.

Editors write the public content (portfolio and partners). Finance handles pledges; its
permissions on the donations models are granted by the donations app's own migration.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_MODELS = {
    "partners": ["partner"],
    "portfolio": [
        "region",
        "sector",
        "project",
        "partnership",
        "projectimage",
        "projectupdate",
    ],
}
ACTIONS = ("add", "change", "delete", "view")


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make them now.
    for app_label in EDITOR_MODELS:
        app_config = apps.get_app_config(app_label)
        # Migration app configs are stubs; create_permissions skips them without this.
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _created = Group.objects.get_or_create(name="Editors")
    codenames = [
        f"{action}_{model}" for models in EDITOR_MODELS.values() for model in models for action in ACTIONS
    ]
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=EDITOR_MODELS, codename__in=codenames
        )
    )
    Group.objects.get_or_create(name="Finance")


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Finance"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("partners", "0001_initial"),
        ("portfolio", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
