"""The state visitors see (draft, scheduled, published), one rule for it, shown in the admin."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from partners.views import published_project_counts
from portfolio.models import Project, ProjectUpdate, Publication
from tests.factories import make_partner, make_project, make_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def states():
    now = timezone.now()
    return {
        Publication.DRAFT: make_project(title_fr="Le brouillon", is_published=False),
        Publication.SCHEDULED: make_project(
            title_fr="Le programmé", published_at=now + timedelta(days=2)
        ),
        Publication.PUBLISHED: make_project(title_fr="Le publié"),
    }


def test_each_project_is_in_one_state_and_the_queryset_agrees(states):
    for state, project in states.items():
        assert project.publication_state() == state
        assert list(Project.objects.in_state(state)) == [project]
        assert project.is_public() == (state == Publication.PUBLISHED)
    assert list(Project.objects.published()) == [states[Publication.PUBLISHED]]
    assert list(Project.objects.scheduled()) == [states[Publication.SCHEDULED]]
    assert list(Project.objects.drafts()) == [states[Publication.DRAFT]]


def test_a_scheduled_project_becomes_published_when_its_moment_comes(states):
    project = states[Publication.SCHEDULED]
    Project.objects.filter(pk=project.pk).update(published_at=timezone.now() - timedelta(1))
    project.refresh_from_db()
    assert project.publication_state() == Publication.PUBLISHED
    assert project in Project.objects.published()


def test_a_field_update_waits_for_its_project(states):
    waiting = make_update(states[Publication.DRAFT])
    public = make_update(states[Publication.PUBLISHED])
    draft = make_update(states[Publication.PUBLISHED], is_published=False)
    later = make_update(
        states[Publication.PUBLISHED], published_at=timezone.now() + timedelta(hours=5)
    )
    assert waiting.publication_state() == Publication.WAITING_FOR_PROJECT
    assert public.publication_state() == Publication.PUBLISHED
    assert draft.publication_state() == Publication.DRAFT
    assert later.publication_state() == Publication.SCHEDULED
    assert list(ProjectUpdate.objects.published()) == [public]
    assert list(ProjectUpdate.objects.in_state(Publication.WAITING_FOR_PROJECT)) == [waiting]


def test_partner_pages_count_only_what_the_publication_rule_shows(states):
    partner = make_partner(name_fr="Partenaire compté")
    for project in states.values():
        project.partnerships.create(partner=partner, role="lead")
    assert published_project_counts([partner.pk]) == {partner.pk: 1}
    with translation.override("fr"):
        html = Client().get(reverse("partners:partner_list")).content.decode()
        assert "1 projet<" in html
        page = Client().get(partner.get_absolute_url()).content.decode()
    assert "Le publié" in page and "Le programmé" not in page and "Le brouillon" not in page


class TestAdminList:
    def test_the_list_shows_the_state_and_the_date_of_a_scheduled_project(
        self, states, editor_client
    ):
        html = editor_client.get(
            "/admin/portfolio/project/", headers={"accept-language": "fr"}
        ).content.decode()
        assert '<span class="publication publication-draft">Brouillon</span>' in html
        assert '<span class="publication publication-published">Publié</span>' in html
        scheduled = states[Publication.SCHEDULED].published_at
        assert (
            '<span class="publication publication-scheduled">Programmé</span> '
            f'<time datetime="{scheduled.isoformat()}">'
        ) in html

    @pytest.mark.parametrize("state", list(Publication)[:3])
    def test_the_list_filters_by_state(self, states, editor_client, state):
        response = editor_client.get(f"/admin/portfolio/project/?publication={state.value}")
        shown = list(response.context["cl"].result_list)
        assert shown == [states[state]]

    def test_the_filter_speaks_the_editors_language(self, states, editor_client):
        html = editor_client.get(
            "/admin/portfolio/project/", headers={"accept-language": "en"}
        ).content.decode()
        assert "?publication=scheduled" in html and ">Scheduled</a>" in html

    def test_field_updates_show_their_state_and_filter_by_it(self, states, editor_client):
        waiting = make_update(states[Publication.DRAFT], title_fr="Nouvelle en attente")
        make_update(states[Publication.PUBLISHED], title_fr="Nouvelle visible")
        response = editor_client.get(
            "/admin/portfolio/projectupdate/?publication=waiting",
            headers={"accept-language": "fr"},
        )
        assert list(response.context["cl"].result_list) == [waiting]
        assert "En attente de son projet" in response.content.decode()
