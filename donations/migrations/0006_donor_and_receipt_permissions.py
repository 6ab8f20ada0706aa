"""Give the Finance group the donors and receipts; Editors get none of them.

Receipts are never deleted (a wrong one is cancelled and replaced): Finance may add,
change (cancel, mark spoiled) and view them, not delete them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

FINANCE = {
    "donor": ("add", "change", "view"),
    "consentchange": ("view",),
    "receipt": ("add", "change", "view"),
    "receiptline": ("view",),
}


def codenames():
    return [f"{action}_{model}" for model, actions in FINANCE.items() for action in actions]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("donations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Finance")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="donations", codename__in=codenames())
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Finance"):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="donations", codename__in=codenames()
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0005_donor_required"),
        ("donations", "0002_finance_and_editor_permissions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
