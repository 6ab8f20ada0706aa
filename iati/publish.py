"""The published IATI data: projects built as activities, each validated, the valid kept.

``export()`` is what the addresses and ``manage.py export_iati`` serve: a document of the
activities that pass, and the report of every activity (the invalid ones are logged).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from lxml import etree

from .export import build_activity, build_document, export_queryset, monthly_gifts
from .validation import ActivityReport, validate_activity

logger = logging.getLogger("iati")


@dataclass
class Export:
    document: etree._Element
    reports: list[tuple[object, ActivityReport]] = field(default_factory=list)

    @property
    def invalid(self) -> list[tuple[object, ActivityReport]]:
        return [(project, report) for project, report in self.reports if not report.is_valid]

    @property
    def unimplemented(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for _project, report in self.reports:
            for name, ids in report.unimplemented.items():
                found.setdefault(name, set()).update(ids)
        return found


def activity_report(project) -> tuple[etree._Element, ActivityReport]:
    """Build and check one project's activity, whatever its publication state."""
    project = export_queryset(type(project).objects.filter(pk=project.pk)).get()
    activity = build_activity(project, monthly_gifts([project.pk]).get(project.pk, []))
    return activity, validate_activity(activity)


def export(queryset=None) -> Export:
    """Return the document of the valid activities of ``queryset`` (published projects by
    default) with every activity's report; invalid activities are logged and left out."""
    projects = list(export_queryset(queryset))
    gifts = monthly_gifts(project.pk for project in projects)
    valid, reports = [], []
    for project in projects:
        activity = build_activity(project, gifts.get(project.pk, []))
        report = validate_activity(activity)
        reports.append((project, report))
        if report.is_valid:
            valid.append(activity)
        else:
            logger.warning(
                "IATI activity %s (project %s) left out: %s",
                report.identifier,
                project.pk,
                "; ".join(f"[{p.rule_id}] {p.detail or p.values}" for p in report.blocking),
            )
    for name, ids in Export(build_document([]), reports).unimplemented.items():
        logger.warning("IATI rule type %s not checked (rules %s)", name, ", ".join(sorted(ids)))
    return Export(build_document(valid), reports)
