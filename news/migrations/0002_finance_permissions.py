"""Finance reads the news log (it holds supporters' addresses); editors do not."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_delivery", "view_optout"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("news")
    # Migration app configs are stubs; create_permissions skips them without this.
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Finance")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="news", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Finance"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="news"))


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0001_initial"),
        ("donations", "0002_finance_and_editor_permissions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
