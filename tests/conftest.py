import pytest
from django.core.management import call_command
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Keep every test's uploads in its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def demo(db):
    """The seed project, its partners, regions and sector, as `load_demo` makes them."""
    from portfolio.models import Project

    call_command("load_demo", verbosity=0)
    return Project.objects.get(
        slug_fr="prevenir-la-traite-des-etres-humains-dans-les-regions-rurales"
    )


@pytest.fixture
def editor(db, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        "editor", "editor@example.org", "correct-horse-battery", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def finance_user(db, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        "finance", "finance@example.org", "correct-horse-battery", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Finance"))
    with_authenticator(user)
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture(autouse=True)
def default_language():
    """Start every test in the site's default language: a request leaves its own language
    active in the thread, and addresses built after it would follow."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def clear_cache():
    """Start every test with an empty cache (rate limits, one-time keys)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def pytest_configure(config):
    """Hash test passwords with a fast hasher; production uses Argon2 (config.settings)."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class StaffClient(Client):
    """A test client whose ``force_login`` also gives the user's second factor, if any.

    Like ``force_login`` skips the password, this skips the code step for a user who has
    an authenticator app; tests of that step log in through the pages instead.
    """

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


def with_authenticator(user):
    """Give ``user`` a confirmed authenticator app and return it."""
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.fixture
def client():
    return StaffClient()


@pytest.fixture
def admin_user(db, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.org", "password")
    with_authenticator(user)
    return user


@pytest.fixture
def admin_client(admin_user):
    client = StaffClient()
    client.force_login(admin_user)
    return client
