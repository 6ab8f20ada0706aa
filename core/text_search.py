"""Short texts (names) that the database matches against a visitor's words.

Matching ignores case and accents on both sides, so "ecole" finds "École" and "NEPAL"
finds "Népal": each letter of a word becomes a small character class that SQLite
(Python's ``re``) and PostgreSQL (``~*``) read the same way.
"""

from __future__ import annotations

import unicodedata

from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Coalesce, NullIf

from core.i18n import fallback_order

MAX_WORDS = 8

# Letters a French or English visitor may type without their accent, and what they match.
ACCENT_FOLDS = {
    "a": "aàâäáãåAÀÂÄÁÃÅ",
    "c": "cçCÇ",
    "e": "eéèêëEÉÈÊË",
    "i": "iîïíìIÎÏÍÌ",
    "n": "nñNÑ",
    "o": "oôöóòõOÔÖÓÒÕ",
    "u": "uùûüúUÙÛÜÚ",
    "y": "yÿýYŸÝ",
}


def folded(text: str) -> str:
    """Return ``text`` in lower case without the accents of Latin letters."""
    kept = []
    for char in unicodedata.normalize("NFKD", text or ""):
        # Accents on Latin letters go; vowel signs of other scripts are part of the word.
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    return "".join(kept).casefold()


def words(text: str) -> list[str]:
    """Return the distinct words of a visitor's text, folded, at most ``MAX_WORDS``."""
    spaced = "".join(
        c if c.isalnum() or unicodedata.category(c).startswith("M") else " " for c in folded(text)
    )
    found = []
    for word in spaced.split():
        if word not in found:
            found.append(word)
    return found[:MAX_WORDS]


def word_pattern(word: str) -> str:
    """Return a regular expression matching ``word`` whatever its case and accents.

    Only letters, digits, marks and bracketed classes come out, so the pattern means the
    same to Python's ``re`` and to PostgreSQL.
    """
    parts = []
    for char in word:
        if char in ACCENT_FOLDS:
            parts.append(f"[{ACCENT_FOLDS[char]}]")
        elif char.isalpha() and char.upper() != char:
            parts.append(f"[{char}{char.upper()}]")
        else:
            parts.append(char)
    return "".join(parts)


def shown_text(field: str, language: str | None = None):
    """Return an expression for a translated field as the visitor reads it.

    The visitor's language comes first; an empty translation falls back to the next
    language, as the pages do.
    """
    columns = [NullIf(F(f"{field}_{code}"), Value("")) for code in fallback_order(language)]
    return Coalesce(*columns, output_field=TextField())


def holds_every_word(lookup: str, text: str) -> Q:
    """Return a condition: ``lookup`` holds every word of ``text``, case and accents aside."""
    condition = Q()
    for word in words(text):
        condition &= Q(**{f"{lookup}__iregex": word_pattern(word)})
    return condition
