"""A donor's data: exported whole, erased without a trace, the books still adding up."""

import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from donations.funding import project_funding
from donations.models import DataRequest, Sponsorship
from tests.factories import make_project, make_sponsorship, pledge_form_data

pytestmark = pytest.mark.django_db

EMAIL = "Rosa.Parks@Example.org"


@pytest.fixture
def donor(client, finance_user):
    """A donor with two pledges (one through the public form), a gift, and some history."""
    project = make_project()
    from django.utils import translation

    with translation.override("fr"):
        url = reverse("donations:pledge", kwargs={"slug": project.slug})
    client.post(
        url,
        pledge_form_data(
            email=EMAIL,
            donor_name="Rosa Parks",
            dedication_kind="honour",
            dedication_name="Raymond Parks",
            public_message="Pour la liberté",
            show_name_publicly="on",
        ),
    )
    first = Sponsorship.objects.get()
    first.confirm()
    first.record_gift(amount=Decimal("40"), method="cheque", note="Chèque de Rosa Parks")
    second = make_sponsorship(
        project, donor_email=EMAIL.lower(), donor_name="R. Parks", confirmed=True
    )
    other = make_sponsorship(project, donor_email="someone@example.org", donor_name="Other")
    return {"project": project, "pledges": [first, second], "other": other}


