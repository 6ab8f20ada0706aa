"""Free-text search over stored search documents, in the visitor's language with a fallback.

A visitor types words; each word must appear somewhere in what they read of a project:
its title, subtitle, summary, story, a public partner's name or a region's name (or its
country's). Where a text is not translated, the other language's text is what they read,
so it is what they search.

Each project stores, per language, a *search document*: that text, folded to lower case
without accents or ligatures ("Œuvre à Népal" -> "oeuvre a nepal"), and its folded title
for ranking. The visitor's words are folded the same way, so matching is a plain,
case-sensitive ``LIKE '%word%'`` that a trigram index answers on PostgreSQL (and SQLite
runs as a scan). Documents are rebuilt whenever something they contain changes; see
``refresh_search_documents``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps
from django.conf import settings
from django.db import connections, router

from core import fragments, pagecache
from core.i18n import fallback_order
from core.text_search import fold

# The project's own texts that the document holds, in the order they are written in it.
SEARCHED_FIELDS = ("title", "subtitle", "summary", "body")

# The annotation a search orders by first: how many of the words the title holds.
SEARCH_RANK = "search_rank"

# Rows written per UPDATE when many documents change at once (a region renamed).
REFRESH_BATCH = 500

# Tags that separate words; the others (bold, links) may sit inside a word.
_BLOCK_TAG = re.compile(r"</?(?:p|br|li|ul|ol|h[1-6]|blockquote|div|hr)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def title_column(code: str) -> str:
    return f"search_title_{code}"


def document_column(code: str) -> str:
    return f"search_document_{code}"


def search_languages(project_model) -> list[str]:
    """Return the languages ``project_model`` stores documents for.

    Read from the model, not the settings, so that a migration's historical model
    keeps the columns it had then.
    """
    prefix = document_column("")
    return [
        field.name.removeprefix(prefix)
        for field in project_model._meta.concrete_fields
        if field.name.startswith(prefix)
    ]


def search_columns(codes: list[str] | None = None) -> list[str]:
    """Return the names of the stored search columns, each language's."""
    codes = language_codes() if codes is None else codes
    return [column for code in codes for column in (title_column(code), document_column(code))]


def source_columns(codes: list[str] | None = None) -> list[str]:
    """Return the project's columns a search document is built from."""
    codes = language_codes() if codes is None else codes
    return [f"{field}_{code}" for field in SEARCHED_FIELDS for code in codes]


def plain_text(rich_text: str | None) -> str:
    """Return the words of sanitised rich text, without its tags and entities."""
    text = _BLOCK_TAG.sub(" ", rich_text or "")
    return html.unescape(_ANY_TAG.sub("", text))


def shown_text(values: Mapping[str, str | None], language: str) -> str:
    """Return the text a visitor reading ``language`` sees: theirs, else the next language's.

    ``values`` maps language codes to a translated field's columns; an empty one falls
    back, as the pages do.
    """
    for code in fallback_order(language):
        if values.get(code):
            return values[code]
    return ""


def build_search_documents(
    texts: Mapping[str, str | None],
    names: Iterable[Mapping[str, str | None]],
    codes: list[str] | None = None,
) -> dict[str, str]:
    """Return ``{search column: folded text}`` for one project, in each language.

    ``texts`` holds the project's columns (``title_fr``, ``body_en``…); ``names`` the
    names it is found by, each as ``{language code: name}``: its public partners, its
    regions and their countries.
    """
    codes = language_codes() if codes is None else codes
    names = list(names)
    documents = {}
    for code in codes:

        def read(field, code=code):
            return shown_text({c: texts.get(f"{field}_{c}") for c in codes}, code)

        parts = [read("title"), read("subtitle"), read("summary"), plain_text(read("body"))]
        parts += dict.fromkeys(shown_text(name, code) for name in names)
        # One text per line: no word of a query can straddle two of them.
        documents[document_column(code)] = "\n".join(fold(part) for part in parts if part)
        documents[title_column(code)] = fold(read("title"))
    return documents


