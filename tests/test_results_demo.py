"""The seed project comes with plausible results; generated projects with a few."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from portfolio.models import Project
from results.models import Disaggregation, Indicator, Period, Result

pytestmark = pytest.mark.django_db


def test_the_seed_project_reaches_4000_girls_and_boys(demo):
    reached = Indicator.objects.get(result__project=demo, title_en="Girls and boys reached")
    period = reached.periods.get()
    assert period.target == Decimal(4000)
    parts = period.disaggregations.filter(dimension_en="sex")
    assert sorted(parts.values_list("category_en", flat=True)) == ["boys", "girls"]
    assert sum(part.value for part in parts) <= period.actual
    titles = set(Indicator.objects.filter(result__project=demo).values_list("title_en", flat=True))
    assert {"Villages covered", "Awareness sessions held"} <= titles
    for part in Disaggregation.objects.all():
        part.full_clean()  # every part within its total
    for period in Period.objects.all():
        period.full_clean()
    assert {r.iati_type_code for r in Result.objects.filter(project=demo)} == {"1", "2"}


def test_editors_corrections_survive_load_demo_and_reset_restores_them(demo):
    period = Period.objects.get(indicator__title_en="Villages covered")
    Period.objects.filter(pk=period.pk).update(actual=Decimal(50))
    call_command("load_demo", verbosity=0)
    period.refresh_from_db()
    assert period.actual == 50
    call_command("load_demo", "--reset", verbosity=0)
    assert Period.objects.get(indicator__title_en="Villages covered").actual == 45
    assert Result.objects.filter(project=demo).count() == 2


def test_generated_projects_have_results_that_show(client):
    call_command("generate_portfolio", projects=3, seed=1, force=True, verbosity=0)
    for project in Project.objects.all():
        assert Indicator.objects.filter(result__project=project).exists()
    for part in Disaggregation.objects.select_related("period"):
        part.full_clean()
    with translation.override("en"):
        url = Project.objects.first().get_absolute_url()
    assert 'role="img"' in Client().get(url).content.decode()
