"""Synthetic projects at scale, in French and English, for benchmarks and load tests.

Rows are written with bulk operations; every project shares one small generated cover and
one gallery photo, so a run of thousands of projects takes seconds and little disk.
"""

from __future__ import annotations

import io
import random
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from partners.models import Partner

from .models import Partnership, Project, ProjectImage, ProjectUpdate, Region, Sector
from .search import refresh_search_documents

# (French, English, OECD DAC sector codes with their shares).
SECTORS = [
    ("Éducation", "Education", "11220"),
    ("Santé", "Health", "12220"),
    ("Eau et assainissement", "Water and sanitation", "14030"),
    ("Droits des femmes", "Women's rights", "15170 80, 15180 20"),
    ("Agriculture", "Farming", "31120"),
]

# Countries and some of their parts: (French, English, ISO code, [(French, English), …]).
COUNTRIES = [
    ("Inde", "India", "IN", [("Bengale occidental", "West Bengal"), ("Odisha", "Odisha")]),
    ("Népal", "Nepal", "NP", [("Province de Koshi", "Koshi Province")]),
    ("Sénégal", "Senegal", "SN", [("Casamance", "Casamance"), ("Région de Thiès", "Thiès Region")]),
    ("Pérou", "Peru", "PE", [("Région de Cusco", "Cusco Region")]),
    ("Haïti", "Haiti", "HT", []),
    ("Bolivie", "Bolivia", "BO", [("Département de La Paz", "La Paz Department")]),
]

THEMES = [
    ("l’école pour les filles", "school for girls"),
    ("l’eau potable au village", "clean water in the village"),
    ("des jardins nourriciers", "kitchen gardens"),
    ("la santé des mères", "mothers' health"),
    ("l’apprentissage d’un métier", "learning a trade"),
    ("la prévention de la traite", "preventing trafficking"),
]


