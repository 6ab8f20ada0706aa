"""The IATI panel of the project form: what keeps the project out of the IATI data.

Editors see it before publishing: the project is checked whatever its state, in the
admin's language, each problem with its rule id.
"""

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from .publish import activity_report


def iati_problems(project) -> str:
    if project is None:
        return _("Save the project to check its IATI data.")
    _activity, report = activity_report(project)
    parts = []
    if report.problems:
        blocking = set(report.blocking)
        parts.append(
            format_html(
                '<p class="iati-problems-note">{}</p>',
                _("IATI data for this project has problems; it is left out until they are solved:")
                if blocking
                else _("IATI data for this project has remarks:"),
            )
        )
        parts.append(
            format_html(
                '<ul class="iati-problems">{}</ul>',
                format_html_join(
                    "",
                    "<li><code>{}</code> {}</li>",
                    ((problem.rule_id, problem.message) for problem in report.problems),
                ),
            )
        )
    else:
        parts.append(format_html("<p>{}</p>", _("IATI data for this project passes every check.")))
    for name, ids in sorted(report.unimplemented.items()):
        parts.append(
            format_html(
                "<p>{}</p>",
                _("Rules of type %(type)s (%(ids)s) are not checked.")
                % {"type": name, "ids": ", ".join(sorted(ids))},
            )
        )
    if project.is_public() and report.is_valid:
        key = str(project.pk)
        parts.append(
            format_html(
                '<p><a href="{}">{}</a> ({})</p>',
                reverse("iati:activity", kwargs={"key": key}),
                _("The project's IATI data"),
                report.identifier,
            )
        )
    else:
        parts.append(format_html("<p>{}: <code>{}</code></p>", _("Identifier"), report.identifier))
    return format_html_join("", "{}", ((part,) for part in parts))
