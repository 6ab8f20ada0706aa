import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("donations", "0004_donors_from_pledges")]

    operations = [
        migrations.AlterField(
            model_name="sponsorship",
            name="donor",
            field=models.ForeignKey(
                blank=True,
                help_text="Left empty, the donor is found (or added) by the email address.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sponsorships",
                to="donations.donor",
                verbose_name="donor",
            ),
        ),
        migrations.AlterField(
            model_name="gift",
            name="donor",
            field=models.ForeignKey(
                editable=False,
                help_text="The sponsorship's donor, set when the gift is saved.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="gifts",
                to="donations.donor",
                verbose_name="donor",
            ),
        ),
    ]
