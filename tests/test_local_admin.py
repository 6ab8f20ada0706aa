"""`make run` prints how to log in to the admin of the server it starts."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.urls import reverse


@pytest.mark.django_db
def test_prints_a_working_login_at_the_address_served(settings, capsys):
    settings.DEBUG = True
    call_command("local_admin", address="http://127.0.0.1:8765")
    output = capsys.readouterr().out
    assert "http://127.0.0.1:8765" + reverse("admin:index") in output
    password = output.split("password: ")[1].split()[0]
    assert authenticate(username="admin", password=password).is_superuser
