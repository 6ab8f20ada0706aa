"""Real-browser tests: Debian's Chromium, driven by Playwright, against the live server."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM must be allowed here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = next(
    (path for path in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if shutil.which(path)),
    None,
)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if CHROMIUM is None and not os.environ.get("CI"):
                item.add_marker(
                    pytest.mark.skip(
                        reason="Debian's chromium is not installed (apt-get install chromium)"
                    )
                )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM or "/usr/bin/chromium",
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-CA", "viewport": DESKTOP}


@pytest.fixture
def site(live_server, settings, demo):
    """The live server with the demo content, serving uploads like `make run` does."""
    return live_server


def log_in_to_admin(page, site, username, password, device=None, drift=0):
    """Log in through the admin's pages: the password, then the app's code if it has one."""
    from django.urls import reverse
    from django_otp.oath import totp

    page.goto(site.url + reverse("admin:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit], button[type=submit]")
    if device is not None:
        page.wait_for_url(f"**{reverse('accounts:verify')}**")
        code = totp(device.bin_key, step=device.step, digits=device.digits, drift=drift)
        page.fill("#id_code", f"{code:06d}")
        page.click("input[type=submit]")
    page.locator("#user-tools").wait_for()


def make_finance_user(django_user_model, username, email, password):
    """Return a Finance account with the permissions its data migration grants, rebuilt here:
    live-server tests start from an emptied database."""
    import importlib

    from django.contrib.auth.models import Group, Permission

    migration = importlib.import_module("donations.migrations.0002_finance_and_editor_permissions")
    group, _created = Group.objects.get_or_create(name="Finance")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="donations",
            codename__in=migration.codenames(migration.FINANCE),
        )
    )
    user = django_user_model.objects.create_user(username, email, password, is_staff=True)
    user.groups.add(group)
    return user
