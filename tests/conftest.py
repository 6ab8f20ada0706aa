import pytest
from django.core.management import call_command


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
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture(autouse=True)
def clear_cache():
    """Start every test with an empty cache (rate limits, one-time keys)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
