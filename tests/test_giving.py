"""The giving panel, the pledge form's redirect, the thank-you page, the confirmation email,
monthly pledges' next expected gift and the finance exports."""

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from donations import exports
from donations.models import Sponsorship
from donations.schedule import add_months, next_expected_on
from tests.factories import (
    make_project,
    make_sponsorship,
    make_suggested_amount,
    pledge_form_data,
)

pytestmark = pytest.mark.django_db


def url_in(language, name, **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def project_url(project, language="fr"):
    with translation.override(language):
        return project.get_absolute_url()


def pledge_url(project, language="fr"):
    with translation.override(language):
        return reverse("donations:pledge", kwargs={"slug": project.slug})


@pytest.fixture
def project(db):
    project = make_project(funding_goal=Decimal("1000"))
    make_suggested_amount(project, "25", impact_fr="les fournitures d’une fille")
    make_suggested_amount(project, "100", impact_fr="un mois de suivi")
    return project


def giving_panel(html: str) -> str:
    start = html.index('id="support"')
    return html[start : html.index("</section>", start)]


# The giving panel on the project page ---------------------------------------------------


def test_amount_buttons_are_links_with_their_impact_and_no_form(client, project):
    html = client.get(project_url(project)).content.decode()
    panel = giving_panel(html)
    pledge = pledge_url(project)
    assert re.search(
        rf'<a class="amount-choice" href="{re.escape(pledge)}\?amount=25\.00">'
        r"<strong>25\s\$</strong> <span>les fournitures d’une fille</span></a>",
        panel,
    )
    assert f'href="{pledge}?frequency=once"' in panel
    assert f'href="{pledge}?frequency=monthly"' in panel
    # The project page is the same for everyone: no form, no CSRF token, no cookie.
    assert "<form" not in panel and "csrfmiddlewaretoken" not in html
    assert not client.get(project_url(project)).cookies


def test_the_progress_bar_shows_at_zero_with_its_goal(client, project):
    panel = giving_panel(client.get(project_url(project)).content.decode())
    assert re.search(r'<progress class="funding-progress"[^>]*max="100" value="0"', panel)
    assert 'aria-label="Part de l’objectif de financement recueillie"' in panel
    assert "0 % de l’objectif recueilli" in panel.replace("\xa0", " ")
    assert re.search(r"recueillis sur un objectif de 1\s000\s\$", panel)


def test_a_project_without_goal_shows_what_was_raised_without_a_bar(client):
    project = make_project(funding_goal=None)
    panel = giving_panel(client.get(project_url(project)).content.decode())
    assert "<progress" not in panel and 'data-figure="raised">0 $' in panel.replace("\xa0", " ")


def test_supporters_are_folded_away(client, project):
    make_sponsorship(project, confirmed=True, show_name_publicly=True, donor_name="Ada L.")
    panel = giving_panel(client.get(project_url(project)).content.decode())
    assert re.search(r"<details class=\"supporters-box\">.*Ada L\.", panel, re.S)


def test_the_pledge_page_preselects_the_amount_and_frequency_of_the_links(client, project):
    html = client.get(pledge_url(project) + "?amount=100.00").content.decode()
    assert re.search(r'<input[^>]*value="100\.00"[^>]*checked', html)
    html = client.get(pledge_url(project) + "?frequency=monthly").content.decode()
    assert re.search(r'<input[^>]*value="monthly"[^>]*checked', html)


def test_donate_in_the_header_and_on_cards(client, project):
    html = client.get(url_in("en", "portfolio:home")).content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert re.search(
        r'<a class="button donate-link header-donate" href="/en/[^"]+\?status=active">Donate</a>',
        header,
    )
    html = client.get(url_in("fr", "portfolio:project_list")).content.decode()
    assert (
        f'class="button donate-link card-donate" href="{pledge_url(project)}">Faire un don' in html
    )
    finished = make_project(status="completed")
    html = client.get(url_in("fr", "portfolio:project_list")).content.decode()
    assert pledge_url(finished) not in html


# POST/redirect/GET -------------------------------------------------------------------------


def test_a_form_with_mistakes_is_shown_by_a_redirect_then_sent(client, project, mailoutbox):
    response = client.post(pledge_url(project), pledge_form_data(other_amount="abc"))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(pledge_url(project) + "?draft=")
    page = client.get(location)
    html = page.content.decode()
    assert 'class="error-summary"' in html and 'value="Marie Curie"' in html
    draft = re.search(r'name="draft" value="([0-9a-f]{32})"', html).group(1)
    assert not Sponsorship.objects.exists()
    # Corrected and sent: a pledge, and the draft is gone (Back shows a fresh form).
    sent = client.post(pledge_url(project), pledge_form_data(draft=draft))
    assert sent.status_code == 302 and "?ref=" in sent["Location"]
    assert Sponsorship.objects.count() == 1
    assert cache.get(f"donations:pledge-draft:{draft}") is None
    assert 'class="error-summary"' not in client.get(location).content.decode()


def test_a_draft_shows_only_on_its_own_project(client, project):
    other = make_project()
    location = client.post(pledge_url(project), pledge_form_data(other_amount="abc"))["Location"]
    query = location.split("?", 1)[1]
    html = client.get(f"{pledge_url(other)}?{query}").content.decode()
    assert "Marie Curie" not in html
    assert client.get(pledge_url(project) + "?draft=../../x").status_code == 200


# The thank-you page ------------------------------------------------------------------------


def pledge(client, project, **fields):
    response = client.post(pledge_url(project), pledge_form_data(**fields))
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def test_the_thanks_page_keeps_its_reference_in_the_other_language(client, project):
    location = pledge(client, project)
    reference = Sponsorship.objects.get().reference
    html = client.get(location).content.decode()
    query = location.split("?", 1)[1]
    english = url_in("en", "donations:thanks") + "?" + query
    assert f'href="{english}" hreflang="en"' in html
    assert reference in client.get(english).content.decode()


def test_the_thanks_page_leads_to_the_project_its_news_and_sharing(client, project):
    html = client.get(pledge(client, project)).content.decode()
    assert f'href="{project_url(project)}">Retour au projet' in html
    assert f'href="{url_in("fr", "portfolio:project_list")}">Retour aux projets' in html
    assert f'href="{url_in("fr", "portfolio:home")}">Retour aux projets' not in html
    assert f'href="{project_url(project)}#updates-heading"' in html
    absolute = quote("http://testserver" + project_url(project), safe="")
    share = html[html.index('class="share"') :]
    assert f"sharer.php?u={absolute}" in share


def test_the_thanks_page_without_a_pledge_leads_to_the_projects(client):
    html = client.get(url_in("fr", "donations:thanks") + "?ref=forged").content.decode()
    assert f'href="{url_in("fr", "portfolio:project_list")}">Retour aux projets' in html
    assert "Renvoyer le courriel" not in html


def test_a_monthly_pledge_says_when_its_next_gift_is_expected(client, project):
    html = client.get(pledge(client, project, frequency="monthly")).content.decode()
    expected = add_months(timezone.localdate(), 1)
    assert f'<time datetime="{expected.isoformat()}">' in html
    assert "Après votre premier don, 40 $ chaque mois" in html.replace("\xa0", " ")
    once = Client()
    html = once.get(pledge(once, project, email="autre@example.org")).content.decode()
    assert "<time datetime=" not in html


def test_the_confirmation_email_can_be_sent_again_a_few_times(
    client, project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        location = pledge(client, project)
    assert len(mail.outbox) == 1
    token = unquote(location.split("?ref=", 1)[1])
    html = client.get(location).content.decode()
    assert f'action="{url_in("fr", "donations:resend")}"' in html and "csrfmiddlewaretoken" in html
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url_in("fr", "donations:resend"), {"ref": token})
        assert response.status_code == 302 and response["Location"].endswith("&resent=sent")
        assert len(mail.outbox) == 2 + n
    response = client.post(url_in("fr", "donations:resend"), {"ref": token})
    assert response["Location"].endswith("&resent=limited") and len(mail.outbox) == 4
    assert "attendez une heure" in client.get(response["Location"]).content.decode()


def test_resending_needs_the_csrf_token_a_post_and_a_pending_pledge(client, project):
    location = pledge(client, project)
    token = unquote(location.split("?ref=", 1)[1])
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url_in("fr", "donations:resend"), {"ref": token}).status_code == 403
    assert client.get(url_in("fr", "donations:resend")).status_code == 405
    forged = client.post(url_in("fr", "donations:resend"), {"ref": "forged"})
    assert forged["Location"] == url_in("fr", "donations:thanks")
    Sponsorship.objects.get().confirm()
    response = client.post(url_in("fr", "donations:resend"), {"ref": token})
    assert response["Location"].endswith("&resent=done") and mail.outbox == []


