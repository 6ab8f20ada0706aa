"""`generate_portfolio` makes published, bilingual projects that the public pages show.

pytest runs with DEBUG off, where the command asks for --force (tests/test_devtools_guard.py).
"""

import pytest
from django.core.management import CommandError, call_command

from portfolio.models import Partnership, Project, ProjectImage, ProjectUpdate, Region

pytestmark = pytest.mark.django_db


def test_creates_complete_projects_in_both_languages(client):
    call_command("generate_portfolio", projects=12, seed=1, force=True, verbosity=0)
    projects = Project.objects.published()
    assert projects.count() == 12
    for project in projects:
        assert project.title_fr and project.title_en and project.slug_fr and project.slug_en
        assert project.cover_image and project.cover_alt_fr
        assert project.regions.exists()
        assert project.partnerships.filter(role=Partnership.Role.LEAD).count() == 1
    assert ProjectImage.objects.count() == 24
    assert ProjectUpdate.objects.published().count() == 24
    assert Region.objects.filter(parent__isnull=False).exists()
    project = projects.first()
    assert client.get(f"/en/projects/{project.slug_en}/").status_code == 200
    assert client.get(f"/fr/projets/{project.slug_fr}/").status_code == 200
    cover = client.get(project.cover_image.url)
    assert cover.status_code == 200


def test_can_run_again_to_grow_the_data_set():
    call_command("generate_portfolio", projects=3, force=True, verbosity=0)
    call_command("generate_portfolio", projects=4, force=True, verbosity=0)
    assert Project.objects.count() == 7


def test_refuses_negative_counts():
    with pytest.raises(CommandError):
        call_command("generate_portfolio", projects=-1, force=True, verbosity=0)


def test_partners_and_sponsorships_can_be_sized():
    from donations.models import Gift, Sponsorship
    from partners.models import Partner

    call_command(
        "generate_portfolio",
        projects=6,
        partners=2,
        sponsorships=40,
        seed=1,
        force=True,
        verbosity=0,
    )
    assert Partner.objects.count() == 2
    assert Sponsorship.objects.count() == 40
    assert Sponsorship.objects.filter(project__in=Project.objects.all()).count() == 40
    assert not Gift.objects.exclude(sponsorship__status=Sponsorship.Status.CONFIRMED).exists()
