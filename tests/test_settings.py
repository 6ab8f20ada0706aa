"""Deploy-time configuration, checked the way a server starts: in a fresh process."""

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
PRODUCTION_SECRET = "k3y-" + "x7Qp9v" * 9
PRINT_CACHES = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.CACHES['default']))"
)


def run(args, **environment):
    """Run ``python args`` beside manage.py with only the given configuration."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(BASE_DIR / "var")),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(BASE_DIR),
    } | {name: value for name, value in environment.items() if value is not None}
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def dot_env_defines(name):
    dot_env = BASE_DIR / ".env"
    return dot_env.exists() and any(
        line.strip().startswith(f"{name}=") for line in dot_env.read_text().splitlines()
    )


@pytest.mark.parametrize("secret", [None, ""], ids=["unset", "empty"])
def test_production_refuses_to_start_without_a_secret_key(secret):
    if secret is None and dot_env_defines("SECRET_KEY"):
        pytest.skip("a local .env file provides SECRET_KEY")
    result = run(
        ["manage.py", "check"],
        DEBUG="false",
        SECRET_KEY=secret,
        ALLOWED_HOSTS="portfolio.example.org",
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_development_starts_without_a_secret_key():
    result = run(["manage.py", "check"], DEBUG="true", SECRET_KEY="")
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        SECRET_KEY=PRODUCTION_SECRET,
        ALLOWED_HOSTS="portfolio.example.org",
        CSRF_TRUSTED_ORIGINS="https://portfolio.example.org",
        SECURE_SSL_REDIRECT="true",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_checks_notice_an_insecure_production():
    """The check above can fail: turning the HTTPS redirect off is reported."""
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        SECRET_KEY=PRODUCTION_SECRET,
        ALLOWED_HOSTS="portfolio.example.org",
        SECURE_SSL_REDIRECT="false",
    )
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


def test_the_cache_is_local_memory_without_redis():
    result = run(["-c", PRINT_CACHES], DEBUG="true", REDIS_URL="")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["BACKEND"].endswith("LocMemCache")


def test_the_cache_uses_redis_when_redis_url_is_set():
    result = run(["-c", PRINT_CACHES], DEBUG="true", REDIS_URL="redis://cache.internal:6379/3")
    assert result.returncode == 0, result.stderr
    cache = json.loads(result.stdout)
    assert cache["BACKEND"] == "django_redis.cache.RedisCache"
    assert cache["LOCATION"] == "redis://cache.internal:6379/3"
    assert cache["OPTIONS"]["CLIENT_CLASS"] == "core.redis_client.RedisClient"


def redis_reachable(host="127.0.0.1", port=6379):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_reachable(), reason="no Redis server on 127.0.0.1:6379")
def test_a_value_cached_by_one_process_is_read_from_redis_by_another():
    key = f"settings-test-{uuid.uuid4().hex}"
    url = "redis://127.0.0.1:6379/15"
    write = (
        "import django; django.setup(); from django.core.cache import cache; "
        f"cache.set({key!r}, 'partagé', 60)"
    )
    read = (
        "import django; django.setup(); from django.core.cache import cache; "
        f"print(cache.get({key!r})); cache.delete({key!r})"
    )
    written = run(["-c", write], DEBUG="true", REDIS_URL=url)
    assert written.returncode == 0, written.stderr
    read_back = run(["-c", read], DEBUG="true", REDIS_URL=url)
    assert read_back.returncode == 0, read_back.stderr
    # A local-memory cache dies with its process: only a shared Redis returns the value.
    assert read_back.stdout.strip() == "partagé"


def example_environment():
    """Return the variables of ``.env.example`` as a newcomer's copy of it sets them."""
    variables = {}
    for line in (BASE_DIR / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            variables[name.strip()] = value.strip()
    return variables


def test_a_copy_of_the_example_environment_starts_the_site():
    """``.env.example`` says to copy it to ``.env``: its empty values mean "the default"."""
    show = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.DATABASES['default']['ENGINE'], settings.SERVER_EMAIL]))"
    )
    result = run(["-c", show], **example_environment())
    assert result.returncode == 0, result.stderr
    engine, server_email = json.loads(result.stdout)
    assert engine == "django.db.backends.sqlite3"
    assert server_email == example_environment()["DEFAULT_FROM_EMAIL"]


@pytest.mark.parametrize("redis_url", ["", "redis://cache.internal:6379/0"])
def test_postgresql_in_production_asks_for_a_shared_cache(redis_url):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        SECRET_KEY=PRODUCTION_SECRET,
        ALLOWED_HOSTS="example.org",
        DATABASE_URL="postgres://user:password@db.internal:5432/portfolio",
        REDIS_URL=redis_url,
    )
    if redis_url:
        assert result.returncode == 0, result.stdout + result.stderr
    else:
        assert result.returncode != 0 and "core.W001" in result.stdout + result.stderr
