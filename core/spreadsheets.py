"""CSV files that spreadsheets open safely, in the visitor's language."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.utils import translation

# A cell starting with one of these is run as a formula by spreadsheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Lets spreadsheets read the file as UTF-8.
BYTE_ORDER_MARK = "\ufeff"


def spreadsheet_safe(value) -> str:
    """Return a CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def uses_decimal_comma(language: str | None = None) -> bool:
    """Tell whether ``language`` writes 2,5 rather than 2.5 (French does)."""
    language = (language or translation.get_language() or "").split("-")[0]
    return language == "fr"


def spreadsheet_number(value: int | Decimal | None, language: str | None = None) -> str:
    """Return a number as the language's spreadsheets read it: no grouping, and a decimal
    comma where the language has one."""
    if value is None:
        return ""
    text = str(value)
    return text.replace(".", ",") if uses_decimal_comma(language) else text


def csv_delimiter(language: str | None = None) -> str:
    """Return the separator spreadsheets expect in ``language``: a semicolon where the
    comma is the decimal mark."""
    return ";" if uses_decimal_comma(language) else ","


class _Line:
    """A file-like object that hands back what ``csv.writer`` writes to it."""

    def write(self, text: str) -> str:
        return text


def csv_lines(rows: Iterable[Iterable[str]], delimiter: str = ",") -> Iterator[str]:
    """Yield a CSV file line by line (for a streamed response), its byte order mark first.

    Text cells go through ``spreadsheet_safe`` before they come here; numbers are written
    with ``spreadsheet_number``.
    """
    writer = csv.writer(_Line(), delimiter=delimiter)
    yield BYTE_ORDER_MARK
    for row in rows:
        yield writer.writerow(row)
