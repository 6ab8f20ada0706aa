"""Give the Finance group the donations permissions, and Editors the suggested amounts.

Finance sees and handles pledges, gifts and donors' data requests. Editors write the
suggested amounts shown on a project's pledge form, and nothing else of this app: they
never see who gave.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ACTIONS = ("add", "change", "delete", "view")
FINANCE = {
    "sponsorship": ACTIONS,
    "gift": ACTIONS,
    "datarequest": ("view",),
    "suggestedamount": ("view",),
    "historicalsponsorship": ("view",),
    "historicalgift": ("view",),
}
EDITORS = {"suggestedamount": ACTIONS}


def codenames(grants):
    return [f"{action}_{model}" for model, actions in grants.items() for action in actions]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("donations")
    # Migration app configs are stubs; create_permissions skips them without this.
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in (("Finance", FINANCE), ("Editors", EDITORS)):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="donations", codename__in=codenames(grants)
            )
        )
    # Finance picks the project of a pledge taken by phone or mail.
    Group.objects.get(name="Finance").permissions.add(
        Permission.objects.get(content_type__app_label="portfolio", codename="view_project")
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=["Finance", "Editors"]):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="donations")
        )
    for group in Group.objects.filter(name="Finance"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="portfolio", codename="view_project")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0001_initial"),
        ("portfolio", "0002_editor_and_finance_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
