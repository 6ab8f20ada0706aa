"""Give the Finance group the confidentiality incident register.

Finance handles donors' personal information, so it records and follows up incidents;
Editors never see the register. Superusers have every permission anyway.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = [
    f"{action}_confidentialityincident" for action in ("add", "change", "delete", "view")
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("privacy")
    # Migration app configs are stubs; create_permissions skips them without this.
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    finance, _created = Group.objects.get_or_create(name="Finance")
    finance.permissions.add(
        *Permission.objects.filter(content_type__app_label="privacy", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Finance"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="privacy"))


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("portfolio", "0002_editor_and_finance_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
