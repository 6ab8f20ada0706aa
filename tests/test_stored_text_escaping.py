"""Every stored text the public site shows stays text: with an XSS payload in each field,
no public page (HTML, feed or sitemap, in both languages) carries markup that could run.

Plain-text fields must come out escaped; rich text comes out sanitised. Each field holds
a marker besides its payload, and the test checks the markers appear, so a field that a
template stops showing cannot make the test pass by accident.
"""

import xml.etree.ElementTree as ET
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import translation

from donations.models import Sponsorship
from donations.views import THANKS_SALT
from partners.models import Partner
from portfolio.models import Project, ProjectImage, ProjectUpdate, Region, Sector

from .factories import make_suggested_amount, uploaded_image
from .test_feed_escaping import PAYLOADS as FEED_PAYLOADS
from .test_rich_text import XSS_CORPUS, scheme

CORPUS = list(
    dict.fromkeys(
        [
            *XSS_CORPUS,
            *FEED_PAYLOADS,
            # Breaking out of an attribute, a title, a textarea, a CDATA section.
            '" onmouseover="alert(1)" x="',
            "' onfocus='alert(1)' autofocus x='",
            "</title><script>alert(1)</script>",
            "</textarea><script>alert(1)</script>",
            "]]><script>alert(1)</script><![CDATA[",
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
        ]
    )
)
SAFE_SCHEMES = {"", "http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc"}
FORBIDDEN = {"iframe", "object", "embed", "svg", "math", "base", "style", "details", "frame"}
# Our own templates draw these, each with its class: stored text never brings a class.
OWN = {
    ("svg", "places-map-svg"),
    ("svg", "result-chart-svg"),
    ("details", "supporters-box"),
}


