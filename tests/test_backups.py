"""`manage.py backup` and `restore`: the database and every media file come back whole."""

import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from core import backups
from partners.models import Partner
from portfolio.models import Project, ProjectImage, ProjectUpdate

from .factories import (
    make_partner,
    make_photo,
    make_project,
    make_region,
    make_sponsorship,
    make_update,
    uploaded_image,
)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's backup API")


def fill_portfolio():
    """Projects with partners, regions, photos, news, a partner logo and pledges."""
    region = make_region()
    logo_partner = make_partner(logo_alt_fr="Logo", logo_alt_en="Logo")
    logo_partner.logo.save("logo.png", uploaded_image("logo.png", (300, 200), "PNG"))
    for n in range(2):
        project = make_project(regions=[region], partners=[logo_partner, make_partner()])
        make_photo(project)
        make_update(project)
        make_sponsorship(project, confirmed=bool(n))


def row_counts(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def run_backup(tmp_path) -> Path:
    out = tmp_path / "backups"
    call_command("backup", output_dir=str(out), stdout=(buffer := __import__("io").StringIO()))
    folder = Path(buffer.getvalue().strip())
    assert folder.parent == out and folder.name.startswith("backup-")
    return folder


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_postgresql_round_trip_into_a_new_database(tmp_path):
    fill_portfolio()
    folder = run_backup(tmp_path)
    with connection.cursor() as cursor:
        before = row_counts(cursor, connection.introspection.table_names())
    media_before = backups.media_hashes(settings.MEDIA_ROOT)
    assert len(media_before) >= 3  # a logo and two photos, with their renditions

    conf = connection.settings_dict
    name = f"{conf['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    restored_media = tmp_path / "restored-media"
    try:
        env = os.environ | {
            "DEBUG": "true",
            "DATABASE_URL": (
                f"postgres://{conf['USER']}:{conf['PASSWORD'] or ''}"
                f"@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{name}"
            ),
            "MEDIA_ROOT": str(restored_media),
        }
        restore = [sys.executable, "manage.py", "restore", str(folder)]
        result = subprocess.run(  # noqa: S603 - this project's manage.py
            restore, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr

        target = psycopg2.connect(
            dbname=name,
            host=conf["HOST"] or "127.0.0.1",
            port=conf["PORT"] or 5432,
            user=conf["USER"],
            password=conf["PASSWORD"] or None,
        )
        try:
            with target.cursor() as cursor:
                cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                after = row_counts(cursor, [row[0] for row in cursor.fetchall()])
        finally:
            target.close()
        assert after == before
        assert before["portfolio_project"] == 2 and before["donations_sponsorship"] == 2
        assert backups.media_hashes(restored_media) == media_before

        # A second restore finds the database full and refuses.
        again = subprocess.run(  # noqa: S603 - this project's manage.py
            restore, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
        )
        assert again.returncode != 0
        assert "The database is not empty" in again.stderr
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@on_postgresql
@pytest.mark.django_db
def test_postgresql_backup_says_when_pg_dump_is_missing_or_too_old(tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(CommandError, match="pg_dump was not found on PATH"):
        run_backup(tmp_path)

    # An old client of PostgreSQL 9.6 left on the PATH.
    old = empty / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)
    with pytest.raises(CommandError, match=r"pg_dump 9 cannot dump a PostgreSQL \d+ server"):
        run_backup(tmp_path)
    assert not list((tmp_path / "backups").iterdir())


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_sqlite_round_trip(tmp_path):
    fill_portfolio()
    folder = run_backup(tmp_path)
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        before = row_counts(cursor, tables)
    media_before = backups.media_hashes(settings.MEDIA_ROOT)
    assert len(media_before) >= 3

    # Losing data, and the files.
    ProjectImage.objects.all().delete()
    ProjectUpdate.objects.all().delete()
    Project.objects.update(title_fr="Écrasé")
    Partner.objects.filter(logo="").update(city="Écrasé")
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            path.unlink()

    with pytest.raises(CommandError, match="The database is not empty"):
        call_command("restore", str(folder), verbosity=0)
    call_command("restore", str(folder), force=True, verbosity=0)

    with connection.cursor() as cursor:
        after = row_counts(cursor, tables)
    assert after == before
    assert not Project.objects.filter(title_fr="Écrasé").exists()
    assert backups.media_hashes(settings.MEDIA_ROOT) == media_before


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_restore_puts_every_page_and_fragment_kept_before_out_of_date(tmp_path, settings):
    from django.core.cache import cache

    from core import fragments, pagecache

    settings.PAGE_CACHE_STATE = "cache"
    settings.FRAGMENT_CACHE_ENABLED = True
    make_project()
    folder = run_backup(tmp_path)
    pagecache.clear()
    kept = {key: cache.get(key).token for key in (pagecache.STATE_KEY, fragments.EDITORIAL_KEY)}

    call_command("restore", str(folder), force=True, verbosity=0)

    for key, token in kept.items():
        assert cache.get(key).token != token, key


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused(tmp_path):
    fill_portfolio()
    folder = run_backup(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())

    # A media file whose content no longer matches its recorded hash.
    some_file = sorted(manifest["media"])[0]
    manifest["media"][some_file] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(backups.BackupError, match="media file"):
        backups.restore_media(folder / "media.tar", manifest["media"], force=True)

    # A truncated database copy.
    database = folder / manifest["database"]
    database.write_bytes(database.read_bytes()[:100])
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(folder), force=True, verbosity=0)


def test_the_media_archive_cannot_write_outside_media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = tmp_path / "evil.tar"
    payload = tmp_path / "payload"
    payload.write_text("x")
    with tarfile.open(archive, "w") as tar:
        tar.add(payload, arcname="../escaped.txt")
    with pytest.raises(tarfile.TarError):
        backups.restore_media(archive, {}, force=True)
    assert not (tmp_path / "escaped.txt").exists()


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path):
    with pytest.raises(CommandError, match="is not a backup"):
        call_command("restore", str(tmp_path), verbosity=0)
