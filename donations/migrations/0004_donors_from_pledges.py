"""Make a donor of every email address the pledges were given under, and link them.

Pledges are grouped by their address, trimmed and in lower case; each group's most recent
pledge gives the donor's name and language, and a consent to news given on a confirmed
pledge carries over (with a consent change saying so). A pledge without an address is a
donor of its own. Every gift belongs to its pledge's donor.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def link_donors(apps, schema_editor):
    Sponsorship = apps.get_model("donations", "Sponsorship")
    Gift = apps.get_model("donations", "Gift")
    Donor = apps.get_model("donations", "Donor")
    ConsentChange = apps.get_model("donations", "ConsentChange")

    groups: dict[str, list] = {}
    loners = []
    for sponsorship in Sponsorship.objects.order_by("created_at", "pk").iterator():
        key = (sponsorship.donor_email or "").strip().lower()
        if key:
            groups.setdefault(key, []).append(sponsorship)
        else:
            loners.append([sponsorship])

    for pledges in [*groups.values(), *loners]:
        latest = pledges[-1]
        named = [p for p in pledges if p.donor_name.strip()]
        consented = [p for p in pledges if p.news_opt_in and p.confirmed_at is not None]
        donor = Donor.objects.create(
            email=(latest.donor_email or "").strip(),
            name=named[-1].donor_name.strip() if named else "",
            language=latest.language,
            news_opt_in=bool(consented),
            created_at=pledges[0].created_at,
            erased_at=latest.erased_at if all(p.erased_at for p in pledges) else None,
        )
        if consented:
            ConsentChange.objects.create(
                donor=donor,
                consent="news",
                given=True,
                source="import",
                changed_at=consented[-1].confirmed_at,
            )
        Sponsorship.objects.filter(pk__in=[p.pk for p in pledges]).update(donor=donor)

    Gift.objects.update(
        donor=Subquery(
            Sponsorship.objects.filter(pk=OuterRef("sponsorship_id")).values("donor_id")[:1]
        )
    )


def unlink_donors(apps, schema_editor):
    apps.get_model("donations", "Gift").objects.update(donor=None)
    apps.get_model("donations", "Sponsorship").objects.update(donor=None)
    apps.get_model("donations", "ConsentChange").objects.all().delete()
    apps.get_model("donations", "Donor").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("donations", "0003_donors_and_receipts")]

    operations = [migrations.RunPython(link_donors, unlink_donors)]
