"""The finance admin: only Finance and superusers; gifts, cancelling, exports, totals, history."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    header, *body = rows
    assert len(body) == 3
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert rows[3][header.index("public_message")] == "'\r=HYPERLINK(1)"
    by_name = {row[header.index("reference")]: row for row in body}
    assert by_name[dangerous.reference][header.index("donor_name")].startswith("'=HYPERLINK")
    assert by_name[minus.reference][header.index("donor_name")] == "'-2+3"


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
