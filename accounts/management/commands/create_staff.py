"""Create a staff account in the Editors or Finance group and print its password once."""

import secrets
import sys
from getpass import getpass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

# Made, with their permissions, by the migrations portfolio 0002 and donations 0002.
STAFF_GROUPS = ("Editors", "Finance")


class Command(BaseCommand):
    help = "Create a staff account in the Editors or Finance group."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--group", required=True, choices=STAFF_GROUPS)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--generate-password",
            action="store_true",
            help="Make a random password instead of asking (the default without a terminal).",
        )

    @transaction.atomic
    def handle(self, *args, username, group, email, generate_password, **options):
        users = get_user_model()
        if users.objects.filter(username=username).exists():
            raise CommandError(f"An account named {username!r} already exists.")
        try:
            staff_group = Group.objects.get(name=group)
        except Group.DoesNotExist:
            raise CommandError(f"The {group} group is missing: run `manage.py migrate`.") from None
        user = users(username=username, email=email, is_staff=True)
        password = self.password(user, generate_password)
        user.set_password(password)
        user.save()
        user.groups.add(staff_group)
        login_url = settings.SITE_URL.rstrip("/") + reverse("admin:login")
        self.stdout.write(
            self.style.SUCCESS(f"Created {username} in {group}.")
            + f"\n  login: {login_url}\n  username: {username}\n  password: {password}\n"
            "(shown only now: give it to them in person or by a channel other than email)\n"
        )
        if group in settings.SECOND_FACTOR_GROUPS:
            self.stdout.write(
                "At their first login they set up an authenticator app (two-step login) "
                "before reaching any admin page.\n"
            )

    def password(self, user, generate):
        if generate or not sys.stdin.isatty():
            return secrets.token_urlsafe(15)
        while True:
            password = getpass("Password (empty: make one): ")
            if not password:
                return secrets.token_urlsafe(15)
            if password != getpass("Password again: "):
                self.stderr.write("The two passwords differ.")
                continue
            try:
                validate_password(password, user)
            except ValidationError as error:
                self.stderr.write("\n".join(error.messages))
                continue
            return password
