"""A visitor filters the project list, then downloads what it shows as a CSV file."""

import csv
import io

from playwright.sync_api import expect

SEED_TITLE_FR = "Prévenir la traite des êtres humains dans les régions rurales"


def test_download_the_filtered_list(page, site):
    page.goto(site.url + "/fr/projets/")
    page.get_by_label("Région").select_option(label="Népal")
    page.get_by_role("button", name="Afficher les projets").click()
    link = page.get_by_role("link", name="Télécharger ces projets (CSV)")
    expect(link).to_have_attribute("href", "/fr/projets/export.csv?region=nepal")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "projets.csv"
    with open(download.path(), encoding="utf-8-sig") as file:
        table = list(csv.reader(io.StringIO(file.read()), delimiter=";"))
    assert table[0][:3] == ["Titre", "Résumé", "État"]
    assert [row[0] for row in table[1:]] == [SEED_TITLE_FR]