def text_values_containing(needle: str) -> list[str]:
    """Return where ``needle`` appears in any text column of any table."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        text_fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        for field in text_fields:
            if model._default_manager.filter(**{f"{field}__icontains": needle}).exists():
                found.append(f"{model._meta.label}.{field}")
    return found


def test_export_command_gives_everything_about_the_email(donor, capsys):
    call_command("donor_data", "export", EMAIL.upper())
    data = json.loads(capsys.readouterr().out)
    references = {p["reference"] for p in data["sponsorships"]}
    assert references == {p.reference for p in donor["pledges"]}
    first = next(p for p in data["sponsorships"] if p["dedication_name"])
    assert first["donor_name"] == "Rosa Parks"
    assert first["gifts"][0]["amount"] == "40.00"
    assert first["gifts"][0]["note"] == "Chèque de Rosa Parks"
    assert first["history"] and first["privacy_consent_at"]
    assert "someone@example.org" not in json.dumps(data)
    logged = DataRequest.objects.get()
    assert logged.kind == "export" and logged.via == "command"
    assert EMAIL.lower() not in logged.references.lower()


def test_erase_command_leaves_no_trace_of_the_email_but_keeps_amounts(donor):
    before = project_funding(donor["project"])
    assert text_values_containing("rosa.parks@example")  # the check can find it...
    call_command("donor_data", "erase", EMAIL, "--no-input")
    # ...and now it is nowhere: sponsorships, gifts, history tables, logs.
    assert text_values_containing("rosa.parks@example") == []
    assert text_values_containing("Rosa Parks") == []
    assert text_values_containing("Raymond") == []
    assert text_values_containing("liberté") == []
    for pledge in donor["pledges"]:
        pledge.refresh_from_db()
        assert pledge.is_erased and pledge.amount and pledge.reference
        assert not pledge.show_name_publicly
    assert project_funding(donor["project"]) == before
    donor["other"].refresh_from_db()
    assert donor["other"].donor_email == "someone@example.org"
    logged = DataRequest.objects.get(kind="erasure")
    assert set(logged.references.split()) == {p.reference for p in donor["pledges"]}


def test_erased_donor_is_no_longer_named_publicly_and_link_is_dead(client, donor):
    first = donor["pledges"][0]
    token = first.confirmation_token()
    call_command("donor_data", "erase", EMAIL, "--no-input")
    html = client.get(donor["project"].get_absolute_url()).content.decode()
    assert "Rosa" not in html
    response = client.get(reverse("donations:confirm", kwargs={"token": token}))
    assert response.status_code == 404


def test_admin_actions_export_and_erase(client, finance_user, donor):
    client.force_login(finance_user)
    changelist = reverse("admin:donations_sponsorship_changelist")
    first = donor["pledges"][0]
    response = client.post(
        changelist, {"action": "export_donor_data", "_selected_action": [first.pk]}
    )
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert len(data["donors"]) == 1 and len(data["donors"][0]["sponsorships"]) == 2

    confirm_page = client.post(
        changelist, {"action": "erase_donor_data", "_selected_action": [first.pk]}
    )
    assert confirm_page.status_code == 200
    assert donor["pledges"][1].reference in confirm_page.content.decode()
    assert not Sponsorship.objects.filter(erased_at__isnull=False).exists()

    client.post(
        changelist,
        {"action": "erase_donor_data", "_selected_action": [first.pk], "apply": "1"},
    )
    assert text_values_containing("rosa.parks@example") == []
    assert Sponsorship.objects.filter(erased_at__isnull=False).count() == 2
    erasure = DataRequest.objects.get(kind="erasure")
    assert erasure.performed_by == finance_user and erasure.via == "admin"


def test_erase_command_refuses_without_confirmation(donor, monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError):
        call_command("donor_data", "erase", EMAIL)
    assert not Sponsorship.objects.filter(erased_at__isnull=False).exists()


def test_purge_removes_old_unconfirmed_pledges_and_their_history(donor):
    from datetime import timedelta

    from django.utils import timezone

    stale = make_sponsorship(donor["project"], donor_email="stale@example.org")
    Sponsorship.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=31))
    call_command("purge_unconfirmed_pledges")
    assert not Sponsorship.objects.filter(pk=stale.pk).exists()
    assert text_values_containing("stale@example.org") == []
    assert Sponsorship.objects.filter(pk=donor["other"].pk).exists()  # recent: kept


def test_erase_reaches_the_history_of_deleted_pledges_and_former_addresses(donor):
    """Finance deleted a pledge, or corrected an address: the history still held them."""
    project = donor["project"]
    deleted = make_sponsorship(project, donor_email=EMAIL, donor_name="Rosa Deleted")
    deleted.delete()
    corrected = make_sponsorship(project, donor_email=EMAIL, donor_name="Rosa Corrected")
    corrected.donor_email = "rosa.new@example.org"
    corrected.save()
    assert text_values_containing("Rosa Deleted")
    call_command("donor_data", "erase", EMAIL, "--no-input")
    assert text_values_containing("rosa.parks@example") == []
    assert text_values_containing("Rosa Deleted") == []
    assert text_values_containing("Rosa Corrected") == []
    erasure = DataRequest.objects.get(kind="erasure")
    assert deleted.reference in erasure.references.split()


def test_export_includes_deleted_pledges_and_former_addresses(donor, capsys):
    project = donor["project"]
    deleted = make_sponsorship(project, donor_email=EMAIL, donor_name="Rosa Deleted")
    deleted.delete()
    corrected = make_sponsorship(project, donor_email=EMAIL, donor_name="Rosa Corrected")
    corrected.donor_email = "rosa.new@example.org"
    corrected.save()
    call_command("donor_data", "export", EMAIL)
    data = json.loads(capsys.readouterr().out)
    assert corrected.reference in {p["reference"] for p in data["sponsorships"]}
    assert [p["donor_name"] for p in data["deleted_sponsorships"]] == ["Rosa Deleted"]
    history = next(p for p in data["sponsorships"] if p["reference"] == corrected.reference)
    assert EMAIL in [change["donor_email"] for change in history["history"]]
    logged = DataRequest.objects.get()
    assert deleted.reference in logged.references.split()


@pytest.fixture
def reused_id(db):
    """An old donor's pledge (with a gift) deleted, and its id given to a new donor's pledge,
    as SQLite does after a deletion and a restored dump does after resetting sequences."""
    project = make_project()
    old = make_sponsorship(project, donor_email="old@example.org", donor_name="Olga Ancienne")
    gift = old.record_gift(amount=Decimal("5"), method="cash", note="Espèces d’Olga")
    gift.delete()
    old_pk, old_reference = old.pk, old.reference
    old.delete()
    new = make_sponsorship(
        project, pk=old_pk, donor_email="new@example.org", donor_name="Noé Nouveau"
    )
    new.record_gift(amount=Decimal("7"), method="cash", note="Espèces de Noé")
    assert new.pk == old_pk and new.reference != old_reference
    return {"old_reference": old_reference, "new": new}


def test_export_never_shows_the_donor_who_had_the_id_before(reused_id, capsys):
    call_command("donor_data", "export", "new@example.org")
    data = json.dumps(json.loads(capsys.readouterr().out), ensure_ascii=False)
    assert "Noé Nouveau" in data
    assert "Olga" not in data and "old@example.org" not in data
    assert reused_id["old_reference"] not in data

    call_command("donor_data", "export", "old@example.org")
    old = json.loads(capsys.readouterr().out)
    assert old["sponsorships"] == []
    (deleted,) = old["deleted_sponsorships"]
    assert deleted["reference"] == reused_id["old_reference"]
    assert "Noé" not in json.dumps(old, ensure_ascii=False)


def test_erasing_the_new_donor_keeps_the_old_donors_history(reused_id):
    call_command("donor_data", "erase", "new@example.org", "--no-input")
    assert text_values_containing("Noé") == []
    assert text_values_containing("new@example.org") == []
    # The other donor's past is theirs: still there, still theirs to see or erase.
    assert text_values_containing("Olga Ancienne")
    assert text_values_containing("Espèces d’Olga")
    erasure = DataRequest.objects.get(kind="erasure")
    assert erasure.references.split() == [reused_id["new"].reference]


def test_erasing_the_old_donor_leaves_the_new_one_alone(reused_id):
    call_command("donor_data", "erase", "old@example.org", "--no-input")
    assert text_values_containing("Olga") == []
    assert text_values_containing("old@example.org") == []
    assert text_values_containing("Espèces d’Olga") == []
    new = reused_id["new"]
    new.refresh_from_db()
    assert new.donor_name == "Noé Nouveau" and not new.is_erased
    assert new.history.filter(donor_name="Noé Nouveau").exists()
    assert text_values_containing("Espèces de Noé")


def test_erase_command_counts_what_it_lists(donor, capsys, monkeypatch):
    """Deleted pledges and former addresses count in the question and in the report."""
    deleted = make_sponsorship(donor["project"], donor_email=EMAIL, donor_name="Rosa Deleted")
    deleted.delete()
    prompts = []
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or "yes")
    call_command("donor_data", "erase", EMAIL)
    out = capsys.readouterr().out
    references = sorted([p.reference for p in donor["pledges"]] + [deleted.reference])
    assert "from 3 sponsorship(s)" in prompts[0]
    assert all(reference in prompts[0] for reference in references)
    assert f"Identity erased from 3 sponsorship(s): {' '.join(references)}" in out
