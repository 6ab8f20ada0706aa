"""An editor's files survive a project form that comes back with an error."""

import io
import threading

import pytest
from PIL import Image
from playwright.sync_api import expect

from portfolio.models import Project

from .test_admin_smoke import editor, log_in  # noqa: F401 - the fixture is used by name


def jpeg(name, colour):
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), colour).save(buffer, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


@pytest.fixture
def one_request_at_a_time(site):
    """Let the test server answer one request at a time.

    With SQLite in memory, its threads share one connection: the previews and the admin's
    translation script, asked for at once, would trip over each other there (never on a
    real server, whose requests each have their own).
    """
    server = site.thread.httpd
    application = server.get_app()
    lock = threading.Lock()

    def serialised(environ, start_response):
        with lock:
            response = application(environ, start_response)
            try:
                body = b"".join(response)
            finally:
                if hasattr(response, "close"):
                    response.close()
        return [body]

    server.set_app(serialised)
    yield
    server.set_app(application)


@pytest.fixture
def add_project_page(site, page, editor, one_request_at_a_time):  # noqa: F811 - imported
    log_in(page, site, editor)
    page.goto(f"{site.url}/admin/portfolio/project/add/")
    return page


def test_a_failed_save_keeps_the_cover_and_photos_for_the_next(site, add_project_page):
    page = add_project_page
    # Typed key by key, so the admin fills the French address from the title.
    page.locator("#id_title_fr").press_sequentially("Des puits au village")
    page.set_input_files("#id_cover_image", jpeg("couverture.jpg", (200, 40, 40)))
    page.fill("#id_cover_alt_fr", "Un puits neuf")
    add_photo = page.locator("#images-group .add-row a")
    add_photo.click()
    add_photo.click()
    page.set_input_files("#id_images-0-image", jpeg("puits.jpg", (40, 200, 40)))
    page.fill("#id_images-0-alt_text_fr", "Des enfants au puits")
    page.set_input_files("#id_images-1-image", jpeg("classe.jpg", (40, 40, 200)))
    # The second photo's French alternative text is left empty.
    page.locator("input[name=_save]").click()

    expect(page.locator(".errornote")).to_be_visible()
    previews = page.locator("img.kept-preview")
    expect(previews).to_have_count(3)
    for name in ("couverture.jpg", "puits.jpg", "classe.jpg"):
        expect(page.locator(".kept-upload strong", has_text=name)).to_be_visible()
    for index in range(3):
        preview = previews.nth(index)
        preview.scroll_into_view_if_needed()
        expect(preview).to_be_visible()
        assert preview.evaluate("img => img.complete && img.naturalWidth") == 900
        answer = page.request.get(site.url + preview.get_attribute("src"))
        assert answer.status == 200 and answer.headers["content-type"] == "image/jpeg"
    assert not Project.objects.filter(title_fr="Des puits au village").exists()

    page.fill("#id_images-1-alt_text_fr", "Une classe")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    project = Project.objects.get(title_fr="Des puits au village")
    assert project.cover_image.name.startswith("projects/covers/couverture")
    assert project.cover_alt_fr == "Un puits neuf"
    assert [p.alt_text_fr for p in project.images.order_by("order", "pk")] == [
        "Des enfants au puits",
        "Une classe",
    ]
    assert all(photo.image.name.startswith("projects/gallery/") for photo in project.images.all())