class Page(HTMLParser):
    """Every start tag with its attributes, the text inside scripts, and all text."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements, self.scripts, self.text = [], [], []
        self._script = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attrs))
        self.text += attrs.values()
        if tag == "script":
            self._script = []
            self.scripts.append((attrs, self._script))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        self.text.append(data)
        if self._script is not None:
            self._script.append(data)


def executable_markup(html: str) -> list[str]:
    """Return what in ``html`` could run script or send the visitor elsewhere."""
    page = Page(html)
    found = []
    for tag, attrs in page.elements:
        if tag in FORBIDDEN and (tag, attrs.get("class")) not in OWN:
            found.append(f"<{tag}>")
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            found.append("<meta http-equiv=refresh>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}=…>")
            if name == "style":
                found.append(f"<{tag} style>")
            if name in URL_ATTRIBUTES and scheme(value) not in SAFE_SCHEMES:
                found.append(f"<{tag} {name}={value!r}>")
            if name == "srcset" and any(
                scheme(part.split()[0]) not in SAFE_SCHEMES for part in value.split(",") if part
            ):
                found.append(f"<{tag} srcset={value!r}>")
    for attrs, text in page.scripts:
        src = attrs.get("src", "")
        # Our own scripts come from our static files, never inline.
        if not src.startswith("/") or src.startswith("//") or "".join(text).strip():
            found.append(f"<script src={src!r}>{''.join(text)[:40]}")
    return found


def test_the_check_finds_every_payload_unescaped():
    for payload in CORPUS:
        if payload.startswith(("javascript:", "data:")):
            assert executable_markup(f'<a href="{payload}">x</a>'), payload
        elif payload.startswith(("]]>", "<<", "<scr<", "</t")):
            continue  # only dangerous once a filter or a context mangles it
        elif payload.startswith(('"', "'")):
            quote = payload[0]
            assert executable_markup(f"<p title={quote}{payload}{quote}>x</p>"), payload
        else:
            assert executable_markup(f"{payload}\n</div>"), payload


def marked(marker: str, payload: str, max_length: int) -> str:
    """The stored value: a marker the test looks for, then the payload, within the column."""
    return f"{marker} {payload}"[:max_length]


def fill(payload: str) -> dict:
    """Store the payload in every field the public site shows; return the page addresses
    and the markers of the fields."""

    def both(field, marker, max_length=10_000):
        return {
            f"{field}_fr": marked(f"{marker}fr", payload, max_length),
            f"{field}_en": marked(f"{marker}en", payload, max_length),
        }

    sector = Sector.objects.create(**both("name", "Msector", 120), **both("description", "Msd"))
    country = Region.objects.create(**both("name", "Mcountry", 120), country="IN")
    region = Region.objects.create(
        parent=country, **both("name", "Mregion", 120), **both("description", "Mrd"), country="IN"
    )
    partner = Partner.objects.create(
        **both("name", "Mpartner", 200),
        **both("summary", "Mpsummary", 300),
        **both("description", "Mpstory"),
        **both("quote", "Mquote"),
        quote_author=marked("Mqauthor", payload, 200),
        city=marked("Mcity", payload, 100),
        country="NP",
        # Only http(s) is accepted; the rest of the address is the payload.
        website=f"https://example.org/{payload}"[:200],
        partner_since=2013,
    )
    project = Project.objects.create(
        **both("title", "Mtitle", 200),
        **both("subtitle", "Msubtitle", 250),
        **both("summary", "Msummary"),
        **both("body", "Mbody"),
        **both("beneficiaries_description", "Mbenef", 200),
        beneficiaries=4000,
        sector=sector,
        funding_goal=Decimal("10000"),
        is_published=True,
        published_at="2026-01-01T00:00:00Z",
    )
    project.regions.set([region])
    project.partnerships.create(partner=partner, role="lead", order=0)
    photo = ProjectImage(project=project, **both("alt_text", "Malt", 250))
    photo.caption_fr = marked("Mcaptionfr", payload, 300)
    photo.caption_en = marked("Mcaptionen", payload, 300)
    photo.credit = marked("Mcredit", payload, 200)
    photo.image.save("photo.jpg", uploaded_image(size=(800, 600)), save=False)
    photo.save()
    ProjectUpdate.objects.create(
        project=project,
        published_at="2026-02-01T00:00:00Z",
        is_published=True,
        **both("title", "Mutitle", 200),
        **both("text", "Mutext"),
    )
    make_suggested_amount(project, "25", **both("impact", "Mimpact", 200))
    Sponsorship.objects.create(
        project=project,
        donor_name=marked("Mdonor", payload, 150),
        donor_email="donor@example.org",
        amount=Decimal("50"),
        dedication_name=marked("Mdedication", payload, 150),
        public_message=marked("Mmessage", payload, 500),
        show_name_publicly=True,
        status=Sponsorship.Status.CONFIRMED,
        confirmed_at="2026-02-02T00:00:00Z",
    )
    return {"project": project, "partner": partner, "region": region}


def pages(objects: dict, payload: str, language: str) -> dict[str, str]:
    """Every public page, by name, in ``language``."""
    project, partner, region = objects["project"], objects["partner"], objects["region"]
    with translation.override(language):
        projects = reverse("portfolio:project_list")
        return {
            "home": reverse("portfolio:home"),
            "list": projects,
            "search": f"{projects}?q=Mtitle{language}",
            "search echoing the payload": f"{projects}?{urlencode({'q': payload})}",
            "project": project.get_absolute_url(),
            "partner list": reverse("partners:partner_list"),
            "partner": partner.get_absolute_url(),
            "region": region.get_absolute_url(),
            "pledge": reverse("donations:pledge", kwargs={"slug": project.slug}),
            "thanks": reverse("donations:thanks")
            + "?"
            + urlencode({"ref": signing.dumps(payload, salt=THANKS_SALT)}),
        }


def visible(html: str) -> str:
    return " ".join(Page(html).text)


# Which fields each page must show (in the page's language): the rest may appear too.
EXPECTED = {
    "home": {"Mtitle"},
    "list": {"Mtitle", "Msummary"},
    "search": {"Mtitle"},
    "project": {
        "Mtitle",
        "Msubtitle",
        "Mbody",
        "Mbenef",
        "Msector",
        "Mregion",
        "Mpartner",
        "Malt",
        "Mcaption",
        "Mcredit",
        "Mutitle",
        "Mutext",
        "Mdonor",
        "Mmessage",
    },
    "partner list": {"Mpartner", "Mpsummary"},
    "partner": {"Mpartner", "Mpstory", "Mquote", "Mqauthor", "Mcity", "Mtitle"},
    "region": {"Mregion", "Mrd", "Mtitle"},
    "pledge": {"Mtitle", "Mimpact"},
}
# Fields marked with the language (translated ones) and those that are not.
UNTRANSLATED = {"Mcity", "Mqauthor", "Mcredit", "Mdonor", "Mmessage", "Mdedication"}


def marker(name: str, language: str) -> str:
    return name if name in UNTRANSLATED else f"{name}{language}"


@pytest.mark.django_db
@pytest.mark.parametrize("payload", CORPUS)
def test_no_public_page_runs_stored_text(client, payload):
    objects = fill(payload)
    for language in ("fr", "en"):
        check_pages(client, objects, payload, language)
        check_feed(client, payload, language)


def check_pages(client, objects, payload, language):
    shown = ""
    for name, url in pages(objects, payload, language).items():
        response = client.get(url)
        assert response.status_code == 200, (name, url)
        html = response.content.decode()
        assert executable_markup(html) == [], (name, language, payload)
        text = visible(html)
        shown += text
        for field in EXPECTED.get(name, ()):
            assert marker(field, language) in text, (name, field)
    # A pledge's dedication is for the donor's emails, never for a public page.
    assert "Mdedication" not in shown


def check_feed(client, payload, language):
    with translation.override(language):
        feed = client.get(reverse("portfolio:feed"))
    assert feed.status_code == 200
    root = ET.fromstring(feed.content)  # noqa: S314 - our own feed
    atom = "{http://www.w3.org/2005/Atom}"
    rendered = []
    for element in root.iter():
        if element.tag == f"{atom}link":
            assert scheme(element.get("href", "")) in {"http", "https"}
        if element.get("type") == "html":
            # What a feed reader renders as HTML.
            assert executable_markup(element.text or "") == [], (element.tag, payload)
        rendered.append(element.text or "")
    rendered = " ".join(rendered)
    for field in ("Mtitle", "Mutitle", "Mutext"):
        assert marker(field, language) in rendered, (language, field)


@pytest.mark.django_db
@pytest.mark.parametrize("payload", [p for p in CORPUS if "<" in p][:6])
def test_sitemaps_stay_well_formed_with_stored_text(client, payload):
    fill(payload)
    index = client.get(reverse("sitemap"))
    assert index.status_code == 200
    root = ET.fromstring(index.content)  # noqa: S314 - our own sitemap
    sections = [element.text for element in root.iter() if element.tag.endswith("loc")]
    assert len(sections) >= 4
    addresses = []
    for section in sections:
        response = client.get(section)
        assert response.status_code == 200, section
        document = ET.fromstring(response.content)  # noqa: S314 - our own sitemap
        for element in document.iter():
            if element.tag.endswith("}loc"):
                addresses.append(element.text)
            if element.tag.endswith("}link"):
                addresses.append(element.get("href"))
    assert addresses
    for address in addresses:
        assert scheme(address) in {"http", "https"}, address
        assert "<" not in address and '"' not in address, address
