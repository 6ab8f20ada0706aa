"""A project's page: every partner's logo, photos whole and large, the lead partner in brief."""

import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.template import Context, Template
from django.utils import translation

from core.images import rendition_name
from tests.factories import make_partner, make_photo, make_project, uploaded_image

pytestmark = pytest.mark.django_db

STORY_FR = (
    "<p>Fondée en 2001 à Katmandou, l’association accueille les enfants des rues.</p>"
    "<p>Deuxième paragraphe : ses écoles du soir.</p>"
    "<p>Troisième paragraphe : ses foyers.</p>"
)
STORY_EN = (
    "<p>Founded in Kathmandu in 2001, the association takes in street children.</p>"
    "<p>Second paragraph: its evening schools.</p>"
    "<p>Third paragraph: its homes.</p>"
)


def with_logo(partner, size=(1000, 500)):
    partner.logo.save("logo.png", uploaded_image("logo.png", size=size, fmt="PNG"), save=False)
    partner.save()
    return partner


def page(client, project, language):
    with translation.override(language):
        url = project.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def section(html, css_class):
    """Return the HTML of the first element with this class, up to the section's end."""
    start = html.index(f'class="{css_class}"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def partnered():
    lead = with_logo(
        make_partner(
            name_fr="Enfants du Népal",
            name_en="Children of Nepal",
            kind="lead",
            logo_alt_fr="Logo d’Enfants du Népal : un soleil",
            logo_alt_en="Children of Nepal's logo: a sun",
        )
    )
    local = with_logo(
        make_partner(
            name_fr="Coopérative de Pokhara",
            name_en="Pokhara cooperative",
            logo_alt_fr="Logo de la coopérative : une montagne",
            logo_alt_en="The cooperative's logo: a mountain",
        )
    )
    plain = make_partner(name_fr="Sans logo", name_en="No logo")
    return make_project(partners=[lead, local, plain]), lead, local, plain


@pytest.mark.parametrize(
    ("language", "alt"),
    [("fr", "Logo de la coopérative : une montagne"), ("en", "The cooperative's logo: a mountain")],
)
def test_every_partner_card_shows_its_logo(client, partnered, language, alt):
    project, _lead, local, _plain = partnered
    cards = unescape(section(page(client, project, language), "partner-cards"))
    (logo,) = re.findall(r"<img [^>]*>", cards)  # the partner without a logo shows none
    assert f'alt="{alt}"' in logo
    assert f'src="{local.logo.url}"' in logo
    assert rendition_name(local.logo.name, 480).rsplit("/", 1)[-1] in logo  # srcset
    assert 'width="1000" height="500"' in logo and 'loading="lazy"' in logo


def test_the_lead_partner_shows_its_logo_and_summary_not_its_whole_story(client, partnered):
    project, lead, *_ = partnered
    lead.summary_fr = "Une association népalaise pour les enfants des rues."
    lead.summary_en = "A Nepali association for street children."
    lead.description_fr, lead.description_en = STORY_FR, STORY_EN
    lead.quote_fr = "Chaque enfant compte."
    lead.save()
    for language, summary, more in (
        ("fr", lead.summary_fr, "En savoir plus sur Enfants du Népal"),
        ("en", lead.summary_en, "Read more about Children of Nepal"),
    ):
        block = unescape(section(page(client, project, language), "lead-partner"))
        assert summary in block
        assert "paragraph" not in block.lower() and "Chaque enfant" not in block
        link = re.search(r'<a href="([^"]+)">([^<]+)</a>', block[block.index("read-more") :])
        assert link.group(2) == more
        with translation.override(language):
            assert link.group(1) == lead.get_absolute_url()
        assert "Children of Nepal's logo: a sun" in block or "un soleil" in block

    # The partner's own page still tells the whole story.
    with translation.override("en"):
        html = unescape(client.get(lead.get_absolute_url()).content.decode())
    assert "Third paragraph: its homes." in html


def test_without_a_summary_the_lead_partner_shows_its_story_s_first_paragraph(client, partnered):
    project, lead, *_ = partnered
    lead.description_fr, lead.description_en = STORY_FR, STORY_EN
    lead.save()
    block = unescape(section(page(client, project, "en"), "lead-partner"))
    assert "Founded in Kathmandu in 2001" in block
    assert "Second paragraph" not in block and "Third paragraph" not in block
    assert "Read more about Children of Nepal" in block


@pytest.mark.parametrize(
    ("story", "shown", "hidden"),
    [
        ("<h2>Histoire</h2><p>Premier.</p><p>Second.</p>", "<p>Premier.</p>", "Second."),
        ("<ul><li>Un</li><li>Deux</li></ul>", "<li>Deux</li>", "<p>"),
        # Not what the editor writes, but a cut there must still leave no tag open.
        ('<p><a href="https://example.org/" title="a</p><b>">lien</a></p><p>Non.</p>', "<p", "<b"),
    ],
)
def test_first_paragraph_keeps_the_html_whole(story, shown, hidden):
    html = Template("{% load public_site %}{{ story|first_paragraph }}").render(
        Context({"story": story})
    )
    assert shown in html and hidden not in html
    assert html.count("<a") == html.count("</a>") and html.count("<p") == html.count("</p>")


def test_photos_are_shown_whole_and_link_to_their_large_version(client, media_root):
    project = make_project()
    portrait = make_photo(project, alt_text_fr="Une élève", alt_text_en="A pupil")
    portrait.image.save("portrait.jpg", uploaded_image(size=(700, 1000)), save=False)
    portrait.save()
    wide = make_photo(project, alt_text_fr="La classe", alt_text_en="The class")
    wide.image.save("wide.jpg", uploaded_image(size=(2400, 1600)), save=False)
    wide.save()
    for language, alt in (("fr", "Une élève"), ("en", "A pupil")):
        gallery = unescape(section(page(client, project, language), "gallery"))
        linked = r'class="gallery-link" href="([^"]+)" data-photo-viewer>\s*<img [^>]*alt="([^"]*)'
        links = {img_alt: href for href, img_alt in re.findall(linked, gallery)}
        # A photo no wider than the widest rendition opens as it is; a wider one, at that width.
        assert links[alt] == portrait.image.url
        assert 'width="700" height="1000"' in gallery
    widest = max(django_settings.IMAGE_RENDITION_WIDTHS)
    assert links["The class"] == wide.image.rendition_url(widest)
    large = Path(media_root) / rendition_name(wide.image.name, widest)
    assert large.exists()


def test_the_gallery_css_never_crops_photos():
    css = (Path(django_settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    rule = re.search(r"^\.gallery img \{([^}]*)\}", css, re.MULTILINE).group(1)
    assert "object-fit: contain" in rule and "cover" not in rule
