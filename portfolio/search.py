"""Free-text search that the database runs, in the visitor's language with a fallback.

A visitor types words; each word must appear somewhere (title, subtitle, summary, body,
partner or region names). Matching ignores case and French accents on both sides, so
"etres" finds "êtres" and "NEPAL" finds "Népal": each letter of a word becomes a small
character class that both SQLite (Python's ``re``) and PostgreSQL (``~*``) understand.
"""

from __future__ import annotations

import unicodedata

from django.db.models import F, TextField, Value
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
LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss"}


def search_words(text: str) -> list[str]:
    """Return the distinct words of a query, folded to lower case without accents."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    kept = []
    for char in decomposed:
        # Accents on Latin letters go; vowel signs of other scripts are part of the word.
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    plain = "".join(kept).casefold()
    for ligature, letters in LIGATURES.items():
        plain = plain.replace(ligature, letters)
    # Letters, digits and the marks of scripts that write vowels as signs make words.
    spaced = "".join(
        c if c.isalnum() or unicodedata.category(c).startswith("M") else " " for c in plain
    )
    words = []
    for word in spaced.split():
        if word and word not in words and (len(word) > 1 or word.isdigit()):
            words.append(word)
    return words[:MAX_WORDS]


def word_pattern(word: str) -> str:
    """Return a regular expression matching ``word`` whatever its case and accents.

    Only letters, digits and bracketed classes are emitted, so the same pattern means
    the same thing to Python's ``re`` and to PostgreSQL's regular expressions.
    """
    parts = []
    index = 0
    while index < len(word):
        pair = word[index : index + 2]
        if pair in ("oe", "ae"):
            ligature = "œŒ" if pair == "oe" else "æÆ"
            parts.append(f"({_letter(pair[0])}{_letter(pair[1])}|[{ligature}])")
            index += 2
            continue
        parts.append(_letter(word[index]))
        index += 1
    return "".join(parts)


def _letter(char: str) -> str:
    if char in ACCENT_FOLDS:
        return f"[{ACCENT_FOLDS[char]}]"
    if char.isalpha() and char.upper() != char:
        return f"[{char}{char.upper()}]"
    return char


def translated_text(field: str, language: str | None = None):
    """Return an expression for a translated field's text as the visitor reads it.

    The visitor's language comes first; an empty translation falls back to the next
    language, as the pages do.
    """
    columns = [NullIf(F(f"{field}_{code}"), Value("")) for code in fallback_order(language)]
    return Coalesce(*columns, output_field=TextField())
