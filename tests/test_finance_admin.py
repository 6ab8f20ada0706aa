"""The finance admin: only Finance and superusers; gifts, cancelling, exports, totals, history."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from donations.models import DataRequest, Gift, Sponsorship, SuggestedAmount
from tests.factories import make_project, make_sponsorship, make_suggested_amount

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:donations_sponsorship_changelist"


@pytest.fixture
def records(db):
    project = make_project()
    sponsorship = make_sponsorship(project, confirmed=True)
    gift = sponsorship.record_gift(amount=Decimal("10"), method="cheque")
    suggestion = make_suggested_amount(project)
    return {"project": project, "sponsorship": sponsorship, "gift": gift, "suggestion": suggestion}


def donations_admin_urls(records):
    s, g = records["sponsorship"], records["gift"]
    urls = [reverse("admin:donations_sponsorship_totals")]
    for name, obj in (("sponsorship", s), ("gift", g), ("datarequest", None)):
        urls.append(reverse(f"admin:donations_{name}_changelist"))
        if name != "datarequest":
            urls.append(reverse(f"admin:donations_{name}_add"))
        if obj is not None:
            urls += [
                reverse(f"admin:donations_{name}_change", args=[obj.pk]),
                reverse(f"admin:donations_{name}_delete", args=[obj.pk]),
                reverse(f"admin:donations_{name}_history", args=[obj.pk]),
            ]
    urls.append(
        reverse("admin:donations_sponsorship_simple_history", args=[s.pk, s.history.first().pk])
    )
    return urls


def test_editor_gets_403_on_every_donations_admin_page(client, editor, records):
    client.force_login(editor)
    for url in donations_admin_urls(records):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse(CHANGELIST),
        {"action": "export_csv", "_selected_action": [records["sponsorship"].pk]},
    )
    assert response.status_code == 403
    # The admin index lists no donations model for them, and no donor ever shows up.
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:donations_sponsorship_changelist") not in index
    assert client.get(reverse("admin:app_list", args=["donations"])).status_code in (403, 404)


def test_finance_sees_every_donations_admin_page(client, finance_user, records):
    client.force_login(finance_user)
    for url in donations_admin_urls(records):
        assert client.get(url).status_code == 200, url


def test_editors_write_suggested_amounts_on_the_project_form(client, editor, records):
    client.force_login(editor)
    url = reverse("admin:portfolio_project_change", args=[records["project"].pk])
    html = client.get(url).content.decode()
    assert "suggested_amounts-TOTAL_FORMS" in html
    assert records["sponsorship"].donor_email not in html


def test_search_and_filters(client, finance_user, records):
    client.force_login(finance_user)
    sponsorship = records["sponsorship"]
    other = make_sponsorship(records["project"], donor_name="Zoé Lambert")
    for query in (sponsorship.reference, sponsorship.donor_email, sponsorship.donor_name):
        html = client.get(reverse(CHANGELIST), {"q": query}).content.decode()
        assert sponsorship.reference in html and other.reference not in html
    html = client.get(reverse(CHANGELIST), {"status__exact": "pending"}).content.decode()
    assert other.reference in html and sponsorship.reference not in html
    for params in ({"frequency__exact": "once"}, {"project__id__exact": records["project"].pk}):
        assert client.get(reverse(CHANGELIST), params).status_code == 200


def test_cancel_action_records_history(client, finance_user, records):
    client.force_login(finance_user)
    sponsorship = records["sponsorship"]
    client.post(reverse(CHANGELIST), {"action": "cancel", "_selected_action": [sponsorship.pk]})
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.CANCELLED
    last = sponsorship.history.first()
    assert last.status == "cancelled" and last.history_user == finance_user


def test_gift_inline_records_who_recorded_it(client, finance_user, records):
    client.force_login(finance_user)
    pending = make_sponsorship(records["project"], amount=Decimal("75"))
    url = reverse("admin:donations_sponsorship_change", args=[pending.pk])
    data = {
        "project": records["project"].pk,
        "amount": "75.00",
        "currency": "CAD",
        "frequency": "once",
        "donor_name": pending.donor_name,
        "donor_email": pending.donor_email,
        "language": "fr",
        "dedication_kind": "",
        "dedication_name": "",
        "public_message": "",
        "privacy_consent_at_0": "2026-01-10",
        "privacy_consent_at_1": "10:00:00",
        "gifts-TOTAL_FORMS": "1",
        "gifts-INITIAL_FORMS": "0",
        "gifts-0-amount": "75",
        "gifts-0-received_on": "2026-02-01",
        "gifts-0-method": "transfer",
        "gifts-0-reference": "VIR-88",
        "gifts-0-provider": "",
        "gifts-0-transaction_id": "",
        "gifts-0-note": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    gift = pending.gifts.get()
    assert gift.recorded_by == finance_user and gift.amount == Decimal("75")
    pending.refresh_from_db()
    assert pending.status == Sponsorship.Status.CONFIRMED


def test_record_gift_action_asks_then_records(client, finance_user, records):
    client.force_login(finance_user)
    monthly = make_sponsorship(
        records["project"], confirmed=True, frequency="monthly", amount=Decimal("20")
    )
    form = client.post(
        reverse(CHANGELIST), {"action": "record_gift", "_selected_action": [monthly.pk]}
    )
    assert form.status_code == 200 and "received_on" in form.content.decode()
    client.post(
        reverse(CHANGELIST),
        {
            "action": "record_gift",
            "_selected_action": [monthly.pk, records["sponsorship"].pk],
            "apply": "1",
            "received_on": "2026-02-01",
            "method": "card",
        },
    )
    assert [g.amount for g in monthly.gifts.all()] == [Decimal("20")]
    # The other one: 50 pledged, 10 received, so 40 was still due.
    assert records["sponsorship"].received() == Decimal("50")


def test_csv_export_neutralises_formulas(client, finance_user, records):
    client.force_login(finance_user)
    dangerous = make_sponsorship(
        records["project"],
        donor_name='=HYPERLINK("http://evil","x")',
        public_message="+cmd|' /C calc'!A0",
        dedication_kind="honour",
        dedication_name="@SUM(1+1)",
    )
    minus = make_sponsorship(records["project"], donor_name="-2+3")
    hidden = make_sponsorship(
        records["project"], donor_name="\t=1+1", public_message="\r=HYPERLINK(1)"
    )
    response = client.post(
        reverse(CHANGELIST),
        {"action": "export_csv", "_selected_action": [dangerous.pk, minus.pk, hidden.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(
        csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";")
    )
    header, *body = rows
    assert len(body) == 3
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    with translation.override("fr"):
        message, reference = gettext("Public message"), gettext("Reference")
        name = gettext("Donor's name")
    assert rows[3][header.index(message)] == "'\r=HYPERLINK(1)"
    by_name = {row[header.index(reference)]: row for row in body}
    assert by_name[dangerous.reference][header.index(name)].startswith("'=HYPERLINK")
    assert by_name[minus.reference][header.index(name)] == "'-2+3"


def test_totals_per_project(client, finance_user, records):
    client.force_login(finance_user)
    make_sponsorship(records["project"])  # pending
    html = client.get(reverse("admin:donations_sponsorship_totals")).content.decode()
    assert str(records["project"]) in html
    assert "10 $" in html.replace("\xa0", " ")  # raised
    assert "40 $" in html.replace("\xa0", " ")  # pledged, not yet received


def test_finance_cannot_delete_data_requests(client, finance_user, records):
    client.force_login(finance_user)
    request = DataRequest.objects.create(kind="export", via="admin")
    assert (
        client.get(reverse("admin:donations_datarequest_delete", args=[request.pk])).status_code
        == 403
    )


def test_suggested_amount_model_has_constraints(records):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SuggestedAmount.objects.create(
            project=records["project"], amount=Decimal("25"), impact_fr="doublon"
        )
    assert Gift.objects.count() == 1


def test_resend_confirmation_email_in_the_donors_language(client, finance_user, records):
    from django.core import mail

    client.force_login(finance_user)
    pending = make_sponsorship(records["project"], language="en")
    client.post(
        reverse(CHANGELIST),
        {
            "action": "resend_confirmation",
            "_selected_action": [pending.pk, records["sponsorship"].pk],
        },
    )
    assert len(mail.outbox) == 1  # the confirmed one needs no email
    assert mail.outbox[0].subject == f"Confirm your pledge {pending.reference}"
    assert "/en/pledges/confirm/" in mail.outbox[0].body


def test_sponsorship_list_runs_a_fixed_number_of_queries(
    client, finance_user, records, django_assert_num_queries
):
    """Unpaid pledges (nothing received yet) must not cost a query each."""
    client.force_login(finance_user)
    url = reverse(CHANGELIST)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(10):
        make_sponsorship(records["project"])
    with django_assert_num_queries(len(few)):
        html = client.get(url).content.decode()
    assert html.count("0\xa0$") >= 10  # what each unpaid pledge has received


def test_record_gift_form_gives_the_date_input_an_iso_date_in_french(client, finance_user, records):
    """A type="date" input shows nothing for "01/12/2026": nothing could be recorded."""
    import re

    from django.utils import timezone

    client.force_login(finance_user)
    page = client.post(
        reverse(CHANGELIST),
        {"action": "record_gift", "_selected_action": [records["sponsorship"].pk]},
        HTTP_ACCEPT_LANGUAGE="fr",
    ).content.decode()
    assert 'lang="fr"' in page
    field = re.search(r'<input type="date" name="received_on" value="([^"]*)"', page)
    assert field.group(1) == timezone.localdate().isoformat()


def change_form_data(sponsorship, **fields) -> dict:
    data = {
        "project": sponsorship.project_id,
        "amount": str(sponsorship.amount),
        "currency": sponsorship.currency,
        "frequency": sponsorship.frequency,
        "donor_name": sponsorship.donor_name,
        "donor_email": sponsorship.donor_email,
        "language": sponsorship.language,
        "dedication_kind": "",
        "dedication_name": "",
        "public_message": "",
        "privacy_consent_at_0": "2020-01-01",
        "privacy_consent_at_1": "00:00:00",
        "gifts-TOTAL_FORMS": "0",
        "gifts-INITIAL_FORMS": "0",
    }
    return data | fields


def test_confirmed_pledge_keeps_amount_currency_consent_and_reference_in_the_admin(
    client, finance_user, records
):
    client.force_login(finance_user)
    sponsorship = records["sponsorship"]
    consent = sponsorship.privacy_consent_at
    assert consent.microsecond  # what an admin form would cut
    url = reverse("admin:donations_sponsorship_change", args=[sponsorship.pk])
    html = client.get(url).content.decode()
    for name in ("amount", "currency", "privacy_consent_at_0", "reference"):
        assert f'name="{name}"' not in html
    data = change_form_data(
        sponsorship,
        amount="999.00",
        currency="EUR",
        donor_name="Corrected Name",
        **{"gifts-TOTAL_FORMS": "1", "gifts-INITIAL_FORMS": "1"},
    )
    gift = records["gift"]
    data |= {
        "gifts-0-id": gift.pk,
        "gifts-0-sponsorship": sponsorship.pk,
        "gifts-0-amount": "10.00",
        "gifts-0-received_on": gift.received_on.isoformat(),
        "gifts-0-method": "cheque",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    sponsorship.refresh_from_db()
    assert sponsorship.donor_name == "Corrected Name"  # the rest stays editable
    assert sponsorship.amount == Decimal("50") and sponsorship.currency == "CAD"
    assert sponsorship.privacy_consent_at == consent  # microseconds and all


def test_pending_pledge_amount_stays_editable_but_never_the_consent_time(
    client, finance_user, records
):
    client.force_login(finance_user)
    pending = make_sponsorship(records["project"])
    consent = pending.privacy_consent_at
    url = reverse("admin:donations_sponsorship_change", args=[pending.pk])
    assert client.post(url, change_form_data(pending, amount="60.00")).status_code == 302
    pending.refresh_from_db()
    assert pending.amount == Decimal("60") and pending.privacy_consent_at == consent
    assert pending.history.first().privacy_consent_at == consent


def test_model_refuses_silent_edits_of_a_confirmed_pledge(records):
    from datetime import timedelta

    from django.core.exceptions import ValidationError

    sponsorship = records["sponsorship"]
    for name, value in (
        ("amount", Decimal("99")),
        ("currency", "EUR"),
        ("privacy_consent_at", sponsorship.privacy_consent_at - timedelta(days=1)),
        ("reference", "SP-1999-000001"),
    ):
        edited = Sponsorship.objects.get(pk=sponsorship.pk)
        setattr(edited, name, value)
        with pytest.raises(ValidationError) as refused:
            edited.save()
        assert name in refused.value.message_dict
        with pytest.raises(ValidationError):
            edited.full_clean()
    stored = Sponsorship.objects.get(pk=sponsorship.pk)
    assert (stored.amount, stored.currency, stored.reference) == (
        Decimal("50"),
        "CAD",
        sponsorship.reference,
    )
    # Other fields, and a pending pledge's amount, may still change; a reference never.
    stored.donor_name = "Someone Else"
    stored.save()
    pending = make_sponsorship(records["project"])
    pending.amount = Decimal("70")
    pending.save()
    pending.reference = "SP-1999-000002"
    with pytest.raises(ValidationError):
        pending.save()


def test_a_gift_in_the_gift_admin_confirms_a_pending_pledge(client, finance_user, records):
    client.force_login(finance_user)
    pending = make_sponsorship(records["project"], amount=Decimal("30"))
    response = client.post(
        reverse("admin:donations_gift_add"),
        {
            "sponsorship": pending.pk,
            "amount": "30",
            "received_on": "2026-02-01",
            "method": "cash",
            "reference": "",
            "provider": "",
            "transaction_id": "",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    pending.refresh_from_db()
    assert pending.status == Sponsorship.Status.CONFIRMED and pending.confirmed_at
    assert pending.gifts.get().recorded_by == finance_user


def test_the_record_gift_action_confirms_a_pending_pledge(client, finance_user, records):
    client.force_login(finance_user)
    pending = make_sponsorship(records["project"], amount=Decimal("30"))
    client.post(
        reverse(CHANGELIST),
        {
            "action": "record_gift",
            "_selected_action": [pending.pk],
            "apply": "1",
            "received_on": "2026-02-01",
            "method": "card",
        },
    )
    pending.refresh_from_db()
    assert pending.status == Sponsorship.Status.CONFIRMED
    assert pending.received() == Decimal("30")


def test_a_gift_confirms_a_pending_pledge_however_it_is_saved(records):
    """The rule lives on the model; a cancelled pledge stays cancelled."""
    pending = make_sponsorship(records["project"])
    Gift.objects.create(sponsorship=pending, amount=Decimal("5"), method="cash")
    pending.refresh_from_db()
    assert pending.status == Sponsorship.Status.CONFIRMED
    cancelled = make_sponsorship(records["project"])
    cancelled.cancel()
    Gift.objects.create(sponsorship=cancelled, amount=Decimal("5"), method="cash")
    cancelled.refresh_from_db()
    assert cancelled.status == Sponsorship.Status.CANCELLED
