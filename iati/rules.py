"""An interpreter of the IATI Standard Ruleset (``data/iati-2.03/rulesets/standard.json``).

The ruleset is a JSON document: ``{context XPath: {rule name: {"cases": [case, …]}}}``; each
case names the paths it constrains and a ``ruleInfo`` (id, severity, message). The rule
types are described in ``rulesets/SPEC.rst``. Every context is evaluated from the document
root, so a document holding one activity gives that activity's problems.

Rule types this module does not know are never skipped in silence: they are listed in the
report's ``unimplemented`` (with the ids of their cases), and the caller shows them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from lxml import etree

RULESET_PATH = Path(__file__).resolve().parent / "data" / "iati-2.03" / "rulesets" / "standard.json"

# The JS validator's names (camelCase) mean the same as the ruleset's (snake_case).
CAMEL_NAMES = {
    "noMoreThanOne": "no_more_than_one",
    "atLeastOne": "atleast_one",
    "onlyOneOf": "only_one_of",
    "oneOrAll": "one_or_all",
    "dateOrder": "date_order",
    "dateNow": "date_now",
    "timeLimit": "time_limit",
    "betweenDates": "between_dates",
    "regexMatches": "regex_matches",
    "regexNoMatches": "regex_no_matches",
    "startsWith": "startswith",
    "ifThen": "if_then",
    "strictSum": "strict_sum",
    "noSpaces": "no_spaces",
}


@dataclass(frozen=True)
class RuleFailure:
    """One case of the ruleset that a document breaks."""

    rule_id: str
    severity: str
    rule: str
    message: str
    context: str
    values: tuple[str, ...] = ()


@dataclass
class RuleReport:
    failures: list[RuleFailure] = field(default_factory=list)
    # Rule names met in the ruleset that this interpreter cannot run: {name: {ids}}.
    unimplemented: dict[str, set[str]] = field(default_factory=dict)
    # Rule names run at least once.
    checked: set[str] = field(default_factory=set)


@cache
def standard_ruleset() -> dict:
    return json.loads(RULESET_PATH.read_text(encoding="utf-8"))


def implemented_rule_types() -> tuple[str, ...]:
    return tuple(sorted(RULES))


def rule_types_in(ruleset: dict) -> set[str]:
    """Return every rule name the ruleset uses, those inside loops included."""
    names = set()
    for rules in ruleset.values():
        for name, body in rules.items():
            names.add(CAMEL_NAMES.get(name, name))
            if CAMEL_NAMES.get(name, name) == "loop":
                for case in body.get("cases", []):
                    names |= {CAMEL_NAMES.get(n, n) for n in case.get("do", {})}
    return names


def check(document: etree._Element, ruleset: dict | None = None) -> RuleReport:
    """Run every case of ``ruleset`` (the Standard Ruleset by default) over ``document``."""
    ruleset = standard_ruleset() if ruleset is None else ruleset
    report = RuleReport()
    tree = document.getroottree()
    for context_path, rules in ruleset.items():
        try:
            contexts = tree.xpath(context_path)
        except etree.XPathError:
            contexts = []
        for name, body in rules.items():
            _run(name, body.get("cases", []), contexts, context_path, report)
    return report


def _run(name, cases, contexts, context_path, report: RuleReport) -> None:
    name = CAMEL_NAMES.get(name, name)
    rule = RULES.get(name)
    if rule is None:
        ids = {case.get("ruleInfo", {}).get("id", "?") for case in cases}
        report.unimplemented.setdefault(name, set()).update(ids)
        return
    report.checked.add(name)
    for case in cases:
        for element in contexts:
            if not _applies(element, case):
                continue
            if name == "loop":
                _loop(element, case, context_path, report)
                continue
            outcome = rule(element, case)
            if outcome is not None:
                info = case.get("ruleInfo", {})
                report.failures.append(
                    RuleFailure(
                        rule_id=info.get("id", "?"),
                        severity=info.get("severity", "error"),
                        rule=name,
                        message=info.get("message", ""),
                        context=context_path,
                        values=tuple(outcome),
                    )
                )


def _loop(element, case, context_path, report: RuleReport) -> None:
    """``loop``: run the ``do`` rules once per distinct value of ``foreach``, with that
    value in place of ``$1`` in the keys ``subs`` names (only those, as IATI's validator
    does: a ``condition`` left out of ``subs`` keeps its ``$1``)."""
    values = list(dict.fromkeys(_texts(element, case["foreach"])))
    subs = case.get("subs", [])
    for value in values:
        for name, body in case.get("do", {}).items():
            cases = [_substitute(inner, subs, value) for inner in body.get("cases", [])]
            _run(name, cases, [element], context_path, report)


def _substitute(case: dict, subs: Iterable[str], value: str) -> dict:
    case = dict(case)
    for key in subs:
        if key not in case:
            continue
        if isinstance(case[key], list):
            case[key] = [item.replace("$1", value) for item in case[key]]
        elif isinstance(case[key], str):
            case[key] = case[key].replace("$1", value)
    return case


# Evaluation helpers ---------------------------------------------------------------------


def _xpath(element, path: str):
    try:
        return element.xpath(path)
    except etree.XPathError:
        return []


def _true(element, path: str) -> bool:
    result = _xpath(element, path)
    if isinstance(result, list):
        return len(result) > 0
    return bool(result)


def _nodes(element, paths) -> list:
    if isinstance(paths, str):
        paths = [paths]
    found = []
    for path in paths:
        result = _xpath(element, path)
        if isinstance(result, list):
            found.extend(result)
    return found


def _text(node) -> str:
    if isinstance(node, str):
        return str(node)
    return node.text or ""


def _texts(element, paths) -> list[str]:
    return [_text(node) for node in _nodes(element, paths)]


def _applies(element, case) -> bool:
    condition = case.get("condition")
    if condition and not _true(element, condition):
        return False
    return _id_condition_holds(element, case)


def _id_condition_holds(element, case) -> bool:
    """``idCondition``: the case only concerns identifiers that are not an existing
    publisher's (or do not start with one). This site knows the publishers listed in
    ``IATI_REGISTERED_ORG_IDS`` (none by default), so it checks every other identifier."""
    condition = case.get("idCondition")
    if not condition:
        return True
    known = set(getattr(settings, "IATI_REGISTERED_ORG_IDS", []))
    if not known:
        return True
    values = _texts(element, case.get("paths", []))
    if condition == "NOT_EXISTING_ORG_ID":
        return not any(value in known for value in values)
    if condition == "NOT_EXISTING_ORG_ID_PREFIX":
        return not any(value.startswith(tuple(known)) for value in values)
    return True


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        return None
    return value if value.is_finite() else None


def _date(text: str) -> date | None:
    text = (text or "").strip()
    try:
        if len(text) > 10:
            return _datetime(text).date()
        return date.fromisoformat(text)
    except (ValueError, AttributeError):
        return None


def _datetime(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat((text or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _dates(element, path: str) -> list[date | None]:
    if path == "NOW":
        return [timezone.localdate()]
    return [_date(text) for text in _texts(element, path)]


# Rules: each returns None when the case holds, else the values that break it. -----------


def atleast_one(element, case):
    return None if _nodes(element, case["paths"]) else ["0"]


def no_more_than_one(element, case):
    count = len(_nodes(element, case["paths"]))
    return None if count <= 1 else [str(count)]


def only_one_of(element, case):
    excluded = _nodes(element, case.get("excluded", []))
    count = len(_nodes(element, case["paths"]))
    if excluded:
        return None if count == 0 else [str(count)]
    return None if count == 1 else [str(count)]


def one_or_all(element, case):
    """``one`` exists, or else every element concerned carries ``all``: ``lang`` means
    each narrative has ``xml:lang``, ``currency`` each value has ``@currency``, anything
    else each transaction has that child."""
    if _nodes(element, case["one"]):
        return None
    wanted = case["all"]
    if wanted == "lang":
        lacking = _xpath(element, ".//narrative[not(@xml:lang)]")
    elif wanted == "currency":
        lacking = _xpath(
            element,
            ".//value[not(@currency)] | .//forecast[not(@currency)]"
            " | .//loan-status[not(@currency)]",
        )
    else:
        transactions = _xpath(element, "transaction")
        if not transactions:
            return [wanted]
        lacking = [t for t in transactions if not _xpath(t, wanted)]
    return [str(len(lacking))] if lacking else None


def dependent(element, case):
    present = [bool(_nodes(element, path)) for path in case["paths"]]
    return None if all(present) or not any(present) else [str(present)]


def _sum(element, case, strict: bool):
    texts = _texts(element, case["paths"])
    if not texts:
        return None
    numbers = [_number(text) for text in texts]
    if any(number is None for number in numbers):
        return texts
    total = sum(numbers, Decimal(0))
    expected = Decimal(str(case["sum"]))
    if strict:
        return None if total == expected else [str(total)]
    return None if abs(total - expected) < Decimal("0.01") else [str(total)]


def sum_rule(element, case):
    return _sum(element, case, strict=False)


def strict_sum(element, case):
    return _sum(element, case, strict=True)


def range_rule(element, case):
    texts = _texts(element, case["paths"])
    low = Decimal(str(case.get("min", "-Infinity")))
    high = Decimal(str(case.get("max", "Infinity")))
    bad = [t for t in texts if (n := _number(t)) is None or not low <= n <= high]
    return bad or None


def date_order(element, case):
    """Each date of ``less`` comes no later than each of ``more``; a missing one skips."""
    less, more = _dates(element, case["less"]), _dates(element, case["more"])
    if not less or not more or None in less or None in more:
        return None
    if max(less) <= min(more):
        return None
    return [max(less).isoformat(), min(more).isoformat()]


def date_now(element, case):
    now = timezone.now()
    late = []
    for text in _texts(element, case["date"]):
        moment = _datetime(text) if len(text.strip()) > 10 else None
        if moment is None:
            day = _date(text)
            if day is not None and day > timezone.localdate():
                late.append(text)
        elif moment > now:
            late.append(text)
    return late or None


def time_limit(element, case):
    """The period from ``start`` to ``end`` lasts no more than a year (365 days)."""
    starts, ends = _dates(element, case["start"]), _dates(element, case["end"])
    if not starts or not ends or None in starts or None in ends:
        return None
    start, end = min(starts), max(ends)
    return None if (end - start).days <= 365 else [start.isoformat(), end.isoformat()]


def between_dates(element, case):
    starts, ends = _dates(element, case["start"]), _dates(element, case["end"])
    days = _dates(element, case["date"])
    if not starts or not ends or None in starts or None in ends:
        return None
    bad = [d for d in days if d is not None and not min(starts) <= d <= max(ends)]
    return [d.isoformat() for d in bad] or None


def regex_matches(element, case):
    pattern = re.compile(case["regex"])
    bad = [t for t in _texts(element, case["paths"]) if not pattern.search(t)]
    return bad or None


def regex_no_matches(element, case):
    pattern = re.compile(case["regex"])
    bad = [t for t in _texts(element, case["paths"]) if pattern.search(t)]
    return bad or None


def startswith(element, case):
    """Each value starts with one of the prefixes (and the separator, if any).

    The prefix ``ORG-ID-PREFIX`` stands for the agency prefixes of org-id.guide, here
    ``IATI_ORG_ID_PREFIXES``.
    """
    prefixes = []
    for path in case.get("prefix", []):
        if path == "ORG-ID-PREFIX":
            prefixes.extend(settings.IATI_ORG_ID_PREFIXES)
        else:
            prefixes.extend(t for t in _texts(element, path) if t)
    separator = case.get("separator", "")
    if case.get("prefix", []) == ["ORG-ID-PREFIX"]:
        separator = separator or "-"
    starts = tuple(prefix + separator for prefix in prefixes)
    bad = [t for t in _texts(element, case["paths"]) if not starts or not t.startswith(starts)]
    return bad or None


def unique(element, case):
    texts = _texts(element, case["paths"])
    repeated = sorted({t for t in texts if texts.count(t) > 1})
    return repeated or None


def if_then(element, case):
    if not _true(element, case["if"]):
        return None
    return None if _true(element, case["then"]) else _texts(element, case.get("paths", []))


def no_spaces(element, case):
    bad = [t for t in _texts(element, case["paths"]) if t != t.strip()]
    return bad or None


def loop(element, case):  # run by _run itself, which needs the report
    raise NotImplementedError


RULES: dict[str, Callable] = {
    "atleast_one": atleast_one,
    "no_more_than_one": no_more_than_one,
    "only_one_of": only_one_of,
    "one_or_all": one_or_all,
    "dependent": dependent,
    "sum": sum_rule,
    "strict_sum": strict_sum,
    "range": range_rule,
    "date_order": date_order,
    "date_now": date_now,
    "time_limit": time_limit,
    "between_dates": between_dates,
    "regex_matches": regex_matches,
    "regex_no_matches": regex_no_matches,
    "startswith": startswith,
    "unique": unique,
    "if_then": if_then,
    "no_spaces": no_spaces,
    "loop": loop,
}
