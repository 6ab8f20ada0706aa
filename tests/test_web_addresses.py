"""A partner's website is an http(s) address on every write path, and only such an
address is ever linked to."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from core.web_addresses import is_web_address, safe_web_address
from partners.models import Partner

from .admin_forms import admin_form_data
from .factories import make_partner

UNSAFE = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "java\tscript:alert(1)",
    "ftp://files.example.org/",
    "//evil.example.org/",
    "example.org",
]
SAFE = ["https://mumbaismiles.org", "http://chhori.org.np/about", "HTTPS://EXAMPLE.ORG"]


@pytest.mark.parametrize("address", UNSAFE)
def test_the_render_guard_drops_unsafe_addresses(address):
    assert not is_web_address(address)
    assert safe_web_address(address) == ""


@pytest.mark.parametrize("address", SAFE)
def test_the_render_guard_keeps_web_addresses(address):
    assert safe_web_address(address) == address


@pytest.mark.parametrize("value", [None, "", 42])
def test_the_render_guard_drops_what_is_not_an_address(value):
    assert safe_web_address(value) == ""


@pytest.mark.django_db
class TestTheDatabaseRefusesUnsafeWebsites:
    @pytest.mark.parametrize("address", UNSAFE)
    def test_save(self, address):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_partner(website=address)
        assert not Partner.objects.exists()

    @pytest.mark.parametrize("address", ["javascript:alert(1)", "data:text/html,<b>x</b>"])
    def test_update_changes_nothing(self, address):
        first = make_partner(website="https://one.example.org")
        second = make_partner(website="https://two.example.org")
        with pytest.raises(IntegrityError), transaction.atomic():
            Partner.objects.update(website=address)
        assert set(Partner.objects.values_list("website", flat=True)) == {
            first.website,
            second.website,
        }

    def test_bulk_create_writes_nothing(self):
        rows = [
            Partner(name_fr="Bon", slug_fr="bon", website="https://good.example.org"),
            Partner(name_fr="Mauvais", slug_fr="mauvais", website="javascript:alert(1)"),
        ]
        with pytest.raises(IntegrityError), transaction.atomic():
            Partner.objects.bulk_create(rows)
        assert not Partner.objects.exists()

    def test_bulk_update_changes_nothing(self):
        partner = make_partner(website="https://good.example.org")
        partner.website = "data:text/html,<script>alert(1)</script>"
        with pytest.raises(IntegrityError), transaction.atomic():
            Partner.objects.bulk_update([partner], ["website"])
        partner.refresh_from_db()
        assert partner.website == "https://good.example.org"

    @pytest.mark.parametrize("address", [*SAFE, ""])
    def test_web_addresses_and_no_address_are_kept(self, address):
        assert make_partner(website=address).website == address


@pytest.fixture
def submit(editor_client):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def submit(url, **changes):
        return editor_client.post(url, admin_form_data(editor_client.get(url), **changes))

    return submit


@pytest.mark.django_db
class TestTheAdminExplains:
    @pytest.mark.parametrize(
        "address", ["javascript:alert(1)", "data:text/html,<script>x</script>", "ftp://a.org/"]
    )
    def test_an_unsafe_website(self, submit, address):
        partner = make_partner(website="https://good.example.org")
        response = submit(f"/admin/partners/partner/{partner.pk}/change/", website=address)
        assert response.status_code == 200
        errors = " ".join(str(e) for e in response.context["errors"])
        assert "Enter a web address starting with http:// or https://." in errors
        partner.refresh_from_db()
        assert partner.website == "https://good.example.org"

    def test_an_address_without_a_scheme_becomes_https(self, submit):
        partner = make_partner()
        response = submit(f"/admin/partners/partner/{partner.pk}/change/", website="example.org")
        assert response.status_code == 302
        partner.refresh_from_db()
        assert partner.website == "https://example.org"


@pytest.mark.django_db
def test_the_partner_page_links_to_its_website(client):
    partner = make_partner(website="https://mumbaismiles.org")
    response = client.get(partner.get_absolute_url())
    assert b'href="https://mumbaismiles.org"' in response.content


@pytest.mark.django_db(transaction=True)
def test_the_migration_blanks_unsafe_websites_before_adding_the_constraint():
    before, after = [("partners", "0001_initial")], [("partners", "0002_website_http_only")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old_partner = executor.loader.project_state(before).apps.get_model("partners", "Partner")
        for slug, website in [
            ("bad", "javascript:alert(1)"),
            ("data", "data:text/html,<script>alert(1)</script>"),
            ("good", "https://good.example.org"),
            ("none", ""),
        ]:
            old_partner.objects.create(
                name=slug, name_fr=slug, slug=slug, slug_fr=slug, website=website
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
    assert dict(Partner.objects.values_list("slug_fr", "website")) == {
        "bad": "",
        "data": "",
        "good": "https://good.example.org",
        "none": "",
    }
