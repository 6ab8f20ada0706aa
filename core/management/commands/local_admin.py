"""Create (or reset) a local administrator account and print how to log in."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse


class Command(BaseCommand):
    help = "Create or reset the local 'admin' account (development only) and print its login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--address", default=settings.SITE_URL, help="Where the site is served."
        )

    def handle(self, *args, username, address, **options):
        if not settings.DEBUG:
            raise CommandError("local_admin only runs with DEBUG=true; use createsuperuser.")
        password = secrets.token_urlsafe(12)
        user, _created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@localhost"}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"\nAdmin: {address.rstrip('/')}{reverse('admin:index')}\n"
                f"  username: {username}\n  password: {password}\n"
                "(a new password is made each time `make run` starts; at the first login,\n"
                "set up two-step login with an authenticator app, as every superuser must)\n"
            )
        )
