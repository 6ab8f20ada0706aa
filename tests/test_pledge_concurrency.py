"""Fifty donors pledging at the same moment against a real server on PostgreSQL."""

import http.cookiejar
import re
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings as django_settings
from django.core.servers.basehttp import WSGIServer
from django.urls import reverse
from django.utils import translation

from donations.models import Sponsorship
from tests.factories import make_project

PLEDGES = 50

# Django's test server queues only 10 waiting connections and resets the rest; production
# servers queue thousands (gunicorn: 2048). Set before the session's live server starts.
WSGIServer.request_queue_size = max(WSGIServer.request_queue_size, 4 * PLEDGES)

pytestmark = pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="SQLite serialises every write, so it cannot show concurrent pledges racing for "
    "a reference; run with DATABASE_URL=postgres://… to exercise it",
)


def pledge_once(url: str, n: int, start: threading.Barrier) -> tuple[int, str]:
    """Fetch the form like a browser (CSRF cookie and token), then send it."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(url, timeout=60).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    form_token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": csrf,
            "form_token": form_token,
            "amount_choice": "other",
            "other_amount": f"{10 + n}",
            "frequency": "once",
            "donor_name": f"Donor {n}",
            "email": f"donor{n}@example.org",
            "privacy_consent": "on",
            "website": "",
        }
    ).encode()
    start.wait(timeout=60)
    request = urllib.request.Request(url, data=body, headers={"Referer": url})  # noqa: S310
    with opener.open(request, timeout=120) as response:
        return response.status, response.url


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_pledges_get_fifty_distinct_references(live_server, settings):
    settings.PLEDGE_MIN_FILL_SECONDS = 0
    settings.PLEDGE_RATE_PER_IP = "1000/h"
    settings.CSRF_COOKIE_SECURE = False  # the test server speaks plain HTTP
    project = make_project()
    with translation.override("fr"):
        url = live_server.url + reverse("donations:pledge", kwargs={"slug": project.slug})
    start = threading.Barrier(PLEDGES)

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=PLEDGES) as pool:
        results = list(pool.map(lambda n: pledge_once(url, n, start), range(PLEDGES)))
    elapsed = time.monotonic() - began

    assert all(status == 200 for status, _url in results)
    assert all("/fr/dons/merci/" in final_url for _status, final_url in results)
    references = list(Sponsorship.objects.values_list("reference", flat=True))
    assert len(references) == PLEDGES
    assert len(set(references)) == PLEDGES
    numbers = sorted(int(reference.rsplit("-", 1)[1]) for reference in references)
    assert numbers == list(range(1, PLEDGES + 1))  # unique and without gaps
    print(f"\n{PLEDGES} parallel pledges in {elapsed:.2f} s: {min(references)} … {max(references)}")


CLICKS = 8


@pytest.mark.django_db(transaction=True)
def test_confirm_buttons_pressed_at_once_confirm_once(live_server, settings):
    """A double click, or several tabs: each POST waits for the row; one confirms."""
    from decimal import Decimal

    settings.CSRF_COOKIE_SECURE = False
    project = make_project()
    sponsorship = Sponsorship.objects.create(
        project=project, donor_name="Ada", donor_email="ada@example.org", amount=Decimal("20")
    )
    with translation.override("en"):
        url = live_server.url + reverse(
            "donations:confirm", kwargs={"token": sponsorship.confirmation_token()}
        )
    start = threading.Barrier(CLICKS)

    def press(_n):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        html = opener.open(url, timeout=60).read().decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf}).encode()
        start.wait(timeout=60)
        request = urllib.request.Request(url, data=body, headers={"Referer": url})  # noqa: S310
        with opener.open(request, timeout=120) as response:
            return response.read().decode()

    with ThreadPoolExecutor(max_workers=CLICKS) as pool:
        pages = list(pool.map(press, range(CLICKS)))
    assert sum("is confirmed" in page for page in pages) == 1
    assert sum("was already confirmed" in page for page in pages) == CLICKS - 1
    assert sponsorship.history.filter(status="confirmed").count() == 1
