"""Results show on their project's page: saving or deleting one puts stored pages out of
date, and that project's page fragments (its content version and its results' version); the
rest of the fragments stay good.
"""

from django.db.models.signals import post_delete, post_save, pre_save

from core import pagecache

from .models import Disaggregation, Indicator, Period, Result


def project_of(row) -> int | None:
    """Return the key of the project a result, indicator, period or part belongs to."""
    if isinstance(row, Result):
        return row.project_id
    if isinstance(row, Indicator):
        rows, lookup, parent = Result.objects, "project_id", row.result_id
    elif isinstance(row, Period):
        rows, lookup, parent = Indicator.objects, "result__project_id", row.indicator_id
    else:
        rows, lookup, parent = Period.objects, "indicator__result__project_id", row.period_id
    return rows.filter(pk=parent).values_list(lookup, flat=True).first()


PUBLIC_MODELS = (Result, Indicator, Period, Disaggregation)
# The results section is kept as a part of the project page (``results.sections``), inside
# its bottom part.
PARTS = ["results", "bottom"]


# A result moved to another project (or an indicator to another result) leaves the first
# project's page too.
saving = pagecache.previous_project_noter(project_of)
changed = pagecache.own_content_changed(project_of, parts=PARTS)


def connect():
    for model in PUBLIC_MODELS:
        name = model.__name__
        pre_save.connect(saving, sender=model, dispatch_uid=f"pagecache-pre-{name}")
        post_save.connect(changed, sender=model, dispatch_uid=f"pagecache-{name}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"pagecache-del-{name}")
