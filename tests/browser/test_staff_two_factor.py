"""Staff set up an authenticator app and log in with it; the admin keeps to its policy."""

import re
from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.conftest import log_in_to_admin, make_finance_user
from tests.factories import make_sponsorship

PASSWORD = "correct-horse-battery"

# Run in the page before any of its own scripts (Playwright's init scripts are not
# subject to the page's policy), so every violation is seen, even one without a message.
LISTEN_FOR_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


def code_for(secret, drift=0):
    return f"{totp(b32decode(secret), step=30, digits=6, drift=drift):06d}"


@pytest.fixture
def finance_user(db, django_user_model):
    """A Finance account with its group's permissions (rebuilt as its migration makes them:
    live-server tests start from an emptied database)."""
    return make_finance_user(django_user_model, "tresoriere", "tresoriere@example.org", PASSWORD)


def test_finance_sets_up_an_app_then_logs_in_with_it(site, page, finance_user):
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    page.goto(site.url + reverse("admin:login"))
    page.fill("#id_username", "tresoriere")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    # Sent to enrolment, not to the admin.
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:enrol"))))
    expect(page.locator(".two-factor-qr")).to_be_visible()
    secret = page.locator("#secret").inner_text().replace(" ", "")
    page.fill("#id_code", code_for(secret))
    page.click("input[type=submit]")

    codes = page.locator(".recovery-codes code")
    expect(codes).to_have_count(10)
    assert page.evaluate("window.__violations") == []
    page.get_by_role("link", name=re.compile("continuer", re.IGNORECASE)).click()
    expect(page.locator("#user-tools")).to_be_visible()
    assert TOTPDevice.objects.get(user=finance_user).confirmed

    page.locator("#logout-form button").click()
    page.goto(site.url + reverse("admin:login"))
    page.fill("#id_username", "tresoriere")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:verify"))))
    page.goto(site.url + reverse("admin:donations_sponsorship_changelist"))
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:verify"))))

    # The code of the next period: the one used to enrol is spent.
    page.fill("#id_code", code_for(secret, drift=1))
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()
    page.goto(site.url + reverse("admin:donations_sponsorship_changelist"))
    expect(page.locator("#changelist")).to_be_visible()


def test_the_admin_pages_break_no_rule_of_their_policy(site, page, demo, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    device = TOTPDevice.objects.create(user=boss, name="phone", confirmed=True)
    pledge = make_sponsorship(demo, confirmed=True)
    messages = []
    page.on(
        "console",
        lambda message: (
            messages.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    log_in_to_admin(page, site, "boss", PASSWORD, device)

    violations = []
    for name, args in [
        ("admin:portfolio_project_change", [demo.pk]),
        ("admin:donations_sponsorship_changelist", []),
        ("admin:donations_sponsorship_history", [pledge.pk]),
        ("admin:index", []),
    ]:
        response = page.goto(site.url + reverse(name, args=args))
        assert response.status == 200, name
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        violations += page.evaluate("window.__violations")
    assert (violations, messages) == ([], [])
    # The rich-text editor and the language switch did start under the policy.
    page.goto(site.url + reverse("admin:portfolio_project_change", args=[demo.pk]))
    expect(page.locator(".prose-menubar").first).to_be_visible()
    expect(page.locator(".language-switch [aria-pressed=true]")).to_have_count(1)
    expect(page.locator("#id_title_en")).to_be_hidden()
