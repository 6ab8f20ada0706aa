"""The developer commands refuse to run with production settings (DEBUG off)."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from partners.models import Partner
from portfolio.models import Project

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("generate_portfolio", {"projects": 2}),
        ("bench_pages", {"as_json": True}),
        ("bench", {"tiny": True}),
    ],
)
def test_refuses_with_debug_off(settings, command, options):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off, as in production"):
        call_command(command, stdout=StringIO(), **options)


def test_generate_portfolio_writes_nothing_when_refused(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("generate_portfolio", projects=3, verbosity=0)
    assert not Project.objects.exists()
    assert not Partner.objects.exists()


def test_generate_portfolio_runs_in_development(settings):
    settings.DEBUG = True
    call_command("generate_portfolio", projects=2, seed=1, stdout=StringIO())
    assert Project.objects.published().count() == 2


def test_force_runs_with_debug_off(settings, demo):
    settings.DEBUG = False
    call_command("generate_portfolio", projects=2, seed=1, force=True, stdout=StringIO())
    out = StringIO()
    call_command("bench_pages", as_json=True, force=True, stdout=out)
    measured = json.loads(out.getvalue())
    assert measured["counts"]["projects"] == Project.objects.published().count() >= 2


def test_manage_py_refuses_with_production_settings(tmp_path):
    """From the shell, as an operator would type it on a server: a clear error, no trace."""
    env = dict(
        os.environ,
        DEBUG="false",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "generate_portfolio", "--projects=1"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "CommandError: generate_portfolio is a developer tool" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "production.sqlite3").exists()
