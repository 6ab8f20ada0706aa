"""An editor enters a whole bilingual project in the admin, with a new region and a new
partner, in at most 60 clicks and without choosing any file twice, even after a mistake."""

import io
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import translation
from PIL import Image
from playwright.sync_api import expect

from partners.models import Partner
from portfolio.models import Partnership, Project, Region

from .test_admin_languages import editor  # noqa: F401 - the fixture is used by name
from .test_admin_smoke import log_in
from .test_kept_uploads_browser import one_request_at_a_time  # noqa: F401 - used by name

pytestmark = pytest.mark.django_db(transaction=True)

MOST_CLICKS = 60


def picture(name, colour, fmt="JPEG"):
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(buffer, fmt)
    mime = {"JPEG": "image/jpeg", "PNG": "image/png"}[fmt]
    return {"name": name, "mimeType": mime, "buffer": buffer.getvalue()}


# Counts, in every page and window of the browser, the clicks a person made (not those of
# scripts): the test's own count is checked against it.
COUNT_CLICKS = """
window.addEventListener("click", (event) => { if (event.isTrusted) window.personClicked(); }, true);
"""


class Hand:
    """What the editor does, counted: clicks, typed fields, files chosen (by name).

    A click, a box ticked or an option of a list chosen counts one click; a field typed in
    counts none (clicking into the rich-text editor does); each choice of files counts one,
    and each file is counted by name.
    """

    def __init__(self, context):
        self.clicks = 0
        self.selects = 0
        self.typed = 0
        self.file_choices = 0
        self.files = Counter()
        self.seen_by_browser = 0
        context.expose_function("personClicked", self._seen)
        context.add_init_script(COUNT_CLICKS)

    def _seen(self):
        self.seen_by_browser += 1

    def start(self):
        """Count from here (the log-in's click is not the project's)."""
        self.seen_by_browser = 0

    def click(self, locator):
        locator.click()
        self.clicks += 1

    def check(self, locator):
        locator.check()
        self.clicks += 1

    def select(self, locator, label):
        """Choose an option of a native select by its visible text."""
        locator.select_option(label=label)
        self.clicks += 1
        self.selects += 1

    def fill(self, locator, text):
        locator.fill(text)
        self.typed += 1

    def type(self, locator, text):
        """Type key by key, for scripts that listen to keys (the address from the title)."""
        locator.press_sequentially(text)
        self.typed += 1

    def autocomplete(self, field, search, choice):
        """Open an autocomplete list with a click, type, and take the highlighted answer."""
        page = field.page
        self.click(field.locator("xpath=..").locator(".select2-selection"))
        search_box = page.locator(".select2-container--open .select2-search__field")
        self.fill(search_box, search)
        option = page.locator(
            ".select2-container--open .select2-results__option--highlighted", has_text=choice
        )
        expect(option).to_be_visible()
        search_box.press("Enter")

    def rich_text(self, form, field, text):
        """Click into the rich-text editor that took the place of ``field``, and type."""
        prose = form.locator(".prose-editor", has=form.page.locator(field))
        editable = prose.locator("[contenteditable=true]").first
        expect(editable).to_be_visible()
        self.click(editable)
        editable.press_sequentially(text)
        self.typed += 1

    def choose_files(self, locator, files):
        locator.set_input_files(files)
        self.file_choices += 1
        self.files.update(file["name"] for file in files)

    def report(self):
        return (
            f"{self.clicks} clicks ({self.seen_by_browser} seen by the browser, "
            f"{self.selects} options chosen), {self.typed} fields typed, "
            f"{self.file_choices} file choices ({sum(self.files.values())} files)"
        )


def language(form, code):
    return form.locator(f'.language-switch-button[data-language="{code}"]')


def public_page(project, code):
    with translation.override(code):
        return project.get_absolute_url()


def add_the_region(hand, page):
    """From the project's regions field, "+" opens the region form in a window of its own."""
    with page.expect_popup() as opened:
        hand.click(page.locator("#add_id_regions"))
    popup = opened.value
    expect(popup.locator("#id_name_fr")).to_be_visible()
    hand.type(popup.locator("#id_name_fr"), "Bengale-Occidental test")
    hand.select(popup.locator("#id_country"), "Inde")
    hand.autocomplete(popup.locator("#id_parent"), "Inde", "Inde")
    hand.click(language(popup, "en"))
    hand.type(popup.locator("#id_name_en"), "West Bengal test")
    with popup.expect_event("close"):
        hand.click(popup.locator("input[name=_save]"))


