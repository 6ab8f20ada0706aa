"""Amounts: what the form refuses, what the database refuses, and arbitrary input."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from donations.models import Sponsorship
from tests.factories import make_project, make_sponsorship, make_suggested_amount, pledge_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(db):
    project = make_project()
    make_suggested_amount(project, "25")
    return project


def pledge_url(project, language="fr"):
    with translation.override(language):
        return reverse("donations:pledge", kwargs={"slug": project.slug})


@pytest.mark.parametrize(
    "amount",
    [
        "-10",
        "0",
        "0.00",
        "abc",
        "4.99",
        "50000.01",
        "1e9",
        "99999999999999",
        "10.123",
        "NaN",
        "Infinity",
        "1,2,3",
        "--5",
        "12.5.6",
        " ",
        "٣",
    ],
)
def test_invalid_other_amount_is_refused_next_to_the_field(client, project, amount):
    response = client.post(pledge_url(project), pledge_form_data(other_amount=amount), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_other_amount_error"' in html
    assert "n’a pas été enregistrée" in html
    assert not Sponsorship.objects.exists()


def test_error_is_in_english_for_an_english_visitor(client, project):
    response = client.post(
        pledge_url(project, "en"), pledge_form_data(other_amount="-5"), follow=True
    )
    html = response.content.decode()
    assert "greater than or equal to 5" in html
    assert "was not recorded" in html


@pytest.mark.parametrize("amount", ["5", "5.00", "50000", "123.45", "25,5"])
def test_amounts_within_limits_are_accepted(client, project, amount):
    response = client.post(pledge_url(project), pledge_form_data(other_amount=amount))
    assert response.status_code == 302
    assert Sponsorship.objects.get().amount == Decimal(amount.replace(",", "."))


@pytest.mark.parametrize(
    "language, typed, amount",
    [
        ("fr", "1 000", "1000"),
        ("fr", "1\u202f000,50", "1000.50"),  # the narrow space French typography uses
        ("fr", "25 $", "25"),
        ("fr", "50\xa0000", "50000"),  # as the form's own help text writes the limit
        ("en", "$1,000", "1000"),
        ("en", "1,000.50", "1000.50"),
        ("en", "$ 25", "25"),
    ],
)
def test_amounts_as_people_write_them_are_understood(client, project, language, typed, amount):
    response = client.post(pledge_url(project, language), pledge_form_data(other_amount=typed))
    assert response.status_code == 302
    assert Sponsorship.objects.get().amount == Decimal(amount)


@pytest.mark.parametrize(
    "language, typed",
    [("en", "5,00"), ("en", "1,00,000"), ("fr", "1e3"), ("en", "1E3"), ("en", ".5e2"), ("fr", "$")],
)
def test_ambiguous_or_scientific_amounts_are_refused(client, project, language, typed):
    response = client.post(
        pledge_url(project, language), pledge_form_data(other_amount=typed), follow=True
    )
    assert response.status_code == 200
    assert 'id="id_other_amount_error"' in response.content.decode()
    assert not Sponsorship.objects.exists()


def test_limits_come_from_settings(client, project, settings):
    settings.PLEDGE_MAX_AMOUNT = Decimal("100")
    response = client.post(pledge_url(project), pledge_form_data(other_amount="150"), follow=True)
    assert response.status_code == 200
    assert not Sponsorship.objects.exists()


def test_suggested_amount_not_offered_is_refused(client, project):
    response = client.post(
        pledge_url(project), pledge_form_data(amount_choice="30.00", other_amount=""), follow=True
    )
    assert response.status_code == 200
    assert 'id="id_amount_choice_error"' in response.content.decode()
    assert not Sponsorship.objects.exists()


def test_suggested_amount_and_another_amount_together_are_refused(client, project):
    response = client.post(
        pledge_url(project), pledge_form_data(amount_choice="25.00", other_amount="40"), follow=True
    )
    assert response.status_code == 200
    assert not Sponsorship.objects.exists()


def test_no_amount_at_all_asks_for_one(client, project):
    response = client.post(
        pledge_url(project), pledge_form_data(amount_choice="", other_amount=""), follow=True
    )
    assert "Choisissez un montant" in response.content.decode()
    assert not Sponsorship.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("privacy_consent", ""),
        ("email", "not-an-email"),
        ("donor_name", ""),
        ("donor_name", "x" * 151),
        ("frequency", "yearly"),
        ("dedication_kind", "memory"),  # without a name
        ("public_message", "m" * 501),
        ("donor_name", "nul\x00byte"),
    ],
)
def test_other_bad_input_is_refused_and_not_stored(client, project, field, value):
    response = client.post(pledge_url(project), pledge_form_data(**{field: value}), follow=True)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Sponsorship.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-1", "1000001"])
def test_database_refuses_amounts_out_of_bounds(project, amount):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_sponsorship(project, amount=Decimal(amount))


def test_database_refuses_confirmed_without_date(project):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_sponsorship(project, status="confirmed")


FIELDS = [
    "amount_choice",
    "other_amount",
    "frequency",
    "donor_name",
    "email",
    "dedication_kind",
    "dedication_name",
    "show_name_publicly",
    "public_message",
    "privacy_consent",
    "news_opt_in",
    "website",
    "anything",
]
text = st.text(max_size=60) | st.sampled_from(
    [
        "",
        "25.00",
        "other",
        "once",
        "monthly",
        "on",
        "memory",
        "honour",
        "1e5",
        "-0",
        "5",
        "50000",
        "a@b.co",
        "NaN",
        "0.001",
        "\x00",
    ]
)


@hypothesis_settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.dictionaries(st.sampled_from(FIELDS), text))
def test_arbitrary_form_data_never_breaks_the_view_nor_stores_bad_pledges(client, project, data):
    from django.core.cache import cache

    cache.clear()
    payload = pledge_form_data(email="x@example.org") | data
    response = client.post(pledge_url(project), payload)
    assert response.status_code in (200, 302, 400)
    for sponsorship in Sponsorship.objects.all():
        assert Decimal("5") <= sponsorship.amount <= Decimal("50000")
        assert sponsorship.amount == sponsorship.amount.quantize(Decimal("0.01"))
        assert sponsorship.donor_name.strip() and "@" in sponsorship.donor_email
        assert sponsorship.frequency in ("once", "monthly")
        assert sponsorship.status == "pending"