def project_names(project_ids: Iterable[int], project_model=None, codes=None) -> dict:
    """Return ``{project pk: [{language code: name}, …]}``: public partners, regions, countries.

    Two queries, whatever the number of projects.
    """
    project_model = project_model or apps.get_model("portfolio", "Project")
    codes = language_codes() if codes is None else codes
    partnership_model = project_model._meta.get_field("partnerships").related_model
    through = project_model._meta.get_field("regions").remote_field.through
    ids = list(project_ids)
    found: dict[int, list[dict[str, str]]] = {pk: [] for pk in ids}
    partners = (
        partnership_model.objects.filter(project__in=ids, partner__is_public=True)
        .order_by("order", "pk")
        .values_list("project_id", *[f"partner__name_{code}" for code in codes])
    )
    for project_id, *values in partners:
        found[project_id].append(dict(zip(codes, values, strict=True)))
    located = (
        through.objects.filter(project__in=ids)
        .order_by("pk")
        .values_list(
            "project_id",
            *[f"region__name_{code}" for code in codes],
            *[f"region__parent__name_{code}" for code in codes],
        )
    )
    for project_id, *values in located:
        region, parent = values[: len(codes)], values[len(codes) :]
        found[project_id].append(dict(zip(codes, region, strict=True)))
        if any(parent):
            found[project_id].append(dict(zip(codes, parent, strict=True)))
    return found


def fill_search_documents(project, names: list | None = None) -> None:
    """Set one project's search columns from its fields and its saved partners and regions.

    ``names`` replaces the partners and regions read from the database, when known.
    """
    codes = search_languages(type(project))
    texts = {column: getattr(project, column) for column in source_columns(codes)}
    if names is None:
        names = project_names([project.pk], type(project), codes)[project.pk] if project.pk else []
    for column, value in build_search_documents(texts, names, codes).items():
        setattr(project, column, value)


_pending: ContextVar[set[int] | None] = ContextVar("search_refresh_pending", default=None)


@contextmanager
def search_refresh_batch():
    """Refresh the documents touched inside the block once, when it ends without error.

    Saving a project in the admin changes its regions and several partnerships in a row;
    each would otherwise rebuild the same document.
    """
    if _pending.get() is not None:  # Already inside a batch: the outer one refreshes.
        yield
        return
    pending: set[int] = set()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    refresh_search_documents(pending)


def refresh_search_documents(project_ids: Iterable[int | None], project_model=None) -> None:
    """Rebuild the search documents of these projects from what is saved now.

    Called when something a document contains changes: a project's regions or
    partnerships, a partner's name or publicness, a region's name or country.
    ``project_model`` is a migration's historical model, when one calls this. Rows
    whose documents did not change are not written.
    """
    ids = sorted({pk for pk in project_ids if pk is not None})
    pending = _pending.get()
    if pending is not None:
        pending.update(ids)
        return
    live = project_model is None  # Not a migration's model: the site serves these rows.
    project_model = project_model or apps.get_model("portfolio", "Project")
    codes = search_languages(project_model)
    columns = search_columns(codes)
    for start in range(0, len(ids), REFRESH_BATCH):
        batch = ids[start : start + REFRESH_BATCH]
        names = project_names(batch, project_model, codes)
        rows = project_model.objects.filter(pk__in=batch).values(
            "pk", *source_columns(codes), *columns
        )
        changed = {}
        for row in rows:
            documents = build_search_documents(row, names[row["pk"]], codes)
            if any(row[column] != value for column, value in documents.items()):
                changed[row["pk"]] = documents
        _write_documents(project_model, changed, columns)
        if live and changed:
            # Searches kept meanwhile read the documents before they were written: these
            # projects' searched text changed, as after a story rewritten, so kept
            # searches check them again (``fragments.kept_search``). What the pages show
            # of them is put out of date by the change that moved their documents (a
            # partner or region renamed, a partnership, a project's regions), not here.
            pagecache.invalidate(content_of=())  # The pages only.
            fragments.note_searched_edit(changed)


def _write_documents(project_model, documents: dict[int, dict[str, str]], columns) -> None:
    """Store ``{project pk: {column: text}}`` in one statement."""
    if not documents:
        return
    connection = connections[router.db_for_write(project_model)]
    if connection.vendor != "postgresql":
        rows = [project_model(pk=pk, **values) for pk, values in documents.items()]
        # As the statement below: the searches are put out of date after writing.
        project_model._base_manager.bulk_update(rows, columns)
        return
    # bulk_update's CASE WHEN id = … per row and column takes seconds for 500 rows on
    # PostgreSQL; joining a VALUES list takes a fraction of that.
    quote = connection.ops.quote_name
    meta = project_model._meta
    table = quote(meta.db_table)
    assignments = ", ".join(
        f"{quote(meta.get_field(column).column)} = v.column{number}"
        for number, column in enumerate(columns, start=2)
    )
    row = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    params = [
        value
        for pk, values in documents.items()
        for value in (pk, *[values[column] for column in columns])
    ]
    sql = (
        f"UPDATE {table} SET {assignments} "  # noqa: S608 - names quoted, values as parameters
        f"FROM (VALUES {', '.join([row] * len(documents))}) AS v "
        f"WHERE {table}.{quote(meta.pk.column)} = v.column1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