def add_the_partner(hand, page, row):
    """From a partnership row, "+" opens the partner form in a window of its own."""
    with page.expect_popup() as opened:
        hand.click(row.locator("a.add-related"))
    popup = opened.value
    # The form opens in the language last chosen: English, since the region.
    expect(popup.locator("#id_name_en")).to_be_visible()
    hand.type(popup.locator("#id_name_en"), "Sundarbans Women Together")
    hand.fill(popup.locator("#id_summary_en"), "Women’s groups of the delta.")
    hand.fill(popup.locator("#id_logo_alt_en"), "Sundarbans Women Together logo")
    hand.choose_files(popup.locator("#id_logo"), [picture("logo-swt.png", (20, 120, 90), "PNG")])
    hand.select(popup.locator("#id_kind"), "Partenaire local")
    hand.select(popup.locator("#id_country"), "Inde")
    hand.click(language(popup, "fr"))
    hand.type(popup.locator("#id_name_fr"), "Femmes des Sundarbans ensemble")
    hand.fill(popup.locator("#id_summary_fr"), "Des groupes de femmes du delta.")
    hand.fill(popup.locator("#id_logo_alt_fr"), "Logo de Femmes des Sundarbans ensemble")
    with popup.expect_event("close"):
        hand.click(popup.locator("input[name=_save]"))