# The confirmation email --------------------------------------------------------------------


def test_the_confirmation_email_is_branded_readable_on_a_phone_and_dedicated(
    client, project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pledge(client, project, dedication_kind="memory", dedication_name="Pierre Curie")
    message = mail.outbox[0]
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert "Votre don est dédié à la mémoire de Pierre Curie." in message.body
    assert "Votre don est dédié à la mémoire de Pierre Curie." in html
    pledged = Sponsorship.objects.get()
    # The link carries the time it was signed: the one sent, read back, names this pledge.
    expected = pledged.confirmation_url().rsplit(":", 2)[0]
    link = re.search(re.escape(expected) + r":[^\s/]+:[^\s/]+/", message.body).group(0)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert Sponsorship.reference_from_token(token) == pledged.reference
    assert re.search(r'<a class="button" href="' + re.escape(link), html)
    raw = re.search(r'<p class="raw-link" style="([^"]+)"><a href="[^"]+"[^>]*>([^<]+)</a>', html)
    assert "word-break: break-all" in raw.group(1) and raw.group(2) == link
    assert 'name="viewport"' in html and 'class="brand"' in html


def test_an_email_without_dedication_does_not_mention_one(
    client, project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pledge(client, project)
    assert "dédié" not in mail.outbox[0].body


# Monthly pledges: the next expected gift ---------------------------------------------------


def test_add_months_keeps_within_the_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_next_expected_gift(project):
    monthly = make_sponsorship(project, confirmed=True, frequency="monthly")
    monthly.created_at = datetime(2026, 3, 10, 12, tzinfo=ZoneInfo("America/Toronto"))
    assert next_expected_on(monthly) == date(2026, 4, 10)
    monthly.record_gift(amount=Decimal("50"), received_on=date(2026, 3, 20), method="cheque")
    assert next_expected_on(monthly) == date(2026, 4, 20)
    monthly.record_gift(amount=Decimal("50"), received_on=date(2026, 4, 22), method="cheque")
    assert next_expected_on(monthly) == date(2026, 5, 20)
    assert next_expected_on(make_sponsorship(project, confirmed=True)) is None
    monthly.cancel()
    assert next_expected_on(monthly) is None


def test_the_finance_list_shows_the_next_expected_gift(client, finance_user, project):
    client.force_login(finance_user)
    monthly = make_sponsorship(project, confirmed=True, frequency="monthly")
    monthly.record_gift(amount=Decimal("50"), received_on=date(2026, 3, 20), method="cheque")
    html = client.get(reverse("admin:donations_sponsorship_changelist")).content.decode()
    assert "prochain don attendu" in html.lower()
    assert "2026-04-20" in html or "20/04/2026" in html


# Finance exports ---------------------------------------------------------------------------


def export(client, language, sponsorships):
    with translation.override(language):
        url = reverse("admin:donations_sponsorship_changelist")
    response = client.post(
        url,
        {"action": "export_csv", "_selected_action": [s.pk for s in sponsorships]},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


@pytest.fixture
def pledges(project):
    monthly = make_sponsorship(
        project,
        confirmed=True,
        frequency="monthly",
        amount=Decimal("1250.50"),
        dedication_kind="honour",
        dedication_name="Irène",
    )
    # 23:30 in Toronto on 31 January is already February in UTC.
    monthly.created_at = datetime(2026, 2, 1, 4, 30, tzinfo=ZoneInfo("UTC"))
    monthly.save(update_fields=["created_at"])
    monthly.record_gift(amount=Decimal("1250.50"), received_on=date(2026, 2, 3), method="cheque")
    once = make_sponsorship(project, amount=Decimal("40"))
    return monthly, once


def test_sponsorships_export_in_french(client, finance_user, pledges):
    client.force_login(finance_user)
    text = export(client, "fr", pledges)
    header, *rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert header[:3] == ["Référence", "Promis le", "Projet"]
    row = dict(zip(header, rows[0], strict=True))
    assert row["Montant"] == "1250,50" and row["Reçu"] == "1250,50"
    assert row["Fréquence"] == "Chaque mois" and row["État"] == "Confirmé"
    assert row["Promis le"] == "2026-01-31 23:30"
    assert row["Dédicace"] == "En l’honneur de" and row["Nom affiché publiquement"] == "non"
    assert row["Prochain don attendu"] == "2026-03-03"
    other = dict(zip(header, rows[1], strict=True))
    assert other["État"] == "En attente de confirmation par courriel"
    assert other["Prochain don attendu"] == ""


def test_sponsorships_export_in_english(client, finance_user, pledges):
    client.force_login(finance_user)
    text = export(client, "en", pledges)
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert header[:3] == ["Reference", "Pledged on", "Project"]
    row = dict(zip(header, rows[0], strict=True))
    assert row["Amount"] == "1250.50" and row["Frequency"] == "Every month"
    assert row["Status"] == "Confirmed" and row["Dedication"] == "In honour of"
    assert ";" not in text.splitlines()[0]


def test_gift_totals_by_month_method_and_project(client, finance_user, project, pledges):
    other = make_project(title_fr="Autre projet", title_en="Other project")
    make_sponsorship(other, confirmed=True).record_gift(
        amount=Decimal("10.25"), received_on=date(2026, 3, 1), method="transfer"
    )
    totals = exports.gift_totals()
    assert [row[0] for row in totals["month"]] == ["2026-02", "2026-03"]
    assert sum(row[2] for row in totals["project"]) == Decimal("1260.75")
    client.force_login(finance_user)
    with translation.override("fr"):
        url = reverse("admin:donations_sponsorship_gift_totals")
    text = client.get(url).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == ["Mois", "Dons", "Total reçu"]
    assert ["2026-02", "1", "1250,50"] in rows and ["Total", "2", "1260,75"] in rows
    assert "Autre projet" in text and "Chèque" in text
    page = client.get(reverse("admin:donations_sponsorship_totals")).content.decode()
    assert 'id="gift-totals-method"' in page and url in page


def test_gift_totals_need_the_finance_permission(client, editor):
    client.force_login(editor)
    assert client.get(reverse("admin:donations_sponsorship_gift_totals")).status_code == 403
