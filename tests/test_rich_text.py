"""Rich text is sanitised however it is written, and pages never show a script from it.

The models sanitise on ``save()`` and their QuerySets on ``update()``, ``bulk_create()`` and
``bulk_update()``. Text that reaches the database any other way (``loaddata``, SQL, database
expressions) is sanitised again when a page renders it.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.db.models import Value
from django.urls import reverse
from django.utils import translation

from partners.models import Partner
from portfolio.models import Project

from .admin_forms import admin_form_data
from .factories import make_partner, make_project

# Inert as it stands; it becomes a script once a filter strips "<script>" a single time.
NAIVE_FILTER_EVASION = "<scr<script>ipt>alert('xss')</scr</script>ipt>"
XSS_CORPUS = [
    "<script>alert('xss')</script>",
    "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
    "<img src=x onerror=\"alert('xss')\">",
    "<img src=x onerror=alert('xss')//",
    "<a href=\"javascript:alert('xss')\">click</a>",
    "<a href=\"JaVaScRiPt:alert('xss')\">click</a>",
    "<a href=\" \tjavascript:alert('xss')\">click</a>",
    "<a href=\"java&#x09;script:alert('xss')\">click</a>",
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">click</a>',
    "<a href=\"&#x6A;avascript&colon;alert('xss')\">click</a>",
    "<a href=\"vbscript:msgbox('xss')\">click</a>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgneHNzJyk8L3NjcmlwdD4=">click</a>',
    '<svg onload="alert(\'xss\')"><circle r="5"/></svg>',
    '<iframe src="https://evil.example/"></iframe>',
    "<iframe srcdoc=\"<script>alert('xss')</script>\"></iframe>",
    "<p style=\"background:url(javascript:alert('xss'));width:expression(alert('xss'))\">x</p>",
    "<style>@import 'https://evil.example/x.css'; p{background:red}</style>",
    "<p onclick=\"alert('xss')\" onmouseover=\"alert('xss')\">hover me</p>",
    NAIVE_FILTER_EVASION,
    "<<script>alert('xss');//<</script>",
    "<object data=\"javascript:alert('xss')\"></object><embed src=\"javascript:alert('xss')\">",
    "<math><mi xlink:href=\"javascript:alert('xss')\">m</mi></math>",
    '<form action="javascript:alert(\'xss\')"><button formaction="javascript:alert(1)">go'
    "</button></form>",
    "<details open ontoggle=\"alert('xss')\"><summary>x</summary></details>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'
    '<base href="https://evil.example/">',
    '<a href="https://example.org/" onfocus="alert(\'xss\')" autofocus>ok</a>',
    "<!--<img src=\"--><img src=x onerror=alert('xss')//\">",
    "<p><a href=\"https://example.org/\"><img src=x onerror=alert('xss')></a></p>",
]

# What the editor's toolbar produces, and so what stored rich text may contain.
ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "h2", "h3", "h4", "ul", "ol", "li", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "ol": {"start", "type", "data-type"}}
SAFE_SCHEMES = {"", "http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}
# Elements that have no business in a public page built from editors' text.
FORBIDDEN_ON_PAGES = {"iframe", "object", "embed", "svg", "math", "base", "style", "details"}


class Elements(HTMLParser):
    """Collect every start tag with its attributes (character references decoded)."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.script_text = []
        self._in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        self._in_script = tag == "script"

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script_text.append(data)


def scheme(url):
    """Return the URL scheme a browser would see (it ignores control characters)."""
    return urlsplit(re.sub(r"[\x00-\x20]", "", url)).scheme.lower()


def attribute_dangers(tag, attrs):
    dangers = []
    for name, value in attrs.items():
        if name.startswith("on"):
            dangers.append(f"<{tag} {name}>")
        if name == "style":
            dangers.append(f"<{tag} style>")
        if name in URL_ATTRIBUTES and scheme(value) not in SAFE_SCHEMES:
            dangers.append(f"<{tag} {name}={value!r}>")
        if "alert(" in value:
            dangers.append(f"<{tag} {name}={value!r}>")
    return dangers


