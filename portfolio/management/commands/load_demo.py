"""Load the NGO's first project, its partners, regions and sector, in French and English."""

import io
import unicodedata

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from partners.models import Partner
from portfolio import demo_content as demo
from portfolio.models import Partnership, Project, Region, Sector
from portfolio.page_extensions import demo_loaders

# Fonts with accented letters, where the system has one; Pillow's built-in font has none.
LABEL_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)


def label_font(size: int):
    """Return a font that can draw French text, or None to fall back to plain letters."""
    for path in LABEL_FONTS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return None


def cover_label(project: dict) -> str:
    """Return the text of the demo project's placeholder cover: one picture serves both
    languages, so it says the title in each, on two lines apiece."""
    return "\n\n".join(
        (
            project["title_fr"].replace(" dans ", "\ndans "),
            project["title_en"].replace(" in ", "\nin ", 1),
        )
    )


def placeholder_png(size, top, bottom, label: str) -> bytes:
    """Return a PNG gradient with a label: a stand-in until real photos arrive."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / max(1, height - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)
    size = max(18, width // 24)
    font = label_font(size)
    if font is None:
        # Without a full font, drop the accents rather than draw empty boxes.
        label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
        font = ImageFont.load_default(size)
    draw.multiline_text(
        (width // 2, height // 2),
        label,
        fill=(255, 255, 255),
        anchor="mm",
        align="center",
        font=font,
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def has_content() -> bool:
    """Tell whether editors (or an earlier load) put any content in the database."""
    return any(model.objects.exists() for model in (Project, Partner, Region, Sector))


class Command(BaseCommand):
    help = (
        "Load the demonstration content into an empty database; with --reset, restore it "
        "over editors' changes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Restore the demo content even where editors changed it.",
        )

    @transaction.atomic
    def handle(self, *args, reset=False, **options):
        if not reset and has_content():
            # `make run` loads the demo at every start: editors' work must survive it.
            self.stdout.write(
                "The database already has content; the demo was left alone (--reset restores it)."
            )
            return
        sector, _ = Sector.objects.update_or_create(
            slug_fr=demo.SECTOR["key"], defaults=self._fields(demo.SECTOR)
        )

        regions = {}
        for data in demo.REGIONS:
            fields = self._fields(data, skip=("parent",))
            fields["parent"] = regions.get(data["parent"])
            regions[data["key"]], _ = Region.objects.update_or_create(
                slug_fr=data["key"], defaults=fields
            )

        partners = {}
        for data in demo.PARTNERS:
            fields = self._fields(data, skip=("logo_colour", "logo_text"))
            partner, _ = Partner.objects.update_or_create(slug_fr=data["key"], defaults=fields)
            if "logo_text" in data and not partner.logo:
                png = placeholder_png(
                    (400, 400), data["logo_colour"], (90, 40, 10), data["logo_text"]
                )
                partner.logo.save(f"{data['key']}.png", ContentFile(png), save=True)
            partners[data["key"]] = partner

        data = demo.PROJECT
        project, created = Project.objects.update_or_create(
            slug_fr=data["key"],
            defaults=self._fields(data, skip=("regions", "partnerships")) | {"sector": sector},
        )
        project.regions.set([regions[key] for key in data["regions"]])
        for order, (partner_key, role) in enumerate(data["partnerships"]):
            Partnership.objects.update_or_create(
                project=project,
                partner=partners[partner_key],
                defaults={"role": role, "order": order},
            )
        if not project.cover_image:
            png = placeholder_png((1600, 900), (196, 140, 60), (20, 100, 80), cover_label(data))
            project.cover_image.save(f"{data['key'][:40]}.png", ContentFile(png), save=True)

        for load in demo_loaders():  # Other apps' rows about the project (results, places…).
            load(project, reset=reset, regions=regions)

        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} the demo project: {project.title_fr}"))

    @staticmethod
    def _fields(data: dict, skip=()) -> dict:
        return {key: value for key, value in data.items() if key != "key" and key not in skip}