def test_an_editor_enters_a_bilingual_project_in_at_most_sixty_clicks(
    site,
    page,
    demo,
    editor,  # noqa: F811
    one_request_at_a_time,  # noqa: F811
):
    hand = Hand(page.context)
    log_in(page, site, editor)
    hand.start()
    hand.click(page.locator(f'a.addlink[href="{reverse("admin:portfolio_project_add")}"]'))
    form = page.locator("#project_form")
    expect(form).to_be_visible()
    expect(language(page, "fr")).to_have_attribute("aria-pressed", "true")

    # The French texts.
    hand.type(page.locator("#id_title_fr"), "Des écoles dans le delta")
    hand.fill(page.locator("#id_summary_fr"), "Des classes flottantes pour les enfants du delta.")
    hand.rich_text(form, "#id_body_fr", "Les bateaux-écoles naviguent entre les îles.")
    hand.autocomplete(page.locator("#id_sector"), "spéciaux", "Projets spéciaux")
    add_the_region(hand, page)
    expect(page.locator("#id_regions option:checked")).to_have_text("Bengale-Occidental test")
    hand.select(page.locator("#id_status"), "En cours")

    hand.choose_files(page.locator("#id_cover_image"), [picture("couverture.jpg", (200, 60, 40))])
    hand.fill(page.locator("#id_cover_alt_fr"), "Un bateau-école au lever du jour")
    hand.check(page.locator("#id_is_published"))

    hand.click(form.locator("summary", has_text="Dates et bénéficiaires"))
    hand.fill(page.locator("#id_beneficiaries"), "1200")
    hand.fill(page.locator("#id_beneficiaries_description_fr"), "enfants des îles")
    hand.click(form.locator("summary", has_text="Financement"))
    hand.fill(page.locator("#id_funding_goal"), "45000")

    # The partnerships: a new lead partner, and one the portfolio already has.
    hand.click(page.locator("#partnerships-group .add-row a"))
    first = page.locator("#partnerships-0")
    add_the_partner(hand, page, first)
    expect(first.locator("#id_partnerships-0-partner option:checked")).to_have_text(
        "Femmes des Sundarbans ensemble"
    )
    hand.select(first.locator("#id_partnerships-0-role"), "Partenaire principal")
    hand.click(page.locator("#partnerships-group .add-row a"))
    second = page.locator("#partnerships-1")
    hand.autocomplete(second.locator("#id_partnerships-1-partner"), "Mumbai", "Mumbai Smiles")
    hand.select(second.locator("#id_partnerships-1-role"), "Partenaire de mise en œuvre")

    # Three photos chosen at once; the second one's French description is forgotten.
    hand.choose_files(
        page.get_by_label("Ajouter plusieurs photos"),
        [
            picture("bateau.jpg", (40, 90, 200)),
            picture("classe.png", (40, 200, 90), "PNG"),
            picture("ile.jpg", (200, 200, 40)),
        ],
    )
    expect(page.locator("#id_images-0-alt_text_fr")).to_be_focused()
    hand.fill(page.locator("#id_images-0-alt_text_fr"), "Le bateau à quai")
    hand.fill(page.locator("#id_images-2-alt_text_fr"), "Une île du delta")

    # Two suggested amounts.
    add_amount = page.locator("#suggested_amounts-group .add-row a")
    hand.click(add_amount)
    hand.click(add_amount)
    hand.fill(page.locator("#id_suggested_amounts-0-amount"), "25")
    hand.fill(page.locator("#id_suggested_amounts-0-impact_fr"), "Des cahiers pour un mois")
    hand.fill(page.locator("#id_suggested_amounts-1-amount"), "100")
    hand.fill(page.locator("#id_suggested_amounts-1-impact_fr"), "Un mois de carburant")

    # A field update, with its photo.
    hand.click(page.locator("#updates-group .add-row a"))
    update = page.locator("#updates-0")
    hand.fill(update.locator("#id_updates-0-title_fr"), "Le premier bateau est parti")
    hand.rich_text(update, "#id_updates-0-text_fr", "Trente enfants à bord ce matin.")
    hand.choose_files(update.locator("#id_updates-0-image"), [picture("depart.jpg", (90, 40, 160))])
    hand.fill(update.locator("#id_updates-0-image_alt_fr"), "Des enfants sur le pont")

    # Then the English texts, all in one go with the form's language switch.
    hand.click(language(page, "en"))
    hand.type(page.locator("#id_title_en"), "Schools in the delta")
    hand.fill(page.locator("#id_summary_en"), "Floating classrooms for the delta’s children.")
    hand.rich_text(form, "#id_body_en", "School boats sail between the islands.")
    hand.fill(page.locator("#id_cover_alt_en"), "A school boat at sunrise")
    hand.fill(page.locator("#id_beneficiaries_description_en"), "island children")
    for index, alt in enumerate(["The boat at the quay", "A class on board", "A delta island"]):
        hand.fill(page.locator(f"#id_images-{index}-alt_text_en"), alt)
    hand.fill(page.locator("#id_suggested_amounts-0-impact_en"), "Notebooks for a month")
    hand.fill(page.locator("#id_suggested_amounts-1-impact_en"), "A month of fuel")
    hand.fill(update.locator("#id_updates-0-title_en"), "The first boat has left")
    hand.rich_text(update, "#id_updates-0-text_en", "Thirty children on board this morning.")
    hand.fill(update.locator("#id_updates-0-image_alt_en"), "Children on deck")
    hand.click(page.locator("input[name=_save]"))

    # The form comes back: the summary names the mistake, every file is kept.
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    assert not Project.objects.filter(title_fr="Des écoles dans le delta").exists()
    kept = ("couverture.jpg", "bateau.jpg", "classe.png", "ile.jpg", "depart.jpg")
    for name in kept:
        expect(page.locator(".kept-upload strong", has_text=name)).to_have_count(1)
    link = summary.locator("a").first
    expect(summary.locator("a")).to_have_count(1)
    hand.click(link)
    # The link leads to the French field, even though the form was left in English.
    mended = page.locator("#id_images-1-alt_text_fr")
    expect(mended).to_be_focused()
    expect(language(page, "fr")).to_have_attribute("aria-pressed", "true")
    hand.fill(mended, "Une classe à bord")
    hand.click(page.locator("input[name=_save]"))
    expect(page.locator(".messagelist .success")).to_be_visible()

    print(f"\nAn editor's whole project: {hand.report()}")
    assert hand.clicks <= MOST_CLICKS, hand.report()
    # The browser saw every click counted, and no other (a list's option is chosen without).
    assert hand.seen_by_browser == hand.clicks - hand.selects, hand.seen_by_browser
    assert hand.file_choices == 4, hand.report()  # the logo, the cover, the photos, the update
    assert set(hand.files.values()) == {1}, hand.files
    assert set(hand.files) == {"logo-swt.png", *kept}

    # What was saved.
    region = Region.objects.get(name_fr="Bengale-Occidental test")
    assert region.name_en == "West Bengal test"
    assert region.parent.name_fr == "Inde" and region.country == "IN"
    partner = Partner.objects.get(name_fr="Femmes des Sundarbans ensemble")
    assert partner.name_en == "Sundarbans Women Together"
    assert partner.kind == Partner.Kind.LOCAL and partner.country == "IN"
    assert partner.logo.name.startswith("partners/logos/logo-swt")
    assert partner.logo_alt_fr and partner.logo_alt_en and partner.summary_en
    project = Project.objects.get(title_fr="Des écoles dans le delta")
    assert project.title_en == "Schools in the delta"
    assert project.summary_en and project.summary_fr
    assert "Les bateaux-écoles" in project.body_fr and "School boats" in project.body_en
    assert project.sector.name_fr == "Projets spéciaux"
    assert list(project.regions.all()) == [region]
    assert project.status == Project.Status.ACTIVE
    assert project.beneficiaries == 1200 and project.funding_goal == 45000
    assert project.beneficiaries_description_en == "island children"
    assert project.is_published
    assert project.cover_image.name.startswith("projects/covers/couverture")
    assert (project.cover_alt_fr, project.cover_alt_en) == (
        "Un bateau-école au lever du jour",
        "A school boat at sunrise",
    )
    photos = list(project.images.order_by("order", "pk"))
    assert [(p.alt_text_fr, p.alt_text_en) for p in photos] == [
        ("Le bateau à quai", "The boat at the quay"),
        ("Une classe à bord", "A class on board"),
        ("Une île du delta", "A delta island"),
    ]
    assert [p.width for p in photos] == [800, 800, 800]
    assert [p.image.name.split("/")[-1].split("_")[0].split(".")[0] for p in photos] == [
        "bateau",
        "classe",
        "ile",
    ]
    partnerships = project.partnerships.order_by("order", "pk")
    assert [(p.partner.name_fr, p.role) for p in partnerships] == [
        ("Femmes des Sundarbans ensemble", Partnership.Role.LEAD),
        ("Mumbai Smiles", Partnership.Role.IMPLEMENTING),
    ]
    amounts = project.suggested_amounts.order_by("amount")
    assert [(a.amount, a.impact_fr, a.impact_en) for a in amounts] == [
        (25, "Des cahiers pour un mois", "Notebooks for a month"),
        (100, "Un mois de carburant", "A month of fuel"),
    ]
    news = project.updates.get()
    assert (news.title_fr, news.title_en) == (
        "Le premier bateau est parti",
        "The first boat has left",
    )
    assert news.image.name.startswith("projects/updates/depart")
    assert (news.image_alt_fr, news.image_alt_en) == ("Des enfants sur le pont", "Children on deck")

    # What visitors see, in both languages.
    pages = {
        "fr": (
            "Des écoles dans le delta",
            "Un bateau-école au lever du jour",
            "Le premier bateau est parti",
            partner.logo_alt_fr,
        ),
        "en": (
            "Schools in the delta",
            "A school boat at sunrise",
            "The first boat has left",
            partner.logo_alt_en,
        ),
    }
    for code, (title, cover_alt, news_title, logo_alt) in pages.items():
        page.goto(site.url + public_page(project, code))
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(page.locator(".cover img")).to_have_attribute("alt", cover_alt)
        expect(page.locator(".gallery img")).to_have_count(3)
        alts = page.locator(".gallery img").evaluate_all("images => images.map(i => i.alt)")
        assert alts == [getattr(photo, f"alt_text_{code}") for photo in photos]
        expect(page.locator(f'img.partner-logo[alt="{logo_alt}"]').first).to_be_visible()
        expect(page.locator(f"#update-{news.pk} h3")).to_have_text(news_title)
        expect(page.locator(f"#update-{news.pk} img")).to_have_count(1)
