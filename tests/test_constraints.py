"""Bad data is refused by the database itself, and the admin explains why instead of failing."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from partners.models import Partner
from portfolio.models import Partnership, Project, ProjectImage, ProjectUpdate, Region

from .admin_forms import admin_form_data
from .factories import make_partner, make_project, make_region


def refused(operation):
    """Run ``operation`` in a savepoint and return True if the database refused it."""
    try:
        with transaction.atomic():
            operation()
    except IntegrityError:
        return True
    return False


@pytest.mark.django_db
class TestTheDatabaseRefuses:
    def test_an_end_date_before_the_start_date(self):
        assert refused(
            lambda: Project.objects.create(
                title_fr="Dates à l’envers",
                start_date=datetime.date(2024, 6, 1),
                end_date=datetime.date(2024, 5, 31),
            )
        )
        project = make_project(start_date=datetime.date(2024, 6, 1))
        assert refused(
            lambda: Project.objects.filter(pk=project.pk).update(end_date=datetime.date(2023, 1, 1))
        )
        # The same day, or no end yet, is fine.
        Project.objects.filter(pk=project.pk).update(end_date=datetime.date(2024, 6, 1))
        Project.objects.filter(pk=project.pk).update(end_date=None)

    def test_negative_beneficiaries(self):
        project = make_project(beneficiaries=10)
        assert refused(lambda: Project.objects.filter(pk=project.pk).update(beneficiaries=-1))
        project.refresh_from_db()
        assert project.beneficiaries == 10

    def test_a_negative_funding_goal(self):
        assert refused(
            lambda: Project.objects.create(title_fr="Objectif négatif", funding_goal=Decimal("-1"))
        )
        project = make_project(funding_goal=Decimal("1000"))
        assert refused(
            lambda: Project.objects.filter(pk=project.pk).update(funding_goal=Decimal("-0.01"))
        )
        Project.objects.filter(pk=project.pk).update(funding_goal=Decimal("0"))

    def test_the_same_partner_twice_in_a_project(self):
        partner = make_partner()
        project = make_project(partners=[partner])
        assert refused(
            lambda: Partnership.objects.create(
                project=project, partner=partner, role=Partnership.Role.FUNDING
            )
        )
        assert project.partnerships.count() == 1
        # The same partner in another project is normal.
        Partnership.objects.create(
            project=make_project(), partner=partner, role=Partnership.Role.FUNDING
        )

    def test_a_gallery_photo_without_alternative_text(self):
        project = make_project()
        assert refused(
            lambda: ProjectImage.objects.create(
                project=project,
                image="projects/gallery/photo.jpg",
                width=10,
                height=10,
                alt_text_fr="",
                alt_text_en="Only in English",
            )
        )
        photo = ProjectImage.objects.create(
            project=project,
            image="projects/gallery/photo.jpg",
            width=10,
            height=10,
            alt_text_fr="Une photo",
        )
        assert refused(lambda: ProjectImage.objects.filter(pk=photo.pk).update(alt_text_fr=""))

    def test_a_cover_logo_or_update_photo_without_alternative_text(self):
        project = make_project()
        assert refused(
            lambda: Project.objects.filter(pk=project.pk).update(
                cover_image="projects/covers/cover.jpg", cover_alt_fr=""
            )
        )
        partner = make_partner()
        assert refused(
            lambda: Partner.objects.filter(pk=partner.pk).update(
                logo="partners/logos/logo.png", logo_alt_fr=""
            )
        )
        assert refused(
            lambda: ProjectUpdate.objects.create(
                project=project,
                title_fr="Nouvelle",
                text_fr="Texte",
                image="projects/updates/photo.jpg",
                image_width=10,
                image_height=10,
                image_alt_fr="",
            )
        )
        # Without an image, no alternative text is needed.
        ProjectUpdate.objects.create(project=project, title_fr="Nouvelle", text_fr="Texte")

    def test_a_region_that_is_its_own_parent(self):
        region = make_region()
        assert refused(lambda: Region.objects.filter(pk=region.pk).update(parent=region))
        region.parent = region
        assert refused(lambda: region.save())
        child = make_region(parent=make_region())
        assert child.parent_id

    @pytest.mark.parametrize("year", [1899, 2101, 13])
    def test_an_implausible_partner_since_year(self, year):
        assert refused(lambda: make_partner(partner_since=year))
        partner = make_partner(partner_since=2013)
        assert refused(lambda: Partner.objects.filter(pk=partner.pk).update(partner_since=year))


def error_texts(response):
    return " ".join(str(e) for e in response.context["errors"])


@pytest.fixture
def submit(editor_client):
    """Open an admin form as an editor (in English), change fields and submit it."""
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def submit(url, **changes):
        return editor_client.post(url, admin_form_data(editor_client.get(url), **changes))

    return submit


NEW_PROJECT = {"title_fr": "Un projet", "slug_fr": "un-projet", "slug_en": "a-project"}


@pytest.mark.django_db
class TestTheAdminExplainsRefusals:
    def test_end_date_before_start_date(self, submit):
        response = submit(
            reverse("admin:portfolio_project_add"),
            **NEW_PROJECT,
            start_date="2024-06-01",
            end_date="2024-05-01",
        )
        assert response.status_code == 200
        assert "The end date must come after the start date." in error_texts(response)
        assert not Project.objects.exists()

    def test_negative_funding_goal(self, submit):
        response = submit(reverse("admin:portfolio_project_add"), **NEW_PROJECT, funding_goal="-5")
        assert response.status_code == 200
        assert "The funding goal cannot be negative." in error_texts(response)
        assert not Project.objects.exists()

    def test_the_same_partner_twice(self, submit):
        partner = make_partner()
        response = submit(
            reverse("admin:portfolio_project_add"),
            **NEW_PROJECT,
            **{
                "partnerships-TOTAL_FORMS": "2",
                "partnerships-0-partner": str(partner.pk),
                "partnerships-0-role": "lead",
                "partnerships-0-order": "0",
                "partnerships-1-partner": str(partner.pk),
                "partnerships-1-role": "funding",
                "partnerships-1-order": "1",
            },
        )
        assert response.status_code == 200
        assert "duplicate data for partner" in error_texts(response)
        assert not Project.objects.exists()
        assert not Partnership.objects.exists()

    def test_a_region_that_is_its_own_parent(self, submit):
        region = make_region(name_fr="Inde", name_en="India", slug_fr="inde", slug_en="india")
        change = reverse("admin:portfolio_region_change", args=[region.pk])
        response = submit(change, parent=str(region.pk))
        assert response.status_code == 200
        assert "A region cannot be part of itself." in error_texts(response)
        region.refresh_from_db()
        assert region.parent is None

    def test_an_implausible_partner_since_year(self, submit):
        response = submit(
            reverse("admin:partners_partner_add"),
            name_fr="Partenaire",
            slug_fr="partenaire",
            partner_since="1850",
        )
        assert response.status_code == 200
        assert "Enter a year between 1900 and 2100." in error_texts(response)
        assert not Partner.objects.exists()
