"""A partner's card in the partner list (``partners.views.partner_card``), as visitors
read it in either language."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from partners.views import CardAddresses, partner_card
from tests.factories import make_partner, make_project
from tests.test_project_page_details import with_logo

pytestmark = pytest.mark.django_db


def card(partner, projects, language, addresses=None):
    with translation.override(language):
        return partner_card(partner, projects, addresses)


@pytest.mark.parametrize(
    ("language", "one", "many", "country"),
    [("fr", "1 projet", "2 projets", "Népal"), ("en", "1 project", "2 projects", "Nepal")],
)
def test_a_card_names_the_partner_where_it_is_and_its_projects(language, one, many, country):
    partner = make_partner(
        name_fr="Femmes & Enfants <Népal>",
        name_en="Women & Children <Nepal>",
        city="Katmandou",
        summary_fr="Une coopérative « rurale » <b>&",
        summary_en="A rural co-operative <b>&",
    )
    with translation.override(language):
        page = partner.get_absolute_url()
        listed = f"{reverse('portfolio:project_list')}?partner={partner.slug}"
    name = (
        "Femmes &amp; Enfants &lt;Népal&gt;"
        if language == "fr"
        else ("Women &amp; Children &lt;Nepal&gt;")
    )
    summary = "Une coopérative « rurale »" if language == "fr" else "A rural co-operative"
    summary += " &lt;b&gt;&amp;"
    heading = f"partner-{partner.pk}"

    assert card(partner, 1, language) == (
        '<li class="partner-card">'
        f'<h3 id="{heading}"><a href="{page}">{name}</a></h3>'
        f'<p class="muted">Katmandou, {country}</p>'
        f"<p>{summary}</p>"
        f'<p class="card-meta"><a href="{listed}" '
        f'aria-describedby="{heading}">{one}</a></p>'
        "</li>"
    )
    assert f">{many}</a></p></li>" in card(partner, 2, language)
    # No project published: no link to an empty list.
    assert "card-meta" not in card(partner, 0, language)
    # The addresses of a page's cards, worked out once for them all.
    other = make_partner(name_fr="Chhori", name_en="Chhori", country="NP")
    with translation.override(language):
        addresses = CardAddresses()
    assert [card(each, 3, language, addresses) for each in (partner, other)] == [
        card(each, 3, language) for each in (partner, other)
    ]


def test_text_missing_in_the_visitors_language_is_marked_with_its_own():
    partner = make_partner(
        name_fr="Chhori", name_en="", summary_fr="Une association de jeunes", city="", country=""
    )

    shown = card(partner, 0, "en")

    assert '<span lang="fr">Chhori</span></a></h3>' in shown
    assert '<p lang="fr">Une association de jeunes</p>' in shown
    assert "muted" not in shown  # Neither city nor country.


def test_a_card_escapes_its_countrys_name():
    partner = make_partner(city="", country="CI")
    shown = [card(partner, 0, "fr"), card(partner, 0, "en")]

    assert '<p class="muted">Côte d&#x27;Ivoire</p>' in shown[0]
    assert '<p class="muted">Côte d&#x27;Ivoire</p>' in shown[1]  # Its English name too.


def test_a_card_shows_the_partners_logo_and_escapes_its_city():
    partner = make_partner(
        city='Dhaka "Nord"', country="BD", logo_alt_fr="Logo", logo_alt_en="Logo"
    )
    with_logo(partner)

    shown = card(partner, 0, "fr")

    assert shown.startswith('<li class="partner-card"><img src="')
    assert 'class="partner-logo"' in shown and 'sizes="4rem"' in shown and 'alt=""' in shown
    assert '<p class="muted">Dhaka &quot;Nord&quot;, Bangladesh</p>' in shown


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_partner_list_shows_each_partner_with_its_number_of_projects(language):
    busy = make_partner(name_fr="Mumbai Smiles", name_en="Mumbai Smiles")
    quiet = make_partner(name_fr="Goran Bose", name_en="Goran Bose")
    make_project(partners=[busy])
    make_project(partners=[busy, quiet])
    with translation.override(language):
        response = Client().get(reverse("partners:partner_list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert card(busy, 2, language) in html
    assert card(quiet, 1, language) in html
