"""An attacker guessing staff passwords is stopped after ten tries, right password or not."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse

PASSWORD = "correct-horse-battery"


def log_in(client, username, password, address="203.0.113.7", **headers):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
        **headers,
    )


def logged_in(client):
    return "_auth_user_id" in client.session


def guess(client, username, times, **request):
    for attempt in range(times):
        response = log_in(client, username, f"guess-{attempt}", **request)
        assert not logged_in(client)
    return response


@pytest.fixture
def production_like(settings):
    """The settings an attacker meets: the defaults of config.settings, DEBUG off."""
    settings.DEBUG = False
    assert settings.AXES_FAILURE_LIMIT == 10
    assert settings.AXES_COOLOFF_TIME == timedelta(hours=1)
    return settings


def test_ten_wrong_passwords_lock_the_account_and_a_right_one_then_fails(
    client, production_like, finance_user
):
    guess(client, "finance", 9)
    response = guess(client, "finance", 1)
    assert response.status_code == 429

    response = log_in(client, "finance", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    # In the visitor's language (French by default), saying for how long.
    assert "verrouillées pendant 60 minutes" in response.content.decode()


def test_nine_wrong_passwords_still_let_the_right_one_in(client, production_like, finance_user):
    guess(client, "finance", 9)
    response = log_in(client, "finance", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_the_account_stays_locked_from_any_other_address(client, production_like, finance_user):
    for number in range(10):
        log_in(client, "finance", "guess", address=f"198.51.100.{number}")
    response = log_in(client, "finance", PASSWORD, address="192.0.2.200")
    assert response.status_code == 429
    assert not logged_in(client)


def test_the_address_is_locked_for_every_account(client, production_like, finance_user, editor):
    for number in range(10):
        log_in(client, f"someone-{number}", "guess")
    response = log_in(client, "editor", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    # The same person from another address is not punished for the attacker.
    response = log_in(client, "editor", PASSWORD, address="192.0.2.55")
    assert response.status_code == 302


def test_a_forged_forwarded_for_header_does_not_reset_the_count(
    client, production_like, finance_user
):
    for number in range(10):
        log_in(client, "finance", "guess", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    assert log_in(client, "finance", PASSWORD).status_code == 429


def test_behind_a_proxy_the_configured_header_names_the_address(client, production_like, editor):
    """Every request comes from the proxy; its X-Real-IP header tells visitors apart."""
    production_like.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    proxy = {"address": "10.0.0.1"}
    for number in range(10):
        log_in(client, f"someone-{number}", "guess", **proxy, HTTP_X_REAL_IP="203.0.113.9")
    locked = log_in(client, "editor", PASSWORD, **proxy, HTTP_X_REAL_IP="203.0.113.9")
    assert locked.status_code == 429
    other = log_in(client, "editor", PASSWORD, **proxy, HTTP_X_REAL_IP="192.0.2.1")
    assert other.status_code == 302


def test_the_lock_ends_after_the_cool_off(client, production_like, finance_user):
    guess(client, "finance", 10)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(hours=1, minutes=1)
    )
    response = log_in(client, "finance", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_an_administrator_unlocks_an_account(client, production_like, finance_user, capsys):
    for number in range(10):
        log_in(client, "finance", "guess", address=f"198.51.100.{number}")
    assert log_in(client, "finance", PASSWORD).status_code == 429

    call_command("axes_reset_username", "finance")
    response = log_in(client, "finance", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_a_login_by_code_is_not_counted(finance_user):
    """Scripts and the shell authenticate without a request: neither counted nor refused."""
    from django.contrib.auth import authenticate

    assert authenticate(username="finance", password=PASSWORD) == finance_user
    assert not AccessAttempt.objects.exists()
