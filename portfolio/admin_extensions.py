"""Extension points of the project form, for the apps built on the portfolio.

An app that keeps its own rows about a project (the pledge form's suggested amounts, say)
adds its inline here from its ``AppConfig.ready()``, instead of replacing the portfolio's
admin: the portfolio does not know those apps, they know it.
"""

from django.contrib.admin.options import InlineModelAdmin

_project_inlines: list[type[InlineModelAdmin]] = []


def add_project_inline(inline: type[InlineModelAdmin]) -> None:
    """Show ``inline`` on the project form, after the portfolio's own inlines."""
    if inline not in _project_inlines:
        _project_inlines.append(inline)


def project_inlines() -> tuple[type[InlineModelAdmin], ...]:
    """Return the inlines other apps added to the project form, in the order they came."""
    return tuple(_project_inlines)
