"""The hook for a project's results framework (``<result>`` elements of an activity).

The results framework (results, indicators, periods, disaggregations) lives in its own app,
``results``, which this app does not require. When that app is installed, it provides a
module ``results/iati.py`` with a function::

    def result_elements(project) -> Iterable[lxml.etree._Element]:
        '''Yield one IATI 2.03 <result> element per result of ``project``, each complete
        (type, title narratives, indicators with measure, baseline, periods…).'''

and, to read them in a fixed number of queries whatever the number of projects::

    def with_results(queryset) -> QuerySet:
        '''Return the projects with their results framework prefetched.'''

The export appends what it yields after the activity's document links, where the IATI
schema places ``<result>``, and validates it with the rest of the activity: the Standard
Ruleset's result rules (8.6.1, 8.8.x, 8.9.x, 8.10.x, 8.11.1) and the ResultType and
IndicatorMeasure codelists apply to it. Without the app, an activity has no result.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

from django.apps import apps

RESULTS_APP = "results"


def result_elements(project) -> Iterator:
    """Yield the project's ``<result>`` elements, from the results app if installed."""
    if not apps.is_installed(RESULTS_APP):
        return
    provider = importlib.import_module(f"{RESULTS_APP}.iati")
    yield from provider.result_elements(project)


def with_results(queryset):
    """Return the projects with their results prefetched, when the results app is installed."""
    if not apps.is_installed(RESULTS_APP):
        return queryset
    provider = importlib.import_module(f"{RESULTS_APP}.iati")
    return provider.with_results(queryset)
