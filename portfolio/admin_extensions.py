"""Extension points of the project form, for the apps built on the portfolio.

An app that keeps its own rows about a project (the pledge form's suggested amounts, say)
adds its inline here from its ``AppConfig.ready()``, instead of replacing the portfolio's
admin: the portfolio does not know those apps, they know it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.admin.options import InlineModelAdmin

_project_inlines: list[type[InlineModelAdmin]] = []


@dataclass(frozen=True)
class ProjectPanel:
    """A read-only section of the project form: ``render(project)`` returns its HTML
    (``project`` is None on the form of a new project)."""

    name: str
    title: str
    render: Callable


_project_panels: dict[str, ProjectPanel] = {}


def add_project_inline(inline: type[InlineModelAdmin]) -> None:
    """Show ``inline`` on the project form, after the portfolio's own inlines."""
    if inline not in _project_inlines:
        _project_inlines.append(inline)


def project_inlines() -> tuple[type[InlineModelAdmin], ...]:
    """Return the inlines other apps added to the project form, in the order they came."""
    return tuple(_project_inlines)


def add_project_panel(name: str, title, render: Callable) -> None:
    """Show a read-only section titled ``title`` at the end of the project form.

    ``name`` identifies it (a Python identifier no field of the form uses); ``render``
    receives the project and returns safe HTML (``format_html``).
    """
    if not name.isidentifier():
        raise ValueError(f"A panel's name must be an identifier: {name!r}")
    _project_panels[name] = ProjectPanel(name, title, render)


def project_panels() -> tuple[ProjectPanel, ...]:
    """Return the panels other apps added to the project form, in the order they came."""
    return tuple(_project_panels.values())


def project_panel(name: str) -> ProjectPanel | None:
    return _project_panels.get(name)
