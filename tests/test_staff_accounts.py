"""Staff accounts: how they are made, how their passwords are kept, where the admin lives."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

import config.settings as production
from tests.test_settings import PRODUCTION_SECRET, run


@pytest.mark.parametrize("group", ["Editors", "Finance"])
def test_create_staff_prints_a_working_password_once(db, capsys, group):
    call_command("create_staff", "amina", group=group, email="amina@example.org")
    output = capsys.readouterr().out
    password = output.split("password: ")[1].split()[0]
    user = get_user_model().objects.get(username="amina")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [group]
    assert user.check_password(password)
    assert output.count(password) == 1
    assert ("authenticator app" in output) == (group == "Finance")


def test_create_staff_refuses_an_unknown_group(db):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("create_staff", "amina", group="Admins")
    assert not get_user_model().objects.filter(username="amina").exists()


def test_create_staff_refuses_an_existing_username(db, editor):
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_staff", "editor", group="Finance")
    assert not editor.groups.filter(name="Finance").exists()


def test_production_hashes_new_passwords_with_argon2_first():
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS)
def test_an_older_hash_still_logs_in_and_is_upgraded(client, db):
    user = get_user_model().objects.create(
        username="veteran",
        is_staff=True,
        password=make_password("correct-horse-battery", hasher="pbkdf2_sha256"),
    )
    response = client.post(
        reverse("admin:login"), {"username": "veteran", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


def test_admins_admin_url_and_email_timeout_come_from_the_environment():
    show = (
        "import json, django; django.setup(); from django.conf import settings; "
        "from django.urls import reverse; print(json.dumps([settings.ADMINS, "
        "settings.EMAIL_TIMEOUT, settings.SERVER_EMAIL, reverse('admin:index'), "
        "reverse('admin:donations_sponsorship_changelist'), reverse('accounts:enrol')]))"
    )
    result = run(
        ["-c", show],
        DEBUG="false",
        SECRET_KEY=PRODUCTION_SECRET,
        ALLOWED_HOSTS="portfolio.example.org",
        ADMINS="Ana Tremblay <ana@example.org>,ops@example.org",
        EMAIL_TIMEOUT="4",
        SERVER_EMAIL="errors@example.org",
        ADMIN_URL="gestion-7f3",
    )
    assert result.returncode == 0, result.stderr
    admins, timeout, server_email, index, pledges, enrol = json.loads(result.stdout)
    assert admins == [["Ana Tremblay", "ana@example.org"], ["", "ops@example.org"]]
    assert timeout == 4
    assert server_email == "errors@example.org"
    assert index == "/gestion-7f3/"
    assert pledges == "/gestion-7f3/donations/sponsorship/"
    assert enrol.startswith("/gestion-7f3/")


def test_email_defaults_time_out_and_the_admin_is_at_admin():
    show = (
        "import json, django; django.setup(); from django.conf import settings; "
        "from django.urls import reverse; "
        "print(json.dumps([settings.ADMINS, settings.EMAIL_TIMEOUT, reverse('admin:index')]))"
    )
    result = run(["-c", show], DEBUG="true", ADMINS="", ADMIN_URL="")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [[], 10, "/admin/"]
