"""Extension points of the public pages, for the apps built on the portfolio.

An app that shows its own section on the project, region or home page (the places app's
map, say) adds a function here from its ``AppConfig.ready()``; the page's template renders
``{% page_sections "project" project %}`` where such sections go, without knowing the app.
"""

from collections.abc import Callable

PAGES = ("home", "project", "region")

_sections: dict[str, list[Callable[..., str]]] = {page: [] for page in PAGES}


def add_page_section(page: str, render: Callable[..., str]) -> None:
    """Show what ``render(obj)`` returns (safe HTML, or "") on ``page``, in the order added.

    ``obj`` is the project or the region of the page (None on the home page).
    """
    if page not in _sections:
        raise ValueError(f"No page {page!r}: choose one of {PAGES}.")
    if render not in _sections[page]:
        _sections[page].append(render)


def page_sections(page: str) -> tuple[Callable[..., str], ...]:
    """Return the functions other apps added to ``page``, in the order they came."""
    return tuple(_sections.get(page, ()))
