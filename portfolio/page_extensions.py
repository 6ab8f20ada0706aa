"""Extension points of the public pages and the demo content, for apps built on the portfolio.

An app that shows its own section on the project, region or home page (the results
framework, the places map) adds a function here from its ``AppConfig.ready()``; the page's
template renders ``{% page_sections "project" project %}`` where such sections go, without
knowing the app. One that has demo rows for the seed project adds a loader. The portfolio
does not know those apps, they know it.
"""

from collections.abc import Callable

PAGES = ("home", "project", "region")

_sections: dict[str, list[Callable[..., str]]] = {page: [] for page in PAGES}
_demo_loaders: list[Callable] = []


def add_page_section(page: str, render: Callable[..., str]) -> None:
    """Show what ``render(obj)`` returns (safe HTML, or "") on ``page``, in the order added.

    ``obj`` is the project or the region of the page (None on the home page). The section
    is kept in the page's fragments: the app must put the page cache out of date when its
    rows change (``core.pagecache.content_changed``, or more narrowly ``invalidate``, as
    ``places.signal_handlers`` does).
    """
    if page not in _sections:
        raise ValueError(f"No page {page!r}: choose one of {PAGES}.")
    if render not in _sections[page]:
        _sections[page].append(render)


def page_sections(page: str) -> tuple[Callable[..., str], ...]:
    """Return the functions other apps added to ``page``, in the order they came."""
    return tuple(_sections.get(page, ()))


def add_demo_content(load: Callable) -> None:
    """Run ``load(project, reset=…, regions={key: Region})`` when ``load_demo`` has made the
    seed project."""
    if load not in _demo_loaders:
        _demo_loaders.append(load)


def demo_loaders() -> tuple[Callable, ...]:
    return tuple(_demo_loaders)
