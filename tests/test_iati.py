"""IATI 2.03 data: the export, its validation (schema, Standard Ruleset, codelists), the
addresses, the command, the editors' panel and the cache."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from donations.models import Gift
from iati import rules
from iati.export import build_activity, build_document, equal_shares, serialise
from iati.publish import activity_report, export
from iati.validation import schema, validate_activity
from portfolio.models import Project, Sector
from tests.factories import make_partner, make_project, make_region, make_sector, make_sponsorship
from tests.results_factories import make_indicator, make_part, make_period, make_result

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def add_gift(project, amount="40", days_ago=40, **sponsorship_fields):
    sponsorship = make_sponsorship(project, confirmed=True, **sponsorship_fields)
    return Gift.objects.create(
        sponsorship=sponsorship,
        amount=Decimal(amount),
        method=Gift.Method.CHEQUE,
        reference="CHQ-998877",
        received_on=timezone.localdate() - timedelta(days=days_ago),
    )


def valid_project(**fields):
    today = timezone.localdate()
    defaults = {
        "sector": make_sector(dac_codes="15180 60, 16010 40"),
        "start_date": today - timedelta(days=400),
        "end_date": today + timedelta(days=700),
        "funding_goal": Decimal("30000"),
        "status": Project.Status.ACTIVE,
    }
    country = make_region(country="NP")
    state = make_region(country="IN")
    project = make_project(
        regions=[country, state], partners=[make_partner(), make_partner()], **defaults | fields
    )
    add_gift(project)
    return project


def fetch(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/xml")
    return etree.fromstring(response.content)


def assert_clean(result):
    """Every activity passes every check, and the whole document follows the schema."""
    for project, report in result.reports:
        assert report.problems == [], (project, [str(p) for p in report.problems])
        assert report.unimplemented == {}
    assert schema().validate(result.document), schema().error_log


# The Standard Ruleset ----------------------------------------------------------------


def test_every_rule_type_of_the_standard_ruleset_is_implemented():
    used = rules.rule_types_in(rules.standard_ruleset())
    assert used <= set(rules.implemented_rule_types()), used - set(rules.implemented_rule_types())


def test_a_rule_type_not_implemented_is_reported_not_skipped(db):
    project = valid_project()
    ruleset = {
        "/iati-activities/iati-activity": {
            "made_up_rule": {
                "cases": [{"paths": ["iati-identifier"], "ruleInfo": {"id": "99.1.1"}}]
            },
            "atleast_one": {
                "cases": [{"paths": ["no-such-element"], "ruleInfo": {"id": "99.2.1"}}]
            },
        }
    }
    activity, _report = activity_report(project)
    report = validate_activity(activity, ruleset)
    assert report.unimplemented == {"made_up_rule": {"99.1.1"}}
    assert "99.2.1" in report.rule_ids()


RULE_CASES = [
    # (rule, case, activity XML, breaks)
    ("unique", {"paths": ["a", "b"]}, "<a>x</a><b>x</b>", True),
    ("unique", {"paths": ["a", "b"]}, "<a>x</a><b>y</b>", False),
    ("no_more_than_one", {"paths": ["a"]}, "<a/><a/>", True),
    ("only_one_of", {"excluded": ["b"], "paths": ["a"]}, "<a/><b/>", True),
    ("only_one_of", {"excluded": ["b"], "paths": ["a"]}, "<a/>", False),
    ("dependent", {"paths": ["a", "b"]}, "<a/>", True),
    ("dependent", {"paths": ["a", "b"]}, "<a/><b/>", False),
    ("sum", {"paths": ["a/@p"], "sum": 100}, '<a p="60"/><a p="40"/>', False),
    ("strict_sum", {"paths": ["a/@p"], "sum": 100}, '<a p="60"/><a p="30"/>', True),
    ("range", {"paths": ["a/@p"], "min": 0, "max": 100}, '<a p="101"/>', True),
    ("regex_matches", {"paths": ["a"], "regex": "^[0-9]+$"}, "<a>12x</a>", True),
    ("regex_no_matches", {"paths": ["a"], "regex": "[/&|?]"}, "<a>A/B</a>", True),
    ("no_spaces", {"paths": ["a"]}, "<a> x</a>", True),
    (
        "startswith",
        {"prefix": ["b"], "separator": "-", "paths": ["a"]},
        "<a>X-1</a><b>X</b>",
        False,
    ),
    ("startswith", {"prefix": ["b"], "separator": "-", "paths": ["a"]}, "<a>Y-1</a><b>X</b>", True),
    ("date_now", {"date": "@d"}, "", False),
    (
        "date_order",
        {"less": "a/@d", "more": "b/@d"},
        '<a d="2024-02-01"/><b d="2024-01-01"/>',
        True,
    ),
    ("date_order", {"less": "a/@d", "more": "NOW"}, '<a d="2999-01-01"/>', True),
    (
        "time_limit",
        {"start": "a/@d", "end": "b/@d"},
        '<a d="2024-01-01"/><b d="2025-03-01"/>',
        True,
    ),
    (
        "time_limit",
        {"start": "a/@d", "end": "b/@d"},
        '<a d="2024-01-01"/><b d="2024-12-31"/>',
        False,
    ),
    (
        "between_dates",
        {"start": "a/@d", "end": "b/@d", "date": "c/@d"},
        '<a d="2024-01-01"/><b d="2024-12-31"/><c d="2025-02-01"/>',
        True,
    ),
    ("if_then", {"if": "count(a) > 0", "then": "count(b) > 0"}, "<a/>", True),
    ("one_or_all", {"one": "@xml:lang", "all": "lang"}, "<t><narrative>x</narrative></t>", True),
    ("atleast_one", {"paths": ["a"]}, "<b/>", True),
]


@pytest.mark.parametrize(("rule", "case", "body", "breaks"), RULE_CASES)
def test_each_rule_type(rule, case, body, breaks):
    document = etree.fromstring(
        f'<iati-activities><iati-activity d="2000-01-01T00:00:00Z">{body}</iati-activity>'
        "</iati-activities>"
    )
    ruleset = {
        "/iati-activities/iati-activity": {
            rule: {"cases": [case | {"ruleInfo": {"id": "T.1", "severity": "error"}}]}
        }
    }
    report = rules.check(document, ruleset)
    assert bool(report.failures) is breaks, report.failures


def test_a_loop_runs_its_rules_once_per_vocabulary():
    document = etree.fromstring(
        "<iati-activities><iati-activity>"
        '<sector vocabulary="2" code="1" percentage="50"/>'
        '<sector vocabulary="2" code="2"/>'
        '<sector vocabulary="99" code="x" percentage="100"/>'
        '<sector vocabulary="98" code="y" percentage="40"/>'
        "</iati-activity></iati-activities>"
    )
    ruleset = {k: v for k, v in rules.standard_ruleset().items() if k.endswith("iati-activity")}
    failures = rules.check(document, ruleset).failures
    # Vocabulary 2: two sectors, one without a share; 98: a single sector not at 100.
    assert [f.rule_id for f in failures if f.rule_id in ("2.1.1", "2.1.4")] == ["2.1.1", "2.1.4"]


# Exports of the demo and of generated data ---------------------------------------------


def test_the_demo_export_is_valid_and_bilingual(demo, client):
    call_command("load_demo_pledges", verbosity=0)
    add_gift(demo, amount="75", days_ago=70)
    add_gift(demo, amount="25", days_ago=5)
    result = export()
    assert_clean(result)
    document = fetch(client, "/iati/activities.xml")
    assert schema().validate(etree.ElementTree(document))
    (activity,) = document.findall("iati-activity")
    for path in ("title", "description", "reporting-org"):
        languages = {n.get(XML_LANG) for n in activity.findall(f"{path}/narrative")}
        assert languages == {"fr", "en"}, path
    titles = {n.get(XML_LANG): n.text for n in activity.findall("title/narrative")}
    assert titles == {"fr": demo.title_fr, "en": demo.title_en}
    assert activity.get("default-currency") == "CAD"
    assert activity.get(XML_LANG) == "fr"
    roles = [org.get("role") for org in activity.findall("participating-org")]
    assert roles == ["1", "2", "4", "4", "4"]
    countries = activity.findall("recipient-country")
    assert {c.get("code") for c in countries} == {"IN", "NP", "BD"}
    assert sum(Decimal(c.get("percentage")) for c in countries) == 100
    sectors = activity.findall("sector")
    assert {(s.get("vocabulary"), s.get("code")) for s in sectors} == {
        ("1", "15180"),
        ("1", "16010"),
    }
    assert sum(Decimal(s.get("percentage")) for s in sectors) == 100
    types = {t.get("code") for t in activity.findall("transaction/transaction-type")}
    assert types == {"1"}


def test_the_generated_portfolio_export_is_valid(db, client):
    call_command(
        "generate_portfolio", projects=12, sponsorships=60, seed=3, force=True, verbosity=0
    )
    result = export()
    assert len(result.reports) == 12
    assert_clean(result)
    document = fetch(client, "/iati/activities.xml")
    assert len(document.findall("iati-activity")) == 12
    assert document.findall("iati-activity/budget")
    assert document.findall("iati-activity/transaction")
    for budget in document.iter("budget"):
        start = date.fromisoformat(budget.find("period-start").get("iso-date"))
        end = date.fromisoformat(budget.find("period-end").get("iso-date"))
        assert start <= end < start.replace(year=start.year + 1) + timedelta(days=1)


def test_budget_periods_add_up_to_the_funding_goal(db):
    project = valid_project(funding_goal=Decimal("1000.01"))
    activity, report = activity_report(project)
    assert report.is_valid, [str(p) for p in report.problems]
    values = [Decimal(v.text) for v in activity.findall("budget/value")]
    assert len(values) == 4 and sum(values) == Decimal("1000.01")


def test_equal_shares_add_up_to_a_hundred():
    for count in range(1, 12):
        assert sum(equal_shares(count)) == 100


# Broken projects ---------------------------------------------------------------------


def no_sector(project):
    Project.objects.filter(pk=project.pk).update(sector=None)


def shares_of_ninety(project):
    Sector.objects.filter(pk=project.sector_id).update(dac_codes="15180 50, 16010 40")


def identifier_of_another_publisher(project):
    Project.objects.filter(pk=project.pk).update(iati_identifier="XM-DAC-41114-PROJECT-7")


def withdrawn_sector_code(project):
    # 11321 (lower secondary education) was withdrawn from the DAC list at the end of 2019.
    Sector.objects.filter(pk=project.sector_id).update(dac_codes="11321")


def unknown_organisation_type(project):
    partner = project.partnerships.first().partner
    type(partner).objects.filter(pk=partner.pk).update(iati_type="99")


def no_region(project):
    project.regions.clear()


def symbol_in_identifier(project):
    Project.objects.filter(pk=project.pk).update(iati_identifier="CA-CRA_ACR-000000000RR0001-A/B")


BROKEN = [
    ("missing sector", no_sector, "6.2.2"),
    ("sector percentages 90", shares_of_ninety, "2.1.2"),
    ("identifier without the reporting-org prefix", identifier_of_another_publisher, "1.1.21"),
    ("withdrawn code", withdrawn_sector_code, "codelist:Sector"),
    ("organisation type not in the list", unknown_organisation_type, "codelist:OrganisationType"),
    ("no recipient country", no_region, "3.7.1"),
    ("identifier with a slash", symbol_in_identifier, "1.3.13"),
]


@pytest.mark.parametrize(("name", "breaks", "rule_id"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_project_is_caught_and_left_out(db, client, name, breaks, rule_id):
    good = valid_project()
    broken = valid_project()
    breaks(broken)
    _activity, report = activity_report(broken)
    assert rule_id in report.rule_ids(), [str(p) for p in report.problems]
    assert not report.is_valid
    _activity, good_report = activity_report(good)
    assert good_report.problems == []

    document = fetch(client, "/iati/activities.xml")
    identifiers = [a.findtext("iati-identifier") for a in document.findall("iati-activity")]
    assert identifiers == [good_report.identifier]
    assert client.get(f"/iati/activities/{broken.pk}.xml").status_code == 404
    assert client.get(f"/iati/activities/{good.pk}.xml").status_code == 200


def test_an_end_date_before_the_start_date_is_caught(db):
    """The database refuses such a project (constraint project_ends_after_start): the rule
    is shown working on the activity itself."""
    project = valid_project(status=Project.Status.PLANNED)
    activity, report = activity_report(project)
    assert report.is_valid
    start = activity.find("activity-date[@type='1']").get("iso-date")
    end = date.fromisoformat(start) - timedelta(days=1)
    activity.find("activity-date[@type='3']").set("iso-date", end.isoformat())
    assert "11.1.2" in validate_activity(activity).rule_ids()


def test_a_gift_dated_in_the_future_is_caught(db):
    project = valid_project()
    add_gift(project, days_ago=-3)
    _activity, report = activity_report(project)
    assert {"11.2.1", "11.2.2"} <= report.rule_ids()


def test_a_schema_problem_is_caught(db):
    activity, _report = activity_report(valid_project())
    activity.remove(activity.find("activity-status"))
    activity.insert(0, etree.Element("activity-status", code="2"))
    assert "schema" in validate_activity(activity).rule_ids()


# Gifts and donors --------------------------------------------------------------------


def test_gifts_are_incoming_funds_per_month_without_donors(db, client):
    project = valid_project()
    sponsorship_fields = {"donor_name": "Ginette Lapointe", "donor_email": "ginette@example.org"}
    first = add_gift(project, amount="10", days_ago=100, **sponsorship_fields)
    Gift.objects.create(
        sponsorship=first.sponsorship,
        amount=Decimal("15"),
        method=Gift.Method.ONLINE,
        provider="Stripe",
        transaction_id="pi_3NVisible",
        received_on=first.received_on,
    )
    content = client.get(f"/iati/activities/{project.pk}.xml").content.decode()
    for secret in (
        "Ginette",
        "Lapointe",
        "ginette@example.org",
        first.sponsorship.reference,
        "CHQ-998877",
        "pi_3NVisible",
        "Stripe",
    ):
        assert secret not in content
    activity = etree.fromstring(content.encode()).find("iati-activity")
    months = {
        t.find("transaction-date").get("iso-date")[:7]: Decimal(t.findtext("value"))
        for t in activity.findall("transaction")
    }
    assert months[first.received_on.isoformat()[:7]] == Decimal("25.00")
    assert {t.get("code") for t in activity.iterfind("transaction/transaction-type")} == {"1"}


# Addresses, cache, command -----------------------------------------------------------


def test_a_project_by_slug_and_drafts_are_not_published(db, client):
    project = valid_project()
    assert (
        fetch(client, f"/iati/activities/{project.slug_en}.xml").find("iati-activity") is not None
    )
    Project.objects.filter(pk=project.pk).update(is_published=False)
    assert client.get(f"/iati/activities/{project.pk}.xml").status_code == 404
    assert fetch(client, "/iati/activities.xml").find("iati-activity") is None


def test_the_export_is_cached_and_renewed_on_change(
    db, client, settings, django_assert_num_queries
):
    project = valid_project()
    first = client.get("/iati/activities.xml")
    assert not first.cookies
    # A stored page costs at most the content token's query (where the database keeps it).
    with django_assert_num_queries(1 if settings.PAGE_CACHE_STATE == "database" else 0):
        assert client.get("/iati/activities.xml").content == first.content
    project.title_en = "A new title for IATI"
    project.save()
    assert b"A new title for IATI" in client.get("/iati/activities.xml").content
    add_gift(project, amount="1234", days_ago=1)
    assert b"1234.00" in client.get(f"/iati/activities/{project.pk}.xml").content


def test_the_command_writes_a_valid_file(db, tmp_path):
    valid_project()
    output = tmp_path / "activities.xml"
    call_command("export_iati", output=str(output), verbosity=0)
    document = etree.parse(str(output))
    assert schema().validate(document)
    assert len(document.findall("iati-activity")) == 1


def test_the_command_fails_and_lists_problems(db, tmp_path, capsys):
    valid_project()
    broken = valid_project()
    no_sector(broken)
    output = tmp_path / "activities.xml"
    with pytest.raises(CommandError) as failure:
        call_command("export_iati", output=str(output), verbosity=0)
    assert failure.value.returncode == 1
    assert "6.2.2" in capsys.readouterr().err
    assert not output.exists()


def test_manage_py_exits_non_zero_on_problems(db, tmp_path):
    """Through manage.py itself: the exit status a scheduled job sees."""
    valid_project()
    no_sector(valid_project())
    with pytest.raises(SystemExit) as exit_:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["manage.py", "export_iati", "--output", str(tmp_path / "x")])
    assert exit_.value.code == 1


# Results hook ------------------------------------------------------------------------


def test_the_results_framework_is_exported_valid(db):
    project = valid_project()
    activity, _report = activity_report(project)
    assert activity.find("result") is None

    indicator = make_indicator(result=make_result(project=project), ascending=True)
    period = make_period(
        indicator=indicator, comment_fr="Deux districts", comment_en="Two districts"
    )
    make_part(period, "filles", "girls", "1700")
    make_part(period, "garçons", "boys", "1500")
    make_result(project=project, title_fr="Sans indicateur", title_en="No indicator")
    activity, report = activity_report(project)

    assert report.problems == [], [str(p) for p in report.problems]
    [result] = activity.findall("result")  # A result without indicators is left out.
    assert result.get("type") == "1"
    narratives = {n.get(XML_LANG): n.text for n in result.findall("title/narrative")}
    assert narratives == {
        "fr": "Les enfants connaissent leurs droits",
        "en": "Children know their rights",
    }
    exported = result.find("indicator")
    assert (exported.get("measure"), exported.get("ascending")) == ("1", "1")
    assert exported.find("baseline").attrib == {"year": "2023", "value": "0"}
    period_element = exported.find("period")
    assert period_element.find("period-start").get("iso-date") == "2024-01-01"
    assert period_element.find("target").get("value") == "4000"
    total, *parts = period_element.findall("actual")
    assert total.get("value") == "3200" and total.find("dimension") is None
    assert total.find("comment/narrative").text == "Deux districts"
    assert [(p.get("value"), p.find("dimension").attrib) for p in parts] == [
        ("1700", {"name": "sexe", "value": "filles"}),
        ("1500", {"name": "sexe", "value": "garçons"}),
    ]


# The editors' panel ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "The project needs a start date."), ("fr", "Le projet doit avoir une date de début.")],
)
def test_editors_see_the_problems_in_their_language(editor_client, language, expected):
    project = valid_project(start_date=None, end_date=None, is_published=False)
    url = reverse("admin:portfolio_project_change", args=[project.pk])
    page = editor_client.get(url, headers={"accept-language": language}).content.decode()
    assert "<code>6.11.1</code>" in page
    assert expected in page


def test_a_valid_project_says_so_with_its_link(editor_client):
    project = valid_project()
    url = reverse("admin:portfolio_project_change", args=[project.pk])
    page = editor_client.get(url, headers={"accept-language": "en"}).content.decode()
    assert "IATI data for this project passes every check." in page
    assert f"/iati/activities/{project.pk}.xml" in page


def test_the_new_project_form_shows_the_panel(editor_client):
    page = editor_client.get(
        reverse("admin:portfolio_project_add"), headers={"accept-language": "en"}
    )
    assert page.status_code == 200
    assert "Save the project to check its IATI data." in page.content.decode()


def test_serialised_document_round_trips(db):
    project = valid_project()
    activity = build_activity(project)
    data = serialise(build_document([activity]))
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert schema().validate(etree.fromstring(data).getroottree())


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("15180", None),
        ("15180 60, 16010 40", None),
        ("15180 60; 16010 40", None),
        ("", None),
        ("15180 50, 16010 40", "The shares must add up to 100."),
        ("1518", 'Write each code with five digits and its share: "15180 60".'),
        ("15180 sixty", 'Write each code with five digits and its share: "15180 60".'),
    ],
)
def test_the_sector_form_checks_its_dac_codes(db, text, error):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    sector = Sector(name_fr="Protection", name_en="Protection", dac_codes=text)
    with translation.override("en"):
        if error is None:
            sector.clean()
        else:
            with pytest.raises(ValidationError) as raised:
                sector.clean()
            assert raised.value.message_dict["dac_codes"] == [error]


def test_the_export_runs_as_many_queries_for_two_projects_as_for_six(db, client, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_ENABLED = False

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/iati/activities.xml").status_code == 200
        return len(captured)

    valid_project(), valid_project()
    two = queries()
    for _n in range(4):
        valid_project()
    assert len(fetch(client, "/iati/activities.xml").findall("iati-activity")) == 6
    assert queries() == two


def test_places_are_exported_as_locations(db):
    from places.models import Location

    project = valid_project()
    region = project.regions.first()
    Location.objects.create(
        project=project,
        name_fr="Canning",
        name_en="Canning",
        region=region,
        latitude=Decimal("22.31250"),
        longitude=Decimal("88.66580"),
        reach=Location.Reach.ACTIVITY,
    )
    activity, report = activity_report(project)
    assert report.problems == [], [str(p) for p in report.problems]
    [location] = activity.findall("location")
    assert location.find("location-reach").get("code") == "1"
    assert location.find("name/narrative").text == "Canning"
    assert location.find("point/pos").text == "22.31250 88.66580"
    assert location.find("exactness").get("code") == "2"
    # Where the schema puts it: after the recipient countries, before the sectors.
    tags = [child.tag for child in activity]
    assert tags.index("recipient-country") < tags.index("location") < tags.index("sector")
