"""Remove a staff member's authenticator app and recovery codes (a lost or changed phone)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.rules import second_factor_required


class Command(BaseCommand):
    help = "Remove a user's authenticator apps and recovery codes so they can set up a new one."

    def add_arguments(self, parser):
        parser.add_argument("username")

    @transaction.atomic
    def handle(self, *args, username, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No account named {username!r}.") from None
        apps = TOTPDevice.objects.filter(user=user).delete()[0]
        recovery = (
            StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
        )
        login_url = settings.SITE_URL.rstrip("/") + reverse("admin:login")
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed the two-step login of {username} "
                f"({apps} authenticator app(s), {recovery} set(s) of recovery codes)."
            )
        )
        if second_factor_required(user):
            next_step = (
                f"Next: {username} logs in at {login_url} with their password and is sent "
                "straight to setting up a new authenticator app; their old recovery codes no "
                "longer work, and sessions they have open must set up the new app too."
            )
        else:
            next_step = (
                f"Next: {username} logs in at {login_url} with their password alone; they may "
                f"set up a new app at {settings.SITE_URL.rstrip('/')}{reverse('accounts:enrol')}."
            )
        self.stdout.write(next_step)
