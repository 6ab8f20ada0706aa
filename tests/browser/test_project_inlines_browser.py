"""An editor orders a project's photos, adds several at once, and writes a field update,
all from the project's form; the public page follows."""

import io

import pytest
from django.urls import reverse
from django.utils import translation
from PIL import Image
from playwright.sync_api import expect

from portfolio.models import Project
from tests.factories import make_photo, make_project

from .test_admin_smoke import editor, log_in  # noqa: F401 - the fixture is used by name
from .test_kept_uploads_browser import one_request_at_a_time  # noqa: F401 - used by name

pytestmark = pytest.mark.django_db(transaction=True)

ALT_TEXTS = ["Le puits du village", "La classe du soir", "Le marché du jeudi"]


def picture(name, colour, fmt="JPEG"):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, fmt)
    mime = {"JPEG": "image/jpeg", "PNG": "image/png"}[fmt]
    return {"name": name, "mimeType": mime, "buffer": buffer.getvalue()}


def public_page(project, language):
    with translation.override(language):
        return project.get_absolute_url()


def gallery_alt_texts(page, site, project, language="fr"):
    page.goto(site.url + public_page(project, language))
    return page.locator(".gallery img").evaluate_all("images => images.map(i => i.alt)")


@pytest.fixture
def project_with_photos(site):
    project = make_project(title_fr="Des puits et des classes", title_en="Wells and classes")
    for order, alt in enumerate(ALT_TEXTS, start=1):
        make_photo(project, alt_text_fr=alt, alt_text_en=alt, order=order)
    return project


@pytest.fixture
def project_form(site, page, editor, one_request_at_a_time, project_with_photos):  # noqa: F811
    log_in(page, site, editor)
    page.goto(site.url + reverse("admin:portfolio_project_change", args=[project_with_photos.pk]))
    return page


def saved_alt_texts(project):
    return [photo.alt_text_fr for photo in project.images.order_by("order", "pk")]


def save(page):
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()


def test_dragging_a_photo_to_the_top_saves_the_new_order(site, project_form, project_with_photos):
    page = project_form
    rows = page.locator("#images-group .inline-related.has_original")
    expect(rows).to_have_count(3)
    # A tall window, so that the first and the last photo show at once: a hand drags
    # between two places it sees, step by step, and the drag library follows its moves.
    page.set_viewport_size({"width": 1280, "height": 1800})
    first_handle = rows.nth(0).locator("h3 b")
    last_handle = rows.nth(2).locator("h3 b")
    first_handle.evaluate("label => label.scrollIntoView({block: 'start'})")
    source = last_handle.bounding_box()
    target = first_handle.bounding_box()
    page.mouse.move(source["x"] + 5, source["y"] + 5)
    page.mouse.down()
    page.mouse.move(source["x"] + 10, source["y"] + 10, steps=5)
    page.mouse.move(target["x"] + 5, target["y"] + 5, steps=30)
    page.mouse.up()
    expect(rows.nth(0).locator(".inline_label")).to_contain_text("Le marché du jeudi")
    save(page)

    expected = ["Le marché du jeudi", "Le puits du village", "La classe du soir"]
    assert saved_alt_texts(project_with_photos) == expected
    assert gallery_alt_texts(page, site, project_with_photos) == expected


def test_the_keyboard_moves_a_photo_and_hears_where_it_went(
    site, project_form, project_with_photos
):
    page = project_form
    move_down = page.get_by_role("button", name="Descendre : Le puits du village")
    move_down.focus()
    page.keyboard.press("Enter")
    status = page.locator(".keyboard-reorder[data-group=images-group] [role=status]")
    expect(status).to_have_text("Le puits du village : maintenant en position 2 sur 3.")
    # The focus stays on the button: a second press moves the photo again.
    expect(move_down).to_be_focused()
    page.keyboard.press("Space")
    expect(status).to_have_text("Le puits du village : maintenant en position 3 sur 3.")
    page.keyboard.press("Enter")
    expect(status).to_have_text("Le puits du village est déjà en dernière position.")
    page.get_by_role("button", name="Monter : Le marché du jeudi").press("Enter")
    expected = ["Le marché du jeudi", "La classe du soir", "Le puits du village"]
    # A form that comes back with an error shows the photos in the order the editor chose.
    page.fill("#id_title_fr", "")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".errornote")).to_be_visible()
    labels = page.locator("#images-group .inline-related.has_original .inline_label")
    expect(labels).to_have_text(expected)
    page.fill("#id_title_fr", "Des puits et des classes")
    save(page)

    assert saved_alt_texts(project_with_photos) == expected
    assert gallery_alt_texts(page, site, project_with_photos) == expected
    assert gallery_alt_texts(page, site, project_with_photos, "en") == expected


