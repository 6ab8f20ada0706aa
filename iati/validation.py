"""Validation of IATI activities: the XML Schema, the Standard Ruleset and the codelists.

Every activity is checked on its own (wrapped in an ``<iati-activities>`` document) before
it is served or written: ``validate_activity`` returns its problems, each with a rule id,
a severity and a message in the active language. Problems whose severity is in
``IATI_BLOCKING_SEVERITIES`` (errors and warnings by default) keep the activity out of the
published data.

Rule ids: the Standard Ruleset's own (``6.11.1``…); ``schema`` for the XML Schema;
``codelist:<List>`` for a code that is unknown or withdrawn from its list.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

from . import codelists, rules
from .messages import RULE_MESSAGES

SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "iati-2.03" / "iati-activities-schema.xsd"
_schema_lock = threading.Lock()


@cache
def schema() -> etree.XMLSchema:
    """Return the activity schema (its imports, iati-common.xsd and xml.xsd, sit beside it)."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), parser))


@dataclass(frozen=True)
class Problem:
    rule_id: str
    severity: str
    kind: str  # "schema", "ruleset" or "codelist"
    detail: str = ""
    values: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        """Say what is wrong, in the active language."""
        if self.kind == "schema":
            return _("The data does not follow the IATI schema: %(detail)s") % {
                "detail": self.detail
            }
        if self.kind == "codelist":
            codelist_name = self.rule_id.split(":", 1)[1]
            if self.detail == "withdrawn":
                text = _("The code %(code)s is withdrawn from the IATI %(list)s list.")
            else:
                text = _("The code %(code)s is not in the IATI %(list)s list.")
            return text % {"code": self.values[0], "list": codelist_name}
        return str(RULE_MESSAGES.get(self.rule_id, self.detail))

    def __str__(self) -> str:
        return f"[{self.rule_id}] {self.message}"


@dataclass
class ActivityReport:
    identifier: str
    problems: list[Problem] = field(default_factory=list)
    # Rule types of the ruleset this validator cannot run: {name: {rule ids}}.
    unimplemented: dict[str, set[str]] = field(default_factory=dict)

    @property
    def blocking(self) -> list[Problem]:
        severities = set(settings.IATI_BLOCKING_SEVERITIES)
        return [p for p in self.problems if p.severity in severities]

    @property
    def is_valid(self) -> bool:
        return not self.blocking

    def rule_ids(self) -> set[str]:
        return {problem.rule_id for problem in self.problems}


def wrap(activity: etree._Element) -> etree._Element:
    """Return a document holding a copy of ``activity`` alone."""
    from .export import build_document

    return build_document([copy.deepcopy(activity)])


def schema_problems(document: etree._Element) -> list[Problem]:
    checker = schema()
    with _schema_lock:
        if checker.validate(document):
            return []
        errors = list(checker.error_log)
    return [
        Problem("schema", "error", "schema", detail=f"{error.message} (line {error.line})")
        for error in errors
    ]


def validate_document(document: etree._Element, ruleset: dict | None = None):
    """Return the problems of a whole document and the rule types left unchecked."""
    problems = schema_problems(document)
    report = rules.check(document, ruleset)
    for failure in report.failures:
        problems.append(
            Problem(
                failure.rule_id,
                failure.severity,
                "ruleset",
                detail=failure.message,
                values=failure.values,
            )
        )
    for activity in document.iter("iati-activity"):
        for code in codelists.check_codes(activity):
            problems.append(
                Problem(
                    f"codelist:{code.codelist}",
                    "error",
                    "codelist",
                    detail="withdrawn" if code.withdrawn else "unknown",
                    values=(code.code,),
                )
            )
    return problems, report.unimplemented


def validate_activity(activity: etree._Element, ruleset: dict | None = None) -> ActivityReport:
    """Check one activity against the schema, the ruleset and the codelists."""
    problems, unimplemented = validate_document(wrap(activity), ruleset)
    return ActivityReport(
        identifier=activity.findtext("iati-identifier") or "",
        problems=problems,
        unimplemented=unimplemented,
    )
