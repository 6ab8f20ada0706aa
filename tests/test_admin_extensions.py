"""Apps built on the portfolio extend its project form without replacing its admin."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import reverse

from donations.admin_inlines import SuggestedAmountInline
from donations.models import SuggestedAmount
from places.admin_inlines import LocationInline
from portfolio.admin import ProjectAdmin
from portfolio.admin_extensions import add_project_inline, project_inlines
from portfolio.models import Project
from results.admin import ResultInline

from .admin_forms import admin_form_data
from .factories import make_project

pytestmark = pytest.mark.django_db


def test_the_project_admin_is_the_portfolio_s_own():
    assert type(admin.site._registry[Project]) is ProjectAdmin
    source = (Path(__file__).parent.parent / "donations" / "admin.py").read_text()
    assert "unregister" not in source


def test_donations_and_places_add_their_inlines_once_after_the_portfolio_inlines(rf, admin_user):
    add_project_inline(SuggestedAmountInline)  # a second call (a reloaded app) changes nothing
    add_project_inline(LocationInline)
    assert project_inlines().count(SuggestedAmountInline) == 1
    assert project_inlines().count(LocationInline) == 1
    request = rf.get("/")
    request.user = admin_user
    inlines = admin.site._registry[Project].get_inlines(request, None)
    # In the order of INSTALLED_APPS, whose ready() adds them.
    assert inlines == (*ProjectAdmin.inlines, SuggestedAmountInline, ResultInline, LocationInline)


def test_editors_add_a_suggested_amount_on_the_project_form(editor_client):
    project = make_project()
    url = reverse("admin:portfolio_project_change", args=[project.pk])
    form = admin_form_data(editor_client.get(url))
    form |= {
        "suggested_amounts-TOTAL_FORMS": "1",
        "suggested_amounts-0-amount": "40",
        "suggested_amounts-0-impact_fr": "Un mois de cours",
        "suggested_amounts-0-impact_en": "A month of lessons",
        "suggested_amounts-0-order": "1",
    }
    response = editor_client.post(url, form)
    assert response.status_code == 302, response.context and response.context["errors"]
    (amount,) = SuggestedAmount.objects.filter(project=project)
    assert amount.amount == Decimal("40") and amount.impact_en == "A month of lessons"
