"""Screenshots of the home and project pages, as the README shows them.

``make screenshots`` writes them to docs/screenshots/; otherwise they go to a temporary
folder, which still proves the pages render with their images in a real browser.
"""

import os
from pathlib import Path

import pytest
from PIL import Image

from tests.browser.conftest import DESKTOP, PHONE

MAX_BYTES = 200 * 1024

SHOTS = [
    ("home-fr-desktop", "/fr/", DESKTOP),
    ("project-fr-desktop", "/fr/projets/{slug_fr}/", DESKTOP),
    ("project-en-phone", "/en/projects/{slug_en}/", PHONE),
]


@pytest.fixture
def folder(tmp_path):
    chosen = os.environ.get("SCREENSHOTS_DIR")
    path = Path(chosen) if chosen else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def shrink(path: Path) -> None:
    """Keep the PNG small: a 256-colour palette is plenty for a page."""
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


@pytest.mark.parametrize(("name", "path", "viewport"), SHOTS, ids=[s[0] for s in SHOTS])
def test_screenshot(page, site, demo, folder, name, path, viewport):
    page.set_viewport_size(viewport)
    page.goto(site.url + path.format(slug_fr=demo.slug_fr, slug_en=demo.slug_en))
    # Lazy images below the fold load only when scrolled to; load them all for the picture.
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading='eager')")
    page.wait_for_load_state("networkidle")
    broken = page.evaluate(
        "Array.from(document.images).filter(i => !i.complete || !i.naturalWidth).length"
    )
    assert broken == 0
    target = folder / f"{name}.png"
    height = min(1600, page.evaluate("document.documentElement.scrollHeight"))
    clip = {"x": 0, "y": 0, "width": viewport["width"], "height": height}
    page.screenshot(path=str(target), full_page=True, clip=clip)
    shrink(target)
    assert 0 < target.stat().st_size < MAX_BYTES