def test_three_files_chosen_at_once_become_three_photos(site, project_form, project_with_photos):
    page = project_form
    page.get_by_label("Ajouter plusieurs photos").set_input_files(
        [
            picture("ecole.jpg", (200, 40, 40)),
            picture("jardin.png", (40, 200, 40), "PNG"),
            picture("route.jpg", (40, 40, 200)),
        ]
    )
    new_rows = page.locator("#images-group .inline-related:not(.has_original, .empty-form)")
    expect(new_rows).to_have_count(3)
    expect(page.locator(".several-photos [role=status]")).to_have_text(
        "3 lignes de photo ajoutées : décrivez chaque photo dans son texte alternatif."
    )
    # The editor starts describing the first new photo.
    expect(page.locator("#id_images-3-alt_text_fr")).to_be_focused()
    # The third is left undescribed: the form comes back, the three files kept.
    page.fill("#id_images-3-alt_text_fr", "Une école")
    page.fill("#id_images-4-alt_text_fr", "Un jardin")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".errornote")).to_be_visible()
    for name in ("ecole.jpg", "jardin.png", "route.jpg"):
        expect(page.locator(".kept-upload strong", has_text=name)).to_have_count(1)
    assert project_with_photos.images.count() == 3
    page.fill("#id_images-5-alt_text_fr", "Une route")
    save(page)

    photos = list(project_with_photos.images.order_by("order", "pk"))
    assert [photo.alt_text_fr for photo in photos] == [
        *ALT_TEXTS,
        "Une école",
        "Un jardin",
        "Une route",
    ]
    assert all(photo.image.name.startswith("projects/gallery/") for photo in photos)
    assert [photo.width for photo in photos[3:]] == [640, 640, 640]
    assert gallery_alt_texts(page, site, project_with_photos)[3:] == [
        "Une école",
        "Un jardin",
        "Une route",
    ]


def write_rich_text(row, field, text):
    """Type in the rich-text editor that took the place of ``field``, the last word bold."""
    prose = row.locator(".prose-editor", has=row.page.locator(field))
    expect(prose.locator(".prose-menubar").first).to_be_visible()
    editable = prose.locator("[contenteditable=true]").first
    editable.click()
    *words, last = text.split(" ")
    editable.press_sequentially(" ".join(words) + " ")
    editable.press("ControlOrMeta+b")
    editable.press_sequentially(last)


def test_a_field_update_written_in_the_project_form_shows_in_both_languages(
    site, project_form, project_with_photos
):
    page = project_form
    page.locator("#updates-group .add-row a").click()
    row = page.locator("#updates-0")
    row.locator("#id_updates-0-title_fr").fill("La pompe fonctionne")
    write_rich_text(row, "#id_updates-0-text_fr", "L’eau coule depuis lundi.")
    # The form's language switch shows the English fields.
    page.locator('.language-switch-button[data-language="en"]').click()
    row.locator("#id_updates-0-title_en").fill("The pump works")
    write_rich_text(row, "#id_updates-0-text_en", "Water has flowed since Monday.")
    save(page)

    update = Project.objects.get(pk=project_with_photos.pk).updates.get()
    assert update.title_fr == "La pompe fonctionne" and update.title_en == "The pump works"
    assert update.text_fr == "<p>L’eau coule depuis <strong>lundi.</strong></p>"
    page.goto(site.url + public_page(project_with_photos, "fr"))
    news = page.locator(f"#update-{update.pk}")
    expect(news.locator("h3")).to_have_text("La pompe fonctionne")
    expect(news).to_contain_text("L’eau coule depuis lundi.")
    page.goto(site.url + public_page(project_with_photos, "en"))
    expect(news.locator("h3")).to_have_text("The pump works")
    expect(news).to_contain_text("Water has flowed since Monday.")
    expect(news.locator("strong")).to_have_text("Monday.")


def test_the_new_controls_break_no_rule_of_accessibility_nor_of_the_policy(project_form):
    from axe_playwright_python.sync_playwright import Axe

    from .test_staff_two_factor import LISTEN_FOR_VIOLATIONS

    page = project_form
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    page.reload()
    page.get_by_role("button", name="Monter : La classe du soir").click()
    page.get_by_label("Ajouter plusieurs photos").set_input_files(
        [picture("ecole.jpg", (200, 40, 40)), picture("route.jpg", (40, 40, 200))]
    )
    page.locator("#updates-group .add-row a").click()
    expect(
        page.locator("#images-group .inline-related:not(.has_original, .empty-form)")
    ).to_have_count(2)

    # The controls added here; the admin's own widgets (the language switch, the split date
    # and time, the tables' headers) are audited with the rest of the admin forms.
    parts = [".reorder-buttons", ".keyboard-reorder", ".several-photos"]
    # Nothing broke the admin's Content-Security-Policy (before axe adds its own script).
    assert page.evaluate("window.__violations") == []
    results = Axe().run(page, context={"include": [[part] for part in parts]})
    violations = [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
    ]
    assert violations == [], "\n".join(violations)
