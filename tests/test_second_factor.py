"""Staff with access to donors' data log in with a second factor; editors may choose to."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_project, make_sponsorship
from tests.test_finance_admin import CHANGELIST, donations_admin_urls

PASSWORD = "correct-horse-battery"
DONOR_ACTIONS = ["export_csv", "export_donor_data", "record_gift", "erase_donor_data"]


@pytest.fixture
def records(db):
    sponsorship = make_sponsorship(make_project(), confirmed=True)
    gift = sponsorship.record_gift(amount=Decimal("10"), method="cheque")
    return {"sponsorship": sponsorship, "gift": gift}


@pytest.fixture
def finance_without_app(db, django_user_model):
    user = django_user_model.objects.create_user(
        "treasurer", "treasurer@example.org", PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Finance"))
    return user


def log_in_with_password(client, user):
    response = client.post(
        reverse("admin:login"),
        {"username": user.username, "password": PASSWORD, "next": reverse("admin:index")},
    )
    assert response.status_code == 302
    return response


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def secret_on_page(html):
    return re.search(r'id="secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")


def test_finance_without_an_app_reaches_no_donor_data(client, finance_without_app, records):
    log_in_with_password(client, finance_without_app)
    enrol = reverse("accounts:enrol")
    for url in [reverse("admin:index"), *donations_admin_urls(records)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(enrol), url
    for action in DONOR_ACTIONS:
        response = client.post(
            reverse(CHANGELIST),
            {"action": action, "_selected_action": [records["sponsorship"].pk]},
        )
        assert response.status_code == 302, action
        assert response.url.startswith(enrol), action
        assert "donor" not in response.get("Content-Type", "")
    page = client.get(enrol).content.decode()
    assert records["sponsorship"].donor_email not in page


def test_a_superuser_without_an_app_is_sent_to_enrolment(client, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    log_in_with_password(client, boss)
    response = client.get(reverse("admin:auth_user_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:enrol"))


def test_an_editor_without_an_app_works_as_before(client, editor):
    project = make_project()
    log_in_with_password(client, editor)
    assert client.get(reverse("admin:index")).status_code == 200
    change = reverse("admin:portfolio_project_change", args=[project.pk])
    assert client.get(change).status_code == 200


def test_an_editor_with_an_app_gives_its_code(client, editor):
    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    log_in_with_password(client, editor)
    response = client.get(reverse("admin:index"))
    assert response.url.startswith(reverse("accounts:verify"))
    response = client.post(
        reverse("accounts:verify"), {"code": current_code(device), "next": reverse("admin:index")}
    )
    assert response.url == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_finance_enrols_then_reaches_the_pledges(client, finance_without_app, records, settings):
    # A wrong code makes the next try wait a second; this test need not.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    log_in_with_password(client, finance_without_app)
    page = client.get(reverse("accounts:enrol")).content.decode()
    assert "data:image/svg+xml" in page  # the QR code, drawn here, not by another site
    secret = secret_on_page(page)
    device = TOTPDevice.objects.get(user=finance_without_app)
    assert not device.confirmed

    wrong = client.post(reverse("accounts:enrol"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "errorlist" in wrong.content.decode()
    assert client.get(reverse(CHANGELIST)).status_code == 302

    # The code an app computes from the secret shown on the page.
    from base64 import b32decode

    code = f"{totp(b32decode(secret), step=30, digits=6):06d}"
    shown = client.post(reverse("accounts:enrol"), {"code": code}).content.decode()
    device.refresh_from_db()
    assert device.confirmed
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown)
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.values_list("token", flat=True))
    assert client.get(reverse(CHANGELIST)).status_code == 200
    # The codes are shown once: the enrolment page now just goes on.
    assert client.get(reverse("accounts:enrol")).status_code == 302


def test_a_recovery_code_logs_in_once(client, finance_user):
    device = finance_user.staticdevice_set.create(name="recovery")
    device.token_set.create(token="abcd2345")
    for attempt in range(2):
        client.logout()
        log_in_with_password(client, finance_user)
        response = client.post(reverse("accounts:verify"), {"code": "abcd 2345"})
        if attempt == 0:
            assert response.status_code == 302
            assert client.get(reverse(CHANGELIST)).status_code == 200
        else:
            assert response.status_code == 200  # asked again: the code is used up
            assert client.get(reverse(CHANGELIST)).status_code == 302


def test_a_verified_user_cannot_enrol_a_second_app_unasked(client, finance_user):
    log_in_with_password(client, finance_user)
    response = client.get(reverse("accounts:enrol"))
    assert response.url.startswith(reverse("accounts:verify"))
    assert TOTPDevice.objects.filter(user=finance_user).count() == 1


def test_reset_otp_removes_a_lost_app_and_says_what_comes_next(client, finance_user, capsys):
    finance_user.staticdevice_set.create(name="recovery").token_set.create(token="abcd2345")
    call_command("reset_otp", "finance")
    output = capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=finance_user).exists()
    assert not finance_user.staticdevice_set.exists()
    assert reverse("admin:login") in output
    assert "setting up a new authenticator app" in output

    log_in_with_password(client, finance_user)
    response = client.get(reverse(CHANGELIST))
    assert response.url.startswith(reverse("accounts:enrol"))


def test_reset_otp_refuses_an_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("reset_otp", "nobody")