def stored_dangers(html):
    """Return what in stored rich text the editor's toolbar could not have made."""
    dangers = []
    for tag, attrs in Elements(html).elements:
        if tag not in ALLOWED_TAGS:
            dangers.append(f"<{tag}>")
        for name in set(attrs) - ALLOWED_ATTRIBUTES.get(tag, set()):
            dangers.append(f"<{tag} {name}>")
        dangers += attribute_dangers(tag, attrs)
    return dangers


def page_dangers(html):
    """Return anything in a public page that could run script or load another page."""
    parsed = Elements(html)
    dangers = []
    for tag, attrs in parsed.elements:
        if tag in FORBIDDEN_ON_PAGES:
            dangers.append(f"<{tag}>")
        if tag == "script":
            src = attrs.get("src", "")
            structured_data = attrs.get("type") == "application/ld+json"
            if not (src.startswith("/") and not src.startswith("//")) and not structured_data:
                dangers.append(f"<script src={src!r}>")
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            dangers.append("<meta http-equiv=refresh>")
        dangers += attribute_dangers(tag, attrs)
    dangers += [f"script text {text[:40]!r}" for text in parsed.script_text if "alert" in text]
    return dangers


def test_the_checks_recognise_every_payload():
    """Guard the guards: each payload, unsanitised, is caught by both checks."""
    for payload in XSS_CORPUS:
        # As on a page, where more markup follows and closes an unterminated tag.
        html = f"{payload}\n</div>"
        assert stored_dangers(html), payload
        if payload != NAIVE_FILTER_EVASION:
            assert page_dangers(html), payload


def stored_rich_text(project, partner):
    project_columns = Project.objects.filter(pk=project.pk).values_list("body_fr", "body_en")
    partner_columns = Partner.objects.filter(pk=partner.pk).values_list(
        "description_fr", "description_en"
    )
    return [*project_columns.get(), *partner_columns.get()]


def assert_clean(values, marker):
    for value in values:
        # Markup follows on a page; it would close a tag left open at the end.
        assert stored_dangers(f"{value}\n</div>") == [], value
        assert marker in value


@pytest.mark.django_db
@pytest.mark.parametrize("payload", XSS_CORPUS)
class TestEveryWayOfWritingSanitises:
    def test_create(self, payload):
        body = f"<p>Texte sûr</p>{payload}"
        project = Project.objects.create(title_fr="Projet", body_fr=body, body_en=body)
        partner = Partner.objects.create(
            name_fr="Partenaire", description_fr=body, description_en=body
        )
        assert_clean(stored_rich_text(project, partner), "Texte sûr")

    def test_save_through_either_language(self, payload):
        project, partner = make_project(), make_partner()
        body = f"<p>Texte sûr</p>{payload}"
        project.body_fr = body
        partner.description_fr = body
        with translation.override("en"):
            project.body = body
            partner.description = body
        project.save()
        partner.save()
        assert_clean(stored_rich_text(project, partner), "Texte sûr")

    def test_update_and_bulk_writes(self, payload):
        body = f"<p>Texte sûr</p>{payload}"
        project, partner = make_project(), make_partner()
        Project.objects.filter(pk=project.pk).update(body_fr=body, body_en=body)
        Partner.objects.filter(pk=partner.pk).update(description_fr=body, description_en=body)
        assert_clean(stored_rich_text(project, partner), "Texte sûr")

        [created] = Project.objects.bulk_create(
            [Project(title_fr="Lot", slug_fr="lot", slug_en="batch", body_fr=body, body_en=body)]
        )
        partner.description_fr = partner.description_en = body
        Partner.objects.bulk_update([partner], ["description_fr", "description_en"])
        assert_clean(stored_rich_text(created, partner), "Texte sûr")

    def test_admin_forms(self, payload, editor_client):
        body = f"<p>Texte sûr</p>{payload}"
        project = make_project(slug_fr="projet-admin", slug_en="admin-project")
        url = reverse("admin:portfolio_project_change", args=[project.pk])
        form = admin_form_data(editor_client.get(url), body_fr=body, body_en=body)
        assert editor_client.post(url, form).status_code == 302
        url = reverse("admin:partners_partner_add")
        form = admin_form_data(
            editor_client.get(url),
            name_fr="Partenaire admin",
            slug_fr="partenaire-admin",
            description_fr=body,
            description_en=body,
        )
        assert editor_client.post(url, form).status_code == 302
        partner = Partner.objects.get(slug_fr="partenaire-admin")
        assert_clean(stored_rich_text(project, partner), "Texte sûr")

    def test_public_pages_even_when_the_database_holds_the_payload(self, payload, client):
        """A database expression skips every Python-side check: the page must still be safe."""
        partner = make_partner(kind=Partner.Kind.LEAD)
        project = make_project(partners=[partner])
        raw = Value(f"<p>Marqueur sûr</p>{payload}")
        Project.objects.filter(pk=project.pk).update(body_fr=raw, body_en=raw)
        Partner.objects.filter(pk=partner.pk).update(description_fr=raw, description_en=raw)
        assert (
            Project.objects.values_list("body_fr", flat=True).get(pk=project.pk).endswith(payload)
        )

        pages = []
        for language in ("fr", "en"):
            with translation.override(language):
                pages += [project.get_absolute_url(), partner.get_absolute_url()]
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert "Marqueur sûr" in html, url
            assert page_dangers(html) == [], url


