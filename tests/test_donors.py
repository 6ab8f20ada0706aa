"""Donors as people: one per email address (any case), their pledges, gifts, consents and
rights, and who may see them."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from donations.models import ConsentChange, DataRequest, Donor, Gift, Receipt, Sponsorship
from donations.receipts import ReceiptError, issue_for_gift
from tests.factories import make_project, make_sponsorship, pledge_form_data
from tests.test_donor_rights import text_values_containing
from tests.test_receipts import addressed, charity  # noqa: F401 - the receipt settings

pytestmark = pytest.mark.django_db


def test_one_donor_per_email_whatever_its_case():
    project = make_project()
    first = make_sponsorship(project, donor_email="Ada.Lovelace@Example.org")
    second = make_sponsorship(project, donor_email=" ada.lovelace@example.ORG ")
    other = make_sponsorship(project, donor_email="charles@example.org")
    assert first.donor == second.donor != other.donor
    assert Donor.objects.count() == 2
    assert Donor.find_or_create("ADA.LOVELACE@EXAMPLE.ORG") == first.donor


def test_the_database_refuses_two_donors_for_one_address():
    Donor.objects.create(email="grace@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        Donor.objects.create(email="GRACE@example.org")
    # Donors without an address (erased, or taken by phone) are many.
    Donor.objects.create(email="")
    Donor.objects.create(email="")


def test_gifts_belong_to_their_pledges_donor():
    sponsorship = make_sponsorship(make_project(), confirmed=True)
    gift = sponsorship.record_gift(amount=Decimal("10"), method="cash")
    assert gift.donor == sponsorship.donor
    assert list(sponsorship.donor.gifts.all()) == [gift]


def test_the_pledge_form_finds_or_creates_the_donor(client):
    project = make_project()
    with translation.override("fr"):
        url = reverse("donations:pledge", kwargs={"slug": project.slug})
    existing = Donor.objects.create(email="marie@example.org", name="Marie C.", street="1 rue")
    client.post(url, pledge_form_data(email="MARIE@example.org"))
    client.post(url, pledge_form_data(email="pierre@example.org", donor_name="Pierre"))
    marie, pierre = Sponsorship.objects.order_by("pk")
    assert marie.donor == existing
    assert pierre.donor.email == "pierre@example.org" and pierre.donor.name == "Pierre"
    assert pierre.donor.language == "fr"
    existing.refresh_from_db()
    assert existing.street == "1 rue"  # an unconfirmed form changes nothing of a donor


def test_news_consent_counts_once_the_pledge_is_confirmed_and_is_logged():
    sponsorship = make_sponsorship(make_project(), news_opt_in=True)
    donor = sponsorship.donor
    assert not donor.news_opt_in and not donor.consent_changes.exists()
    sponsorship.confirm()
    donor.refresh_from_db()
    assert donor.news_opt_in
    (change,) = donor.consent_changes.all()
    assert (change.consent, change.given, change.source) == ("news", True, "pledge")
    donor.set_news_consent(False, source=ConsentChange.Source.ADMIN)
    assert [c.given for c in donor.consent_changes.all()] == [True, False]


def test_data_migration_groups_existing_pledges_by_email(transactional_db):
    project = make_project()
    executor = MigrationExecutor(connection)
    executor.migrate([("donations", "0003_donors_and_receipts")])
    old = executor.loader.project_state([("donations", "0003_donors_and_receipts")]).apps
    old_sponsorship = old.get_model("donations", "Sponsorship")
    old_gift = old.get_model("donations", "Gift")
    from django.utils import timezone

    def pledge(n, email, **fields):
        return old_sponsorship.objects.create(
            reference=f"SP-2026-{n:06d}",
            project_id=project.pk,
            donor_email=email,
            donor_name=f"Name {n}",
            amount=Decimal("10"),
            **fields,
        )

    a1 = pledge(1, "Lise@Example.org")
    a2 = pledge(
        2,
        " lise@example.ORG",
        news_opt_in=True,
        status="confirmed",
        confirmed_at=timezone.now(),
        language="en",
    )
    b = pledge(3, "marc@example.org")
    c1 = pledge(4, "")
    c2 = pledge(5, "")
    old_gift.objects.create(sponsorship=a1, amount=Decimal("10"), method="cash")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    donors = {s.reference: s.donor for s in Sponsorship.objects.select_related("donor")}
    assert donors[a1.reference] == donors[a2.reference]
    lise = donors[a1.reference]
    assert lise.name == "Name 2" and lise.language == "en" and lise.news_opt_in
    assert lise.consent_changes.get().source == "import"
    assert donors[b.reference] not in (lise, donors[c1.reference])
    assert donors[c1.reference] != donors[c2.reference]
    assert Donor.objects.count() == 4
    assert Gift.objects.get().donor == lise


# Rights --------------------------------------------------------------------------------


@pytest.fixture
def receipted(db):
    project = make_project()
    first = make_sponsorship(project, confirmed=True, donor_email="Louis@Example.org")
    second = make_sponsorship(project, confirmed=True, donor_email="louis@example.org")
    donor = addressed(first.donor, name="Louis Riel", street="9, rue Secrète")
    gift = second.record_gift(amount=Decimal("80"), method="cheque", received_on=date(2026, 1, 5))
    old_gift = second.record_gift(
        amount=Decimal("20"), method="cheque", received_on=date(2020, 1, 5)
    )
    recent = issue_for_gift(gift)
    ancient = issue_for_gift(old_gift)
    Receipt.objects.filter(pk=ancient.pk).update(issued_on=date(2020, 2, 1))
    donor.set_news_consent(True, source=ConsentChange.Source.ADMIN)
    return {"donor": donor, "pledges": [first, second], "recent": recent, "ancient": ancient}


def test_export_per_donor_has_the_donor_consents_and_receipts(receipted):
    from donations.donor_rights import export_donor_data

    data = export_donor_data(donor=receipted["donor"], via="command")
    (record,) = data["donor_records"]
    assert record["name"] == "Louis Riel" and record["street"] == "9, rue Secrète"
    assert [c["given"] for c in record["consent_changes"]] == [True]
    assert {r["serial"] for r in record["receipts"]} == {
        receipted["recent"].serial,
        receipted["ancient"].serial,
    }
    assert {s["reference"] for s in data["sponsorships"]} == {
        p.reference for p in receipted["pledges"]
    }
    json.dumps(data)


def test_erasure_per_donor_keeps_only_receipts_the_law_requires(receipted):
    from donations.donor_rights import erase_donor_data

    erase_donor_data(donor=receipted["donor"], via="command")
    donor = Donor.objects.get(pk=receipted["donor"].pk)
    assert donor.is_erased and donor.email == "" and donor.street == ""
    assert not donor.news_opt_in
    assert donor.consent_changes.last().source == "erasure"
    assert all(p.is_erased for p in Sponsorship.objects.all())
    recent = Receipt.objects.get(pk=receipted["recent"].pk)
    ancient = Receipt.objects.get(pk=receipted["ancient"].pk)
    assert recent.donor_name == "Louis Riel"  # within the two years after its year
    assert ancient.donor_name == "" and ancient.donor_address == ""
    assert ancient.amount == Decimal("20")
    assert text_values_containing("louis@example") == []
    logged = DataRequest.objects.get(kind="erasure")
    assert f"receipt:{recent.serial}" in logged.references.split()
    with pytest.raises(ReceiptError, match=r"effacée|erased"):
        issue_for_gift(
            Sponsorship.objects.first().record_gift(
                amount=Decimal("5"), method="cash", received_on=date(2026, 2, 2)
            )
        )


# Admin ---------------------------------------------------------------------------------


def test_editors_never_see_donors_or_receipts(editor_client, receipted):
    receipt = receipted["recent"]
    for url in (
        reverse("admin:donations_donor_changelist"),
        reverse("admin:donations_donor_change", args=[receipted["donor"].pk]),
        reverse("admin:donations_receipt_changelist"),
        reverse("admin:donations_receipt_change", args=[receipt.pk]),
        reverse("admin:donations_receipt_pdf", args=[receipt.pk]),
    ):
        assert editor_client.get(url).status_code in (403, 404), url


def test_finance_sees_the_donor_and_downloads_the_pdf(client, finance_user, receipted):
    client.force_login(finance_user)
    donor = receipted["donor"]
    page = client.get(reverse("admin:donations_donor_change", args=[donor.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for needle in (receipted["recent"].serial, receipted["pledges"][0].reference, "80"):
        assert needle in html
    response = client.get(reverse("admin:donations_receipt_pdf", args=[receipted["recent"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]


def test_receipts_cannot_be_deleted_in_the_admin(client, finance_user, admin_client, receipted):
    receipt = receipted["recent"]
    url = reverse("admin:donations_receipt_delete", args=[receipt.pk])
    client.force_login(finance_user)
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Receipt.objects.filter(pk=receipt.pk).exists()


def test_admin_actions_issue_replace_and_spoil(client, finance_user, receipted):
    client.force_login(finance_user)
    sponsorship = receipted["pledges"][0]
    gift = sponsorship.record_gift(
        amount=Decimal("40"), method="cash", received_on=date(2026, 3, 3)
    )
    client.post(
        reverse("admin:donations_gift_changelist"),
        {"action": "issue_receipt", "_selected_action": [gift.pk]},
    )
    receipt = Receipt.objects.get(lines__gift=gift)
    assert receipt.issued_by == finance_user

    changelist = reverse("admin:donations_receipt_changelist")
    client.post(changelist, {"action": "cancel_and_replace", "_selected_action": [receipt.pk]})
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.CANCELLED
    replacement = Receipt.objects.get(replaces=receipt)
    assert replacement.status == Receipt.Status.ISSUED

    client.post(changelist, {"action": "mark_spoiled", "_selected_action": [replacement.pk]})
    replacement.refresh_from_db()
    assert replacement.status == Receipt.Status.SPOILED


def test_issuing_without_an_address_says_why_in_the_admin(client, finance_user, receipted):
    client.force_login(finance_user)
    Donor.objects.filter(pk=receipted["donor"].pk).update(city="")
    gift = receipted["pledges"][0].record_gift(amount=Decimal("40"), method="cash")
    response = client.post(
        reverse("admin:donations_gift_changelist"),
        {"action": "issue_receipt", "_selected_action": [gift.pk]},
        follow=True,
        headers={"accept-language": "fr"},
    )
    assert response.status_code == 200
    assert not Receipt.objects.filter(lines__gift=gift).exists()
    assert "city" in response.content.decode() or "ville" in response.content.decode()


def test_finance_edit_of_news_consent_is_logged(client, finance_user):
    client.force_login(finance_user)
    donor = Donor.objects.create(email="x@example.org", name="X")
    url = reverse("admin:donations_donor_change", args=[donor.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "name": "X",
        "email": "x@example.org",
        "language": "fr",
        "street": "",
        "city": "",
        "province": "",
        "postal_code": "",
        "country": "Canada",
        "receipt_preference": "annual",
        "news_opt_in": "on",
    }
    for prefix in (
        "sponsorships",
        "gifts",
        "receipts",
        "consent_changes",
    ):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    donor.refresh_from_db()
    assert donor.news_opt_in and donor.receipt_preference == "annual"
    (change,) = donor.consent_changes.all()
    assert change.source == "admin" and change.changed_by == finance_user


def test_gifts_follow_their_pledge_to_another_donor():
    sponsorship = make_sponsorship(make_project(), confirmed=True, donor_email="a@example.org")
    gift = sponsorship.record_gift(amount=Decimal("10"), method="cash")
    other = Donor.objects.create(email="b@example.org")
    sponsorship.donor = other
    sponsorship.save()
    gift.refresh_from_db()
    assert gift.donor == other


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every write; run on PostgreSQL to race for one new address",
)
@pytest.mark.django_db(transaction=True)
def test_two_pledges_of_a_new_address_at_once_make_one_donor():
    import threading

    from django.db import connections

    start = threading.Barrier(8)
    found, errors = [], []

    def pledge(n):
        try:
            start.wait(timeout=30)
            with transaction.atomic():  # as a request does (ATOMIC_REQUESTS)
                found.append(Donor.find_or_create(f"New.Donor@Example.org{' ' * n}").pk)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pledge, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(set(found)) == 1 and len(found) == 8
    assert Donor.objects.count() == 1


def test_annual_command_reports_donors_it_cannot_receipt(capsys):
    from django.core.management import call_command

    sponsorship = make_sponsorship(make_project(), confirmed=True)
    donor = sponsorship.donor
    donor.receipt_preference = Donor.ReceiptPreference.ANNUAL
    donor.save()
    sponsorship.record_gift(amount=Decimal("10"), method="cash", received_on=date(2026, 1, 2))
    call_command("issue_annual_receipts", "--year", "2026")
    captured = capsys.readouterr()
    assert f"#{donor.pk}" in captured.err
    assert "Issued 0 annual receipt(s) for 2026." in captured.out
    assert not Receipt.objects.exists()
