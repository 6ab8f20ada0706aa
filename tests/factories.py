"""Small builders for test data. Each returns a saved object with sensible defaults."""

import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from partners.models import Partner
from portfolio.models import Partnership, Project, ProjectImage, ProjectUpdate, Region, Sector

_counter = itertools.count(1)


def image_bytes(size=(1200, 800), fmt="JPEG", colour=(40, 120, 90)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()


def uploaded_image(name="photo.jpg", size=(1200, 800), fmt="JPEG") -> SimpleUploadedFile:
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[fmt]
    return SimpleUploadedFile(name, image_bytes(size, fmt), content_type=content_type)


def make_sector(**fields) -> Sector:
    n = next(_counter)
    return Sector.objects.create(**{"name_fr": f"Secteur {n}", "name_en": f"Sector {n}"} | fields)


def make_region(parent=None, **fields) -> Region:
    n = next(_counter)
    defaults = {"name_fr": f"Région {n}", "name_en": f"Region {n}", "country": "IN"}
    return Region.objects.create(parent=parent, **defaults | fields)


def make_partner(**fields) -> Partner:
    n = next(_counter)
    defaults = {
        "name_fr": f"Partenaire {n}",
        "name_en": f"Partner {n}",
        "kind": Partner.Kind.LOCAL,
        "country": "NP",
    }
    return Partner.objects.create(**defaults | fields)


def make_project(*, regions=(), partners=(), **fields) -> Project:
    n = next(_counter)
    defaults = {
        "title_fr": f"Projet numéro {n}",
        "title_en": f"Project number {n}",
        "summary_fr": f"Résumé du projet {n}",
        "summary_en": f"Summary of project {n}",
        "is_published": True,
        "published_at": timezone.now() - timezone.timedelta(days=1),
    }
    project = Project.objects.create(**defaults | fields)
    project.regions.set(regions)
    for order, partner in enumerate(partners):
        role = Partnership.Role.LEAD if order == 0 else Partnership.Role.IMPLEMENTING
        Partnership.objects.create(project=project, partner=partner, role=role, order=order)
    return project


def make_photo(project, **fields) -> ProjectImage:
    defaults = {"alt_text_fr": "Une photo", "alt_text_en": "A photo"}
    photo = ProjectImage(project=project, **defaults | fields)
    photo.image.save("photo.jpg", uploaded_image(size=(1000, 700)), save=False)
    photo.save()
    return photo


def make_update(project, **fields) -> ProjectUpdate:
    n = next(_counter)
    defaults = {
        "title_fr": f"Nouvelle {n}",
        "title_en": f"Update {n}",
        "text_fr": "Texte de la nouvelle.",
        "text_en": "Text of the update.",
    }
    return ProjectUpdate.objects.create(project=project, **defaults | fields)


def make_suggested_amount(project, amount="25", **fields):
    from decimal import Decimal

    from donations.models import SuggestedAmount

    defaults = {"impact_fr": f"Impact de {amount} $", "impact_en": f"Impact of ${amount}"}
    return SuggestedAmount.objects.create(
        project=project, amount=Decimal(amount), **defaults | fields
    )


def make_sponsorship(project, *, confirmed=False, **fields):
    from decimal import Decimal

    from donations.models import Sponsorship

    n = next(_counter)
    defaults = {
        "donor_name": f"Donor {n}",
        "donor_email": f"donor{n}@example.org",
        "amount": Decimal("50"),
    }
    if confirmed:
        defaults |= {"status": Sponsorship.Status.CONFIRMED, "confirmed_at": timezone.now()}
    return Sponsorship.objects.create(project=project, **defaults | fields)


def pledge_form_data(seconds_ago: float = 60, **fields) -> dict:
    """Return a pledge form's POST data as a person would send it, ``seconds_ago`` after
    the form was shown."""
    import time
    import uuid

    from django.core import signing

    from donations.forms import FORM_TOKEN_SALT

    token = signing.dumps(
        {"key": uuid.uuid4().hex, "at": time.time() - seconds_ago}, salt=FORM_TOKEN_SALT
    )
    data = {
        "amount_choice": "other",
        "other_amount": "40",
        "frequency": "once",
        "donor_name": "Marie Curie",
        "email": "marie@example.org",
        "dedication_kind": "",
        "dedication_name": "",
        "public_message": "",
        "privacy_consent": "on",
        "website": "",
        "form_token": token,
    }
    return data | fields