ALLOWED_MARKUP = (
    "<h2>Contexte</h2><h3>Sous-titre</h3><h4>Détail</h4>"
    "<p><strong>gras</strong> et <em>italique</em><br>ligne</p>"
    '<p><a href="https://example.org/rapport">rapport</a> '
    '<a href="http://example.org/ancien">ancien</a> '
    '<a href="mailto:contact@example.org">écrire</a></p>'
    "<ul><li>un</li><li>deux</li></ul><ol><li>premier</li></ol>"
    "<blockquote><p>citation</p></blockquote>"
)
EXPECTED_FRAGMENTS = [
    "<h2>Contexte</h2>",
    "<h3>Sous-titre</h3>",
    "<h4>Détail</h4>",
    "<strong>gras</strong>",
    "<em>italique</em>",
    "<br>",
    '<a href="https://example.org/rapport">rapport</a>',
    '<a href="http://example.org/ancien">ancien</a>',
    '<a href="mailto:contact@example.org">écrire</a>',
    "<ul><li>un</li><li>deux</li></ul>",
    "<ol><li>premier</li></ol>",
    "<blockquote><p>citation</p></blockquote>",
]


@pytest.mark.django_db
def test_the_editors_markup_survives_in_storage_and_on_the_page(client):
    partner = make_partner(kind=Partner.Kind.LEAD, description_fr=ALLOWED_MARKUP)
    project = make_project(partners=[partner], body_fr=ALLOWED_MARKUP, body_en=ALLOWED_MARKUP)
    project.refresh_from_db()
    partner.refresh_from_db()
    html = client.get(partner.get_absolute_url()).content.decode()
    with translation.override("en"):
        html += client.get(project.get_absolute_url()).content.decode()
    for fragment in EXPECTED_FRAGMENTS:
        assert fragment in project.body_fr
        assert fragment in project.body_en
        assert fragment in partner.description_fr
        assert html.count(fragment) >= 2, fragment


@pytest.mark.django_db
def test_headings_outside_the_page_outline_are_flattened():
    """The page title is the only h1; editors' headings start at h2."""
    project = make_project(body_fr="<h1>Titre</h1><h5>Petit</h5><p>x</p>")
    project.refresh_from_db()
    assert "<h1>" not in project.body_fr
    assert "<h5>" not in project.body_fr
    assert "Titre" in project.body_fr
