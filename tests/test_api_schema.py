"""The API answers whatever its OpenAPI schema allows without a server error, and every
answer matches the schema (schemathesis, through the WSGI application)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.factories import (
    make_partner,
    make_photo,
    make_project,
    make_region,
    make_sector,
    make_sponsorship,
    make_update,
)


@pytest.fixture
def keep_the_test_connection():
    """Keep the database connection open between requests, as Django's test client does:
    the WSGI application would close it at the end of each request, and the test's
    transaction with it (on PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, settings, keep_the_test_connection):
    settings.API_RATE_LIMIT = None  # the examples come faster than any visitor
    country = make_region(name_fr="Inde", name_en="India")
    state = make_region(parent=country, name_fr="Bengale", name_en="Bengal")
    sector = make_sector()
    partner = make_partner(website="https://example.org")
    project = make_project(
        regions=[state], partners=[partner], sector=sector, funding_goal="1000.50"
    )
    make_photo(project)
    make_update(project)
    make_sponsorship(project, confirmed=True)
    make_project(is_published=False)
    return schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_the_api_keeps_to_its_schema(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 7
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=20,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def answers_as_described(case):
            case.call_and_validate(checks=CHECKS)

        answers_as_described()


def test_the_schema_describes_every_endpoint(client, db):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths) == {
        "/api/v1/projects/",
        "/api/v1/projects/{key}/",
        "/api/v1/partners/",
        "/api/v1/partners/{key}/",
        "/api/v1/regions/",
        "/api/v1/sectors/",
        "/api/v1/updates/",
    }
    assert all(set(operations) == {"get"} for operations in paths.values())
