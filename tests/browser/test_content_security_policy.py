"""Public pages work under the strict Content-Security-Policy they are sent with."""

import pytest
from django.urls import reverse
from django.utils import translation


def public_paths(project, partner, region):
    paths = []
    for language in ("fr", "en"):
        with translation.override(language):
            paths += [
                reverse("portfolio:home"),
                reverse("portfolio:project_list") + "?q=traite",
                project.get_absolute_url(),
                partner.get_absolute_url(),
                region.get_absolute_url(),
                reverse("donations:pledge", kwargs={"slug": project.slug}),
            ]
    return paths


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}]
)
def test_no_public_page_breaks_the_policy(site, page, demo, viewport):
    partner = demo.partners.get(slug_fr="mumbai-smiles")
    region = demo.regions.get(slug_fr="nepal")
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.set_viewport_size(viewport)
    for path in public_paths(demo, partner, region):
        response = page.goto(site.url + path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
    # The share button's script runs under the policy too.
    page.goto(site.url + demo.get_absolute_url())
    assert violations == []