def placeholder_png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    """Return a small PNG: a coloured gradient standing in for a photo."""
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = tuple(max(0, c - y * 60 // height) for c in colour)
        draw.line([(0, y), (width, y)], fill=shade)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _sectors() -> list[Sector]:
    sectors = []
    for name_fr, name_en, dac_codes in SECTORS:
        sector = Sector.objects.filter(name_fr=name_fr).first()
        if sector is None:
            sector = Sector.objects.create(name_fr=name_fr, name_en=name_en, dac_codes=dac_codes)
        sectors.append(sector)
    return sectors


def _regions() -> list[Region]:
    """Return the generated countries' regions, the deepest ones first in each country."""
    regions = []
    for name_fr, name_en, code, parts in COUNTRIES:
        country = Region.objects.filter(name_fr=name_fr, parent=None).first()
        if country is None:
            country = Region.objects.create(name_fr=name_fr, name_en=name_en, country=code)
        regions.append(country)
        for part_fr, part_en in parts:
            part = Region.objects.filter(name_fr=part_fr, parent=country).first()
            if part is None:
                part = Region.objects.create(
                    name_fr=part_fr, name_en=part_en, country=code, parent=country
                )
            regions.append(part)
    return regions


# Rows per INSERT: big enough to be fast, small enough to keep each statement modest.
BATCH_SIZE = 2000


@transaction.atomic
def generate_projects(
    count: int, *, seed: int | None = None, partners: int | None = None
) -> list[Project]:
    """Create ``count`` published projects with partners, regions, photos and news.

    ``partners`` new partners are shared by the projects (a third of ``count`` by default).
    Each run adds new rows (names carry a run tag), so it can be repeated to grow the
    data set; sectors and regions are shared between runs.
    """
    if count <= 0:
        return []
    rng = random.Random(seed)  # noqa: S311 - sample data, not secrets.
    run = uuid.uuid4().hex[:6]
    sectors = _sectors()
    regions = _regions()
    now = timezone.now()

    cover = ContentFile(placeholder_png(320, 180, (30, 110, 80)))
    cover_name = default_storage.save(f"projects/covers/generated-{run}.png", cover)
    photo = ContentFile(placeholder_png(320, 240, (190, 120, 50)))
    photo_name = default_storage.save(f"projects/gallery/generated-{run}.png", photo)

    partner_count = max(2, count // 3) if partners is None else max(1, partners)
    partners = Partner.objects.bulk_create(
        [
            Partner(
                name_fr=f"Association partenaire {run}-{n}",
                name_en=f"Partner association {run}-{n}",
                slug_fr=f"partenaire-{run}-{n}",
                slug_en=f"partner-{run}-{n}",
                kind=Partner.Kind.LEAD if n % 4 == 0 else Partner.Kind.LOCAL,
                summary_fr="Un organisme local qui mène des projets avec les communautés.",
                summary_en="A local organisation running projects with communities.",
                description_fr="<p>Organisme partenaire engagé depuis longtemps.</p>",
                description_en="<p>A long-standing partner organisation.</p>",
                country=rng.choice(COUNTRIES)[2],
                partner_since=rng.randint(2005, 2024),
                quote_fr="Ensemble, nous changeons des vies.",
                quote_en="Together, we change lives.",
                quote_author="Porte-parole",
            )
            for n in range(partner_count)
        ],
        batch_size=BATCH_SIZE,
    )

    statuses = [choice for choice, _label in Project.Status.choices]
    projects = []
    for n in range(count):
        theme_fr, theme_en = rng.choice(THEMES)
        start = date(2020, 1, 1) + timedelta(days=rng.randint(0, 1500))
        projects.append(
            Project(
                title_fr=f"Projet {run}-{n} : {theme_fr}",
                title_en=f"Project {run}-{n}: {theme_en}",
                slug_fr=f"projet-{run}-{n}",
                slug_en=f"project-{run}-{n}",
                subtitle_fr=f"Agir pour {theme_fr}",
                subtitle_en=f"Acting for {theme_en}",
                summary_fr=f"Avec nos partenaires locaux, un projet pour {theme_fr}.",
                summary_en=f"With our local partners, a project for {theme_en}.",
                body_fr=f"<p>Ce projet soutient {theme_fr} dans la région.</p>",
                body_en=f"<p>This project supports {theme_en} in the region.</p>",
                sector=rng.choice(sectors),
                beneficiaries=rng.randint(50, 5000),
                beneficiaries_description_fr="enfants et familles",
                beneficiaries_description_en="children and families",
                status=rng.choice(statuses),
                start_date=start,
                end_date=start + timedelta(days=rng.randint(180, 1500)),
                funding_goal=Decimal(rng.randrange(5_000, 200_000, 500)),
                cover_image=cover_name,
                cover_width=320,
                cover_height=180,
                cover_alt_fr="Image de remplacement : un dégradé vert",
                cover_alt_en="Placeholder image: a green gradient",
                is_published=True,
                published_at=now - timedelta(days=n + 1, minutes=rng.randint(0, 600)),
            )
        )
    projects = Project.objects.bulk_create(projects, batch_size=BATCH_SIZE)

    through = Project.regions.through
    located, partnerships, photos, updates = [], [], [], []
    for project in projects:
        for region in rng.sample(regions, k=rng.randint(1, 2)):
            located.append(through(project_id=project.pk, region_id=region.pk))
        for order, partner in enumerate(rng.sample(partners, k=min(len(partners), 3))):
            role = Partnership.Role.LEAD if order == 0 else Partnership.Role.IMPLEMENTING
            partnerships.append(
                Partnership(project=project, partner=partner, role=role, order=order)
            )
        for order in range(2):
            photos.append(
                ProjectImage(
                    project=project,
                    image=photo_name,
                    width=320,
                    height=240,
                    alt_text_fr="Image de remplacement : un dégradé ocre",
                    alt_text_en="Placeholder image: an ochre gradient",
                    order=order,
                )
            )
        for days in (3, 40):
            updates.append(
                ProjectUpdate(
                    project=project,
                    title_fr=f"Nouvelles du projet, il y a {days} jours",
                    title_en=f"News from the project, {days} days ago",
                    text_fr="<p>Les activités avancent bien sur le terrain.</p>",
                    text_en="<p>Work is going well in the field.</p>",
                    published_at=now - timedelta(days=days),
                )
            )
    through.objects.bulk_create(located, ignore_conflicts=True, batch_size=BATCH_SIZE)
    Partnership.objects.bulk_create(partnerships, batch_size=BATCH_SIZE)
    ProjectImage.objects.bulk_create(photos, batch_size=BATCH_SIZE)
    ProjectUpdate.objects.bulk_create(updates, batch_size=BATCH_SIZE)
    # Bulk inserts bypass save() and the signals: add the partners' and regions' names.
    refresh_search_documents(project.pk for project in projects)
    return projects
