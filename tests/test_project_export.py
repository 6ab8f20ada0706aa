"""The project list as filtered, as a CSV file in the visitor's language."""

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client

from tests.factories import make_partner, make_project, make_region, make_sector

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor():
    return Client()


@pytest.fixture
def projects():
    india = make_region(name_fr="Inde", name_en="India", slug_fr="inde", slug_en="india")
    bengal = make_region(parent=india, name_fr="Bengale", name_en="Bengal")
    nepal = make_region(name_fr="Népal", name_en="Nepal", country="NP")
    partner = make_partner(name_fr="Sourires", name_en="Smiles")
    well = make_project(
        title_fr='=HYPERLINK("http://evil.example")',
        title_en="+cmd|' /C calc'!A0",
        summary_fr="-2+3",
        summary_en="@SUM(A1)",
        regions=[bengal],
        partners=[partner],
        sector=make_sector(name_fr="Eau", name_en="Water"),
        beneficiaries=4000,
        funding_goal=Decimal("1250.50"),
    )
    school = make_project(title_fr="Une école", title_en="A school", regions=[nepal])
    make_project(title_fr="Brouillon", title_en="Draft", is_published=False)
    return well, school


def read(response):
    assert response.status_code == 200
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return text[1:]


def rows(text, delimiter):
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def test_french_export(visitor, projects):
    well, school = projects
    response = visitor.get("/fr/projets/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="projets.csv"' in response["Content-Disposition"]
    table = rows(read(response), ";")
    assert table[0] == [
        "Titre",
        "Résumé",
        "État",
        "Secteur",
        "Régions",
        "Partenaires",
        "Bénéficiaires",
        "Date de début",
        "Date de fin",
        "Objectif de financement (CAD)",
        "Adresse de la page",
    ]
    by_url = {row[-1]: row for row in table[1:]}
    assert len(table) == 3  # the draft is not there
    row = by_url[f"http://testserver{well.get_absolute_url()}"]
    assert row[2:7] == ["En cours", "Eau", "Bengale", "Sourires", "4000"]
    assert row[9] == "1250,50"
    assert f"http://testserver/fr/projets/{school.slug_fr}/" in by_url


def test_english_export(visitor, projects):
    response = visitor.get("/en/projects/export.csv")
    assert 'filename="projects.csv"' in response["Content-Disposition"]
    table = rows(read(response), ",")
    assert table[0][:3] == ["Title", "Summary", "Status"]
    assert table[0][-1] == "Page address"
    well_row = next(row for row in table[1:] if row[3] == "Water")
    assert well_row[9] == "1250.50"
    assert well_row[-1].startswith("http://testserver/en/projects/")


def test_cells_never_run_as_formulas(visitor, projects):
    for url, delimiter in (("/fr/projets/export.csv", ";"), ("/en/projects/export.csv", ",")):
        for row in rows(read(visitor.get(url)), delimiter):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@")), cell
    french = read(visitor.get("/fr/projets/export.csv"))
    assert "'=HYPERLINK" in french
    assert "'-2+3" in french
    english = read(visitor.get("/en/projects/export.csv"))
    assert "'+cmd" in english
    assert "'@SUM(A1)" in english


def test_the_export_follows_the_filters(visitor, projects):
    well, school = projects
    india = read(visitor.get("/fr/projets/export.csv?region=inde"))
    assert well.get_absolute_url() in india
    assert school.get_absolute_url() not in india
    search = read(visitor.get("/en/projects/export.csv?q=school"))
    assert "A school" in search
    assert "Smiles" not in search


def test_the_list_page_links_to_the_export_of_its_filters(visitor, projects):
    page = visitor.get("/fr/projets/?region=inde&status=active&page=1").content.decode()
    assert 'href="/fr/projets/export.csv?region=inde&amp;status=active"' in page
    assert "Télécharger ces projets (CSV)" in page
    english = visitor.get("/en/projects/?region=india").content.decode()
    assert 'href="/en/projects/export.csv?region=india"' in english
    assert "Download these projects (CSV)" in english
