"""Extension points of the project page and the demo content, for apps built on the portfolio.

An app that shows its own rows on a project's page (the results framework, say) adds a
section here from its ``AppConfig.ready()``; one that has demo rows for the seed project adds
a loader. The portfolio does not know those apps, they know it.
"""

from collections.abc import Callable

_sections: list[Callable] = []
_demo_loaders: list[Callable] = []


def add_project_section(render: Callable) -> None:
    """Show ``render(project)`` (safe HTML) on the project page, after the story.

    The section is kept in the page's editorial fragment: the app must renew the page
    cache when its rows change (``core.pagecache.content_changed``).
    """
    if render not in _sections:
        _sections.append(render)


def project_sections() -> tuple[Callable, ...]:
    return tuple(_sections)


def add_demo_content(load: Callable) -> None:
    """Run ``load(project, reset=…)`` when ``load_demo`` has made the seed project."""
    if load not in _demo_loaders:
        _demo_loaders.append(load)


def demo_loaders() -> tuple[Callable, ...]:
    return tuple(_demo_loaders)
