"""Québec's Law 25: the privacy officer is named on every public page, and confidentiality
incidents are recorded in a register only Finance and superusers can open."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse, reverse_lazy
from django.utils import translation

from privacy.models import ConfidentialityIncident

from .admin_forms import admin_form_data
from .factories import make_partner, make_project

OFFICER = {
    "PRIVACY_OFFICER_NAME": "Awa Diallo",
    "PRIVACY_OFFICER_TITLE": "Directrice générale",
    "PRIVACY_OFFICER_EMAIL": "vie-privee@example.org",
    "PRIVACY_OFFICER_ADDRESS": "1234, rue Sainte-Catherine, Montréal QC H3B 1A1",
}
HEADING = {
    "fr": "Responsable de la protection des renseignements personnels",
    "en": "Person in charge of the protection of personal information",
}


@pytest.fixture
def officer(settings):
    for name, value in OFFICER.items():
        setattr(settings, name, value)


def footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">') :]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_public_page_names_the_privacy_officer(client, officer, language):
    project = make_project()
    partner = make_partner()
    with translation.override(language):
        pages = [
            reverse("portfolio:home"),
            project.get_absolute_url(),
            partner.get_absolute_url(),
            f"/{language}/no-such-page/",
        ]
    for url in pages:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        html = footer(response.content.decode())
        assert HEADING[language] in html, url
        assert "Awa Diallo" in html and "Directrice générale" in html, url
        assert 'href="mailto:vie-privee@example.org"' in html, url
        assert "1234, rue Sainte-Catherine, Montréal QC H3B 1A1" in html, url


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_privacy_notice_at_the_pledge_form_names_the_officer(client, officer, language):
    project = make_project()
    with translation.override(language):
        url = reverse("donations:pledge", kwargs={"slug": project.slug})
    html = client.get(url).content.decode()
    notice = html[html.index('class="privacy-notice"') : html.index('<footer class="site-footer">')]
    assert HEADING[language] in notice
    assert "vie-privee@example.org" in notice


@pytest.mark.django_db
def test_without_a_name_the_footer_still_gives_a_way_to_reach_the_officer(client, settings):
    settings.PRIVACY_OFFICER_NAME = ""
    settings.PRIVACY_OFFICER_EMAIL = "dpo@example.org"
    settings.PRIVACY_OFFICER_ADDRESS = ""
    html = footer(client.get("/en/").content.decode())
    assert HEADING["en"] in html
    assert 'href="mailto:dpo@example.org"' in html


@pytest.mark.django_db
def test_the_officer_name_is_escaped(client, settings):
    settings.PRIVACY_OFFICER_NAME = "<script>alert(1)</script>"
    html = footer(client.get("/en/").content.decode())
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


ADD_URL = reverse_lazy("admin:privacy_confidentialityincident_add")
INCIDENT = {
    "occurred_from": "2026-03-02",
    "occurred_until": "2026-03-04",
    "learned_on": "2026-03-10",
    "description": "A pledge export was sent to the wrong address.",
    "information_concerned": "Names, email addresses and pledge amounts.",
    "people_affected": "42",
    "sensitivity": "Low: no bank details.",
    "anticipated_consequences": "Unwanted email.",
    "likelihood_of_misuse": "Low: the recipient deleted it.",
    "risk": "not_serious",
    "measures_taken": "Recipient confirmed deletion; exports now go to a shared folder.",
}


@pytest.fixture
def finance_client(client, finance_user):
    client.force_login(finance_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.mark.django_db
class TestTheIncidentRegister:
    def test_finance_records_an_incident(self, finance_client, finance_user):
        page = finance_client.get(ADD_URL)
        assert page.status_code == 200
        response = finance_client.post(ADD_URL, admin_form_data(page, **INCIDENT))
        assert response.status_code == 302, response.context and response.context["errors"]
        incident = ConfidentialityIncident.objects.get()
        assert incident.recorded_by == finance_user
        assert incident.people_affected == 42
        assert incident.learned_on == datetime.date(2026, 3, 10)
        assert (
            finance_client.get(
                reverse("admin:privacy_confidentialityincident_changelist")
            ).status_code
            == 200
        )

    def test_finance_is_told_to_say_how_people_were_notified(self, finance_client):
        page = finance_client.get(ADD_URL)
        response = finance_client.post(
            ADD_URL, admin_form_data(page, **INCIDENT, people_notified_on="2026-03-12")
        )
        assert response.status_code == 200
        assert "Say how the people concerned were notified." in " ".join(
            str(e) for e in response.context["errors"]
        )
        assert not ConfidentialityIncident.objects.exists()

    def test_an_editor_cannot_open_the_register(self, editor_client):
        assert editor_client.get(ADD_URL).status_code == 403
        assert editor_client.post(ADD_URL, INCIDENT).status_code == 403
        assert (
            editor_client.get(
                reverse("admin:privacy_confidentialityincident_changelist")
            ).status_code
            == 403
        )
        assert not ConfidentialityIncident.objects.exists()
        assert (
            reverse("admin:app_list", args=["privacy"]).encode()
            not in editor_client.get(reverse("admin:index")).content
        )

    def test_a_superuser_can_open_the_register(self, admin_client):
        assert admin_client.get(ADD_URL).status_code == 200

    @pytest.mark.parametrize("language", ["fr", "en"])
    def test_the_form_is_translated(self, finance_client, language):
        finance_client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        html = finance_client.get(ADD_URL).content.decode()
        expected = {
            "fr": ["Risque de préjudice sérieux", "incident de confidentialité"],
            "en": ["Risk of serious injury", "confidentiality incident"],
        }
        for text in expected[language]:
            assert text in html

    def test_the_database_refuses_a_period_that_ends_before_it_starts(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            ConfidentialityIncident.objects.create(
                occurred_from=datetime.date(2026, 3, 4),
                occurred_until=datetime.date(2026, 3, 2),
                learned_on=datetime.date(2026, 3, 10),
                description="x",
                information_concerned="y",
            )
