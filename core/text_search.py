"""Short texts (names) that the database matches against a visitor's words.

Matching ignores case and accents on both sides, so "ecole" finds "École" and "NEPAL"
finds "Népal": each letter of a word becomes a small character class that SQLite
(Python's ``re``) and PostgreSQL (``~*``) read the same way.
"""

from __future__ import annotations

import re
import unicodedata

from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Coalesce, NullIf

from core.i18n import fallback_order

MAX_WORDS = 8
LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss"}
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_LATIN_ACCENTS = re.compile(r"(?<=[\x00-\x7f])[\u0300-\u036f]+")

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


def fold(text: str | None) -> str:
    """Return ``text`` in lower case, without Latin accents, ligatures spelt out.

    Documents and the visitor's words go through this same function, so a word typed
    without its accents ("etres", "NEPAL") is found in the folded text.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    # The usual accents go in one pass; what remains non-ASCII is looked at closer.
    plain = _LATIN_ACCENTS.sub("", decomposed)
    if not plain.isascii():
        plain = _NON_ASCII.sub(_drop_latin_accents, plain)
    plain = plain.casefold()
    for ligature, letters in LIGATURES.items():
        plain = plain.replace(ligature, letters)
    return " ".join(plain.split())


def _drop_latin_accents(run: re.Match) -> str:
    """Drop the accents that follow a Latin letter; keep the vowel signs of other scripts.

    ``run`` is a stretch of non-ASCII characters of a decomposed text: what follows
    an ASCII letter starts with that letter's combining accents, if any.
    """
    text = run.group()
    if run.start() == 0:
        return text
    index = 0
    while index < len(text) and unicodedata.combining(text[index]):
        index += 1
    return text[index:]


def search_words(text: str) -> list[str]:
    """Return the distinct words of a query, folded as documents are."""
    plain = fold(text)
    # Letters, digits and the marks of scripts that write vowels as signs make words.
    spaced = "".join(
        c if c.isalnum() or unicodedata.category(c).startswith("M") else " " for c in plain
    )
    words = []
    for word in spaced.split():
        if word not in words and (len(word) > 1 or word.isdigit()):
            words.append(word)
    return words[:MAX_WORDS]


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
    for word in search_words(text):
        condition &= Q(**{f"{lookup}__iregex": word_pattern(word)})
    return condition
