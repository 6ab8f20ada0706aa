"""Draw an official donation receipt as PDF, from what the receipt stored when issued.

Every element the Canada Revenue Agency requires is written in French and in English,
the donor's language first. Nothing here reads the donor or the settings: a receipt
looks the same whenever it is drawn again (the signature image excepted).
"""

from __future__ import annotations

import io
import os
from decimal import Decimal

from django.conf import settings
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen import canvas

from .models import Receipt

# (French, English) wording of each element; kept out of the translation catalogue on
# purpose: both languages appear on every receipt, whatever the language of the page.
WORDING = {
    "title": (
        "Reçu officiel aux fins de l'impôt sur le revenu",
        "Official receipt for income tax purposes",
    ),
    "serial": ("Numéro de série du reçu", "Receipt serial number"),
    "registration": ("Numéro d'enregistrement", "Registration number"),
    "place": ("Lieu de délivrance", "Place of issue"),
    "issued_on": ("Date de délivrance", "Date issued"),
    "received_on": ("Date de réception du don", "Date the gift was received"),
    "received_year": ("Année de réception des dons", "Year the gifts were received"),
    "donor": ("Donateur", "Donor"),
    "amount": ("Montant du don", "Amount of gift"),
    "advantage": ("Valeur de l'avantage", "Value of advantage"),
    "eligible": ("Montant admissible du don", "Eligible amount of gift"),
    "gifts": ("Dons reçus", "Gifts received"),
    "signature": ("Signature autorisée", "Authorized signature"),
    "replaces": ("Annule et remplace le reçu no", "Cancels and replaces receipt No"),
    "cra": (
        "Agence du revenu du Canada : canada.ca/organismes-bienfaisance",
        "Canada Revenue Agency: canada.ca/charities-giving",
    ),
    "cancelled": ("ANNULÉ", "CANCELLED"),
    "spoiled": ("GÂCHÉ - ANNULÉ", "SPOILED - VOID"),
}


def money(amount: Decimal, language: str) -> str:
    """Return the amount written the way the language writes it: 1 234,56 $ / $1,234.56."""
    text = f"{amount:,.2f}"
    if language == "fr":
        return text.replace(",", "\u00a0").replace(".", ",") + "\u00a0$"
    return f"${text}"


def _pair(key: str, language: str) -> str:
    french, english = WORDING[key]
    return f"{french} / {english}" if language == "fr" else f"{english} / {french}"


def render_receipt(receipt: Receipt) -> bytes:
    language = "fr" if receipt.language.startswith("fr") else "en"
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER, invariant=1)
    pdf.setTitle(f"{WORDING['title'][0 if language == 'fr' else 1]} {receipt.serial}")
    pdf.setAuthor(receipt.charity_name)
    width, height = LETTER
    left, y = 20 * mm, height - 22 * mm
    # French puts a (non-breaking) space before a colon; English does not.
    colon = "\u00a0:" if language == "fr" else ":"

    def line(text: str, *, size: float = 10, bold: bool = False, gap: float = 5.5 * mm):
        """Write a line, wrapped to the page's width (a long address, a long name)."""
        nonlocal y
        font = "Helvetica-Bold" if bold else "Helvetica"
        pdf.setFont(font, size)
        for part in simpleSplit(text, font, size, width - 2 * left) or [""]:
            pdf.drawString(left, y, part)
            y -= gap

    def field(key: str, value: str):
        line(f"{_pair(key, language)}{colon} {value}")

    if receipt.status != Receipt.Status.ISSUED:
        mark = "cancelled" if receipt.status == Receipt.Status.CANCELLED else "spoiled"
        pdf.saveState()
        pdf.setFont("Helvetica-Bold", 30)
        pdf.setFillGray(0.85)
        pdf.translate(width / 2, height / 2)
        pdf.rotate(35)
        pdf.drawCentredString(0, 0, _pair(mark, language))
        pdf.restoreState()

    french, english = WORDING["title"]
    first, second = (french, english) if language == "fr" else (english, french)
    line(first, size=14, bold=True, gap=6 * mm)
    line(second, size=12, bold=True, gap=9 * mm)

    line(receipt.charity_name, size=11, bold=True)
    line(receipt.charity_address)
    field("registration", receipt.registration_number)
    y -= 3 * mm

    field("serial", receipt.serial)
    if receipt.replaces_id:
        french, english = (f"{words} {receipt.replaces.serial}" for words in WORDING["replaces"])
        line(f"{french} / {english}" if language == "fr" else f"{english} / {french}", bold=True)
    field("place", receipt.place_of_issue)
    field("issued_on", receipt.issued_on.isoformat())
    if receipt.received_on:
        field("received_on", receipt.received_on.isoformat())
    else:
        field("received_year", str(receipt.year))
    y -= 3 * mm

    line(f"{_pair('donor', language)}{colon}", bold=True)
    line(receipt.donor_name)
    for address_line in receipt.donor_address.splitlines():
        line(address_line)
    y -= 3 * mm

    if receipt.kind == Receipt.Kind.ANNUAL:
        line(f"{_pair('gifts', language)}{colon}", bold=True)
        for gift in receipt.lines.all():
            line(f"{gift.received_on.isoformat()}    {money(gift.amount, language)}", gap=5 * mm)
        y -= 2 * mm
    field("amount", money(receipt.amount, language))
    field("advantage", money(receipt.advantage, language))
    line(
        f"{_pair('eligible', language)}{colon} {money(receipt.eligible_amount, language)}",
        bold=True,
    )
    y -= 6 * mm

    signature = settings.RECEIPT_SIGNATURE_IMAGE
    # Issuing checks the image is there; drawn again after it went, the copy lacks it.
    if signature and os.path.isfile(str(signature)):
        image = ImageReader(str(signature))
        image_width, image_height = image.getSize()
        draw_height = 18 * mm
        draw_width = draw_height * image_width / image_height
        pdf.drawImage(image, left, y - draw_height, draw_width, draw_height, mask="auto")
        y -= draw_height + 4 * mm
    pdf.line(left, y + 2 * mm, left + 80 * mm, y + 2 * mm)
    line(f"{_pair('signature', language)}{colon} {receipt.signatory}", size=9)
    y -= 6 * mm

    cra_first, cra_second = WORDING["cra"] if language == "fr" else WORDING["cra"][::-1]
    line(cra_first, size=9, gap=4.5 * mm)
    line(cra_second, size=9)

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
