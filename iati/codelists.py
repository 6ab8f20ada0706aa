"""IATI codelists (``data/iati-2.03/codelists``) and the check of an activity's codes.

Each ``<codelist-item>`` has a ``<code>`` and sometimes ``status="withdrawn"``: a withdrawn
code is refused like an unknown one. A list that says ``complete="0"`` (Language) may miss
valid codes, so there only withdrawn codes are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

CODELIST_DIR = Path(__file__).resolve().parent / "data" / "iati-2.03" / "codelists"

# Where an activity holds codes, and the list each comes from. Paths are relative to
# <iati-activity>; sector codes only for vocabulary 1 (OECD DAC 5-digit).
CODED_PATHS = (
    ("activity-status/@code", "ActivityStatus"),
    ("activity-date/@type", "ActivityDateType"),
    ("reporting-org/@type", "OrganisationType"),
    ("participating-org/@role", "OrganisationRole"),
    ("participating-org/@type", "OrganisationType"),
    ("description/@type", "DescriptionType"),
    ("recipient-country/@code", "Country"),
    ("recipient-region[not(@vocabulary) or @vocabulary='1']/@code", "Region"),
    ("recipient-region/@vocabulary", "RegionVocabulary"),
    ("sector[not(@vocabulary) or @vocabulary='1']/@code", "Sector"),
    ("sector/@vocabulary", "SectorVocabulary"),
    ("budget/@type", "BudgetType"),
    ("budget/@status", "BudgetStatus"),
    ("transaction/transaction-type/@code", "TransactionType"),
    ("transaction/provider-org/@type", "OrganisationType"),
    ("@default-currency", "Currency"),
    (".//value/@currency", "Currency"),
    ("@xml:lang", "Language"),
    (".//narrative/@xml:lang", "Language"),
    ("result/@type", "ResultType"),
    ("result/indicator/@measure", "IndicatorMeasure"),
)


@dataclass(frozen=True)
class Codelist:
    name: str
    complete: bool
    active: frozenset[str]
    withdrawn: frozenset[str]
    names: dict  # code -> {language: name}

    def name_of(self, code: str, language: str = "en") -> str:
        names = self.names.get(code, {})
        return names.get(language) or names.get("en") or code


@dataclass(frozen=True)
class CodeProblem:
    codelist: str
    code: str
    withdrawn: bool


@cache
def codelist(name: str) -> Codelist:
    root = etree.parse(str(CODELIST_DIR / f"{name}.xml")).getroot()
    active, withdrawn, names = set(), set(), {}
    for item in root.iter("codelist-item"):
        code = (item.findtext("code") or "").strip()
        if item.get("status") == "withdrawn":
            withdrawn.add(code)
        else:
            active.add(code)
        names[code] = {
            narrative.get("{http://www.w3.org/XML/1998/namespace}lang", "en"): narrative.text
            for narrative in item.findall("name/narrative")
        }
    return Codelist(
        name=name,
        complete=root.get("complete", "1") != "0",
        active=frozenset(active),
        withdrawn=frozenset(withdrawn),
        names=names,
    )


def check_codes(activity: etree._Element) -> list[CodeProblem]:
    """Return the activity's codes that are withdrawn from, or missing in, their list."""
    problems = []
    for path, name in CODED_PATHS:
        listed = codelist(name)
        for code in dict.fromkeys(str(value) for value in activity.xpath(path)):
            if code in listed.withdrawn:
                problems.append(CodeProblem(name, code, withdrawn=True))
            elif listed.complete and code not in listed.active:
                problems.append(CodeProblem(name, code, withdrawn=False))
    return problems
